import type { UserEvent } from "@testing-library/user-event";
import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { FleetReport, RunEvent, RunReport, WorkflowInput } from "../../ipc/bindings";
import { finding, migrateFleet, migratePlan, runReport } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

/** A run whose events and end the test controls. */
function controlledRun() {
  let channel: Channel<RunEvent> | null = null;
  let finish: (report: RunReport) => void = () => undefined;
  const handler = (args: Record<string, unknown>) => {
    channel = args.onEvent as Channel<RunEvent>;
    return new Promise<RunReport>((resolve) => {
      finish = resolve;
    });
  };
  const emit = (event: RunEvent) => {
    act(() => {
      if (!channel) throw new Error("the run has not started");
      channel.onmessage(event);
    });
  };
  return {
    handler,
    emit,
    end: async (report: RunReport) => {
      emit({ event: "finished", report });
      await act(async () => {
        finish(report);
        await Promise.resolve();
      });
    },
  };
}

/** Plans prod-1's migration to new-host, confirms it (name and both hosts) and applies it. */
async function applyMigration(user: UserEvent) {
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByLabelText("New host"), "new-host");
    await user.click(screen.getByTestId("plan-button"));
    await screen.findByTestId("plan-review");
    await user.type(screen.getByTestId("confirm-name"), "prod-1");
    await user.click(screen.getByTestId("confirm-host-old-host"));
    await user.click(screen.getByTestId("confirm-host-new-host"));
    await user.click(screen.getByTestId("apply-button"));
}

async function openWorkflows(fleet: FleetReport = migrateFleet()) {
  const planned: WorkflowInput[] = [];
  const run = controlledRun();
  const calls = mockCommands({
    inspect_fleet: () => fleet,
    plan_workflow: (args) => {
      planned.push(args.input as WorkflowInput);
      return migratePlan();
    },
    apply_run: run.handler,
    cancel_run: () => null,
    run_script: () => "#!/bin/sh\nkubectl step-0\n",
  });
  const rendered = renderWithProviders();
  await rendered.user.click(screen.getByTestId("nav-workflows"));
  await screen.findByTestId("wizard-form");
  return { ...rendered, planned, run, calls };
}

