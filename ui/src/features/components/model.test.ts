import { describe, expect, it } from "vitest";
import type { ClusterFacts, FleetReport, InstallPlan } from "../../ipc/bindings";
import { facts, managedCluster } from "../../test/fixtures";
import { cellState, componentMatrix } from "./model";

function v4(c: ClusterFacts): ClusterFacts {
  if (!c.kubesphere) return c;
  return { ...c, kubesphere: { ...c.kubesphere, generation: { value: "4.x", source: "GET /apis/tenant.kubesphere.io" }, components: [] } };
}

function plan(overrides: Partial<InstallPlan>): InstallPlan {
  return {
    name: "devops",
    extension: "devops",
    version: "1.1.0",
    enabled: true,
    state: "Installed",
    message: null,
    placedClusters: ["prod-1"],
    placedBySelector: false,
    clusters: [{ cluster: "prod-1", state: "InstallFailed", version: "1.1.0", targetNamespace: "kubesphere-devops-system", message: "image pull" }],
    ...overrides,
  };
}

/** A 4.1 host that registered `prod-1` as Cluster `prod-1`, with one InstallPlan. */
function v4Fleet(p: InstallPlan): FleetReport {
  const host = v4(facts({ name: "old-host", role: "host", managed: [managedCluster({ name: "prod-1", uid: "uid-prod-1" })] }));
  host.installPlans = { items: [p], source: "installplans.kubesphere.io" };
  return { clusters: [host, v4(facts({ name: "prod-1", role: "member" })), v4(facts({ name: "spare", role: "member" }))], findings: [] };
}

describe("the components matrix", () => {
  it("reads a 4.x InstallPlan on the host and its scheduled members by their Cluster name", () => {
    const m = componentMatrix(v4Fleet(plan({})));
    expect(m.rows.map((r) => r.name)).toEqual(["devops"]);
    const [row] = m.rows;
    const states = row?.cells.map(cellState);
    expect(states).toEqual(["active", "failed", "off"]);
    expect(row?.cells.every((c) => c.disabled === "v4Extension")).toBe(true);
  });

  it("counts a member placed by selector, and a disabled plan as not configured", () => {
    const selector = componentMatrix(v4Fleet(plan({ placedClusters: [], placedBySelector: true, clusters: [{ cluster: "prod-1", state: "Installed", version: null, targetNamespace: null, message: null }] })));
    expect(selector.rows[0]?.cells.map(cellState)).toEqual(["active", "active", "off"]);
    const off = componentMatrix(v4Fleet(plan({ enabled: false, state: "Installed", clusters: [] })));
    expect(off.rows[0]?.cells.map(cellState)).toEqual(["leftover", "off", "off"]);
  });
});
