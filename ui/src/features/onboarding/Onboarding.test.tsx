import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { EstateInfo, FleetReport, OpenEstate } from "../../ipc/bindings";
import { demoFleet, vaultEntry, vaultListing } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

const VAULT: EstateInfo = { source: "vault", label: "My clusters (vault)", scenario: null };
const EMPTY: FleetReport = { clusters: [], findings: [] };
const SCENARIOS = ["fresh", "misconfigured", "migrate", "big", "fresh-v4", "migrate-v4", "v4"];

/** The estate commands as the Rust side answers them: one open estate, switched by open_estate. */
function estates(start: EstateInfo, fleets: (info: EstateInfo) => FleetReport) {
  let open = start;
  return {
    estate_info: () => open,
    demo_scenarios: () => SCENARIOS,
    inspect_fleet: () => fleets(open),
    open_estate: ({ choice }: Record<string, unknown>) => {
      const c = choice as OpenEstate;
      open = c.kind === "demo" ? { source: "demo", label: "Demo estate (simulated)", scenario: c.scenario } : VAULT;
      return open;
    },
  };
}

describe("onboarding", () => {
  it("greets an empty vault and opens the demo estate on the chosen scenario", async () => {
    const calls = mockCommands(estates(VAULT, (info) => (info.source === "demo" ? demoFleet() : EMPTY)));
    const { user } = renderWithProviders();
    const welcome = await screen.findByTestId("welcome-screen");
    expect(within(welcome).getByRole("heading", { name: "Welcome to ksmc" })).toBeTruthy();
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(screen.getByTestId("estate-label").textContent).toContain("My clusters");

    await user.click(await within(welcome).findByRole("radio", { name: "migrate" }));
    await user.click(within(welcome).getByTestId("demo-open"));

    expect((await screen.findByTestId("demo-badge")).textContent).toBe("Demo estate — simulated");
    expect(screen.getByTestId("demo-scenario").textContent).toBe("migrate");
    await screen.findByTestId("cluster-table");
    expect(screen.queryByTestId("welcome-screen")).toBeNull();
    const opened = calls.mock.calls.filter(([c]) => c === "open_estate").map(([, a]) => a.choice);
    expect(opened).toEqual([{ kind: "demo", scenario: "migrate" }]);
    // The old estate's reads are dropped and the new estate is read.
    expect(callsOf(calls, "inspect_fleet")).toBe(2);
  });

  it("adds the first host from a file picked in the native dialog", async () => {
    const calls = mockCommands({
      ...estates(VAULT, () => EMPTY),
      "plugin:dialog|open": () => "/home/admin/host.kubeconfig",
      vault_contexts: () => ({ contexts: [] }),
    });
    const { user } = renderWithProviders();
    await user.click(await screen.findByTestId("onboarding-add"));
    const dialog = await screen.findByRole("dialog", { name: "Add clusters to the vault" });
    await user.click(within(dialog).getByText("A kubeconfig file"));
    const read = within(dialog).getByRole("button", { name: "Show contexts" });
    expect((read as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(dialog).getByTestId("add-pick-file"));
    await waitFor(() => {
      expect(within(dialog).getByTestId("add-file-path").textContent).toBe("/home/admin/host.kubeconfig");
    });
    await user.click(read);
    await within(dialog).findByText("This kubeconfig has no context.");
    const sources = calls.mock.calls.filter(([c]) => c === "vault_contexts").map(([, a]) => a.source);
    expect(sources).toEqual([{ kind: "file", path: "/home/admin/host.kubeconfig" }]);
    // Only the dialog's open was asked for: no file was read by the webview.
    expect(calls.mock.calls.map(([c]) => c).filter((c) => c.startsWith("plugin:"))).toEqual(["plugin:dialog|open"]);
  });

  it("shows the estate once the first host is added", async () => {
    let added = false;
    const calls = mockCommands({
      ...estates(VAULT, () => (added ? demoFleet() : EMPTY)),
      vault_list: () => vaultListing(added ? [vaultEntry({ name: "host" })] : []),
      vault_contexts: () => ({
        contexts: [
          {
            name: "host",
            cluster: "host",
            server: "https://10.0.0.1:6443",
            current: true,
            authKind: "token",
            needsAcknowledgement: [],
            execCommand: null,
            refusal: null,
          },
        ],
      }),
      vault_add: () => {
        added = true;
        return [{ context: "host", record: vaultEntry({ name: "host" }), refusal: null }];
      },
    });
    const { user } = renderWithProviders();
    await user.click(await screen.findByTestId("onboarding-add"));
    const dialog = await screen.findByRole("dialog", { name: "Add clusters to the vault" });
    await user.type(within(dialog).getByRole("textbox", { name: "Kubeconfig" }), "apiVersion: v1");
    await user.click(within(dialog).getByRole("button", { name: "Show contexts" }));
    await user.click(await within(dialog).findByTestId("add-submit"));
    // The vault estate is read again: the welcome gives way to the overview.
    await screen.findByTestId("cluster-table");
    expect(screen.queryByTestId("welcome-screen")).toBeNull();
    expect(callsOf(calls, "inspect_fleet")).toBe(2);
  });
});

describe("the estate switch in the top bar", () => {
  it("goes from the demo to My clusters, back to the overview", async () => {
    const start: EstateInfo = { source: "demo", label: "Demo estate (simulated)", scenario: "fresh" };
    const calls = mockCommands(estates(start, (info) => (info.source === "demo" ? demoFleet() : EMPTY)));
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    await user.click(screen.getByTestId("nav-activity"));
    await user.click(screen.getByTestId("estate-switch"));
    await user.click(await screen.findByTestId("switch-vault"));
    await screen.findByTestId("welcome-screen");
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(calls.mock.calls.filter(([c]) => c === "open_estate").map(([, a]) => a.choice)).toEqual([{ kind: "vault" }]);
  });

  it("says why a switch is refused, and stays on the demo", async () => {
    const start: EstateInfo = { source: "demo", label: "Demo estate (simulated)", scenario: "fresh" };
    mockCommands({
      ...estates(start, () => demoFleet()),
      open_estate: () => {
        // What a Rust command's error arrives as: the AppError object itself.
        const refusal: unknown = { kind: "Locked", message: "run 5d1c0b8e is applying on the open estate; wait for it to finish or cancel it, then switch", status: null };
        throw refusal;
      },
    });
    const { user } = renderWithProviders();
    await screen.findByTestId("cluster-table");
    await user.click(screen.getByTestId("estate-switch"));
    await user.click(await screen.findByTestId("switch-vault"));
    const error = await screen.findByTestId("switch-error");
    expect(error.textContent).toContain("run 5d1c0b8e is applying");
    expect(screen.getByTestId("demo-badge")).toBeTruthy();
  });

  it("offers My clusters from the vault screen when the demo is open and the vault has clusters", async () => {
    const start: EstateInfo = { source: "demo", label: "Demo estate (simulated)", scenario: "fresh" };
    const prod = { ...demoFleet(), clusters: demoFleet().clusters.slice(0, 1) };
    const calls = mockCommands({
      ...estates(start, (info) => (info.source === "demo" ? demoFleet() : prod)),
      vault_list: () => vaultListing([vaultEntry({ name: "prod" })]),
    });
    const { user } = renderWithProviders();
    await user.click(await screen.findByTestId("nav-vault"));
    const note = await screen.findByTestId("vault-demo-note");
    await waitFor(() => {
      expect(within(note).getByText("You have 1 cluster in the vault.")).toBeTruthy();
    });
    await user.click(within(note).getByTestId("switch-to-vault"));
    await screen.findByTestId("cluster-table");
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(callsOf(calls, "open_estate")).toBe(1);
  });
});
