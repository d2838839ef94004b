import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Plan, WorkflowInput } from "../../ipc/bindings";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { accessFleet } from "./testData";

/** A plan as the core returns it for a host write: one create on the host. */
function hostPlan(input: WorkflowInput): Plan {
  return {
    format: 1,
    id: "7e0c2a1f-0000-4000-8000-000000000002",
    input,
    title: `Plan ${input.workflow} on host`,
    createdAt: "2026-11-27T07:00:00Z",
    inventory: [],
    warnings: [],
    phases: [
      {
        title: "On host",
        concurrent: false,
        steps: [
          {
            id: 0,
            title: "Create WorkspaceTemplate team-x on host",
            action: {
              kind: "createObject",
              cluster: "host",
              resource: { apiVersion: "tenant.kubesphere.io/v1alpha2", kind: "WorkspaceTemplate", plural: "workspacetemplates", namespace: null },
              body: {},
            },
            request: "POST /apis/tenant.kubesphere.io/v1alpha2/workspacetemplates",
            changes: ["+ WorkspaceTemplate team-x"],
            kubectl: ["kubectl --context host create -f -"],
            protects: "A new workspace.",
          },
        ],
      },
    ],
    hash: "ef".repeat(32),
  };
}

async function openAccess() {
  const planned: WorkflowInput[] = [];
  const calls = mockCommands({
    inspect_fleet: () => accessFleet(),
    plan_workflow: (args) => {
      const input = args.input as WorkflowInput;
      planned.push(input);
      return hostPlan(input);
    },
  });
  const rendered = renderWithProviders();
  await rendered.user.click(screen.getByTestId("nav-access"));
  await screen.findByTestId("access-matrix-host");
  return { ...rendered, planned, calls };
}

describe("the access screen", () => {
  it("shows who reaches which cluster, through which role, and where a user is not synced", async () => {
    const { user } = await openAccess();
    const matrix = screen.getByTestId("access-matrix-host");
    // The host's own Cluster is marked as the host.
    expect(screen.getByTestId("access-column-host").querySelector('[data-role="host"]')).not.toBeNull();
    expect(screen.getByTestId("access-column-member-1").querySelector('[data-role="host"]')).toBeNull();
    expect(within(screen.getByTestId("access-cell-admin-host")).getByText("platform-admin")).toBeTruthy();
    const alice = screen.getByTestId("access-cell-alice-member-1");
    expect(within(alice).getByText("ws-apps · regular")).toBeTruthy();
    expect(within(alice).getByTestId("not-synced")).toBeTruthy();
    expect(within(screen.getByTestId("access-cell-alice-host")).getByLabelText("alice cannot reach host")).toBeTruthy();
    expect(within(screen.getByTestId("access-cell-admin-member-1")).queryByTestId("not-synced")).toBeNull();
    expect(within(screen.getByTestId("access-row-bob")).getByText("no platform role")).toBeTruthy();
    // Column counts: admin reaches both, alice member-1 only.
    expect(within(screen.getByTestId("access-column-host")).getByText("1 user")).toBeTruthy();
    expect(within(screen.getByTestId("access-column-member-1")).getByText("2 users")).toBeTruthy();
    // The filter narrows the rows.
    await user.type(within(matrix).getByLabelText("Filter users"), "ali");
    expect(screen.queryByTestId("access-row-admin")).toBeNull();
    expect(screen.getByTestId("access-row-alice")).toBeTruthy();
  });

  it("refuses a bad user before planning, and plans a valid one", async () => {
    const { user, planned, calls } = await openAccess();
    await user.click(screen.getByTestId("access-action-user"));
    const dialog = screen.getByTestId("access-dialog");
    await user.type(within(dialog).getByTestId("access-user"), "Carol");
    await user.type(within(dialog).getByTestId("access-email"), "carol");
    await user.click(within(dialog).getByTestId("access-plan"));
    expect(within(dialog).getByText("Lower-case letters, digits and '-', at most 63 characters")).toBeTruthy();
    expect(within(dialog).getByText("Not an email address")).toBeTruthy();
    expect(callsOf(calls, "plan_workflow")).toBe(0);

    await user.clear(within(dialog).getByTestId("access-user"));
    await user.type(within(dialog).getByTestId("access-user"), "alice");
    expect(within(dialog).getByText("Already exists on this host")).toBeTruthy();
    await user.clear(within(dialog).getByTestId("access-user"));
    await user.type(within(dialog).getByTestId("access-user"), "carol");
    await user.clear(within(dialog).getByTestId("access-email"));
    await user.type(within(dialog).getByTestId("access-email"), "carol@example.com");
    await user.selectOptions(within(dialog).getByTestId("access-platform-role"), "platform-admin");
    await user.click(within(dialog).getByTestId("access-plan"));
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([{ workflow: "user", host: "host", user: "carol", email: "carol@example.com", role: "platform-admin" }]);
  });

  it("warns when a workspace is placed on the host, and the host write needs a deliberate click", async () => {
    const { user, planned } = await openAccess();
    await user.click(screen.getByTestId("access-action-workspace"));
    const dialog = screen.getByTestId("access-dialog");
    await user.type(within(dialog).getByTestId("access-workspace"), "team-x");
    await user.click(within(dialog).getByTestId("access-plan"));
    expect(within(dialog).getByText("Choose at least one cluster")).toBeTruthy();
    await user.click(within(dialog).getByLabelText("member-1"));
    expect(within(dialog).queryByTestId("access-host-warning")).toBeNull();
    await user.click(within(dialog).getByLabelText("host (host cluster — discouraged)"));
    expect(within(dialog).getByTestId("access-host-warning").textContent).toContain("discourages");
    await user.click(within(dialog).getByTestId("access-plan"));

    // The workflow area's own review: applying waits for the host to be confirmed.
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([{ workflow: "workspace", host: "host", workspace: "team-x", placement: ["member-1", "host"], manager: "admin" }]);
    const apply = screen.getByTestId<HTMLButtonElement>("apply-button");
    expect(apply.disabled).toBe(true);
    await user.click(screen.getByTestId("confirm-host-host"));
    expect(apply.disabled).toBe(false);
  });

  it("invites a user into a workspace with a role", async () => {
    const { user, planned } = await openAccess();
    await user.click(screen.getByTestId("access-action-invite"));
    const dialog = screen.getByTestId("access-dialog");
    await user.click(within(dialog).getByTestId("access-plan"));
    expect(within(dialog).getAllByText("Required").length).toBe(2);
    await user.selectOptions(within(dialog).getByTestId("access-invite-user"), "bob");
    await user.selectOptions(within(dialog).getByTestId("access-invite-workspace"), "ws-apps");
    await user.selectOptions(within(dialog).getByTestId("access-workspace-role"), "viewer");
    await user.click(within(dialog).getByTestId("access-plan"));
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([{ workflow: "invite", host: "host", workspace: "ws-apps", user: "bob", role: "viewer" }]);
  });
});
