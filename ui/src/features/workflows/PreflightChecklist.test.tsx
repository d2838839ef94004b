import { MantineProvider } from "@mantine/core";
import { act, render, screen, within } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import i18n, { setLanguage } from "../../i18n";
import zhCN from "../../i18n/zh-CN.json";
import type { Check, PreflightReport } from "../../ipc/bindings";
import { migrateFleet } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { PreflightChecklist } from "./PreflightChecklist";
import { CONFLICT_KINDS, checkText } from "./preflightText";
// Real checks of ksmc-sim's scenarios (one of each form reached) and each check id's declared
// params (core's CHECK_PARAMS), written by core's `fleet_params` test (KSMC_UPDATE_FIXTURES=1).
import fixture from "./preflight.fixture.json";

interface Declared {
  keys: string[];
  variants: string[];
}

const ids: string[] = fixture.ids;
const declared = fixture.params as Record<string, Declared>;
const checks = fixture.checks as unknown as Check[];
const templates = zhCN.preflight.text as unknown as Record<string, Record<string, string>>;
const FIELDS = ["title", "message", "fix"] as const;
const HAN = /\p{Script=Han}/u;

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? "");
}

function example(id: string, variant: string): Check {
  const c = checks.find((x) => x.id === id && x.params.variant === variant);
  if (c === undefined) throw new Error(`the fixture has no ${id}/${variant}`);
  return c;
}

function report(list: Check[]): PreflightReport {
  return { host: "host", member: "m-role", name: "m-role", checks: list, ok: list.every((c) => c.status !== "fail") };
}

const SAMPLE = [
  example("connection", "direct"),
  example("member-role", "fail"),
  example("access-token-max-age", "warn"),
  example("jwt-secret", "skipV4"),
];

function show(r: PreflightReport) {
  render(
    <I18nextProvider i18n={i18n}>
      <MantineProvider>
        <PreflightChecklist report={r} />
      </MantineProvider>
    </I18nextProvider>,
  );
}

afterEach(async () => {
  await setLanguage("en");
});

describe("the preflight checklist", () => {
  it("shows each check's status, and how to fix a failed one", () => {
    show(report(SAMPLE));
    const status = (id: string) => within(screen.getByTestId(`preflight-check-${id}`)).getByTestId("preflight-status");
    expect(status("connection").textContent).toBe("Pass");
    expect(status("member-role").textContent).toBe("Failed");
    expect(status("access-token-max-age").textContent).toBe("Warning");
    expect(status("jwt-secret").textContent).toBe("Skipped");
    expect(screen.getByTestId("preflight-summary").textContent).toBe(
      "1 check failed: the import is refused until it is fixed (the fix-its above can fix some).",
    );

    const failed = screen.getByTestId("preflight-check-member-role");
    expect(failed.textContent).toContain("the clusterRole of the member cluster must be 'member' (it is none)");
    expect(within(failed).getByTestId("preflight-fix").textContent).toContain(
      "Set clusterRole member in the member's ClusterConfiguration",
    );
    expect(within(failed).getByTestId("preflight-commands").textContent).toContain("patch cc ks-installer");
    expect(within(failed).getByText("Copy")).toBeTruthy();
    // A passed check has no fix to show.
    expect(within(screen.getByTestId("preflight-check-connection")).queryByTestId("preflight-fix")).toBeNull();
  });

  it("says when no check failed", () => {
    show(report([example("connection", "direct"), example("jwt-secret", "pass")]));
    expect(screen.getByTestId("preflight-summary").textContent).toBe("No check failed: KubeSphere would accept this import.");
  });

  it("shows the Chinese title, message and fix in zh-CN, with the core's values", async () => {
    await setLanguage("zh-CN");
    show(report(SAMPLE));
    const failed = screen.getByTestId("preflight-check-member-role");
    expect(failed.textContent).toContain("clusterRole 为 member");
    expect(failed.textContent).toContain("成员集群的 clusterRole 必须为 member（当前为 none）");
    expect(within(failed).getByTestId("preflight-status").textContent).toBe("未通过");
    expect(within(failed).getByTestId("preflight-fix").textContent).toContain("在成员集群的 ClusterConfiguration 中设置 clusterRole member");
    const warn = screen.getByTestId("preflight-check-access-token-max-age");
    expect(warn.textContent).toContain("accessTokenMaxAge 为 2h：从主集群打开 m-role 的用户会被送回登录页");
  });
});

