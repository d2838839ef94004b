import { describe, expect, it } from "vitest";
import en from "./en.json";
import zhCN from "./zh-CN.json";
import i18n, { setLanguage } from "./index";

type Catalogue = Record<string, unknown>;

function flatten(catalogue: Catalogue, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value as Catalogue, path)) out.set(k, v);
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? "").sort();
}

/**
 * The templates of the core's findings (`findings.text.*`, the objects they are about
 * `findings.object.*`) and preflight checks (`preflight.text.*`, clean-member's conflicts
 * `preflight.conflicts.*`) exist in zh-CN only: their English is the core's own text (see
 * i18n/templateText.ts; tested in features/fleet and features/workflows).
 */
const CORE_TEXT = ["findings.text.", "findings.object.", "preflight.text.", "preflight.conflicts."];

describe("translations", () => {
  const english = flatten(en);
  const chinese = new Map([...flatten(zhCN)].filter(([key]) => !CORE_TEXT.some((prefix) => key.startsWith(prefix))));

  it("zh-CN has exactly the keys of en", () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("no string is empty and every placeholder is kept", () => {
    for (const [key, text] of english) {
      const translated = chinese.get(key) ?? "";
      expect(text.trim(), key).not.toBe("");
      expect(translated.trim(), key).not.toBe("");
      expect(placeholders(translated), key).toEqual(placeholders(text));
    }
  });

  it("uses the KubeSphere glossary", () => {
    expect(zhCN.clusters.role.host).toBe("主集群");
    expect(zhCN.clusters.role.member).toBe("成员集群");
    expect(zhCN.summary.clusters).toBe("集群");
    expect(zhCN.summary.projects).toBe("项目");
    expect(zhCN.detail.tabs.workspaces).toBe("企业空间");
    expect(zhCN.detail.tabs.projects).toBe("项目");
  });
});

describe("loading a language on demand", () => {
  it("setLanguage loads the zh-CN strings it switches to", async () => {
    i18n.removeResourceBundle("zh-CN", "translation");
    expect(i18n.hasResourceBundle("zh-CN", "translation")).toBe(false);
    await setLanguage("zh-CN");
    expect(i18n.t("clusters.role.host")).toBe("主集群");
    await setLanguage("en");
    expect(i18n.t("clusters.role.host")).toBe(en.clusters.role.host);
  });
});
