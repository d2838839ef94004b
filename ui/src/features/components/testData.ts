import type { ClusterFacts, FleetReport, InstallPlan } from "../../ipc/bindings";
import { facts, managedCluster } from "../../test/fixtures";

/** The cluster's facts as a KubeSphere 4.x cluster (no ClusterConfiguration components). */
export function v4(c: ClusterFacts): ClusterFacts {
  if (!c.kubesphere) return c;
  return { ...c, kubesphere: { ...c.kubesphere, generation: { value: "4.x", source: "GET /apis/tenant.kubesphere.io" }, components: [] } };
}

/** An InstallPlan of `devops` on the host, scheduled on `prod-1` where it failed. */
export function installPlan(overrides: Partial<InstallPlan>): InstallPlan {
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

/** A 4.1 host that registered `prod-1` as Cluster `prod-1`, with one InstallPlan; `spare` is no member of it. */
export function v4Fleet(p: InstallPlan): FleetReport {
  const host = v4(facts({ name: "old-host", role: "host", managed: [managedCluster({ name: "prod-1", uid: "uid-prod-1" })] }));
  host.installPlans = { items: [p], source: "installplans.kubesphere.io" };
  return { clusters: [host, v4(facts({ name: "prod-1", role: "member" })), v4(facts({ name: "spare", role: "member" }))], findings: [] };
}