describe("zh-CN templates of the preflight checks", () => {
  it("cover every check id the core reports, each with a title", () => {
    expect(ids).toHaveLength(13);
    expect(Object.keys(declared).sort()).toEqual([...ids].sort());
    expect(Object.keys(templates).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(templates[id]?.title, id).toMatch(HAN);
  });

  it("use only the params the core declares for that id, in forms it declares", () => {
    for (const id of ids) {
      const { keys, variants } = declared[id] ?? { keys: [], variants: [] };
      for (const [name, text] of Object.entries(templates[id] ?? {})) {
        const [field, variant, ...rest] = name.split("_");
        expect(FIELDS as readonly string[], `${id}.${name}`).toContain(field);
        expect(rest, `${id}.${name}`).toEqual([]);
        if (variant !== undefined) expect(variants, `${id}.${name}`).toContain(variant);
        // The title depends on the id alone.
        if (field === "title") expect(placeholders(text), `${id}.${name}`).toEqual([]);
        for (const p of placeholders(text)) expect(keys, `${id}.${name} uses {{${p}}}`).toContain(p);
        expect(HAN.test(text), `${id}.${name} is Chinese`).toBe(true);
      }
    }
  });

  it("render every real check of the simulator in Chinese", async () => {
    expect(checks.length).toBeGreaterThan(20);
    await setLanguage("zh-CN");
    for (const c of checks) {
      const form = `${c.id}/${c.params.variant ?? ""}`;
      const text = checkText(i18n, c);
      for (const field of FIELDS) {
        const s = text[field];
        expect(s, `${form} ${field}`).not.toMatch(/\{\{|\}\}/);
        if (s === "") continue;
        expect(HAN.test(s), `${form} ${field}: ${s}`).toBe(true);
      }
    }
  });

  it("write clean-member's conflicts as one sentence per kind of conflict, with the core's names", async () => {
    const c = example("clean-member", "conflicts");
    expect(checkText(i18n, c).message).toBe(c.message);
    await setLanguage("zh-CN");
    const text = checkText(i18n, c);
    expect(text.message).toBe(
      "企业空间 old-ws 已存在于成员集群 m-dirty，而 host 上的同名企业空间没有放置到该集群，二者冲突；" +
        "企业空间 team-a 是在 m-dirty 上本地创建的（不是由主集群下发的），host 并不知道它们；" +
        "m-dirty 有自己的用户 alice（不是从主集群同步的），host 上也有同名用户",
    );
    expect(text.fix).toBe("导入前先解决 m-dirty 上的这些冲突：下面的命令给出了每一处的处理方法。");
    // A long list, and the kinds the fixture's member does not have.
    const more = { ...c, params: { variant: "conflicts", member: "m", host: "h", projects: "a, b", projectsMore: "3", emailUsers: "bob" } };
    expect(checkText(i18n, more).message).toBe(
      "m 上的用户 bob 与 h 上另一个用户的邮箱相同：成员集群的 webhook 会拒绝同步过来的用户；" +
        "项目 a, b，另有 3 个 的 ownerReference 指向 m 上已不存在的企业空间：垃圾回收可能会删除它们",
    );
    // A value a sentence needs is missing: the core's English, never a half-filled template.
    const lacking = { ...c, params: { variant: "conflicts", workspaces: "old-ws" } };
    expect(checkText(i18n, lacking).message).toBe(c.message);
  });

  it("have a Chinese sentence for every kind of conflict, using only clean-member's params", () => {
    const keys = declared["clean-member"]?.keys ?? [];
    const conflicts = (zhCN.preflight as unknown as { conflicts: Record<string, string> }).conflicts;
    expect(Object.keys(conflicts).sort()).toEqual([...CONFLICT_KINDS, "separator"].sort());
    for (const kind of CONFLICT_KINDS) {
      expect(keys).toContain(kind);
      expect(keys).toContain(`${kind}More`);
      const text = conflicts[kind] ?? "";
      expect(HAN.test(text), kind).toBe(true);
      expect(placeholders(text), kind).toContain(kind);
      for (const p of placeholders(text)) expect(keys, `${kind} uses {{${p}}}`).toContain(p);
    }
  });

  it("show the core's English in English and for an id without templates", async () => {
    const c = example("member-role", "fail");
    const english = { title: c.title, message: c.message, fix: c.fix?.summary ?? "" };
    expect(checkText(i18n, c)).toEqual(english);
    await setLanguage("zh-CN");
    expect(checkText(i18n, { ...c, id: "not-a-check" })).toEqual(english);
  });
});

describe("the import wizard's preflight", () => {
  it("runs the preflight of the chosen clusters and keeps planning possible", async () => {
    const asked: unknown[] = [];
    let answer: (r: PreflightReport) => void = () => undefined;
    const calls = mockCommands({
      inspect_fleet: () => migrateFleet(),
      preflight_import: (args) => {
        asked.push(args);
        return new Promise<PreflightReport>((resolve) => {
          answer = resolve;
        });
      },
    });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-workflows"));
    await user.click(await screen.findByText("Import"));
    expect(screen.getByTestId<HTMLButtonElement>("preflight-button").disabled).toBe(true);
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByTestId("field-host"), "new-host");
    await user.click(screen.getByTestId("preflight-button"));
    // While the clusters are read.
    expect((await screen.findByTestId("preflight-loading")).textContent).toBe("Checking…");
    await act(async () => {
      answer({ ...report(SAMPLE), host: "new-host", member: "prod-1", name: "prod-1" });
      await Promise.resolve();
    });
    const list = await screen.findByTestId("preflight-checklist");
    expect(screen.queryByTestId("preflight-loading")).toBeNull();
    expect(asked).toEqual([{ host: "new-host", member: "prod-1", name: "prod-1" }]);
    expect(list.getAttribute("data-ok")).toBe("false");
    expect(within(list).getByTestId("preflight-check-member-role").getAttribute("data-status")).toBe("fail");
    expect(screen.getByTestId<HTMLButtonElement>("plan-button").disabled).toBe(false);

    // Another host: the result of the first pair is not shown for it.
    await user.selectOptions(screen.getByTestId("field-host"), "old-host");
    expect(screen.queryByTestId("preflight-checklist")).toBeNull();
    expect(callsOf(calls, "preflight_import")).toBe(1);
  });

  it("shows why the preflight could not run", async () => {
    mockCommands({
      inspect_fleet: () => migrateFleet(),
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      preflight_import: () => Promise.reject({ kind: "NotFound", message: "no cluster named \"prod-1\"", status: null }),
    });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-workflows"));
    await user.click(await screen.findByText("Import"));
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByTestId("field-host"), "new-host");
    await user.click(screen.getByTestId("preflight-button"));
    const error = await screen.findByTestId("preflight-error");
    expect(error.textContent).toContain("Could not run the preflight");
    expect(error.textContent).toContain("no cluster named");
  });
});
