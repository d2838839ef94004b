import type { Channel } from "@tauri-apps/api/core";
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { RunEvent, RunReport } from "../../ipc/bindings";
import { migrateFleet, runReport, runSummary } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

const RUNS = [
  runSummary({ id: "aaaaaaaa-1", status: "paused", reason: "old-host kept answering 503" }),
  runSummary({ id: "bbbbbbbb-2", status: "succeeded", stepsDone: 5 }),
  runSummary({ id: "cccccccc-3", status: "failed", reason: "NAMESPACE LOST: apps-web" }),
  runSummary({ id: "dddddddd-4", status: "planned", stepsDone: 0 }),
];

function resumable() {
  const resumed: string[] = [];
  const handler = (args: Record<string, unknown>): RunReport => {
    resumed.push(args.runId as string);
    const channel = args.onEvent as Channel<RunEvent>;
    const report = runReport({ runId: args.runId as string, workflow: "unbind" });
    channel.onmessage({ event: "started", runId: report.runId, total: 5, done: 2 });
    channel.onmessage({ event: "finished", report });
    return report;
  };
  return { resumed, handler };
}

describe("Activity", () => {
  it("lists every run with status, progress and reason; filters by status; resumes only resumable ones", async () => {
    const { resumed, handler } = resumable();
    const calls = mockCommands({ inspect_fleet: () => migrateFleet(), list_runs: () => RUNS, resume_run: handler });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-activity"));
    const table = await screen.findByTestId("activity-table");
    expect(within(table).getAllByRole("row")).toHaveLength(RUNS.length + 1);
    const paused = screen.getByTestId("run-row-aaaaaaaa-1");
    expect(within(paused).getByText("Paused")).toBeTruthy();
    expect(within(paused).getByTestId("run-reason").textContent).toBe("old-host kept answering 503");
    expect(within(paused).getByText("2 of 5 steps done")).toBeTruthy();
    // A succeeded or failed run is not resumed; a planned one is applied from its review.
    expect(screen.queryByTestId("resume-bbbbbbbb-2")).toBeNull();
    expect(screen.queryByTestId("resume-cccccccc-3")).toBeNull();
    expect(screen.queryByTestId("resume-dddddddd-4")).toBeNull();

    await user.selectOptions(screen.getByTestId("activity-filter"), "failed");
    expect(within(screen.getByTestId("activity-table")).getAllByRole("row")).toHaveLength(2);
    expect(screen.getByTestId("run-row-cccccccc-3")).toBeTruthy();
    await user.selectOptions(screen.getByTestId("activity-filter"), "blocked");
    expect(screen.getByTestId("activity-none")).toBeTruthy();
    await user.selectOptions(screen.getByTestId("activity-filter"), "all");

    await user.click(screen.getByTestId("resume-aaaaaaaa-1"));
    const report = await screen.findByTestId("run-report");
    expect(within(report).getByTestId("report-status").dataset.status).toBe("succeeded");
    expect(resumed).toEqual(["aaaaaaaa-1"]);
    expect(callsOf(calls, "apply_run")).toBe(0);
  });

  it("exports a run's script", async () => {
    mockCommands({
      inspect_fleet: () => migrateFleet(),
      list_runs: () => RUNS,
      run_script: (args) => `#!/bin/sh\n# ksmc plan ${args.runId as string}\nkubectl get ns\n`,
    });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-activity"));
    await user.click(await screen.findByTestId("export-script-cccccccc-3"));
    expect((await screen.findByTestId("run-script")).textContent).toContain("# ksmc plan cccccccc-3");
  });

  it("says when there is no run yet", async () => {
    mockCommands({ inspect_fleet: () => migrateFleet() });
    const { user } = renderWithProviders();
    await user.click(screen.getByTestId("nav-activity"));
    expect(await screen.findByText("No runs yet")).toBeTruthy();
  });
});

describe("unfinished runs on start", () => {
  it("offers the latest unfinished run for resume, and resumes it only on a click", async () => {
    const { resumed, handler } = resumable();
    mockCommands({ inspect_fleet: () => migrateFleet(), list_runs: () => RUNS, resume_run: handler });
    const { user } = renderWithProviders();
    const notice = await screen.findByTestId("unfinished-notice");
    expect(notice.textContent).toContain("1 run did not finish");
    expect(notice.textContent).toContain("aaaaaaaa-1");
    expect(notice.textContent).toContain("old-host kept answering 503");
    expect(resumed).toEqual([]);
    await user.click(within(notice).getByTestId("notice-resume"));
    await screen.findByTestId("run-report");
    expect(resumed).toEqual(["aaaaaaaa-1"]);
    expect(screen.queryByTestId("unfinished-notice")).toBeNull();
  });

  it("stays quiet when every run finished", async () => {
    mockCommands({
      inspect_fleet: () => migrateFleet(),
      list_runs: () => [runSummary({ id: "x", status: "succeeded" })],
    });
    renderWithProviders();
    await screen.findByTestId("nav-estate");
    await screen.findAllByText("prod-1");
    expect(screen.queryByTestId("unfinished-notice")).toBeNull();
  });
});
