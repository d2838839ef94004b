import { describe, expect, it } from "vitest";
import { migrateFleet, migratePlan } from "../../test/fixtures";
import { choicesOf, emptyForm, gateOf, importName, NO_PROGRESS, reduceProgress, toInput, validate, withMember, writesTo } from "./model";

describe("workflow model", () => {
  it("names an import as the plan does: the name a host recorded on the member, else the member's", () => {
    const fleet = migrateFleet();
    const member = fleet.clusters[1];
    if (member?.kubesphere == null) throw new Error("the fixture's second cluster has KubeSphere");
    member.kubesphere.recordedName = { value: "legacy-name", source: "kubesphere-config" };
    expect(importName(fleet, member.name)).toBe("legacy-name");
    member.kubesphere.recordedName = { value: "", source: "kubesphere-config" };
    expect(importName(fleet, member.name)).toBe(member.name);
    member.kubesphere.recordedName = null;
    expect(importName(fleet, member.name)).toBe(member.name);
    expect(importName(undefined, "m")).toBe("m");
  });

  it("offers hosts and members from the fleet, with each member's host", () => {
    const c = choicesOf(migrateFleet());
    expect(c.hosts).toEqual(["old-host", "new-host"]);
    expect(c.members).toEqual(["prod-1"]);
    expect(c.boundTo.get("prod-1")).toBe("old-host");
  });

  it("validates a rebind's bindings and builds its input", () => {
    const c = choicesOf(migrateFleet());
    let form = { ...withMember(emptyForm("rebind"), c, "prod-1"), host: "new-host" };
    expect(validate(form, c).bindings).toBe("noBindings");
    form = { ...form, bindings: [{ from: "apps-web", to: "ws-apps" }, { from: "apps-web", to: "ws-b" }] };
    expect(validate(form, c).bindings).toBe("duplicate");
    form = { ...form, bindings: [{ from: "apps-web", to: "ws-apps" }] };
    expect(validate(form, c)).toEqual({});
    expect(toInput(form)).toEqual({
      workflow: "rebind",
      host: "new-host",
      member: "prod-1",
      clusterName: null,
      bindings: { "apps-web": "ws-apps" },
    });
    expect(validate({ ...form, kind: "import", host: "prod-1" }, c).host).toBe("notAHost");
  });

  it("gates a plan on the member's name and the hosts it writes to", () => {
    expect(gateOf(migratePlan(), ["old-host", "new-host"])).toEqual({ typeName: "prod-1", hostWrites: ["new-host", "old-host"] });
    const readOnly = { ...migratePlan(), phases: [] };
    expect(gateOf(readOnly, ["old-host"])).toEqual({ typeName: null, hostWrites: [] });
  });

  it("counts restoring a project's access as a write to its cluster, not to a host", () => {
    const restore = { kind: "restoreProjectAccess", cluster: "prod-1", namespace: "apps-web", uid: "u1", workspace: "ws-apps" } as const;
    expect(writesTo(restore)).toBe("prod-1");
    const plan = migratePlan();
    const step = { id: 0, title: "Restore", action: restore, request: "", changes: [], kubectl: [], protects: "" };
    const only = { ...plan, phases: [{ title: "Restore project access", concurrent: true, steps: [step] }] };
    // Not destructive (nothing to type), but a write to prod-1 like any other.
    expect(gateOf(only, ["prod-1", "old-host"])).toEqual({ typeName: null, hostWrites: ["prod-1"] });
  });

  it("folds events into phases and steps, counting steps done from where a resume starts", () => {
    let p = reduceProgress(NO_PROGRESS, { event: "started", runId: "r", total: 4, done: 2 });
    p = reduceProgress(p, { event: "phaseStarted", index: 1, title: "B", steps: 2 });
    p = reduceProgress(p, { event: "stepStarted", step: 2, title: "s2" });
    p = reduceProgress(p, { event: "stepWaiting", step: 2, message: "waiting for Ready" });
    expect(p.phases[0]?.steps[0]).toEqual({ step: 2, title: "s2", state: "waiting", message: "waiting for Ready" });
    p = reduceProgress(p, { event: "stepDone", step: 2 });
    expect(p.done).toBe(3);
    expect(p.phases[0]?.steps[0]?.state).toBe("done");
  });
});
