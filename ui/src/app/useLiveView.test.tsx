import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ClusterDetailScreen } from "../features/cluster-detail/ClusterDetailScreen";
import type { AppError, ClusterFacts, FleetPatch, LiveNotice } from "../ipc/bindings";
import { applyFleetPatch } from "../ipc/queries";
import { demoFleet, finding, liveChanged, liveState } from "../test/fixtures";
import { callsOf, mockCommands } from "../test/ipc";
import { renderWithProviders } from "../test/render";
import { REFRESH_DELAY_MS, liveStatus } from "./useLiveView";

/** `name` of the demo fleet with another Kubernetes version. */
function upgraded(name: string, version: string): ClusterFacts {
  const c = demoFleet().clusters.find((x) => x.name === name);
  if (!c?.kubernetesVersion) throw new Error(`no ${name}`);
  return { ...c, kubernetesVersion: { ...c.kubernetesVersion, value: version } };
}

/** The patch `refresh_clusters` answers: `clusters` replaced, findings all new. */
function patchOf(...clusters: ClusterFacts[]): FleetPatch {
  return {
    clusters,
    findings: [finding({ id: "jwt-mismatch", severity: "error", cluster: clusters[0]?.name ?? "host" })],
    order: demoFleet().clusters.map((c) => c.name),
  };
}

const wait = (ms: number) =>
  act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });

/** Serves `live_open` with view 7 and keeps its channel, so a test can send notices. */
function liveServer() {
  const opened: { screen: unknown; cluster: unknown }[] = [];
  const closed: unknown[] = [];
  let channel: Channel<LiveNotice> | null = null;
  return {
    opened,
    closed,
    handlers: {
      live_open: (args: Record<string, unknown>) => {
        opened.push({ screen: args.screen, cluster: args.cluster });
        channel = args.onNotice as Channel<LiveNotice>;
        return 7;
      },
      live_close: (args: Record<string, unknown>) => {
        closed.push(args.id);
        return true;
      },
    },
    send(notice: LiveNotice) {
      if (!channel) throw new Error("live_open was not called");
      const to = channel;
      act(() => {
        to.onmessage(notice);
      });
    },
  };
}

describe("liveStatus", () => {
  it("is reconnecting if any watch is, live when all are, and ignores stopped ones", () => {
    expect(liveStatus([])).toBe("connecting");
    expect(liveStatus(["live", "stopped"])).toBe("live");
    expect(liveStatus(["live", "reconnecting", "stopped"])).toBe("reconnecting");
    expect(liveStatus(["stopped"])).toBe("connecting");
  });
});

