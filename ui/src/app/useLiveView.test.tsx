import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ClusterDetailScreen } from "../features/cluster-detail/ClusterDetailScreen";
import type { LiveNotice } from "../ipc/bindings";
import { demoFleet, liveChanged, liveState } from "../test/fixtures";
import { callsOf, mockCommands } from "../test/ipc";
import { renderWithProviders } from "../test/render";
import { INVALIDATE_DELAY_MS, liveStatus } from "./useLiveView";

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
  it("opens a view of the cluster, shows its state, and refetches once for a burst of changes", async () => {
    const live = liveServer();
    const calls = mockCommands({ inspect_fleet: () => demoFleet(), ...live.handlers });
    renderWithProviders(<ClusterDetailScreen name="host" onBack={() => undefined} />);
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

    live.send(liveChanged("host", "namespaces"));
    live.send(liveChanged("host", "users"));
    live.send(liveChanged("host", "namespaces"));
    // Nothing before the delay; one refetch after it for the three notices.
    expect(callsOf(calls, "inspect_fleet")).toBe(1);
    await waitFor(
      () => {
        expect(callsOf(calls, "inspect_fleet")).toBe(2);
      },
      { timeout: INVALIDATE_DELAY_MS + 1000 },
    );
    await new Promise((r) => setTimeout(r, INVALIDATE_DELAY_MS + 100));
    expect(callsOf(calls, "inspect_fleet")).toBe(2);

    live.send(liveState("host", "namespaces", "reconnecting", "cannot reach the API server"));
    expect(screen.getByTestId("live-indicator").dataset.status).toBe("reconnecting");
    expect(screen.getByText("Reconnecting…")).toBeTruthy();
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
