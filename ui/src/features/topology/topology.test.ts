import { describe, expect, it } from "vitest";
import type { FleetReport } from "../../ipc/bindings";
import { demoFleet, facts, managedCluster } from "../../test/fixtures";
import { buildTopology, edgePath, layout, NODE_HEIGHT, NODE_WIDTH } from "./topology";

describe("buildTopology", () => {
  it("puts hosts over the members they registered, by kube-system UID", () => {
    const { nodes, edges } = buildTopology(demoFleet());
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect([...byId.keys()]).toEqual(["host", "member-1", "edge", "broken", "host/far-away"]);
    expect(byId.get("host")).toMatchObject({ state: "host", members: 2 });
    expect(byId.get("member-1")).toMatchObject({ state: "ready", host: "host", role: "member", health: "ok" });
    expect(byId.get("edge")).toMatchObject({ state: "standalone", host: null, findings: 1 });
    expect(byId.get("broken")).toMatchObject({ state: "unknown", health: "error", errorKind: "Unreachable", role: "unknown" });
    // Known only from the host's Cluster object: no facts, versions from the object.
    expect(byId.get("host/far-away")).toMatchObject({ name: "far-away", facts: null, state: "not-ready", kubernetesVersion: "v1.31.6" });
    expect(edges).toEqual([
      { id: "host->member-1", source: "host", target: "member-1", state: "ready" },
      { id: "host->host/far-away", source: "host", target: "host/far-away", state: "not-ready" },
    ]);
  });

  it("puts loose clusters beside the hosts when no host has members", () => {
    const report: FleetReport = {
      clusters: [facts({ name: "host", role: "host" }), facts({ name: "member-1", role: "none" })],
      findings: [],
    };
    const { positions, rows } = layout(buildTopology(report));
    expect(rows).toBe(1);
    expect(positions.get("member-1")?.y).toBe(0);
    expect(positions.get("member-1")?.x).toBeGreaterThan(positions.get("host")?.x ?? Infinity);
  });

  it("draws no edge to a member no host has registered", () => {
    const report: FleetReport = {
      clusters: [facts({ name: "host", role: "host" }), facts({ name: "member-1", role: "member" })],
      findings: [],
    };
    const { nodes, edges } = buildTopology(report);
    expect(edges).toEqual([]);
    expect(nodes.find((n) => n.id === "member-1")?.state).toBe("not-joined");
  });

  it("keeps two hosts apart, each with its own members", () => {
    const report: FleetReport = {
      clusters: [
        facts({ name: "old-host", role: "host", managed: [managedCluster({ name: "prod-1", uid: "uid-prod-1" })] }),
        facts({ name: "new-host", role: "host" }),
        facts({ name: "prod-1", role: "member" }),
      ],
      findings: [],
    };
    const { edges } = buildTopology(report);
    expect(edges.map((e) => e.id)).toEqual(["old-host->prod-1"]);
  });
});

describe("layout", () => {
  it("places members below their host and loose clusters on the member row, to the right", () => {
    const topology = buildTopology(demoFleet());
    const { positions, rows } = layout(topology);
    const at = (id: string) => positions.get(id) ?? { x: NaN, y: NaN };
    expect(at("host").y).toBe(0);
    expect(at("member-1").y).toBeGreaterThan(0);
    expect(at("host/far-away").y).toBe(at("member-1").y);
    expect(at("edge").y).toBe(at("member-1").y);
    expect(at("edge").x).toBeGreaterThan(at("host/far-away").x);
    expect(rows).toBe(2);
    // Nothing overlaps.
    const seen = new Set([...positions.values()].map((p) => `${String(p.x)},${String(p.y)}`));
    expect(seen.size).toBe(positions.size);
  });

  it("wraps many members into rows of four and keeps the canvas within bounds", () => {
    const members = Array.from({ length: 20 }, (_, i) => facts({ name: `m${String(i)}`, role: "member" }));
    const report: FleetReport = {
      clusters: [
        facts({ name: "host", role: "host", managed: members.map((m) => managedCluster({ name: m.name, uid: `uid-${m.name}` })) }),
        ...members,
      ],
      findings: [],
    };
    const { rows, width, height, positions } = layout(buildTopology(report));
    expect(rows).toBe(6);
    // Four columns wide, six rows high, the host centred over its members.
    expect(width).toBe(4 * NODE_WIDTH + 3 * 36);
    expect(height).toBe(6 * NODE_HEIGHT + 5 * 72);
    expect(positions.get("host")?.x).toBe((width - NODE_WIDTH) / 2);
    expect(positions.get("m4")).toEqual({ x: 0, y: 2 * (NODE_HEIGHT + 72) });
  });
});

describe("edgePath", () => {
  it("runs from the bottom of the host to the top of the member", () => {
    const straight = edgePath({ x: 0, y: 0 }, { x: 0, y: 200 });
    expect(straight).toBe(`M ${String(NODE_WIDTH / 2)} ${String(NODE_HEIGHT)} V 200`);
    const bent = edgePath({ x: 0, y: 0 }, { x: 300, y: 200 });
    expect(bent.startsWith(`M ${String(NODE_WIDTH / 2)} ${String(NODE_HEIGHT)}`)).toBe(true);
    expect(bent.endsWith(`V 200`)).toBe(true);
  });
});
