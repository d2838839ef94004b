import { mockIPC } from "@tauri-apps/api/mocks";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AppError, EstateView } from "../../ipc/bindings";
import { cluster, demoEstate, renderWithProviders } from "../../test/render";

/**
 * Serves `list_clusters` from `handler` (counting its calls) and `inspect_fleet` with no
 * findings, and rejects every other command.
 */
function mockListClusters(handler: () => unknown) {
  const calls = vi.fn<(cmd: string) => void>();
  mockIPC((cmd) => {
    if (cmd === "inspect_fleet") return { clusters: [], findings: [] };
    calls(cmd);
    if (cmd === "list_clusters") return handler();
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

function text(testId: string): string {
  return screen.getByTestId(testId).textContent;
}

describe("EstateScreen", () => {
  it("renders every cluster from list_clusters with its facts in its own row", async () => {
    const calls = mockListClusters(() => demoEstate());
    renderWithProviders();

    const table = await screen.findByTestId("cluster-table");
    expect(calls).toHaveBeenCalledTimes(1);
    expect(calls).toHaveBeenCalledWith("list_clusters");

    const rows = within(table).getAllByTestId(/^cluster-row-/);
    expect(rows.map((row) => row.dataset.testid)).toEqual([
      "cluster-row-host",
      "cluster-row-member-1",
      "cluster-row-edge",
    ]);

    expect(text("k8s-version-host")).toBe("v1.32.4");
    expect(text("ns-count-host")).toBe("17");
    expect(text("k8s-version-member-1")).toBe("v1.31.9");
    expect(text("ns-count-member-1")).toBe("23");
    expect(text("k8s-version-edge")).toBe("v1.30.2");
    expect(text("ns-count-edge")).toBe("5");

    const host = screen.getByTestId("cluster-row-host");
    // The server is shown without the https:// scheme, and in full as a tooltip.
    expect(within(host).getByText("127.0.0.1:36111").getAttribute("title")).toBe("https://127.0.0.1:36111");
    expect(text("role-host")).toBe("host");
    expect(within(host).getByText("v3.4.1")).toBeTruthy();
    expect(within(host).getByText("4 ms")).toBeTruthy();
    expect(within(host).getByText("OK")).toBeTruthy();

    const member = screen.getByTestId("cluster-row-member-1");
    expect(text("role-member-1")).toBe("member");
    expect(within(member).getByText("v3.4.0")).toBeTruthy();

    // No KubeSphere and no multi-cluster role: said in words, not left blank.
    const edge = screen.getByTestId("cluster-row-edge");
    expect(text("role-edge")).toBe("not configured");
    expect(text("ks-version-edge")).toBe("not installed");
    expect(text("latency-edge")).toBe("1,234 ms");
    expect(within(edge).getByText("1,234 ms").classList.contains("is-slow")).toBe(true);

    // The demo estate is flagged as simulated, next to its label.
    expect(screen.getByTestId("demo-badge").textContent).toBe("DEMO · simulated");
    expect(screen.getByText("Demo estate (simulated)")).toBeTruthy();

    // Summary strip: 3 clusters, 1 host, 1 member, 17 + 23 + 5 namespaces.
    expect(within(screen.getByTestId("stat-clusters")).getByText("3")).toBeTruthy();
    expect(within(screen.getByTestId("stat-clusters")).getByText("3 of 3 reachable")).toBeTruthy();
    expect(within(screen.getByTestId("stat-hosts")).getByText("1")).toBeTruthy();
    expect(within(screen.getByTestId("stat-members")).getByText("1")).toBeTruthy();
    expect(within(screen.getByTestId("stat-namespaces")).getByText("45")).toBeTruthy();
  });

  it("shows a broken cluster's error instead of its stale facts", async () => {
    const estate = demoEstate();
    estate.clusters.push(
      cluster({
        name: "member-2",
        server: "https://127.0.0.1:36114",
        role: "member",
        // Facts from an earlier read that must not be shown as current.
        kubernetesVersion: "v1.29.0",
        kubesphereVersion: "v3.3.2",
        namespaceCount: 99,
        latencyMs: 77,
        error: {
          kind: "Unreachable",
          message: "dial tcp 127.0.0.1:36114: connect: connection refused",
          status: null,
        },
      }),
    );
    mockListClusters(() => estate);
    renderWithProviders();

    const row = await screen.findByTestId("cluster-row-member-2");
    expect(row.classList.contains("is-error")).toBe(true);
    expect(within(row).getByText("dial tcp 127.0.0.1:36114: connect: connection refused")).toBeTruthy();
    expect(within(screen.getByTestId("health-member-2")).getByText("Unreachable")).toBeTruthy();
    expect(within(screen.getByTestId("health-member-2")).queryByText("OK")).toBeNull();

    expect(text("k8s-version-member-2")).not.toContain("v1.29.0");
    expect(text("ns-count-member-2")).not.toContain("99");
    expect(text("latency-member-2")).not.toContain("77");
    expect(within(row).queryByText("v3.3.2")).toBeNull();
    // The row still says who it is.
    expect(within(row).getByText("127.0.0.1:36114")).toBeTruthy();
    expect(text("role-member-2")).toBe("member");

    // Healthy rows are untouched, and the broken cluster adds nothing to the totals.
    expect(text("ns-count-member-1")).toBe("23");
    expect(within(screen.getByTestId("health-member-1")).getByText("OK")).toBeTruthy();
    expect(within(screen.getByTestId("stat-clusters")).getByText("3 of 4 reachable")).toBeTruthy();
    expect(within(screen.getByTestId("stat-namespaces")).getByText("45")).toBeTruthy();
  });

  it("shows the error panel when list_clusters fails, and retry calls it again", async () => {
    const failure: AppError = { kind: "Unauthorized", message: "token has expired", status: 401 };
    let fail = true;
    const calls = mockListClusters(() => {
      // Tauri rejects with the serialized AppError itself, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (fail) throw failure;
      return demoEstate();
    });
    const { user } = renderWithProviders();

    const panel = await screen.findByRole("alert");
    expect(within(panel).getByText("Could not load the estate")).toBeTruthy();
    expect(within(panel).getByText("Unauthorized")).toBeTruthy();
    expect(within(panel).getByText("token has expired")).toBeTruthy();
    expect(within(panel).getByText("HTTP status 401")).toBeTruthy();
    expect(screen.queryByTestId("cluster-table")).toBeNull();
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(calls).toHaveBeenCalledTimes(1);

    fail = false;
    await user.click(within(panel).getByRole("button", { name: "Try again" }));

    await screen.findByTestId("cluster-table");
    expect(calls).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(text("ns-count-member-1")).toBe("23");
  });

  it("reports an invoke failure outside the Result as an internal error", async () => {
    mockListClusters(() => {
      throw new Error("window.__TAURI_INTERNALS__ is undefined");
    });
    renderWithProviders();

    const panel = await screen.findByRole("alert");
    expect(within(panel).getByText("Internal error")).toBeTruthy();
    expect(within(panel).getByText("window.__TAURI_INTERNALS__ is undefined")).toBeTruthy();
  });

  it("switches to Simplified Chinese", async () => {
    mockListClusters(() => demoEstate());
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(screen.getByRole("columnheader", { name: "Name" })).toBeTruthy();

    await user.selectOptions(screen.getByRole("combobox", { name: "Language" }), "zh-CN");

    const headers = screen.getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual(["名称", "角色", "Kubernetes 版本", "KubeSphere 版本", "命名空间", "延迟", "健康状况"]);
    expect(screen.queryByRole("columnheader", { name: "Name" })).toBeNull();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("集群总览");
    expect(screen.getByTestId("demo-badge").textContent).toBe("演示 · 模拟数据");
    expect(text("role-host")).toBe("主集群");
    expect(text("role-member-1")).toBe("成员集群");
    expect(text("role-edge")).toBe("未配置");
    expect(within(screen.getByTestId("stat-namespaces")).getByText("命名空间")).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "语言" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(window.localStorage.getItem("ksmc.language")).toBe("zh-CN");
  });

  it("refresh calls list_clusters again and shows the new facts", async () => {
    let namespaces = 23;
    const calls = mockListClusters(() => {
      const estate = demoEstate();
      const member = estate.clusters[1];
      if (member) member.namespaceCount = namespaces;
      return estate;
    });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(text("ns-count-member-1")).toBe("23");

    namespaces = 24;
    await user.click(screen.getByRole("button", { name: "Refresh" }));

    await waitFor(() => {
      expect(text("ns-count-member-1")).toBe("24");
    });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it("keeps the last facts when a refresh fails, and says so", async () => {
    let fail = false;
    mockListClusters(() => {
      if (fail) throw new Error("connection reset");
      return demoEstate();
    });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");

    fail = true;
    await user.click(screen.getByRole("button", { name: "Refresh" }));

    const notice = await screen.findByTestId("refresh-error");
    expect(notice.getAttribute("role")).toBe("status");
    expect(notice.textContent).toContain("Internal error");
    expect(notice.textContent).toContain("connection reset");
    expect(screen.queryByTestId("error-panel")).toBeNull();
    expect(text("ns-count-member-1")).toBe("23");
  });

  it("shows skeleton rows while loading, and no table the e2e suite could mistake for data", () => {
    mockListClusters(() => new Promise<never>(() => undefined));
    renderWithProviders();

    expect(screen.getByText("Loading the estate…")).toBeTruthy();
    expect(screen.getByTestId("cluster-table-loading").querySelectorAll("tbody tr.skeleton-row").length).toBe(3);
    expect(screen.queryByTestId("cluster-table")).toBeNull();
    expect(screen.queryAllByTestId(/^cluster-row-/)).toHaveLength(0);
  });

  it("shows the empty state for an estate without clusters", async () => {
    const empty: EstateView = { source: "directory", label: "/home/ops/estates/prod", clusters: [] };
    const calls = mockListClusters(() => empty);
    const { user } = renderWithProviders();

    const emptyState = await screen.findByRole("region", { name: "No clusters in this estate" });
    expect(screen.queryByTestId("cluster-table")).toBeNull();
    expect(screen.queryByTestId("stat-clusters")).toBeNull();
    // A real directory is never flagged as a demo.
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(screen.getByText("/home/ops/estates/prod")).toBeTruthy();

    // Its refresh button asks again.
    await user.click(within(emptyState).getByRole("button", { name: "Refresh" }));
    await waitFor(() => {
      expect(calls).toHaveBeenCalledTimes(2);
    });
  });
});
