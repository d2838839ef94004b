import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { FleetReport } from "../../ipc/bindings";
import { demoFleet, finding } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

function fleetWith(findings: FleetReport["findings"]): FleetReport {
  return { ...demoFleet(), findings };
}

describe("FindingsPanel", () => {
  it("lists findings most severe first, with cluster, object, explanation and a copyable fix", async () => {
    mockCommands({
      inspect_fleet: () =>
        fleetWith([
          finding({ id: "kubefed-leftovers", severity: "info", cluster: "host" }),
          finding({
            id: "role-none",
            severity: "error",
            cluster: "edge",
            object: "ClusterConfiguration ks-installer",
            title: "Multi-cluster is not enabled",
            explanation: "edge has clusterRole none, so the host cannot manage it.",
            fix: {
              summary: "Set the role to member.",
              commands: ["kubectl --kubeconfig edge.kubeconfig -n kubesphere-system patch cc ks-installer"],
              fixIt: null,
              workflow: null,
            },
          }),
          finding({ id: "access-token-max-age", severity: "warning", cluster: "member-1" }),
          finding({ id: "jwt-mismatch", severity: "error", cluster: "member-1" }),
        ]),
    });
    const { user } = renderWithProviders();
    // After userEvent.setup(), which installs its own clipboard stub.
    const writeText = vi.spyOn(navigator.clipboard, "writeText");

    await screen.findByText("Multi-cluster is not enabled");
    const panel = screen.getByTestId("findings");
    const items = within(panel).getAllByRole("listitem");
    const item = (i: number): HTMLElement => {
      const li = items[i];
      if (!li) throw new Error(`no finding ${String(i)}`);
      return li;
    };
    expect(items.map((li) => li.dataset.testid)).toEqual([
      "finding-role-none-edge",
      "finding-jwt-mismatch-member-1",
      "finding-access-token-max-age-member-1",
      "finding-kubefed-leftovers-host",
    ]);
    expect(items.map((li) => within(li).getByTestId("finding-severity").textContent)).toEqual([
      "error",
      "error",
      "warning",
      "info",
    ]);
    expect(within(item(0)).getByTestId("finding-severity").dataset.severity).toBe("error");

    const first = within(item(0));
    expect(first.getByText("edge")).toBeTruthy();
    expect(first.getByText("ClusterConfiguration ks-installer")).toBeTruthy();
    expect(first.getByText("edge has clusterRole none, so the host cannot manage it.")).toBeTruthy();
    expect(first.getByText("Set the role to member.")).toBeTruthy();
    expect(first.getByTestId("finding-commands").textContent).toBe(
      "kubectl --kubeconfig edge.kubeconfig -n kubesphere-system patch cc ks-installer",
    );
    // A finding without commands shows no command block.
    expect(within(item(3)).queryByTestId("finding-commands")).toBeNull();

    // Severity totals in the header, and a count per cluster in the table.
    expect(within(panel).getByText("2 errors")).toBeTruthy();
    expect(within(panel).getByText("1 warning")).toBeTruthy();
    expect(within(panel).getByText("1 note")).toBeTruthy();
    expect(screen.getByTestId("finding-count-member-1").textContent).toBe("2 findings");
    expect(screen.getByTestId("finding-count-edge").textContent).toBe("1 finding");

    await user.click(first.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(
      "kubectl --kubeconfig edge.kubeconfig -n kubesphere-system patch cc ks-installer",
    );
    await first.findByRole("button", { name: "Copied" });
  });

  it("says the estate looks healthy when there are no findings", async () => {
    mockCommands({ inspect_fleet: () => fleetWith([]) });
    renderWithProviders();

    const empty = await screen.findByTestId("findings-empty");
    expect(empty.textContent).toBe("No findings — the estate looks healthy");
    expect(screen.queryAllByTestId(/^finding-count-/)).toHaveLength(0);
  });

  it("shows a loading state while the fleet is inspected", async () => {
    mockCommands({ inspect_fleet: () => new Promise<never>(() => undefined) });
    renderWithProviders();

    expect(await screen.findByTestId("findings-loading")).toBeTruthy();
    expect(screen.getByText("Inspecting the estate…")).toBeTruthy();
    expect(screen.getByTestId("cluster-table-loading")).toBeTruthy();
  });
});
