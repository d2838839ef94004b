import { describe, expect, it } from "vitest";
import { demoFleet, facts, managedCluster, readyCondition } from "../../test/fixtures";
import { displayServer, isHost, joinState, registrations, roleOf, summarize } from "./model";

describe("roles", () => {
  it("takes the effective role, else the configured one, else unknown", () => {
    const host = facts({ name: "host", role: "host" });
    expect(roleOf(host)).toBe("host");
    expect(isHost(host)).toBe(true);
    const configuredOnly = facts({ name: "m", role: "member" });
    if (configuredOnly.kubesphere) configuredOnly.kubesphere.effective = null;
    expect(roleOf(configuredOnly)).toBe("member");
    expect(roleOf(facts({ name: "plain", ksVersion: null }))).toBe("unknown");
    // A host role without multi-cluster enabled is not a host yet.
    const halfHost = facts({ name: "h", role: "host" });
    if (halfHost.kubesphere?.effective) halfHost.kubesphere.effective.multiclusterEnabled = false;
    expect(isHost(halfHost)).toBe(false);
  });
});

describe("registrations", () => {
  it("matches a host's Cluster objects to estate clusters by kube-system UID", () => {
    const report = demoFleet();
    const reg = registrations(report);
    expect([...reg.keys()]).toEqual(["member-1"]);
    expect(reg.get("member-1")?.host).toBe("host");
    expect(reg.get("member-1")?.object.name).toBe("member-1");
  });

  it("reads the join state from the Ready condition and the deletion mark", () => {
    expect(joinState(managedCluster({ name: "a" }))).toBe("ready");
    expect(joinState(managedCluster({ name: "b", conditions: [readyCondition("False")] }))).toBe("not-ready");
    expect(joinState(managedCluster({ name: "c", conditions: [] }))).toBe("pending");
    expect(joinState(managedCluster({ name: "d", deletingSince: "2026-11-27T07:00:00Z" }))).toBe("deleting");
  });
});

describe("summarize", () => {
  it("counts roles over all clusters and projects over reachable ones", () => {
    const stats = summarize(demoFleet().clusters);
    // host 3 projects + member-1 2 + edge 3; broken is unreadable.
    expect(stats).toEqual({ clusters: 4, reachable: 3, hosts: 1, members: 1, projects: 8, workspaces: 6 });
  });

  it("is all zeros for an empty estate", () => {
    expect(summarize([])).toEqual({ clusters: 0, reachable: 0, hosts: 0, members: 0, projects: 0, workspaces: 0 });
  });
});

describe("displayServer", () => {
  it("drops only the https scheme", () => {
    expect(displayServer("https://127.0.0.1:36111")).toBe("127.0.0.1:36111");
    expect(displayServer("http://10.0.0.1:8080")).toBe("http://10.0.0.1:8080");
  });
});
