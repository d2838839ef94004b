import type {
  Action,
  ClusterFacts,
  ClusterRole,
  Condition,
  EstateInfo,
  Finding,
  FleetReport,
  LiveNotice,
  ManagedCluster,
  Plan,
  Project,
  RunReport,
  RunSummary,
  Step,
  VaultEntry,
  VaultListing,
  WatchKind,
  WatchState,
} from "../ipc/bindings";

/** Fixtures shaped like what `inspect_fleet` and `vault_list` return from the simulator. */

const CC = "ClusterConfiguration kubesphere-system/ks-installer";
const DAY_MS = 24 * 60 * 60 * 1000;
const CONFIG = "ConfigMap kubesphere-system/kubesphere-config";

export const DEMO_INFO: EstateInfo = { source: "demo", label: "Demo estate (simulated)", scenario: "fresh" };

export function readyCondition(status = "True"): Condition {
  return {
    kind: "Ready",
    status,
    reason: status === "True" ? "Ready" : "Unreachable",
    message: status === "True" ? "Cluster is available now" : "Cluster cannot be reached",
    lastUpdateTime: "2026-11-27T07:00:00Z",
  };
}

export function managedCluster(overrides: Partial<ManagedCluster> & Pick<ManagedCluster, "name">): ManagedCluster {
  return {
    isHost: false,
    connectionType: "direct",
    joinFederation: true,
    conditions: [readyCondition()],
    kubernetesVersion: "v1.31.6",
    kubesphereVersion: "v3.4.1",
    uid: null,
    deletingSince: null,
    finalizers: ["finalizer.cluster.kubesphere.io"],
    certExpires: null,
    usersSynced: null,
    ...overrides,
  };
}

export function project(name: string, workspace: string, kubefedManaged = false): Project {
  return {
    name,
    workspace,
    ownerReferences: [
      { apiVersion: "tenant.kubesphere.io/v1alpha1", kind: "Workspace", name: workspace, uid: `uid-${workspace}`, controller: true },
    ],
    kubefedManaged,
    kubefedHostNamespace: false,
  };
}

interface FactsOptions {
  name: string;
  role?: ClusterRole;
  /** `null`: KubeSphere is not installed. */
  ksVersion?: string | null;
  k8sVersion?: string;
  uid?: string;
  managed?: ManagedCluster[];
  projects?: Project[];
}

export function facts({ name, role = "member", ksVersion = "v3.4.1", k8sVersion = "v1.31.6", uid, managed = [], projects }: FactsOptions): ClusterFacts {
  const host = role === "host";
  return {
    name,
    server: `https://127.0.0.1:36${String(name.length).padStart(3, "0")}`,
    reachable: true,
    latencyMs: 6,
    kubernetesVersion: { value: k8sVersion, source: "GET /version" },
    kubeSystemUid: { value: uid ?? `uid-${name}`, source: "Namespace kube-system" },
    kubesphere:
      ksVersion === null
        ? null
        : {
            version: { value: ksVersion, source: CC },
            generation: { value: "3.x", source: "GET /apis/tenant.kubesphere.io" },
            recordedName: host ? null : { value: name, source: CONFIG },
            managedBy: null,
            configuredRole: { value: role, source: CC },
            configuredJwtFingerprint: null,
            effective: {
              clusterRole: role,
              multiclusterEnabled: host,
              jwtFingerprint: "9ac79c4cb3fd",
              accessTokenMaxAge: host ? "2h" : "0",
              recordedName: host ? null : name,
              hostClusterName: null,
              source: CONFIG,
            },
            components: [
              { name: "monitoring", configured: true, installed: true },
              { name: "devops", configured: true, installed: false },
              { name: "openpitrix", configured: false, installed: false },
            ],
          },
    clusters: { items: host ? [managedCluster({ name: "host", isHost: true, kubernetesVersion: k8sVersion }), ...managed] : [], source: "clusters.cluster.kubesphere.io" },
    workspaces: {
      items: [
        { name: "system-workspace", uid: "uid-system-workspace", kubefedManaged: !host },
        { name: "ws-apps", uid: "uid-ws-apps", kubefedManaged: !host },
      ],
      source: "workspaces.tenant.kubesphere.io",
    },
    workspaceTemplates: {
      items: host ? [{ name: "ws-apps", placedEverywhere: false, clusters: ["host", "member-1"] }] : [],
      source: "workspacetemplates.tenant.kubesphere.io",
    },
    projects: {
      items: projects ?? [project("kubesphere-system", "system-workspace"), project("apps-backend", "ws-apps"), project("apps-frontend", "ws-apps")],
      source: "namespaces with label kubesphere.io/workspace",
    },
    users: {
      items: [
        { name: "admin", email: "admin@kubesphere.io", kubefedManaged: !host },
        { name: "alice", email: "alice@example.com", kubefedManaged: !host },
      ],
      source: "users.iam.kubesphere.io",
    },
    extensions: { items: null, source: "extensions.kubesphere.io" },
    installPlans: { items: null, source: "installplans.kubesphere.io" },
    access: {
      globalRoleBindings: { items: [], source: "globalrolebindings.iam.kubesphere.io" },
      workspaceRoleBindings: { items: [], source: "workspacerolebindings.iam.kubesphere.io" },
      matrix: null,
    },
    factErrors: [],
    error: null,
  };
}

