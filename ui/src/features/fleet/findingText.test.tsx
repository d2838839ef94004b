import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { I18nextProvider } from "react-i18next";
import { MantineProvider } from "@mantine/core";
import type { Finding } from "../../ipc/bindings";
import i18n, { setLanguage } from "../../i18n";
import zhCN from "../../i18n/zh-CN.json";
import { FindingItem } from "./FindingItem";
import { VARIANT, findingText, objectLabel, templateKey } from "./findingText";
// Real findings of ksmc-sim's scenarios and each id's declared params, written by core's
// `fleet_params` test (KSMC_UPDATE_FIXTURES=1), which fails when this file is stale.
import fixture from "./findings.fixture.json";

interface Declared {
  keys: string[];
  variants: string[];
}

const ids: string[] = fixture.ids;
const declared = fixture.params as Record<string, Declared>;
const findings = fixture.findings as unknown as Finding[];
const templates = zhCN.findings.text as unknown as Record<string, Record<string, string> | string>;
const FIELDS = ["title", "explanation", "fix"] as const;

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? "");
}

function templatesOf(id: string): Record<string, string> {
  const t = templates[id];
  if (t === undefined || typeof t === "string") throw new Error(`no zh-CN templates for ${id}`);
  return t;
}

const HAN = /\p{Script=Han}/u;

afterEach(async () => {
  await setLanguage("en");
});

describe("zh-CN templates of the core's findings", () => {
  it("cover every finding id the core produces, with a title, an explanation and a fix", () => {
    expect(ids).toHaveLength(26);
    expect(Object.keys(declared).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const t = templatesOf(id);
      for (const field of FIELDS) expect(t[field]?.trim(), `${id}.${field}`).toBeTruthy();
    }
    // Nothing but the ids (and the list form) under findings.text.
    expect(Object.keys(templates).filter((k) => k !== "list").sort()).toEqual([...ids].sort());
  });

  it("use only the params the core emits for that id, in forms the core declares", () => {
    for (const id of ids) {
      const { keys, variants } = declared[id] ?? { keys: [], variants: [] };
      const t = templatesOf(id);
      for (const [name, text] of Object.entries(t)) {
        const [field, variant, ...rest] = name.split("_");
        expect(FIELDS as readonly string[], `${id}.${name}`).toContain(field);
        expect(rest, `${id}.${name}`).toEqual([]);
        if (variant !== undefined) expect(variants, `${id}.${name}`).toContain(variant);
        for (const p of placeholders(text)) expect(keys, `${id}.${name} uses {{${p}}}`).toContain(p);
        expect(HAN.test(text), `${id}.${name} is Chinese`).toBe(true);
      }
      // Every form of the text has a Chinese template of its own somewhere.
      for (const variant of variants) {
        const own = FIELDS.some((field) => `${field}_${variant}` in t);
        expect(own, `${id} has no template for its ${variant} form`).toBe(true);
      }
    }
  });

  it("render every real finding of the simulator in Chinese, with its names", async () => {
    expect(findings.length).toBeGreaterThan(5);
    await setLanguage("zh-CN");
    for (const f of findings) {
      const text = findingText(i18n, f);
      for (const field of FIELDS) {
        const s = text[field];
        expect(s, `${f.id} ${field}`).not.toMatch(/\{\{|\}\}/);
        expect(HAN.test(s), `${f.id} ${field}: ${s}`).toBe(true);
      }
      // Names in the Chinese text are the core's values, untranslated.
      const cluster = f.params.cluster;
      if (cluster !== undefined && f.title.includes(cluster)) expect(text.title).toContain(cluster);
    }
    const conflict = findings.find((f) => f.id === "workspace-conflict");
    expect(conflict && findingText(i18n, conflict).title).toBe("m-dirty 上的企业空间 old-ws 与 host 的冲突");
    const v4 = findings.find((f) => f.id === "member-local-workspace" && f.params[VARIANT] === "v4");
    expect(v4 && findingText(i18n, v4).explanation).toContain("KubeSphere 4.x");
  });

  it("show the core's English in English, for an unknown id, and when a value is missing", async () => {
    const f = findings.find((x) => x.id === "jwt-mismatch");
    if (f === undefined) throw new Error("the fixture has a jwt-mismatch");
    const english = { title: f.title, explanation: f.explanation, fix: f.fix.summary };
    expect(findingText(i18n, f)).toEqual(english);

    await setLanguage("zh-CN");
    expect(findingText(i18n, f).title).toBe(`${f.params.cluster ?? ""} 的 jwtSecret 与 host 的不同`);
    expect(findingText(i18n, { ...f, id: "not-a-finding-id" })).toEqual(english);
    const lacking = Object.fromEntries(Object.entries(f.params).filter(([k]) => k !== "fingerprint"));
    const partial = findingText(i18n, { ...f, params: lacking });
    expect(partial.explanation).toBe(f.explanation);
    expect(partial.title).not.toBe(f.title);
    expect(i18n.exists(templateKey(f.id, "title"))).toBe(true);
  });

  it("name a cluster's read error in the language's words", async () => {
    const f: Finding = {
      id: "cluster-unreadable",
      severity: "error",
      cluster: "far",
      object: null,
      title: "far cannot be read",
      explanation: "could not connect to https://10.0.0.9:6443: connection refused",
      fix: { summary: "Check the kubeconfig.", commands: [], fixIt: null, workflow: null },
      params: {
        cluster: "far",
        kind: "Unreachable",
        message: "could not connect to https://10.0.0.9:6443: connection refused",
      },
    };
    await setLanguage("zh-CN");
    expect(findingText(i18n, f).title).toBe("无法读取 far");
    expect(findingText(i18n, f).explanation).toBe(
      "读取失败（无法连接）：could not connect to https://10.0.0.9:6443: connection refused",
    );
  });

  it("write a long list as the language does", async () => {
    const [first] = findings;
    if (first === undefined) throw new Error("the fixture has findings");
    const f: Finding = {
      ...first,
      id: "workloads-on-host",
      title: "12 projects on host host: a, b and 10 more",
      params: { host: "host", n: "12", projects: "a, b", projectsMore: "10" },
    };
    await setLanguage("zh-CN");
    expect(findingText(i18n, f).title).toBe("主集群 host 上有 12 个项目：a, b，另有 10 个");
    expect(findingText(i18n, { ...f, params: { ...f.params, n: "2", projectsMore: "0" } }).title).toBe(
      "主集群 host 上有 2 个项目：a, b",
    );
  });
});

