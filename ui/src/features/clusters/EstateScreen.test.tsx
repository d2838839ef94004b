import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AppError } from "../../ipc/bindings";
import { demoFleet } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

function text(testId: string): string {
  return screen.getByTestId(testId).textContent;
}

describe("EstateScreen", () => {
  it("reads the estate once, through inspect_fleet only, and shows every cluster", async () => {
    const calls = mockCommands({ inspect_fleet: () => demoFleet() });
    renderWithProviders();

    const table = await screen.findByTestId("cluster-table");
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
    expect(callsOf(calls, "list_clusters")).toBe(0);

    const rows = within(table).getAllByTestId(/^cluster-row-/);
    expect(rows.map((row) => row.dataset.testid)).toEqual([
      "cluster-row-host",
      "cluster-row-member-1",
      "cluster-row-edge",
      "cluster-row-broken",
    ]);
    expect(text("k8s-version-host")).toBe("v1.32.4");
    expect(text("ks-version-host")).toBe("v3.4.1");
    expect(text("projects-host")).toBe("3");
    expect(text("projects-member-1")).toBe("2");
    expect(text("role-host")).toBe("host");
    expect(text("role-member-1")).toBe("member");
    expect(text("role-edge")).toBe("not configured");
    expect(text("latency-host")).toBe("6 ms");
    expect(within(screen.getByTestId("health-host")).getByText("OK")).toBeTruthy();
    // The server without the https:// scheme, in full as a tooltip.
    const host = screen.getByTestId("cluster-row-host");
    expect(within(host).getByText("127.0.0.1:36004").getAttribute("title")).toBe("https://127.0.0.1:36004");

    // The demo estate is flagged as simulated.
    expect(screen.getByTestId("demo-badge").textContent).toBe("Demo estate — simulated");
    expect(screen.getByTestId("demo-scenario").textContent).toBe("fresh");
    expect(screen.getByTestId("demo-note").textContent).toContain("None of these clusters are real");

    // Summary: 4 clusters, 3 reachable, 1 host, 1 member, 3 + 2 + 3 projects in 6 workspaces.
    expect(within(screen.getByTestId("stat-clusters")).getByText("4")).toBeTruthy();
    expect(within(screen.getByTestId("stat-clusters")).getByText("3 of 4 reachable")).toBeTruthy();
    expect(within(screen.getByTestId("stat-hosts")).getByText("1")).toBeTruthy();
    expect(within(screen.getByTestId("stat-members")).getByText("1")).toBeTruthy();
    expect(within(screen.getByTestId("stat-projects")).getByText("8")).toBeTruthy();
    expect(within(screen.getByTestId("stat-projects")).getByText("in 6 workspaces across reachable clusters")).toBeTruthy();

    // The topology has a node per cluster, plus the member known only from the host.
    const topology = screen.getByTestId("topology");
    expect(within(topology).getByTestId("topology-node-host")).toBeTruthy();
    expect(within(topology).getByTestId("topology-node-member-1")).toBeTruthy();
    expect(within(topology).getByTestId("topology-node-host/far-away")).toBeTruthy();
    expect(text("topology-state-member-1")).toBe("joined · Ready");
    expect(text("topology-state-edge")).toBe("standalone");

    // Findings stay, with a count per cluster in the table.
    expect(screen.getByTestId("finding-count-edge").textContent).toBe("1 finding");
    expect(screen.getByTestId("finding-role-none-edge")).toBeTruthy();
  });

  it("shows a broken cluster's error instead of facts", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    renderWithProviders();

    const row = await screen.findByTestId("cluster-row-broken");
    expect(row.classList.contains("is-error")).toBe(true);
    expect(within(row).getByText("cannot reach the API server: Connection refused")).toBeTruthy();
    expect(within(screen.getByTestId("health-broken")).getByText("Unreachable")).toBeTruthy();
    expect(within(screen.getByTestId("health-broken")).queryByText("OK")).toBeNull();
    expect(text("k8s-version-broken")).toBe("—not available");
    expect(text("projects-broken")).toBe("—not available");
    expect(text("role-broken")).toBe("unknown");
    // Healthy rows are untouched.
    expect(within(screen.getByTestId("health-member-1")).getByText("OK")).toBeTruthy();
  });

  it("shows the error panel when inspect_fleet fails, and retry calls it again", async () => {
    const failure: AppError = { kind: "Unauthorized", message: "token has expired", status: 401 };
    let fail = true;
    const calls = mockCommands({
      inspect_fleet: () => {
        // Tauri rejects with the serialized AppError itself, not an Error.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        if (fail) throw failure;
        return demoFleet();
      },
    });
    const { user } = renderWithProviders();

    const panel = await screen.findByTestId("error-panel");
    expect(panel.getAttribute("role")).toBe("alert");
    expect(within(panel).getByText("Could not load the estate")).toBeTruthy();
    expect(within(panel).getByText("Unauthorized")).toBeTruthy();
    expect(within(panel).getByText("token has expired")).toBeTruthy();
    expect(within(panel).getByText("HTTP status 401")).toBeTruthy();
    expect(screen.queryByTestId("cluster-table")).toBeNull();
    // Where the estate comes from is known without reading it.
    expect(screen.getByTestId("demo-badge")).toBeTruthy();

    fail = false;
    await user.click(within(panel).getByRole("button", { name: "Try again" }));

    await screen.findByTestId("cluster-table");
    expect(callsOf(calls, "inspect_fleet")).toBe(2);
    expect(screen.queryByTestId("error-panel")).toBeNull();
  });

  it("reports an invoke failure outside the Result as an internal error", async () => {
    mockCommands({
      inspect_fleet: () => {
        throw new Error("window.__TAURI_INTERNALS__ is undefined");
      },
    });
    renderWithProviders();

    const panel = await screen.findByTestId("error-panel");
    expect(within(panel).getByText("Internal error")).toBeTruthy();
    expect(within(panel).getByText("window.__TAURI_INTERNALS__ is undefined")).toBeTruthy();
  });

  it("switches to Simplified Chinese at once, with KubeSphere's terms", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(screen.getByRole("columnheader", { name: "Name" })).toBeTruthy();

    await user.selectOptions(screen.getByRole("combobox", { name: "Language" }), "zh-CN");

    const headers = within(screen.getByTestId("cluster-table"))
      .getAllByRole("columnheader")
      .map((th) => th.textContent);
    expect(headers).toEqual(["名称", "角色", "Kubernetes 版本", "KubeSphere 版本", "项目", "延迟", "健康状况"]);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("集群总览");
    expect(screen.getByTestId("demo-badge").textContent).toBe("演示环境 — 模拟");
    expect(text("role-host")).toBe("主集群");
    expect(text("role-member-1")).toBe("成员集群");
    expect(text("role-edge")).toBe("未配置");
    expect(text("topology-state-member-1")).toBe("已加入 · 就绪");
    expect(within(screen.getByTestId("stat-members")).getByText("成员集群")).toBeTruthy();
    expect(within(screen.getByTestId("stat-projects")).getByText("分布在可访问集群的 6 个企业空间中")).toBeTruthy();
    expect(screen.getByTestId("nav-vault").textContent).toContain("凭据库");
    expect(screen.getByRole("combobox", { name: "语言" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(window.localStorage.getItem("ksmc.language")).toBe("zh-CN");
  });

  it("refresh calls inspect_fleet again and shows the new facts", async () => {
    let projects = 2;
    const calls = mockCommands({
      inspect_fleet: () => {
        const report = demoFleet();
        const member = report.clusters[1];
        if (member?.projects.items) member.projects.items = member.projects.items.slice(0, projects);
        return report;
      },
    });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(text("projects-member-1")).toBe("2");

    projects = 1;
    await user.click(screen.getByRole("button", { name: "Refresh" }));

    await waitFor(() => {
      expect(text("projects-member-1")).toBe("1");
    });
    expect(callsOf(calls, "inspect_fleet")).toBe(2);
  });

  it("opens a cluster's details from its row or its node, without reading the estate again", async () => {
    const calls = mockCommands({ inspect_fleet: () => demoFleet() });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");

    await user.click(screen.getByRole("button", { name: "Open the details of member-1" }));
    expect((await screen.findByTestId("detail-title")).textContent).toBe("member-1");
    expect(screen.getByTestId("registered-on").textContent).toBe("Registered on host as Cluster member-1");

    await user.click(screen.getByTestId("detail-back"));
    await screen.findByTestId("cluster-table");
    await user.click(screen.getByTestId("topology-node-host"));
    expect((await screen.findByTestId("detail-title")).textContent).toBe("host");
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
  });
});
