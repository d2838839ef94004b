import type { ClusterSummary } from "../../ipc/bindings";

export interface EstateStats {
  clusters: number;
  /** Clusters that answered (no `error`). */
  reachable: number;
  hosts: number;
  members: number;
  /** Sum over the clusters that answered with a count. */
  namespaces: number;
}

/** The numbers of the summary strip. A cluster with an error contributes no facts. */
export function summarize(clusters: readonly ClusterSummary[]): EstateStats {
  const stats: EstateStats = { clusters: clusters.length, reachable: 0, hosts: 0, members: 0, namespaces: 0 };
  for (const cluster of clusters) {
    if (cluster.role === "host") stats.hosts += 1;
    if (cluster.role === "member") stats.members += 1;
    if (cluster.error !== null) continue;
    stats.reachable += 1;
    stats.namespaces += cluster.namespaceCount ?? 0;
  }
  return stats;
}

/** Latency above this is shown as slow. */
export const SLOW_LATENCY_MS = 1000;

/**
 * The API server as shown under the cluster name: `https://` is the norm and only
 * costs width, so it is dropped; anything else (plain `http://`) stays visible.
 */
export function displayServer(server: string): string {
  return server.startsWith("https://") ? server.slice("https://".length) : server;
}