describe("useLiveView on the cluster detail", () => {
  it("opens a view of the cluster, shows its state, and refreshes only that cluster once for a burst of changes", async () => {
    const live = liveServer();
    const calls = mockCommands({
      inspect_fleet: () => demoFleet(),
      refresh_clusters: () => patchOf(upgraded("host", "v1.33.0")),
      ...live.handlers,
    });
    const { client } = renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    await screen.findByTestId("detail-title");
    await waitFor(() => {
      expect(live.opened).toEqual([{ screen: "cluster", cluster: "host" }]);
    });
    await waitFor(() => {
      expect(callsOf(calls, "inspect_fleet")).toBe(1);
    });
    expect(screen.queryByTestId("live-indicator")).toBeNull();

    live.send(liveState("host", "namespaces", "live"));
    live.send(liveState("host", "workspaces", "stopped", "the cluster does not serve this kind"));
    expect(screen.getByTestId("live-indicator").dataset.status).toBe("live");
    expect(screen.getByText("Live")).toBeTruthy();
    expect(screen.queryByText("v1.33.0")).toBeNull();

    live.send(liveChanged("host", "namespaces"));
    live.send(liveChanged("host", "users"));
    live.send(liveChanged("host", "namespaces"));
    // Nothing before the delay; one refresh of the host after it for the three notices, and
    // no whole-estate inspection.
    expect(callsOf(calls, "refresh_clusters")).toBe(0);
    await screen.findByText("v1.33.0", undefined, { timeout: REFRESH_DELAY_MS + 1000 });
    const refreshes = calls.mock.calls.filter(([c]) => c === "refresh_clusters").map(([, a]) => a);
    expect(refreshes).toEqual([{ clusters: ["host"] }]);
    await wait(REFRESH_DELAY_MS + 100);
    expect(callsOf(calls, "refresh_clusters")).toBe(1);
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
    // The cached report is patched: the host replaced, the others kept, findings replaced.
    const cached = client.getQueryData<ReturnType<typeof demoFleet>>(["fleet"]);
    expect(cached?.clusters.map((c) => c.name)).toEqual(["host", "member-1", "edge", "broken"]);
    expect(cached?.clusters[1]).toEqual(demoFleet().clusters[1]);
    expect(cached?.findings.map((f) => f.id)).toEqual(["jwt-mismatch"]);

    live.send(liveState("host", "namespaces", "reconnecting", "cannot reach the API server"));
    expect(screen.getByTestId("live-indicator").dataset.status).toBe("reconnecting");
    expect(screen.getByText("Reconnecting…")).toBeTruthy();
  });

  it("gathers the clusters named while a refresh runs into the next one", async () => {
    const live = liveServer();
    const answers: ((p: FleetPatch) => void)[] = [];
    const calls = mockCommands({
      inspect_fleet: () => demoFleet(),
      refresh_clusters: () => new Promise<FleetPatch>((resolve) => answers.push(resolve)),
      ...live.handlers,
    });
    renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    await waitFor(() => {
      expect(live.opened).toHaveLength(1);
    });
    live.send(liveChanged("host", "namespaces"));
    await waitFor(() => { expect(answers).toHaveLength(1); }, { timeout: REFRESH_DELAY_MS + 1000 });
    // While the first refresh runs: notices for two clusters, and the delay passes.
    live.send(liveChanged("member-1", "namespaces"));
    live.send(liveChanged("edge", "namespaces"));
    await wait(REFRESH_DELAY_MS + 100);
    expect(callsOf(calls, "refresh_clusters")).toBe(1);
    await act(async () => {
      answers[0]?.(patchOf(upgraded("host", "v1.33.0")));
      await Promise.resolve();
    });
    await waitFor(() => { expect(answers).toHaveLength(2); }, { timeout: REFRESH_DELAY_MS + 1000 });
    const refreshes = calls.mock.calls.filter(([c]) => c === "refresh_clusters").map(([, a]) => a);
    expect(refreshes).toEqual([{ clusters: ["host"] }, { clusters: ["member-1", "edge"] }]);
    await act(async () => {
      answers[1]?.(patchOf(upgraded("member-1", "v1.31.9"), upgraded("edge", "v1.30.9")));
      await Promise.resolve();
    });
    expect(await screen.findByText("v1.33.0")).toBeTruthy();
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
  });

  it("refetches the whole report when a refresh fails", async () => {
    const live = liveServer();
    const calls = mockCommands({
      inspect_fleet: () => demoFleet(),
      refresh_clusters: () => {
        // A command's error reaches the UI as the AppError thrown by invoke.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { kind: "NotFound", message: 'no cluster named "host" in this estate (known: a)', status: null } satisfies AppError;
      },
      ...live.handlers,
    });
    renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    await waitFor(() => {
      expect(callsOf(calls, "inspect_fleet")).toBe(1);
    });
    await waitFor(() => {
      expect(live.opened).toHaveLength(1);
    });
    live.send(liveChanged("host", "namespaces"));
    await waitFor(
      () => {
        expect(callsOf(calls, "inspect_fleet")).toBe(2);
      },
      { timeout: REFRESH_DELAY_MS + 1000 },
    );
    expect(callsOf(calls, "refresh_clusters")).toBe(1);
  });

  it("closes the view on unmount", async () => {
    const live = liveServer();
    mockCommands({ inspect_fleet: () => demoFleet(), ...live.handlers });
    const { unmount } = renderWithProviders(<ClusterDetailScreen name="member-1" onBack={() => undefined} />);
    await waitFor(() => {
      expect(live.opened).toEqual([{ screen: "cluster", cluster: "member-1" }]);
    });
    // The id arrives asynchronously; let it land before unmounting.
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    unmount();
    await waitFor(() => {
      expect(live.closed).toEqual([7]);
    });
  });

  it("shows no indicator when live views cannot be opened", async () => {
    mockCommands({
      inspect_fleet: () => demoFleet(),
      live_open: () => {
        throw new Error("no live views here");
      },
    });
    renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
    await screen.findByTestId("detail-title");
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(screen.queryByTestId("live-indicator")).toBeNull();
  });
});

describe("applyFleetPatch", () => {
  it("replaces the patched clusters in the patch's order and every finding", () => {
    const report = demoFleet();
    const host = upgraded("host", "v1.33.0");
    const patch = { ...patchOf(host), order: ["edge", "host", "member-1", "broken"] };
    const next = applyFleetPatch(report, patch);
    expect(next?.clusters.map((c) => c.name)).toEqual(["edge", "host", "member-1", "broken"]);
    expect(next?.clusters[1]).toBe(host);
    expect(next?.clusters[0]).toBe(report.clusters[2]);
    expect(next?.findings).toEqual(patch.findings);
    expect(report.clusters[0]?.kubernetesVersion?.value).toBe("v1.32.4");
  });

  it("is null when the report lacks a cluster the patch does not carry", () => {
    const patch = { ...patchOf(upgraded("host", "v1.33.0")), order: ["host", "member-1", "new-one"] };
    expect(applyFleetPatch(demoFleet(), patch)).toBeNull();
  });
});
