import type { ClusterFacts, FleetReport, InstallPlan } from "../../ipc/bindings";
import { isHost, registrations } from "../clusters/model";

/**
 * Components × clusters, from the fleet report: KubeSphere 3.x pluggable components (the
 * ClusterConfiguration's spec and status) and 4.x extensions (InstallPlans on the host, with
 * their agent part scheduled on members).
 */

/** The App Store: enabled on the host only; members use the host's. */
export const APP_STORE = "openpitrix";
/** Components the core can switch on (mirrors the core's `admin::component_patch`). */
export const ENABLEABLE = [
  "alerting",
  "auditing",
  "devops",
  "events",
  "logging",
  "servicemesh",
  "gatekeeper",
  "edgeruntime",
  "metrics_server",
  "networkpolicy",
  APP_STORE,
] as const;

export function isEnableable(component: string): boolean {
  return (ENABLEABLE as readonly string[]).includes(component);
}

/** i18n keys (under `components.reason`) of why a cell cannot be switched on from here. */
export type DisabledReason = "appStoreHostOnly" | "v4Extension" | "noKubeSphere" | "unreadable" | "notEnableable";

export interface ComponentCell {
  configured: boolean;
  installed: boolean;
  /** Switched on and installed: running as configured. */
  active: boolean;
  /** 4.x: the install failed (`InstallFailed`, `UpgradeFailed`…). */
  failed: boolean;
  /** Why ksmc cannot enable it on this cluster; `null`: it can. */
  disabled: DisabledReason | null;
  /** The state as read (4.x), for the tooltip. */
  state: string | null;
}

export interface ComponentColumn {
  name: string;
  host: boolean;
  generation: "3.x" | "4.x" | null;
}

export interface ComponentRow {
  name: string;
  /** 4.x: an extension rather than a ClusterConfiguration component. */
  extension: boolean;
  cells: ComponentCell[];
}

export interface ComponentMatrix {
  clusters: ComponentColumn[];
  rows: ComponentRow[];
}

const OFF = { configured: false, installed: false, active: false, failed: false, state: null } as const;

function failed(state: string | null): boolean {
  return state?.endsWith("Failed") ?? false;
}

function v3Reason(component: string, cluster: ClusterFacts): DisabledReason | null {
  if (cluster.error !== null) return "unreadable";
  if (!cluster.kubesphere) return "noKubeSphere";
  if (cluster.kubesphere.generation.value === "4.x") return "v4Extension";
  if (!isEnableable(component)) return "notEnableable";
  if (component === APP_STORE && !isHost(cluster)) return "appStoreHostOnly";
  return null;
}

function v3Cell(component: string, cluster: ClusterFacts): ComponentCell {
  const c = cluster.kubesphere?.components.find((x) => x.name === component);
  const configured = c?.configured ?? false;
  const installed = c?.installed ?? false;
  return { ...OFF, configured, installed, active: configured && installed, disabled: v3Reason(component, cluster) };
}

/** An InstallPlan's cell on one estate cluster: the host itself, or a member it schedules. */
function v4Cell(plan: InstallPlan, cluster: ClusterFacts, clusterName: string | null, onHost: boolean): ComponentCell {
  if (onHost) {
    const installed = plan.state === "Installed";
    return { configured: plan.enabled, installed, active: plan.enabled && installed, failed: failed(plan.state), disabled: "v4Extension", state: plan.state };
  }
  const placed = clusterName !== null && (plan.placedBySelector || plan.placedClusters.includes(clusterName));
  const status = plan.clusters.find((s) => s.cluster === clusterName) ?? null;
  const state = status?.state ?? null;
  const configured = plan.enabled && placed;
  const installed = state === "Installed";
  const reason: DisabledReason = cluster.error !== null ? "unreadable" : "v4Extension";
  return { configured, installed, active: configured && installed, failed: failed(state), disabled: reason, state };
}

/** The matrix of every component seen in the estate, plus those ksmc can enable. */
export function componentMatrix(report: FleetReport): ComponentMatrix {
  const clusters = report.clusters;
  const columns: ComponentColumn[] = clusters.map((c) => ({
    name: c.name,
    host: isHost(c),
    generation: c.kubesphere?.generation.value ?? null,
  }));
  const v3 = clusters.some((c) => c.kubesphere?.generation.value === "3.x");
  const names = new Set<string>(v3 ? ENABLEABLE : []);
  for (const c of clusters) for (const comp of c.kubesphere?.components ?? []) names.add(comp.name);
  const rows: ComponentRow[] = [...names].sort().map((name) => ({
    name,
    extension: false,
    cells: clusters.map((c) => (c.kubesphere?.generation.value === "4.x" ? { ...OFF, disabled: "v4Extension" } : v3Cell(name, c))),
  }));

  // 4.x: the Cluster name a host gave each estate cluster (its own Cluster is the host).
  const regs = registrations(report);
  const nameOn = (host: ClusterFacts, c: ClusterFacts): string | null => {
    if (c.name === host.name) return (host.clusters.items ?? []).find((m) => m.isHost)?.name ?? null;
    const reg = regs.get(c.name);
    return reg?.host === host.name ? reg.object.name : null;
  };
  for (const host of clusters.filter((c) => isHost(c) && c.kubesphere?.generation.value === "4.x")) {
    for (const plan of host.installPlans.items ?? []) {
      rows.push({
        name: plan.extension || plan.name,
        extension: true,
        cells: clusters.map((c) => {
          const onHost = c.name === host.name;
          const clusterName = nameOn(host, c);
          return onHost || clusterName !== null ? v4Cell(plan, c, clusterName, onHost) : { ...OFF, disabled: "v4Extension" };
        }),
      });
    }
  }
  return { clusters: columns, rows };
}

/** The display state of a cell. */
export type CellState = "active" | "installing" | "leftover" | "failed" | "off";

export function cellState(cell: ComponentCell): CellState {
  if (cell.failed) return "failed";
  if (cell.active) return "active";
  if (cell.configured) return "installing";
  return cell.installed ? "leftover" : "off";
}

/** Clusters the enable action can target for a component, and those it cannot, with why. */
export function enableTargets(matrix: ComponentMatrix, component: string): { name: string; host: boolean; done: boolean; disabled: DisabledReason | null }[] {
  const row = matrix.rows.find((r) => r.name === component && !r.extension);
  if (!row) return [];
  return matrix.clusters.map((c, i) => {
    const cell = row.cells[i];
    return { name: c.name, host: c.host, done: cell?.configured ?? false, disabled: cell ? cell.disabled : "unreadable" };
  });
}
