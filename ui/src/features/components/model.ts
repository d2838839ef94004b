import type { ClusterFacts, FleetReport, InstallPlan, WorkflowInput } from "../../ipc/bindings";
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
export type DisabledReason =
  | "appStoreHostOnly"
  | "v4Extension"
  | "v4NotMember"
  | "v4Disabled"
  | "v4Selector"
  | "noKubeSphere"
  | "unreadable"
  | "notEnableable";

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
  /** 4.x: the cluster's Cluster name on the extension's host (`null`: not its member). */
  clusterName: string | null;
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
  /** 4.x: the estate cluster whose InstallPlan this is, and the InstallPlan's name. */
  host: string | null;
  installPlan: string | null;
  cells: ComponentCell[];
}

export interface ComponentMatrix {
  clusters: ComponentColumn[];
  rows: ComponentRow[];
}

const OFF = { configured: false, installed: false, active: false, failed: false, state: null, clusterName: null } as const;

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

/** Why a member cannot be scheduled from here (mirrors the core's `extensions::plan_extension`). */
function v4Reason(plan: InstallPlan, cluster: ClusterFacts): DisabledReason | null {
  if (cluster.error !== null) return "unreadable";
  if (!plan.enabled) return "v4Disabled";
  if (plan.placedBySelector && plan.placedClusters.length === 0) return "v4Selector";
  return null;
}

/**
 * An InstallPlan's cell on one estate cluster: the host itself (its part is installed from
 * the extension center), or a member, which the enable action schedules by its Cluster name.
 */
function v4Cell(plan: InstallPlan, cluster: ClusterFacts, clusterName: string | null, onHost: boolean): ComponentCell {
  if (onHost) {
    const installed = plan.state === "Installed";
    return { configured: plan.enabled, installed, active: plan.enabled && installed, failed: failed(plan.state), disabled: "v4Extension", state: plan.state, clusterName };
  }
  const placed = clusterName !== null && (plan.placedClusters.includes(clusterName) || (plan.placedBySelector && plan.placedClusters.length === 0));
  const status = plan.clusters.find((s) => s.cluster === clusterName) ?? null;
  const state = status?.state ?? null;
  const configured = plan.enabled && placed;
  const installed = state === "Installed";
  return { configured, installed, active: configured && installed, failed: failed(state), disabled: v4Reason(plan, cluster), state, clusterName };
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
    host: null,
    installPlan: null,
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
        host: host.name,
        installPlan: plan.name,
        cells: clusters.map((c) => {
          const onHost = c.name === host.name;
          const clusterName = nameOn(host, c);
          return onHost || clusterName !== null ? v4Cell(plan, c, clusterName, onHost) : { ...OFF, disabled: "v4NotMember" };
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

export interface EnableTarget {
  /** The estate cluster. */
  name: string;
  host: boolean;
  done: boolean;
  disabled: DisabledReason | null;
  /** 4.x: its Cluster name on the extension's host. */
  clusterName: string | null;
}

/** Clusters the enable action can target for a row, and those it cannot, with why. */
export function enableTargets(matrix: ComponentMatrix, row: ComponentRow): EnableTarget[] {
  return matrix.clusters.map((c, i) => {
    const cell = row.cells[i];
    return { name: c.name, host: c.host, done: cell?.configured ?? false, disabled: cell ? cell.disabled : "unreadable", clusterName: cell?.clusterName ?? null };
  });
}

/** Whether a row offers the enable action: a component ksmc switches on, or a 4.x extension. */
export function offersEnable(row: ComponentRow): boolean {
  return row.extension ? row.host !== null && row.installPlan !== null : isEnableable(row.name);
}

/** The core's input that enables a row on the chosen estate clusters. */
export function enableInput(row: ComponentRow, targets: EnableTarget[], chosen: string[]): WorkflowInput {
  if (row.extension && row.host !== null && row.installPlan !== null) {
    const names = targets.filter((t) => chosen.includes(t.name) && t.clusterName !== null).map((t) => t.clusterName ?? "");
    return { workflow: "component", clusters: names, component: row.installPlan, host: row.host };
  }
  return { workflow: "component", clusters: chosen, component: row.name, host: null };
}
