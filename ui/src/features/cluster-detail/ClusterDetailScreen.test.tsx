import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { FleetReport, Project } from "../../ipc/bindings";
import { demoFleet, facts, project } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { ClusterDetailScreen } from "./ClusterDetailScreen";

const PROJECTS = 20_000;

/** 20,000 projects over 40 workspaces, named out of order. */
function bigFleet(): FleetReport {
  const projects: Project[] = Array.from({ length: PROJECTS }, (_, i) => {
    const n = (i * 7919) % PROJECTS; // a permutation of 0..19999
    return project(`proj-${String(n).padStart(5, "0")}`, `ws-${String(n % 40).padStart(2, "0")}`, n % 3 === 0);
  });
  const report = demoFleet();
  report.clusters[1] = facts({ name: "member-1", role: "member", projects });
  return report;
}

function rowTexts(testId: string): string[] {
  return within(screen.getByTestId(testId))
    .getAllByTestId(`${testId}-row`)
    .map((row) => (row.querySelector("[role=cell]")?.textContent ?? "").trim());
}

describe("ClusterDetailScreen", () => {
  it("shows facts with their sources, the federation state and the components", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    const onBack = vi.fn();
    const { user } = renderWithProviders(<ClusterDetailScreen name="member-1" onBack={onBack} />);

    await screen.findByTestId("facts-table");
    expect(screen.getByTestId("detail-title").textContent).toBe("member-1");
    const kube = screen.getByTestId("fact-kubernetes");
    expect(within(kube).getByText("v1.31.6")).toBeTruthy();
    expect(within(kube).getByTestId("fact-source").textContent).toBe("GET /version");
    expect(within(screen.getByTestId("fact-uid")).getByTestId("fact-source").textContent).toBe("Namespace kube-system");
    expect(within(screen.getByTestId("fact-effective-role")).getByText("member")).toBeTruthy();
    expect(within(screen.getByTestId("fact-effective-role")).getByTestId("fact-source").textContent).toBe(
      "ConfigMap kubesphere-system/kubesphere-config",
    );
    expect(within(screen.getByTestId("fact-configured-role")).getByTestId("fact-source").textContent).toBe(
      "ClusterConfiguration kubesphere-system/ks-installer",
    );

    // Its Cluster object on the host, with conditions.
    expect(screen.getByTestId("registered-on").textContent).toBe("Registered on host as Cluster member-1");
    expect(screen.getByTestId("join-state").textContent).toBe("joined · Ready");
    expect(within(screen.getByTestId("conditions")).getByText("Cluster is available now")).toBeTruthy();
    // The client certificate the host uses for it, and the host's users copied here.
    const cert = screen.getByTestId("cert-expiry");
    expect(within(cert).getByText("10 days left")).toBeTruthy();
    expect(cert.querySelector<HTMLElement>("[data-state]")?.dataset.state).toBe("soon");
    expect(screen.getByTestId("users-synced").textContent).toBe("1 of 2missing: alice");

    await user.click(screen.getByRole("tab", { name: /Projects/ }));
    const backend = within(await screen.findByTestId("projects-table")).getAllByTestId("projects-table-row")[0];
    expect(backend?.textContent).toContain("apps-backend");
    expect(backend?.textContent).toContain("multi-cluster");

    await user.click(screen.getByRole("tab", { name: /Components/ }));
    expect(within(screen.getByTestId("component-monitoring")).getByText("active")).toBeTruthy();
    expect(within(screen.getByTestId("component-devops")).getByText("configured, not installed yet")).toBeTruthy();
    expect(within(screen.getByTestId("component-openpitrix")).getByText("off")).toBeTruthy();

    await user.click(screen.getByTestId("detail-back"));
    expect(onBack).toHaveBeenCalledOnce();
  });

  it("lists the Cluster objects a host keeps, and says when a cluster is not registered", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    const objects = await screen.findByTestId("host-objects");
    expect(within(objects).getByTestId("host-object-member-1").textContent).toContain("joined · Ready");
    expect(within(objects).getByTestId("host-object-member-1").textContent).toContain("10 days left");
    expect(within(objects).getByTestId("host-object-member-1").textContent).toContain("1 of 2");
    expect(within(objects).getByTestId("host-object-far-away").textContent).toContain("joined · not Ready");
  });

  it("explains a cluster outside any federation and one that could not be read", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    const { unmount } = renderWithProviders(<ClusterDetailScreen name="edge" onBack={() => undefined} />);
    expect((await screen.findByTestId("not-registered")).textContent).toContain("No host in this estate");
    unmount();

    renderWithProviders(<ClusterDetailScreen name="broken" onBack={() => undefined} />);
    const panel = await screen.findByTestId("detail-error");
    expect(within(panel).getByText("broken could not be read")).toBeTruthy();
    expect(within(panel).getByText("Unreachable")).toBeTruthy();
  });

  it("filters and sorts 20,000 projects while rendering only the rows in view", async () => {
    const calls = mockCommands({ inspect_fleet: () => bigFleet() });
    const { user } = renderWithProviders(<ClusterDetailScreen name="member-1" onBack={() => undefined} />);
    await screen.findByTestId("facts-table");

    await user.click(screen.getByRole("tab", { name: /Projects/ }));
    const table = await screen.findByTestId("projects-table");
    expect(screen.getByTestId("projects-table-count").textContent).toBe("20,000 of 20,000");
    // Virtualised: a screenful (plus overscan) in the DOM, not 20,000 rows.
    const rendered = within(table).getAllByTestId("projects-table-row");
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(60);
    expect(within(table).getByRole("table").getAttribute("aria-rowcount")).toBe("20001");
    // Sorted by name at first.
    expect(rowTexts("projects-table").slice(0, 3)).toEqual(["proj-00000", "proj-00001", "proj-00002"]);

    // Sorting by name again reverses.
    await user.click(within(table).getByRole("button", { name: /^Project/ }));
    expect(within(table).getAllByRole("columnheader")[0]?.getAttribute("aria-sort")).toBe("descending");
    expect(rowTexts("projects-table").slice(0, 2)).toEqual(["proj-19999", "proj-19998"]);

    // Filter by workspace: 20,000 / 40 = 500 projects in ws-07.
    await user.type(screen.getByRole("textbox", { name: "Filter projects" }), "ws-07");
    await waitFor(() => {
      expect(screen.getByTestId("projects-table-count").textContent).toBe("500 of 20,000");
    });
    const workspaces = within(table)
      .getAllByTestId("projects-table-row")
      .map((row) => row.querySelectorAll("[role=cell]")[1]?.textContent);
    expect(new Set(workspaces)).toEqual(new Set(["ws-07"]));

    // Narrow to one project, then to none.
    await user.clear(screen.getByRole("textbox", { name: "Filter projects" }));
    await user.type(screen.getByRole("textbox", { name: "Filter projects" }), "proj-12345");
    await waitFor(() => {
      expect(rowTexts("projects-table")).toEqual(["proj-12345"]);
    });
    await user.type(screen.getByRole("textbox", { name: "Filter projects" }), "x");
    expect(await within(table).findByText("No projects match.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Clear filter" }));
    await waitFor(() => {
      expect(screen.getByTestId("projects-table-count").textContent).toBe("20,000 of 20,000");
    });
    // The detail reads nothing itself: it is the overview's one fleet inspection.
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
    // Typing drives many renders in happy-dom; allow for a busy CI machine.
  }, 20_000);

  it("shows users with their sync state and workspaces with their placement", async () => {
    mockCommands({ inspect_fleet: () => demoFleet() });
    const { user } = renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    await screen.findByTestId("facts-table");

    await user.click(screen.getByRole("tab", { name: /Users/ }));
    const users = await screen.findByTestId("users-table");
    const alice = within(users).getAllByTestId("users-table-row")[1];
    expect(alice?.textContent).toContain("alice@example.com");
    expect(alice?.textContent).toContain("local to this cluster");

    await user.click(screen.getByRole("tab", { name: /Workspaces/ }));
    const workspaces = await screen.findByTestId("workspaces-table");
    const apps = within(workspaces).getAllByTestId("workspaces-table-row")[1];
    expect(apps?.textContent).toContain("ws-apps");
    expect(apps?.textContent).toContain("host, member-1");
  });
});
