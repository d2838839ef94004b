import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../../i18n";
import type { FleetReport, PreflightReport, WorkflowInput } from "../../ipc/bindings";
import { fleetRecording, migratePlan } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

/** The wizard on `kind`, every plan request and preflight call recorded. */
async function openWizard(kind: string, fleet: FleetReport) {
  const planned: WorkflowInput[] = [];
  const asked: unknown[] = [];
  const calls = mockCommands({
    inspect_fleet: () => fleet,
    plan_workflow: (args) => {
      planned.push(args.input as WorkflowInput);
      return migratePlan();
    },
    preflight_import: (args) => {
      asked.push(args);
      const answer: PreflightReport = { host: "new-host", member: "prod-1", name: String(args.name), checks: [], ok: true };
      return answer;
    },
  });
  const rendered = renderWithProviders();
  await rendered.user.click(screen.getByTestId("nav-workflows"));
  await rendered.user.click(await screen.findByText(kind));
  return { ...rendered, planned, asked, calls };
}

function nameField(): HTMLInputElement {
  return screen.getByTestId<HTMLInputElement>("field-cluster-name");
}

afterEach(async () => {
  await setLanguage("en");
});

describe("the wizard's cluster name", () => {
  it("shows the recorded name as the default, refuses an invalid name, and warns about another name", async () => {
    const { user, planned, asked, calls } = await openWizard("Import", fleetRecording("legacy"));
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByTestId("field-host"), "new-host");
    expect(nameField().value).toBe("");
    expect(nameField().placeholder).toBe("legacy");
    expect(screen.getByText(/Empty: legacy, the name a host recorded on it/)).toBeTruthy();
    expect(screen.getByTestId("import-preflight").textContent).toContain("into new-host as legacy");

    // Not a DNS-1123 label: a specific error, no preflight, no plan.
    await user.type(nameField(), "Legacy_2");
    expect(screen.getByText("Only lowercase letters, digits and '-': a cluster name is a DNS-1123 label")).toBeTruthy();
    expect(screen.getByTestId<HTMLButtonElement>("preflight-button").disabled).toBe(true);
    await user.click(screen.getByTestId("plan-button"));
    expect(callsOf(calls, "plan_workflow")).toBe(0);
    expect(screen.queryByTestId("plan-review")).toBeNull();
    await user.clear(nameField());
    await user.type(nameField(), "legacy-");
    expect(screen.getByText("Must start and end with a lowercase letter or digit")).toBeTruthy();
    await user.clear(nameField());
    await user.type(nameField(), "x".repeat(64));
    expect(screen.getByText("At most 63 characters: a cluster name is a DNS-1123 label")).toBeTruthy();

    // A valid name other than the recorded one: a warning, and it is what is checked and planned.
    await user.clear(nameField());
    await user.type(nameField(), "prod-east");
    expect(screen.queryByRole("alert")).toBeNull();
    const warning = screen.getByTestId("cluster-name-warning");
    expect(warning.textContent).toContain("prod-1 was imported before as legacy");
    expect(warning.textContent).toContain("KubeSphere requires a cluster imported again to keep its cluster name");
    await user.click(screen.getByTestId("preflight-button"));
    await screen.findByTestId("preflight-checklist");
    expect(asked).toEqual([{ host: "new-host", member: "prod-1", name: "prod-east" }]);
    await user.click(screen.getByTestId("plan-button"));
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([{ workflow: "import", host: "new-host", member: "prod-1", clusterName: "prod-east", fix: true }]);
  });

  it("plans with the default (null) when nothing is typed, and lets a never-imported member take any name", async () => {
    const { user, planned, asked } = await openWizard("Import", fleetRecording(null));
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByTestId("field-host"), "new-host");
    expect(nameField().placeholder).toBe("prod-1");
    expect(screen.getByText(/Empty: prod-1, its name in ksmc/)).toBeTruthy();
    await user.click(screen.getByTestId("preflight-button"));
    await screen.findByTestId("preflight-checklist");
    await user.type(nameField(), "edge-7");
    expect(screen.queryByTestId("cluster-name-warning")).toBeNull();
    await user.click(screen.getByTestId("preflight-button"));
    expect(asked).toEqual([
      { host: "new-host", member: "prod-1", name: "prod-1" },
      { host: "new-host", member: "prod-1", name: "edge-7" },
    ]);
    await user.clear(nameField());
    await user.click(screen.getByTestId("plan-button"));
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([{ workflow: "import", host: "new-host", member: "prod-1", clusterName: null, fix: true }]);
  });

  it("is the Cluster to remove when unbinding from a host, and absent when the host is gone", async () => {
    const { user, planned } = await openWizard("Unbind", fleetRecording("prod-1"));
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    expect(screen.getByText(/the Cluster the plan removes/)).toBeTruthy();
    await user.type(nameField(), "prod-old");
    expect(screen.getByTestId("cluster-name-warning").textContent).toContain(
      "The plan removes the Cluster named prod-old instead",
    );
    await user.click(screen.getByTestId("plan-button"));
    await screen.findByTestId("plan-review");
    expect(planned[0]).toMatchObject({ workflow: "unbind", oldHost: "old-host", clusterName: "prod-old" });

    await user.click(screen.getByTestId("review-back"));
    await user.selectOptions(await screen.findByLabelText("Current host"), "");
    expect(screen.queryByTestId("field-cluster-name")).toBeNull();
  });

  it("is written in Chinese in zh-CN", async () => {
    await setLanguage("zh-CN");
    const { user } = await openWizard("导入", fleetRecording("legacy"));
    await user.selectOptions(screen.getByLabelText("成员集群"), "prod-1");
    const field = screen.getByLabelText("集群名称");
    expect(screen.getByText(/留空则使用 legacy：之前导入时主集群记录在它上面的名称/)).toBeTruthy();
    await user.type(field, "Bad");
    expect(screen.getByText("只能包含小写字母、数字和“-”：集群名称是 DNS-1123 标签")).toBeTruthy();
    await user.clear(field);
    await user.type(field, "prod-east");
    const warning = screen.getByTestId("cluster-name-warning");
    expect(within(warning).getByText(/prod-1 之前以 legacy 导入过，KubeSphere 要求再次导入的集群保持原来的集群名称/)).toBeTruthy();
  });
});
