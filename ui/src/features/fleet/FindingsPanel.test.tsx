import { mockIPC } from "@tauri-apps/api/mocks";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AppError, Finding, FleetReport } from "../../ipc/bindings";
import { demoEstate, renderWithProviders } from "../../test/render";

function finding(overrides: Partial<Finding> & Pick<Finding, "id" | "severity" | "cluster">): Finding {
  return {
    object: null,
    title: `title of ${overrides.id}`,
    explanation: `explanation of ${overrides.id}`,
    fix: { summary: `summary of ${overrides.id}`, commands: [], fixIt: null },
    ...overrides,
  };
}

/** Serves the estate, and `inspect_fleet` from `fleet`. */
function mockEstate(fleet: () => FleetReport) {
  const fleetCalls = vi.fn();
  mockIPC((cmd) => {
    if (cmd === "list_clusters") return demoEstate();
    if (cmd === "inspect_fleet") {
      fleetCalls();
      return fleet();
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return fleetCalls;
}

describe("FindingsPanel", () => {
  it("lists findings most severe first, with cluster, object, explanation and fix", async () => {
    const report: FleetReport = {
      clusters: [],
      findings: [
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
          },
        }),
        finding({ id: "access-token-max-age", severity: "warning", cluster: "member-1" }),
        finding({ id: "jwt-mismatch", severity: "error", cluster: "member-1" }),
      ],
    };
    mockEstate(() => report);
    const { user } = renderWithProviders();
    // After userEvent.setup(), which installs its own clipboard stub.
    const writeText = vi.spyOn(navigator.clipboard, "writeText");

    const panel = await screen.findByTestId("findings");
    await within(panel).findByText("Multi-cluster is not enabled");
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
    expect(within(item(0)).getByTestId("finding-severity").className).toContain("badge--danger");
    expect(within(item(2)).getByTestId("finding-severity").className).toContain("badge--warning");

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
    mockEstate(() => ({ clusters: [], findings: [] }));
    renderWithProviders();

    const empty = await screen.findByTestId("findings-empty");
    expect(empty.textContent).toBe("No findings — the estate looks healthy");
    expect(screen.queryAllByTestId(/^finding-count-/)).toHaveLength(0);
  });

  it("shows the error with a retry when inspect_fleet fails, keeping the clusters", async () => {
    const failure: AppError = { kind: "Forbidden", message: "cannot list users", status: 403 };
    let fail = true;
    const fleetCalls = mockEstate(() => {
      // Tauri rejects with the serialized AppError itself, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (fail) throw failure;
      return { clusters: [], findings: [] };
    });
    const { user } = renderWithProviders();

    const error = await screen.findByTestId("findings-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toContain("Could not inspect the estate");
    expect(error.textContent).toContain("Forbidden");
    expect(error.textContent).toContain("cannot list users");
    expect(screen.getByTestId("cluster-table")).toBeTruthy();

    fail = false;
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    await screen.findByTestId("findings-empty");
    await waitFor(() => {
      expect(fleetCalls).toHaveBeenCalledTimes(2);
    });
  });

  it("shows a loading state while the fleet is inspected", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_clusters") return demoEstate();
      return new Promise<never>(() => undefined);
    });
    renderWithProviders();

    await screen.findByTestId("cluster-table");
    expect(screen.getByTestId("findings-loading")).toBeTruthy();
    expect(screen.getByText("Inspecting the estate…")).toBeTruthy();
  });
});