describe("the workflow wizard", () => {
  it("validates inline, fills in the member's host and workspaces, and plans the migrate it describes", async () => {
    const { user, planned } = await openWorkflows();
    await user.click(screen.getByTestId("plan-button"));
    expect(screen.getAllByText("Required").length).toBeGreaterThan(0);

    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    // The host prod-1 is registered on is filled in.
    expect(screen.getByLabelText<HTMLSelectElement>("Current host").value).toBe("old-host");
    await user.selectOptions(screen.getByLabelText("New host"), "old-host");
    expect(screen.getByText("The new host must differ from the current host")).toBeTruthy();
    await user.selectOptions(screen.getByLabelText("New host"), "new-host");
    expect(screen.queryByText("The new host must differ from the current host")).toBeNull();

    // Its workspaces, mapped to the same name unless changed.
    const target = screen.getByTestId("workspace-map-to-1");
    expect(screen.getByTestId<HTMLInputElement>("workspace-map-from-1").value).toBe("ws-data");
    await user.clear(target);
    await user.type(target, "WS_bad");
    expect(screen.getByRole("alert").textContent).toContain("lowercase");
    await user.clear(target);
    await user.type(target, "ws-analytics");
    await user.clear(screen.getByLabelText("Settle time (seconds)"));
    await user.type(screen.getByLabelText("Settle time (seconds)"), "5");
    await user.click(screen.getByTestId("plan-button"));

    await screen.findByTestId("plan-review");
    expect(planned).toEqual([
      {
        workflow: "migrate",
        member: "prod-1",
        oldHost: "old-host",
        newHost: "new-host",
        clusterName: null,
        projects: null,
        workspaceMap: { "ws-data": "ws-analytics" },
        settleSeconds: 5,
      },
    ]);
  });

  it("reviews every step with its changes and kubectl, and gates a destructive run on the member's name and each host", async () => {
    const { user, calls } = await openWorkflows();
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByLabelText("New host"), "new-host");
    await user.click(screen.getByTestId("plan-button"));
    const review = await screen.findByTestId("plan-review");

    expect(screen.getByTestId("plan-title").textContent).toContain("Migrate prod-1");
    expect(screen.getByTestId("plan-warnings").textContent).toContain("old-host keeps its workspace templates");
    for (const id of [0, 1, 2, 3, 4]) expect(screen.getByTestId(`plan-step-${String(id)}`)).toBeTruthy();
    const first = screen.getByTestId("plan-step-0");
    expect(within(first).getByTestId("step-changes").textContent).toContain("- label kubesphere.io/workspace=ws-apps");
    expect(within(first).getByText("REQUEST 0")).toBeTruthy();
    await user.click(within(first).getByTestId("step-kubectl-toggle"));
    expect(within(first).getByTestId("step-kubectl").textContent).toBe("kubectl step-0");
    expect(within(screen.getByTestId("plan-step-2")).getByText("writes to host old-host")).toBeTruthy();
    expect(within(review).getByText(/5 steps in 3 phases/)).toBeTruthy();

    // The whole script, from the saved run.
    await user.click(screen.getByTestId(`export-script-${migratePlan().id}`));
    expect((await screen.findByTestId("run-script")).textContent).toContain("kubectl step-0");

    const apply = screen.getByTestId<HTMLButtonElement>("apply-button");
    expect(apply.disabled).toBe(true);
    await user.type(screen.getByTestId("confirm-name"), "prod-2");
    expect(screen.getByText("Does not match the member's name")).toBeTruthy();
    await user.clear(screen.getByTestId("confirm-name"));
    await user.type(screen.getByTestId("confirm-name"), "prod-1");
    expect(apply.disabled).toBe(true);
    await user.click(screen.getByTestId("confirm-host-new-host"));
    expect(apply.disabled).toBe(true);
    await user.click(screen.getByTestId("confirm-host-old-host"));
    expect(apply.disabled).toBe(false);
    expect(callsOf(calls, "apply_run")).toBe(0);
  });

  it("shows progress per step from the channel, cancels, and ends on the report", async () => {
    const { user, run, calls } = await openWorkflows();
    await applyMigration(user);
    await screen.findByTestId("run-progress");
    expect(calls.mock.calls.find(([c]) => c === "apply_run")?.[1].runId).toBe(migratePlan().id);

    run.emit({ event: "started", runId: migratePlan().id, total: 5, done: 0 });
    run.emit({ event: "phaseStarted", index: 0, title: "Unbind the projects", steps: 2 });
    run.emit({ event: "stepStarted", step: 0, title: "Unbind apps-web" });
    run.emit({ event: "stepStarted", step: 1, title: "Unbind data-etl" });
    run.emit({ event: "stepDone", step: 0 });
    expect(screen.getByTestId("progress-step-0").dataset.state).toBe("done");
    expect(screen.getByTestId("progress-step-1").dataset.state).toBe("running");
    expect(screen.getByTestId("progress-count").textContent).toContain("1 of 5 steps done");
    run.emit({ event: "stepDone", step: 1 });
    run.emit({ event: "phaseStarted", index: 2, title: "Join the new host", steps: 2 });
    run.emit({ event: "stepStarted", step: 4, title: "Wait until prod-1 is Ready" });
    run.emit({ event: "stepWaiting", step: 4, message: "Cluster prod-1: Ready is False (Joining)" });
    const waiting = screen.getByTestId("progress-step-4");
    expect(waiting.dataset.state).toBe("waiting");
    expect(within(waiting).getByTestId("step-waiting").textContent).toBe("Cluster prod-1: Ready is False (Joining)");
    expect(within(screen.getByTestId("progress-phase-2")).getByText("3. Join the new host")).toBeTruthy();

    await user.click(screen.getByTestId("cancel-run"));
    expect(callsOf(calls, "cancel_run")).toBe(1);
    expect(screen.getByTestId("progress-count").textContent).toContain("stopping");

    await run.end(runReport({ status: "succeeded" }));
    const report = await screen.findByTestId("run-report");
    expect(within(report).getByTestId("report-status").dataset.status).toBe("succeeded");
    expect(within(report).getByTestId("report-summary").textContent).toContain("every kept namespace was verified");
    expect(within(report).getByTestId("report-kept").textContent).toContain("2 kept namespaces");
    // A run that found nothing to leave alone shows no notes.
    expect(within(report).queryByTestId("report-notes")).toBeNull();
  });

  it("reports a blocked run with its reason and offers resume", async () => {
    const { user, run } = await openWorkflows();
    await applyMigration(user);
    await screen.findByTestId("run-progress");
    await run.end(
      runReport({ status: "blocked", step: 1, stepTitle: "Settle", reason: "apps-web regained a workspace owner", stepsDone: 1 }),
    );
    expect((await screen.findByTestId("report-reason")).textContent).toContain("2. Settle: apps-web regained a workspace owner");
    expect(screen.getByTestId("report-resume")).toBeTruthy();
  });

  it("lists what the run's steps found and left alone", async () => {
    const { user, run } = await openWorkflows();
    await applyMigration(user);
    await screen.findByTestId("run-progress");
    const note = "Role apps-web/pod-reader on prod-1 differs from the snapshot: left as it is";
    await run.end(runReport({ status: "succeeded", notes: [note] }));
    const notes = await screen.findByTestId("report-notes");
    expect(notes.textContent).toContain("Left as found");
    expect(notes.textContent).toContain(note);
  });

  it("shows a refused run (stale plan) with what to do, back on the review", async () => {
    const refused = mockCommands({
      inspect_fleet: () => migrateFleet(),
      plan_workflow: () => migratePlan(),
      // A command's error branch: the AppError object itself is the rejection.
      apply_run: () =>
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        Promise.reject({ kind: "StalePlan", message: "the estate changed since plan 5d1c0b8e was reviewed", status: null }),
    });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-workflows"));
    await user.selectOptions(await screen.findByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByLabelText("New host"), "new-host");
    await user.click(screen.getByTestId("plan-button"));
    await screen.findByTestId("plan-review");
    await user.type(screen.getByTestId("confirm-name"), "prod-1");
    await user.click(screen.getByTestId("confirm-host-old-host"));
    await user.click(screen.getByTestId("confirm-host-new-host"));
    await user.click(screen.getByTestId("apply-button"));
    const error = await screen.findByTestId("workflow-error");
    expect(error.textContent).toContain("Plan is stale");
    expect(error.textContent).toContain("Plan again");
    expect(screen.getByTestId("plan-review")).toBeTruthy();
    expect(callsOf(refused, "apply_run")).toBe(1);
  });

  it("explains an import refused by its preflight, by kind, with how to fix it", async () => {
    const refused = mockCommands({
      inspect_fleet: () => migrateFleet(),
      plan_workflow: () =>
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        Promise.reject({
          kind: "PreflightFailed",
          message: "preflight failed for importing prod-1 into new-host as prod-1: jwtSecret: differs from the host's",
          status: null,
        }),
    });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-workflows"));
    await user.click(await screen.findByText("Import"));
    await user.selectOptions(screen.getByLabelText("Member cluster"), "prod-1");
    await user.selectOptions(screen.getByTestId("field-host"), "new-host");
    await user.click(screen.getByTestId("plan-button"));
    const error = await screen.findByTestId("workflow-error");
    expect(error.textContent).toContain("Preflight failed");
    expect(error.textContent).toContain("jwtSecret: differs from the host's");
    expect(error.textContent).toContain("Apply the member fix-its");
    expect(screen.queryByTestId("plan-review")).toBeNull();
    expect(callsOf(refused, "plan_workflow")).toBe(1);
  });

  it("opens a finding's fix-it on the same review", async () => {
    const fix: WorkflowInput = { workflow: "fixMember", host: "old-host", member: "prod-1", setRole: true, copyJwt: false };
    const fleet: FleetReport = {
      ...migrateFleet(),
      findings: [
        finding({
          id: "role-none",
          severity: "warning",
          cluster: "prod-1",
          fix: { summary: "Set the role to member.", commands: [], fixIt: null, workflow: fix },
        }),
      ],
    };
    const planned: unknown[] = [];
    mockCommands({
      inspect_fleet: () => fleet,
      plan_workflow: (args) => {
        planned.push(args.input);
        return { ...migratePlan(), input: fix, title: "Configure prod-1 as a member of old-host" };
      },
    });
    const { user } = renderWithProviders();
    await user.click(await screen.findByTestId("finding-fix-it"));
    await screen.findByTestId("plan-review");
    expect(planned).toEqual([fix]);
    expect(screen.getByTestId("plan-title").textContent).toBe("Configure prod-1 as a member of old-host");
    await waitFor(() => {
      expect(screen.getByTestId("nav-workflows").getAttribute("aria-current")).toBe("page");
    });
  });
});