export function finding(overrides: Partial<Finding> & Pick<Finding, "id" | "severity" | "cluster">): Finding {
  return {
    object: null,
    title: `title of ${overrides.id}`,
    explanation: `explanation of ${overrides.id}`,
    fix: { summary: `summary of ${overrides.id}`, commands: [], fixIt: null, workflow: null },
    params: {},
    ...overrides,
  };
}

/**
 * A small estate: a host with member-1 registered (Ready) and `far-away` registered but not in
 * the estate, `edge` not configured, and `broken` that could not be read.
 */
export function demoFleet(): FleetReport {
  return {
    clusters: [
      facts({
        name: "host",
        role: "host",
        k8sVersion: "v1.32.4",
        managed: [
          managedCluster({
            name: "member-1",
            uid: "uid-member-1",
            certExpires: { value: new Date(Date.now() + 10.5 * DAY_MS).toISOString(), source: "Secret kubesphere-system/member-1-kubeconfig" },
            usersSynced: { cluster: "member-1", synced: 1, total: 2, missing: ["alice"], source: "users.iam.kubesphere.io" },
          }),
          managedCluster({ name: "far-away", uid: "uid-elsewhere", conditions: [readyCondition("False")] }),
        ],
      }),
      facts({
        name: "member-1",
        role: "member",
        projects: [{ ...project("apps-backend", "ws-apps", true), kubefedHostNamespace: true }, project("data", "ws-apps")],
      }),
      facts({ name: "edge", role: "none", k8sVersion: "v1.30.2" }),
      {
        ...facts({ name: "broken", role: "member" }),
        reachable: false,
        latencyMs: null,
        kubernetesVersion: null,
        kubeSystemUid: null,
        kubesphere: null,
        clusters: { items: null, source: "clusters.cluster.kubesphere.io" },
        workspaces: { items: null, source: "workspaces.tenant.kubesphere.io" },
        workspaceTemplates: { items: null, source: "workspacetemplates.tenant.kubesphere.io" },
        projects: { items: null, source: "namespaces with label kubesphere.io/workspace" },
        users: { items: null, source: "users.iam.kubesphere.io" },
        error: { kind: "Unreachable", message: "cannot reach the API server: Connection refused", status: null },
      },
    ],
    findings: [
      finding({ id: "role-none", severity: "warning", cluster: "edge", title: "edge is not configured as a member" }),
      finding({ id: "cluster-unreadable", severity: "error", cluster: "broken" }),
    ],
  };
}

export function vaultEntry(overrides: Partial<VaultEntry> & Pick<VaultEntry, "name">): VaultEntry {
  return {
    id: `id-${overrides.name}`,
    displayName: overrides.name,
    roleHint: null,
    server: "https://10.0.0.1:6443",
    contextName: overrides.name,
    caFingerprint: "sha256:ab12",
    authKind: "token",
    acknowledgements: [],
    exec: null,
    importedFrom: "/home/admin/.kube/config",
    addedAt: "2026-11-20T08:00:00Z",
    lastSeenAt: null,
    keyId: "key-1",
    state: "ready",
    ...overrides,
  };
}

export function vaultListing(entries: VaultEntry[]): VaultListing {
  return {
    status: {
      dir: "/home/admin/.local/share/ksmc/vault",
      store: "Secret Service (D-Bus)",
      sessionOnly: false,
      key: "present",
      clusters: entries.length,
      locked: entries.filter((e) => e.state === "locked").length,
      error: null,
    },
    clusters: entries,
  };
}

