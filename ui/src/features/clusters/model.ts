import type { ClusterFacts, ClusterRole, FleetReport, ManagedCluster } from "../../ipc/bindings";

/**
 * Views over the fleet report, the one read of every cluster. They mirror the Rust side's
 * `ClusterFacts::role`, `is_host` and the findings' host/member matching by kube-system UID.
 */

/** The effective role (kubesphere-config), else the configured one, else unknown. */
export function roleOf(cluster: ClusterFacts): ClusterRole {
  const ks = cluster.kubesphere;
  if (!ks) return "unknown";
  return ks.effective?.clusterRole ?? ks.configuredRole?.value ?? "unknown";
}

/** A host: the effective config says `clusterRole: host` and multi-cluster is enabled. */
export function isHost(cluster: ClusterFacts): boolean {
  const effective = cluster.kubesphere?.effective;
  if (effective?.clusterRole !== "host") return false;
  // KubeSphere 4.x has no multicluster.enable: the role alone makes a host.
  return effective.multiclusterEnabled || cluster.kubesphere?.generation.value === "4.x";
}

export function kubesphereVersion(cluster: ClusterFacts): string | null {
  return cluster.kubesphere?.version?.value ?? null;
}

/** Projects (namespaces labelled with a workspace); `null` when they could not be listed. */
export function projectCount(cluster: ClusterFacts): number | null {
  return cluster.projects.items?.length ?? null;
}

/** Where a member is registered: the host whose Cluster object carries its kube-system UID. */
export interface Registration {
  host: string;
  object: ManagedCluster;
}

/** Every estate cluster that a host of the estate has registered, by cluster name. */
export function registrations(report: FleetReport): ReadonlyMap<string, Registration> {
  const byUid = new Map<string, string>();
  for (const c of report.clusters) {
    const uid = c.kubeSystemUid?.value;
    if (uid) byUid.set(uid, c.name);
  }
  const out = new Map<string, Registration>();
  for (const host of report.clusters.filter(isHost)) {
    for (const object of host.clusters.items ?? []) {
      if (object.isHost || object.uid === null) continue;
      const name = byUid.get(object.uid);
      if (name !== undefined && name !== host.name && !out.has(name)) out.set(name, { host: host.name, object });
    }
  }
  return out;
}

/** The state of a Cluster object on a host, as KubeSphere's console shows it. */
export type JoinState = "ready" | "not-ready" | "pending" | "deleting";

export function joinState(object: ManagedCluster): JoinState {
  if (object.deletingSince !== null) return "deleting";
  const ready = object.conditions.find((c) => c.kind === "Ready");
  if (!ready) return "pending";
  return ready.status === "True" ? "ready" : "not-ready";
}

export interface EstateStats {
  clusters: number;
  /** Clusters that answered (no `error`). */
  reachable: number;
  hosts: number;
  members: number;
  /** Sum over the clusters that answered with a list. */
  projects: number;
  workspaces: number;
}

/** The numbers of the summary strip. A cluster with an error contributes no facts. */
export function summarize(clusters: readonly ClusterFacts[]): EstateStats {
  const stats: EstateStats = { clusters: clusters.length, reachable: 0, hosts: 0, members: 0, projects: 0, workspaces: 0 };
  for (const cluster of clusters) {
    const role = roleOf(cluster);
    if (role === "host") stats.hosts += 1;
    if (role === "member") stats.members += 1;
    if (cluster.error !== null) continue;
    stats.reachable += 1;
    stats.projects += projectCount(cluster) ?? 0;
    stats.workspaces += cluster.workspaces.items?.length ?? 0;
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
