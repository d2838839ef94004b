import { describe, expect, it } from "vitest";
import { fleetRecording, migrateFleet, migratePlan } from "../../test/fixtures";
import {
  choicesOf,
  clusterNameOf,
  clusterNameProblem,
  emptyForm,
  gateOf,
  importName,
  NO_PROGRESS,
  reduceProgress,
  renameWarning,
  toInput,
  validate,
  withMember,
  writesTo,
} from "./model";

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

  it("checks a typed cluster name as a DNS-1123 label, naming what is wrong", () => {
    for (const ok of ["prod-1", "a", "0", "a-b-c", "x".repeat(63)]) expect(clusterNameProblem(ok), ok).toBeNull();
    expect(clusterNameProblem("x".repeat(64))).toBe("nameTooLong");
    expect(clusterNameProblem("X".repeat(64))).toBe("nameTooLong");
    for (const bad of ["Prod-1", "prod_1", "prod.1", "prod 1", " prod", "集群"]) expect(clusterNameProblem(bad), bad).toBe("nameChars");
    for (const bad of ["-prod", "prod-", "-"]) expect(clusterNameProblem(bad), bad).toBe("nameEdge");
  });

  it("validates the cluster name of every workflow that uses one, and sends it as typed or null", () => {
    const c = choicesOf(migrateFleet());
    const importing = { ...withMember(emptyForm("import"), c, "prod-1"), host: "new-host" };
    expect(validate(importing, c)).toEqual({});
    expect(toInput(importing)).toMatchObject({ workflow: "import", clusterName: null });
    expect(validate({ ...importing, clusterName: "Prod_1" }, c)).toEqual({ clusterName: "nameChars" });
    expect(validate({ ...importing, clusterName: "prod-" }, c)).toEqual({ clusterName: "nameEdge" });
    expect(toInput({ ...importing, clusterName: "prod-east" })).toEqual({
      workflow: "import",
      host: "new-host",
      member: "prod-1",
      clusterName: "prod-east",
      fix: true,
    });

    const migrating = { ...withMember(emptyForm("migrate"), c, "prod-1"), host: "new-host", clusterName: "prod-east" };
    expect(toInput(migrating)).toMatchObject({ workflow: "migrate", oldHost: "old-host", clusterName: "prod-east" });
    expect(validate({ ...migrating, clusterName: "x".repeat(64) }, c).clusterName).toBe("nameTooLong");
    const rebinding = { ...withMember(emptyForm("rebind"), c, "prod-1"), host: "new-host", bindings: [{ from: "apps-web", to: "ws-apps" }] };
    expect(toInput({ ...rebinding, clusterName: "prod-east" })).toMatchObject({ workflow: "rebind", clusterName: "prod-east" });
    expect(validate({ ...rebinding, clusterName: "-x" }, c).clusterName).toBe("nameEdge");

    // Unbinding uses a name only to remove the member's Cluster from the host it leaves.
    const unbinding = { ...withMember(emptyForm("unbind"), c, "prod-1"), clusterName: "prod-east" };
    expect(toInput(unbinding)).toMatchObject({ workflow: "unbind", oldHost: "old-host", clusterName: "prod-east" });
    expect(validate({ ...unbinding, clusterName: "BAD" }, c).clusterName).toBe("nameChars");
    const hostGone = { ...unbinding, oldHost: "", clusterName: "BAD" };
    expect(validate(hostGone, c)).toEqual({});
    expect(toInput(hostGone)).toMatchObject({ workflow: "unbind", oldHost: null, clusterName: null });

    // Another member: the name typed for the first one is dropped.
    expect(withMember({ ...importing, clusterName: "prod-east" }, c, "prod-1").clusterName).toBe("");
  });

  it("uses the typed name, else the recorded one, and warns when a recorded name is not kept", () => {
    const recorded = fleetRecording("legacy");
    const form = { ...emptyForm("import"), member: "prod-1", host: "new-host" };
    expect(clusterNameOf(form, recorded)).toBe("legacy");
    expect(clusterNameOf({ ...form, clusterName: "prod-east" }, recorded)).toBe("prod-east");
    expect(clusterNameOf(form, fleetRecording(null))).toBe("prod-1");

    expect(renameWarning(form, recorded)).toBeNull();
    expect(renameWarning({ ...form, clusterName: "legacy" }, recorded)).toBeNull();
    expect(renameWarning({ ...form, clusterName: "prod-east" }, recorded)).toEqual({ key: "renamedImport", recorded: "legacy", name: "prod-east" });
    expect(renameWarning({ ...form, kind: "migrate", clusterName: "prod-east" }, recorded)?.key).toBe("renamedImport");
    expect(renameWarning({ ...form, kind: "rebind", clusterName: "prod-east" }, recorded)?.key).toBe("renamedRebind");
    const unbind = { ...form, kind: "unbind" as const, oldHost: "old-host", clusterName: "prod-east" };
    expect(renameWarning(unbind, recorded)?.key).toBe("renamedUnbind");
    expect(renameWarning({ ...unbind, oldHost: "" }, recorded)).toBeNull();
    // Never imported: any valid name is the administrator's choice.
    expect(renameWarning({ ...form, clusterName: "prod-east" }, fleetRecording(null))).toBeNull();
    expect(renameWarning({ ...form, clusterName: "prod-east" }, fleetRecording(""))).toBeNull();
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
