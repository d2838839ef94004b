import type { Channel } from "@tauri-apps/api/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { LiveNotice } from "../../ipc/bindings";
import { demoFleet, liveState } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { TopologyView } from "./TopologyView";

describe("TopologyView", () => {
  it("renders a node per cluster with role, versions and state, and opens the one clicked", async () => {
    const onOpen = vi.fn<(name: string) => void>();
    const { user } = renderWithProviders(<TopologyView report={demoFleet()} onOpenCluster={onOpen} />);

    const figure = screen.getByRole("figure", { name: /Topology of the estate/ });
    const host = within(figure).getByTestId("topology-node-host");
    expect(within(host).getByText("host", { selector: ".topology-node__name" })).toBeTruthy();
    expect(within(host).getByText("v1.32.4 · KS v3.4.1")).toBeTruthy();
    expect(within(host).getByTestId("topology-state-host").textContent).toBe("manages 2 members");

    const member = within(figure).getByTestId("topology-node-member-1");
    expect(within(member).getByText("member")).toBeTruthy();
    expect(within(member).getByTestId("topology-state-member-1").textContent).toBe("joined · Ready");

    const broken = within(figure).getByTestId("topology-node-broken");
    expect(within(broken).getByText("Unreachable")).toBeTruthy();
    expect(within(broken).getByText("1 finding")).toBeTruthy();

    // The member known only from the host is drawn but has nothing to open.
    const far = within(figure).getByTestId("topology-node-host/far-away");
    expect(far.tagName).not.toBe("BUTTON");
    expect(within(far).getByText("joined · not Ready")).toBeTruthy();

    // One edge per Cluster object on the host: solid when Ready, dashed otherwise.
    expect(within(figure).getByTestId("topology-edge-host->member-1").dataset.state).toBe("ready");
    expect(within(figure).getByTestId("topology-edge-host->host/far-away").dataset.state).toBe("not-ready");
    expect(figure.querySelectorAll("path.topology-edge")).toHaveLength(2);

    await user.click(within(figure).getByRole("button", { name: "Open member-1" }));
    expect(onOpen).toHaveBeenCalledWith("member-1");
    expect(within(figure).getAllByRole("button", { name: /^Open / })).toHaveLength(4);
  });

  it("keeps a live view of the overview open while shown", async () => {
    let channel: Channel<LiveNotice> | null = null;
    const opened: unknown[] = [];
    const closed: unknown[] = [];
    mockCommands({
      live_open: (args) => {
        opened.push([args.screen, args.cluster]);
        channel = args.onNotice as Channel<LiveNotice>;
        return 3;
      },
      live_close: (args) => {
        closed.push(args.id);
        return true;
      },
    });
    const { unmount } = renderWithProviders(<TopologyView report={demoFleet()} onOpenCluster={() => undefined} />);
    await waitFor(() => {
      expect(opened).toEqual([["overview", null]]);
    });
    act(() => {
      channel?.onmessage(liveState("host", "clusters", "live"));
    });
    expect(screen.getByTestId("live-indicator").textContent).toBe("Live");
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    unmount();
    await waitFor(() => {
      expect(closed).toEqual([3]);
    });
  });
});