describe("the objects findings are about", () => {
  it("name every object of the simulator's findings with KubeSphere's Chinese words, and the core's names", async () => {
    const objects = [...new Set(findings.map((f) => f.object).filter((o): o is string => o !== null))];
    expect(objects).toEqual(expect.arrayContaining(["Workspace old-ws", "User alice", "ConfigMap kubesphere-system/kubesphere-config"]));
    for (const o of objects) expect(objectLabel(i18n, o), o).toBe(o);
    await setLanguage("zh-CN");
    for (const o of objects) {
      const label = objectLabel(i18n, o);
      expect(HAN.test(label), `${o}: ${label}`).toBe(true);
      // The name is the core's, untranslated.
      expect(label, o).toContain(o.split(" ").at(-1));
    }
  });

  it("use 集群, 主集群, 企业空间, 用户, 项目 and 组件 for the core's kinds", async () => {
    await setLanguage("zh-CN");
    const cases: [string, string][] = [
      ["Cluster member-1", "集群 member-1"],
      ["Cluster member-1 on host", "主集群 host 上的集群 member-1"],
      ["Workspace team-a", "企业空间 team-a"],
      ["User alice", "用户 alice"],
      ["Namespace stale", "项目 stale"],
      ["ConfigMap kubesphere-system/kubesphere-config", "配置字典 kubesphere-system/kubesphere-config"],
      ["component logging", "组件 logging"],
      ["InstallPlan devops", "扩展组件的 InstallPlan devops"],
      ["InstallPlan devops on host (Cluster edge)", "主集群 host 上扩展组件的 InstallPlan devops（集群 edge）"],
      // A kind KubeSphere's Chinese docs keep as it is, and shapes no template knows.
      ["ClusterConfiguration kubesphere-system/ks-installer", "ClusterConfiguration kubesphere-system/ks-installer"],
      ["Deployment x", "Deployment x"],
      ["Cluster a b c", "Cluster a b c"],
    ];
    for (const [object, label] of cases) expect(objectLabel(i18n, object), object).toBe(label);
  });
});

describe("FindingItem", () => {
  function show(finding: Finding) {
    return render(
      <I18nextProvider i18n={i18n}>
        <MantineProvider>
          <FindingItem finding={finding} />
        </MantineProvider>
      </I18nextProvider>,
    );
  }

  const f = findings.find((x) => x.id === "role-none");

  it("shows the core's text in English and Chinese in zh-CN; commands stay as they are", async () => {
    if (f === undefined) throw new Error("the fixture has a role-none");
    const { unmount } = show(f);
    expect(screen.getByRole("heading").textContent).toBe(f.title);
    expect(screen.getByText(f.explanation)).toBeTruthy();
    unmount();

    await setLanguage("zh-CN");
    show(f);
    expect(screen.getByRole("heading").textContent).toBe(
      `${f.params.cluster ?? ""} 未配置为成员集群（clusterRole 为 none）`,
    );
    expect(screen.getByText(/在 ClusterConfiguration 中设置主集群的 jwtSecret/)).toBeTruthy();
    expect(screen.getByTestId("finding-commands").textContent).toBe(f.fix.commands.join("\n"));
  });

  it("shows the object a finding is about in the UI's language", async () => {
    const conflict = findings.find((x) => x.id === "workspace-conflict");
    if (conflict === undefined) throw new Error("the fixture has a workspace-conflict");
    const { unmount } = show(conflict);
    expect(screen.getByTestId("finding-object").textContent).toBe("Workspace old-ws");
    unmount();
    await setLanguage("zh-CN");
    show(conflict);
    expect(screen.getByTestId("finding-object").textContent).toBe("企业空间 old-ws");
  });
});
