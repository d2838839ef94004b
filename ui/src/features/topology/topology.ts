import type { ClusterFacts, ClusterRole, ErrorKind, FleetReport } from "../../ipc/bindings";
import { isHost, joinState, kubesphereVersion, registrations, roleOf, type JoinState } from "../clusters/model";

/** How a node stands in the federation. */
/** `unknown`: the cluster could not be read, so where it stands cannot be told. */
export type NodeState = JoinState | "host" | "not-joined" | "standalone" | "unknown";

export type Health = "ok" | "partial" | "error";

/** One cluster in the picture. */
export interface TopologyNode {
  /** The estate name, or `<host>/<name>` for a member known only from a host's Cluster object. */
  id: string;
  name: string;
  role: ClusterRole;
  /** `null` for a member known only from its host (no kubeconfig in the estate). */
  facts: ClusterFacts | null;
  /** The host that registered it (members only). */
  host: string | null;
  kubernetesVersion: string | null;
  kubesphereVersion: string | null;
  state: NodeState;
  health: Health;
  errorKind: ErrorKind | null;
  findings: number;
  /** Hosts: how many members they manage (Cluster objects other than their own). */
  members: number;
}

/** A host manages a member. */
export interface TopologyEdge {
  id: string;
  source: string;
  target: string;
  state: JoinState;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

function health(c: ClusterFacts): Health {
  if (c.error !== null) return "error";
  return c.factErrors.length > 0 ? "partial" : "ok";
}

/**
 * Hosts and their members from the fleet report: a member belongs to the host whose Cluster
 * object carries its kube-system UID; a Cluster object whose cluster is not in the estate
 * still appears, known only from the host.
 */
export function buildTopology(report: FleetReport): Topology {
  const registered = registrations(report);
  const findings = new Map<string, number>();
  for (const f of report.findings) findings.set(f.cluster, (findings.get(f.cluster) ?? 0) + 1);

  const nodes: TopologyNode[] = report.clusters.map((c) => {
    const registration = registered.get(c.name);
    const role = roleOf(c);
    let state: NodeState;
    if (isHost(c)) state = "host";
    else if (registration) state = joinState(registration.object);
    else if (c.error !== null) state = "unknown";
    else state = role === "member" ? "not-joined" : "standalone";
    return {
      id: c.name,
      name: c.name,
      role,
      facts: c,
      host: registration?.host ?? null,
      kubernetesVersion: c.kubernetesVersion?.value ?? null,
      kubesphereVersion: kubesphereVersion(c),
      state,
      health: health(c),
      errorKind: c.error?.kind ?? null,
      findings: findings.get(c.name) ?? 0,
      members: isHost(c) ? (c.clusters.items ?? []).filter((o) => !o.isHost).length : 0,
    };
  });

  const edges: TopologyEdge[] = [];
  for (const [member, { host, object }] of registered) {
    edges.push({ id: `${host}->${member}`, source: host, target: member, state: joinState(object) });
  }

  // Cluster objects on a host whose cluster has no kubeconfig here.
  const known = new Set([...registered.values()].map((r) => `${r.host}/${r.object.name}`));
  for (const host of report.clusters.filter(isHost)) {
    for (const object of host.clusters.items ?? []) {
      if (object.isHost || known.has(`${host.name}/${object.name}`)) continue;
      const id = `${host.name}/${object.name}`;
      const state = joinState(object);
      nodes.push({
        id,
        name: object.name,
        role: "member",
        facts: null,
        host: host.name,
        kubernetesVersion: object.kubernetesVersion,
        kubesphereVersion: object.kubesphereVersion,
        state,
        health: state === "ready" ? "ok" : "error",
        errorKind: null,
        findings: 0,
        members: 0,
      });
      edges.push({ id: `${host.name}->${id}`, source: host.name, target: id, state });
    }
  }
  return { nodes, edges };
}

export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 96;
const GAP_X = 36;
const GAP_Y = 72;
/** Members per row under a host. */
const PER_ROW = 4;

export interface Position {
  x: number;
  y: number;
}

/**
 * A calm, deterministic layout: each host on the top row with its members in rows of four
 * below it; clusters outside any federation to the right, on the member row when there is
 * one. Returns the
 * top-left corner of each node and the size of the drawing.
 */
export function layout(topology: Topology): { positions: Map<string, Position>; rows: number; width: number; height: number } {
  const positions = new Map<string, Position>();
  const hosts = topology.nodes.filter((n) => n.state === "host");
  const membersOf = (host: string) => topology.nodes.filter((n) => n.host === host);
  const loose = topology.nodes.filter((n) => n.state !== "host" && n.host === null);
  const cellW = NODE_WIDTH + GAP_X;
  const cellH = NODE_HEIGHT + GAP_Y;

  let x = 0;
  let rows = hosts.length > 0 ? 1 : 0;
  for (const host of hosts) {
    const members = membersOf(host.id);
    const columns = Math.max(1, Math.min(members.length, PER_ROW));
    const width = columns * cellW - GAP_X;
    positions.set(host.id, { x: x + (width - NODE_WIDTH) / 2, y: 0 });
    members.forEach((m, i) => {
      positions.set(m.id, { x: x + (i % PER_ROW) * cellW, y: (1 + Math.floor(i / PER_ROW)) * cellH });
    });
    rows = Math.max(rows, 1 + Math.ceil(members.length / PER_ROW));
    x += width + GAP_X * 2;
  }
  // Beside the members when hosts have some; else beside the hosts, as their peers.
  const looseRow = hosts.some((h) => membersOf(h.id).length > 0) ? 1 : 0;
  loose.forEach((n, i) => {
    positions.set(n.id, { x: x + (i % PER_ROW) * cellW, y: (looseRow + Math.floor(i / PER_ROW)) * cellH });
  });
  if (loose.length > 0) rows = Math.max(rows, looseRow + Math.ceil(loose.length / PER_ROW));
  let width = 0;
  for (const p of positions.values()) width = Math.max(width, p.x + NODE_WIDTH);
  const height = rows > 0 ? rows * cellH - GAP_Y : 0;
  return { positions, rows, width, height };
}

/** The edge from a host's bottom to a member's top: down, across, down, with soft corners. */
export function edgePath(from: Position, to: Position): string {
  const sx = from.x + NODE_WIDTH / 2;
  const sy = from.y + NODE_HEIGHT;
  const tx = to.x + NODE_WIDTH / 2;
  const ty = to.y;
  const midY = to.y - GAP_Y / 2;
  if (Math.abs(tx - sx) < 1) return `M ${String(sx)} ${String(sy)} V ${String(ty)}`;
  const r = Math.min(10, Math.abs(tx - sx) / 2);
  const dir = tx > sx ? 1 : -1;
  return [
    `M ${String(sx)} ${String(sy)}`,
    `V ${String(midY - r)}`,
    `Q ${String(sx)} ${String(midY)} ${String(sx + dir * r)} ${String(midY)}`,
    `H ${String(tx - dir * r)}`,
    `Q ${String(tx)} ${String(midY)} ${String(tx)} ${String(midY + r)}`,
    `V ${String(ty)}`,
  ].join(" ");
}