/** The `migrate` scenario: prod-1 bound to old-host, and new-host waiting for it. */
export function migrateFleet(): FleetReport {
  return {
    clusters: [
      facts({ name: "old-host", role: "host", managed: [managedCluster({ name: "prod-1", uid: "uid-prod-1" })] }),
      facts({ name: "new-host", role: "host" }),
      facts({
        name: "prod-1",
        role: "member",
        projects: [project("apps-web", "ws-apps"), project("data-etl", "ws-data")],
      }),
    ],
    findings: [],
  };
}

/** migrateFleet with prod-1 as a host recorded it (`null`: never imported). */
export function fleetRecording(recorded: string | null): FleetReport {
  const fleet = migrateFleet();
  const member = fleet.clusters.find((c) => c.name === "prod-1");
  if (member?.kubesphere == null) throw new Error("the fixture's prod-1 has KubeSphere");
  member.kubesphere.recordedName = recorded === null ? null : { value: recorded, source: "kubesphere-config" };
  return fleet;
}

function step(id: number, title: string, action: Action, changes: string[] = []): Step {
  return {
    id,
    title,
    action,
    request: `REQUEST ${String(id)}`,
    changes,
    kubectl: [`kubectl step-${String(id)}`],
    protects: `protects ${String(id)}`,
  };
}

/** A migrate plan as `plan_workflow` returns it, shortened. */
export function migratePlan(): Plan {
  return {
    format: 1,
    id: "5d1c0b8e-0000-4000-8000-000000000001",
    input: {
      workflow: "migrate",
      member: "prod-1",
      oldHost: "old-host",
      newHost: "new-host",
      clusterName: null,
      projects: null,
      workspaceMap: {},
      settleSeconds: 30,
    },
    title: "Migrate prod-1 from old-host to new-host as prod-1, keeping 2 namespaces",
    createdAt: "2026-11-27T07:00:00Z",
    inventory: [
      { cluster: "prod-1", name: "apps-web", uid: "u1", workspace: "ws-apps", otherOwners: [] },
      { cluster: "prod-1", name: "data-etl", uid: "u2", workspace: "ws-data", otherOwners: [] },
    ],
    warnings: ["old-host keeps its workspace templates"],
    phases: [
      {
        title: "Unbind the projects",
        concurrent: true,
        steps: [
          step(0, "Unbind apps-web", { kind: "unbindNamespace", cluster: "prod-1", namespace: "apps-web", uid: "u1" }, [
            "- label kubesphere.io/workspace=ws-apps",
            "- ownerReference Workspace ws-apps",
          ]),
          step(1, "Unbind data-etl", { kind: "unbindNamespace", cluster: "prod-1", namespace: "data-etl", uid: "u2" }),
        ],
      },
      {
        title: "Leave the old host",
        concurrent: false,
        steps: [step(2, "Delete Cluster prod-1 on old-host", { kind: "deleteCluster", host: "old-host", name: "prod-1", uid: "c1" })],
      },
      {
        title: "Join the new host",
        concurrent: false,
        steps: [
          step(3, "Create Cluster prod-1 on new-host", {
            kind: "createCluster",
            host: "new-host",
            member: "prod-1",
            name: "prod-1",
            serviceAccount: "ksmc-host",
            namespace: "kube-system",
          }, ["+ Cluster prod-1"]),
          step(4, "Wait until prod-1 is Ready", { kind: "waitClusterReady", host: "new-host", name: "prod-1" }),
        ],
      },
    ],
    hash: "ab".repeat(32),
  };
}

export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: migratePlan().id,
    workflow: "migrate",
    status: "succeeded",
    step: null,
    stepTitle: null,
    reason: null,
    stepsDone: 5,
    stepsTotal: 5,
    writes: 4,
    kept: 2,
    inventoryHash: "cd".repeat(32),
    ...overrides,
  };
}

export function runSummary(overrides: Partial<RunSummary> & Pick<RunSummary, "id" | "status">): RunSummary {
  return {
    workflow: "unbind",
    title: `Unbind prod-1 (${overrides.id})`,
    createdAt: "2026-11-27T07:00:00Z",
    stepsDone: 2,
    stepsTotal: 5,
    reason: null,
    ...overrides,
  };
}

/** A live view's notice that a watch changed state (`live_open`'s channel). */
export function liveState(cluster: string, kind: WatchKind, state: WatchState, message: string | null = null): LiveNotice {
  return { type: "state", cluster, kind, state, message };
}

/** A live view's notice that objects of `kind` on `cluster` changed. */
export function liveChanged(cluster: string, kind: WatchKind): LiveNotice {
  return { type: "changed", cluster, kind };
}
