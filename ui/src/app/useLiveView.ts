import { useQueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import { useEffect, useState } from "react";
import { commands, type LiveNotice, type LiveScreen, type WatchState } from "../ipc/bindings";
import { refreshFleetClusters } from "../ipc/queries";

/** What the live view of a screen is doing, as the indicator shows it. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "off";

/**
 * How long change notices are gathered before the clusters they name are read again once
 * (the backend already sends at most one per cluster and kind every 500 ms).
 */
export const REFRESH_DELAY_MS = 750;

/** The status of a view from the states of its watches (stopped ones do not count). */
export function liveStatus(states: Iterable<WatchState>): LiveStatus {
  const active = [...states].filter((s) => s !== "stopped");
  if (active.includes("reconnecting")) return "reconnecting";
  return active.length > 0 ? "live" : "connecting";
}

/**
 * Keeps a live view of `screen` open while the component is mounted (`live_open`, closed with
 * `live_close` on unmount). Change notices are gathered over {@link REFRESH_DELAY_MS}; then
 * only the clusters they name are read again and patched into the cached fleet report behind
 * the overview and the cluster detail (one refresh at a time; notices that arrive meanwhile
 * wait for the next). Returns the view's status.
 */
export function useLiveView(screen: LiveScreen, cluster: string | null = null): LiveStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    let closed = false;
    let id: number | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let refreshing = false;
    const changed = new Set<string>();
    const states = new Map<string, WatchState>();
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = null;
        if (refreshing || closed) return;
        const names = [...changed];
        changed.clear();
        refreshing = true;
        void refreshFleetClusters(client, names).finally(() => {
          refreshing = false;
          if (changed.size > 0 && !closed) schedule();
        });
      }, REFRESH_DELAY_MS);
    };
    const onNotice = (notice: LiveNotice) => {
      if (closed) return;
      if (notice.type === "state") {
        states.set(`${notice.cluster}\u0000${notice.kind}`, notice.state);
        setStatus(liveStatus(states.values()));
      } else {
        changed.add(notice.cluster);
        schedule();
      }
    };
    const close = (view: number) => {
      commands.liveClose(view).catch(() => undefined);
    };
    let opening: ReturnType<typeof commands.liveOpen>;
    try {
      opening = commands.liveOpen(screen, cluster, new Channel<LiveNotice>(onNotice));
    } catch {
      // No Tauri IPC (a plain browser): the screen works without live updates.
      opening = Promise.reject(new Error("no IPC"));
    }
    opening.then(
      (result) => {
        if (result.status === "error") {
          if (!closed) setStatus("off");
        } else if (closed) {
          close(result.data);
        } else {
          id = result.data;
        }
      },
      () => {
        if (!closed) setStatus("off");
      },
    );
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (id !== null) close(id);
    };
  }, [client, screen, cluster]);
  return status;
}
