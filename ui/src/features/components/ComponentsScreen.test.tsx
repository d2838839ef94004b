import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { FleetReport, WorkflowInput } from "../../ipc/bindings";
import { demoFleet } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { installPlan, v4Fleet } from "./testData";

async function openComponents(fleet: () => FleetReport = demoFleet) {
  const planned: WorkflowInput[] = [];
  mockCommands({
    inspect_fleet: () => fleet(),
    plan_workflow: (args) => {
      planned.push(args.input as WorkflowInput);
      // Tauri rejects with the serialized AppError itself, not an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { kind: "Invalid", message: "stop after planning", status: null };
    },
  });
  const rendered = renderWithProviders();
  await rendered.user.click(screen.getByTestId("nav-components"));
  await screen.findByTestId("components-matrix");
  return { ...rendered, planned };
}

const cell = (component: string, cluster: string) => screen.getByTestId(`components-cell-${component}-${cluster}`);

describe("the components screen", () => {
  it("shows configured, installed and active per cluster, and the App Store's host-only rule", async () => {
    await openComponents();
    expect(screen.getByTestId("components-column-host").querySelector('[data-role="host"]')).not.toBeNull();
    expect(within(cell("monitoring", "host")).getByText("active")).toBeTruthy();
    expect(within(cell("devops", "member-1")).getByText("installing")).toBeTruthy();
    expect(within(cell("devops", "member-1")).getByLabelText(/configured: yes · installed: no · active: no/)).toBeTruthy();
    expect(within(cell("logging", "host")).getByText("off")).toBeTruthy();
    // The App Store: open on the host, off-limits on members with the reason.
    expect(cell("openpitrix", "host").dataset.disabled).toBeUndefined();
    expect(cell("openpitrix", "member-1").dataset.disabled).toBe("appStoreHostOnly");
    expect(within(cell("openpitrix", "member-1")).getByTestId("app-store-rule").textContent).toBe("host only");
    expect(cell("logging", "broken").dataset.disabled).toBe("unreadable");
  });

  it("enables a component on the host and its members together", async () => {
    const { user, planned } = await openComponents();
    // devops is switched on everywhere already: nothing left to enable.
    expect(screen.getByTestId<HTMLButtonElement>("components-enable-devops").disabled).toBe(true);
    await user.click(screen.getByTestId("components-enable-logging"));
    const dialog = screen.getByTestId("enable-dialog");
    expect(within(dialog).getByTestId<HTMLInputElement>("enable-target-broken").disabled).toBe(true);
    expect(within(dialog).getAllByText("This cluster could not be read.").length).toBeGreaterThan(0);
    await user.click(within(dialog).getByTestId("enable-target-edge"));
    await user.click(within(dialog).getByTestId("enable-plan"));
    expect(planned).toEqual([{ workflow: "component", clusters: ["host", "member-1"], component: "logging", host: null }]);
  });

  it("offers the App Store on the host only", async () => {
    const { user, planned } = await openComponents();
    await user.click(screen.getByTestId("components-enable-openpitrix"));
    const dialog = screen.getByTestId("enable-dialog");
    expect(within(dialog).getByTestId<HTMLInputElement>("enable-target-member-1").disabled).toBe(true);
    expect(within(dialog).getAllByText("The App Store is enabled on the host only; members use the host's.").length).toBeGreaterThan(0);
    await user.click(within(dialog).getByTestId("enable-plan"));
    expect(planned).toEqual([{ workflow: "component", clusters: ["host"], component: "openpitrix", host: null }]);
  });

  it("schedules a 4.x extension on the host's members through its InstallPlan", async () => {
    const { user, planned } = await openComponents(() => v4Fleet(installPlan({ placedClusters: [], clusters: [] })));
    await user.click(screen.getByTestId("components-enable-ext-old-host-devops"));
    const dialog = screen.getByTestId("enable-dialog");
    expect(within(dialog).getByText(/adds the chosen member clusters to old-host's InstallPlan devops/)).toBeTruthy();
    expect(within(dialog).getByTestId<HTMLInputElement>("enable-target-old-host").disabled).toBe(true);
    expect(within(dialog).getByTestId<HTMLInputElement>("enable-target-spare").disabled).toBe(true);
    expect(within(dialog).getByText("Not a member of this extension's host.")).toBeTruthy();
    expect(within(dialog).getByTestId<HTMLInputElement>("enable-target-prod-1").checked).toBe(true);
    await user.click(within(dialog).getByTestId("enable-plan"));
    expect(planned).toEqual([{ workflow: "component", clusters: ["prod-1"], component: "devops", host: "old-host" }]);
  });

  it("offers nothing to schedule once every member has the extension", async () => {
    await openComponents(() => v4Fleet(installPlan({ clusters: [{ cluster: "prod-1", state: "Installed", version: "1.1.0", targetNamespace: null, message: null }] })));
    expect(screen.getByTestId<HTMLButtonElement>("components-enable-ext-old-host-devops").disabled).toBe(true);
  });
});
