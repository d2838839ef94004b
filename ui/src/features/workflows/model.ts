import type { Action, FleetReport, Plan, RunEvent, RunReport, RunStatus, WorkflowInput } from "../../ipc/bindings";
import { isHost, registrations } from "../clusters/model";

/** The four guided workflows the wizard builds. */
export type WizardKind = "unbind" | "migrate" | "import" | "rebind";
export const WIZARD_KINDS: readonly WizardKind[] = ["migrate", "unbind", "import", "rebind"];

/** One editable row: a workspace renamed by a migrate, or a project bound by a rebind. */
export interface Pair {
  from: string;
  to: string;
}

/** What the wizard's form holds. Fields not used by the chosen workflow are ignored. */
export interface WizardForm {
  kind: WizardKind;
  member: string;
  /** Unbind and migrate: the host the member is bound to; `""`: the host is gone. */
  oldHost: string;
  /** Migrate: the host it moves to. Import and rebind: the host. */
  host: string;
  /** `null`: every non-system project (the default). */
  projects: string[] | null;
  /** Migrate: old workspace → new workspace (an empty or unchanged target keeps the name). */
  workspaceMap: Pair[];
  /** Rebind: namespace → workspace. */
  bindings: Pair[];
  /** Import: apply the member fix-its the preflight asks for. */
  fix: boolean;
  /**
   * The member's Cluster name on the host (import, rebind; migrate: on both hosts; unbind: on
   * the current host). `""`: the planner's default, {@link importName}.
   */
  clusterName: string;
  settleSeconds: number;
}

export const DEFAULT_SETTLE_SECONDS = 30;

export function emptyForm(kind: WizardKind = "migrate"): WizardForm {
  return {
    kind,
    member: "",
    oldHost: "",
    host: "",
    projects: null,
    workspaceMap: [],
    bindings: [{ from: "", to: "" }],
    fix: true,
    clusterName: "",
    settleSeconds: DEFAULT_SETTLE_SECONDS,
  };
}

/** KubeSphere's own workspace: its projects are never kept, moved or rebound. */
export const SYSTEM_WORKSPACE = "system-workspace";

/** Clusters the wizard offers, from the fleet report. */
export interface Choices {
  hosts: string[];
  /** Every cluster that is not a host. */
  members: string[];
  /** Projects of each cluster (labelled namespaces, not KubeSphere's own), with their workspace. */
  projects: ReadonlyMap<string, { name: string; workspace: string }[]>;
  /** The host each registered member is bound to. */
  boundTo: ReadonlyMap<string, string>;
}

export function choicesOf(report: FleetReport): Choices {
  const hosts = report.clusters.filter(isHost).map((c) => c.name);
  const members = report.clusters.filter((c) => !isHost(c)).map((c) => c.name);
  const projects = new Map<string, { name: string; workspace: string }[]>();
  for (const c of report.clusters) {
    projects.set(
      c.name,
      (c.projects.items ?? [])
        .filter((p) => p.workspace !== SYSTEM_WORKSPACE)
        .map((p) => ({ name: p.name, workspace: p.workspace })),
    );
  }
  const boundTo = new Map<string, string>();
  for (const [name, reg] of registrations(report)) boundTo.set(name, reg.host);
  return { hosts, members, projects, boundTo };
}

/** The workspaces a member's projects belong to, sorted, each once. */
export function workspacesOf(choices: Choices, member: string): string[] {
  const set = new Set((choices.projects.get(member) ?? []).map((p) => p.workspace));
  return [...set].sort();
}

/** The form after choosing a member: its host and its workspaces filled in. */
export function withMember(form: WizardForm, choices: Choices, member: string): WizardForm {
  const bound = choices.boundTo.get(member) ?? "";
  return {
    ...form,
    member,
    oldHost: bound,
    // A name typed for another member is not this one's.
    clusterName: "",
    projects: null,
    workspaceMap: workspacesOf(choices, member).map((w) => ({ from: w, to: w })),
  };
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is an RFC 1123 label (namespace, workspace and cluster names). */
export function isLabel(name: string): boolean {
  return name.length > 0 && name.length <= 63 && LABEL.test(name);
}

/** i18n keys (under `workflows.invalid`) of what is wrong, by field. */
export type FormErrors = Partial<
  Record<
    "member" | "oldHost" | "host" | "clusterName" | "projects" | "workspaceMap" | "bindings" | "settleSeconds",
    InvalidKey
  >
>;
export type InvalidKey =
  | "required"
  | "sameAsMember"
  | "sameAsOldHost"
  | "notAHost"
  | "noProjects"
  | "badName"
  | "noBindings"
  | "duplicate"
  | "settle"
  | ClusterNameProblem;

/** Why a typed cluster name is not a DNS-1123 label, most basic reason first. */
export type ClusterNameProblem = "nameTooLong" | "nameChars" | "nameEdge";

/**
 * What is wrong with `name` as a Cluster name — a Kubernetes DNS-1123 label: at most 63
 * characters, lowercase letters, digits and '-', starting and ending with a letter or digit —
 * or `null` when it is one. The core checks the same (`names::check_label`).
 */
export function clusterNameProblem(name: string): ClusterNameProblem | null {
  if (name.length > 63) return "nameTooLong";
  if (!/^[a-z0-9-]+$/.test(name)) return "nameChars";
  if (name.startsWith("-") || name.endsWith("-")) return "nameEdge";
  return null;
}

/** Whether the chosen workflow uses a Cluster name (unbind only when there is a host to leave). */
export function usesClusterName(form: WizardForm): boolean {
  return form.kind !== "unbind" || form.oldHost !== "";
}

/** Inline validation: what the form lacks or gets wrong, before anything is planned. */
export function validate(form: WizardForm, choices: Choices): FormErrors {
  const errors: FormErrors = {};
  if (form.member === "") errors.member = "required";
  const needsHost = form.kind !== "unbind";
  if (needsHost) {
    if (form.host === "") errors.host = "required";
    else if (!choices.hosts.includes(form.host)) errors.host = "notAHost";
    else if (form.host === form.member) errors.host = "sameAsMember";
    else if (form.kind === "migrate" && form.host === form.oldHost) errors.host = "sameAsOldHost";
  }
  if ((form.kind === "unbind" || form.kind === "migrate") && form.oldHost !== "") {
    if (form.oldHost === form.member) errors.oldHost = "sameAsMember";
  }
  if (usesClusterName(form) && form.clusterName !== "") {
    const problem = clusterNameProblem(form.clusterName);
    if (problem !== null) errors.clusterName = problem;
  }
  if ((form.kind === "unbind" || form.kind === "migrate") && form.projects?.length === 0) {
    errors.projects = "noProjects";
  }
  if (form.kind === "migrate" && form.workspaceMap.some((p) => p.to !== "" && !isLabel(p.to))) {
    errors.workspaceMap = "badName";
  }
  if (form.kind === "rebind") {
    const rows = form.bindings.filter((b) => b.from !== "" || b.to !== "");
    if (rows.length === 0) errors.bindings = "noBindings";
    else if (rows.some((b) => !isLabel(b.from) || !isLabel(b.to))) errors.bindings = "badName";
    else if (new Set(rows.map((b) => b.from)).size !== rows.length) errors.bindings = "duplicate";
  }
  if (
    (form.kind === "unbind" || form.kind === "migrate") &&
    (!Number.isInteger(form.settleSeconds) || form.settleSeconds < 0 || form.settleSeconds > 600)
  ) {
    errors.settleSeconds = "settle";
  }
  return errors;
}

/**
 * The core's input for a valid form. `clusterName` is the typed name, or `null` (the planner's
 * default) when none was typed or the workflow does not use one.
 */
export function toInput(form: WizardForm): WorkflowInput {
  const oldHost = form.oldHost === "" ? null : form.oldHost;
  const clusterName = usesClusterName(form) && form.clusterName !== "" ? form.clusterName : null;
  switch (form.kind) {
    case "unbind":
      return {
        workflow: "unbind",
        member: form.member,
        oldHost,
        clusterName,
        projects: form.projects,
        settleSeconds: form.settleSeconds,
      };
    case "migrate": {
      const workspaceMap: Record<string, string> = {};
      for (const p of form.workspaceMap) if (p.to !== "" && p.to !== p.from) workspaceMap[p.from] = p.to;
      return {
        workflow: "migrate",
        member: form.member,
        oldHost,
        newHost: form.host,
        clusterName,
        projects: form.projects,
        workspaceMap,
        settleSeconds: form.settleSeconds,
      };
    }
    case "import":
      return { workflow: "import", host: form.host, member: form.member, clusterName, fix: form.fix };
    case "rebind": {
      const bindings: Record<string, string> = {};
      for (const b of form.bindings) if (b.from !== "") bindings[b.from] = b.to;
      return { workflow: "rebind", host: form.host, member: form.member, clusterName, bindings };
    }
  }
}

/** The cluster an action writes to, if it writes (mirrors the core's `Action::writes_to`). */
export function writesTo(action: Action): string | null {
  switch (action.kind) {
    case "unbindNamespace":
    case "deleteWorkspace":
    case "bindNamespace":
    case "createObject":
    case "stripOwner":
    case "mergePatch":
    case "restoreProjectAccess":
      return action.cluster;
    case "deleteCluster":
    case "createCluster":
    case "ensureWorkspacePlacement":
      return action.host;
    case "configureMember":
    case "ensureServiceAccount":
      return action.member;
    default:
      return null;
  }
}

/** What the reviewer must do before a plan may be applied. */
export interface Gate {
  /** Destructive (deletes or unbinds): the name to type, the member's. */
  typeName: string | null;
  /** Hosts the plan writes to: each needs a deliberate click. */
  hostWrites: string[];
}

const DESTRUCTIVE: ReadonlySet<Action["kind"]> = new Set(["deleteWorkspace", "deleteCluster", "unbindNamespace", "stripOwner"]);

/** The name a plan's workflow is about (the member, or the cluster of a fix-it). */
export function subjectOf(input: WorkflowInput): string {
  switch (input.workflow) {
    case "unbind":
    case "import":
    case "rebind":
    case "migrate":
    case "fixMember":
      return input.member;
    case "stripOwner":
      return input.cluster;
    case "component":
      return input.clusters.join(", ");
    default:
      return input.host;
  }
}

export function gateOf(plan: Plan, hosts: readonly string[]): Gate {
  const steps = plan.phases.flatMap((p) => p.steps);
  const destructive = steps.some((s) => DESTRUCTIVE.has(s.action.kind));
  const written = new Set(steps.map((s) => writesTo(s.action)).filter((c): c is string => c !== null));
  return {
    typeName: destructive ? subjectOf(plan.input) : null,
    hostWrites: hosts.filter((h) => written.has(h)).sort(),
  };
}

/** Where a step of a running run stands. */
export type StepState = "running" | "waiting" | "done";

export interface StepProgress {
  step: number;
  title: string;
  state: StepState;
  /** What a waiting step waits for. */
  message: string | null;
}

export interface PhaseProgress {
  index: number;
  title: string;
  steps: StepProgress[];
}

/** A run's progress, folded from its events in order. */
export interface RunProgress {
  runId: string | null;
  total: number;
  done: number;
  phases: PhaseProgress[];
  report: RunReport | null;
}

export const NO_PROGRESS: RunProgress = { runId: null, total: 0, done: 0, phases: [], report: null };

function updateStep(progress: RunProgress, step: number, change: (s: StepProgress) => StepProgress): PhaseProgress[] {
  return progress.phases.map((p) => ({ ...p, steps: p.steps.map((s) => (s.step === step ? change(s) : s)) }));
}

export function reduceProgress(progress: RunProgress, event: RunEvent): RunProgress {
  switch (event.event) {
    case "started":
      return { ...NO_PROGRESS, runId: event.runId, total: event.total, done: event.done };
    case "phaseStarted":
      return { ...progress, phases: [...progress.phases, { index: event.index, title: event.title, steps: [] }] };
    case "stepStarted": {
      const phases = [...progress.phases];
      const last = phases.at(-1) ?? { index: 0, title: "", steps: [] };
      const step: StepProgress = { step: event.step, title: event.title, state: "running", message: null };
      phases.splice(phases.length === 0 ? 0 : phases.length - 1, 1, { ...last, steps: [...last.steps, step] });
      return { ...progress, phases };
    }
    case "stepWaiting":
      return {
        ...progress,
        phases: updateStep(progress, event.step, (s) => ({ ...s, state: "waiting", message: event.message })),
      };
    case "stepDone":
      return {
        ...progress,
        done: progress.done + 1,
        phases: updateStep(progress, event.step, (s) => ({ ...s, state: "done", message: null })),
      };
    case "finished":
      return { ...progress, report: event.report };
  }
}

/** Mantine colour of each run status. */
export const STATUS_COLORS: Record<RunStatus, string> = {
  planned: "gray",
  interrupted: "orange",
  succeeded: "teal",
  blocked: "red",
  paused: "yellow",
  failed: "red",
  cancelled: "gray",
};

/** Statuses `resume` carries on (mirrors the core's `RunStatus::resumable`). */
export function isResumable(status: RunStatus): boolean {
  return ["planned", "interrupted", "blocked", "paused", "cancelled"].includes(status);
}

/** Runs that stopped part-way and are offered for resume when the app starts. */
export function isUnfinished(status: RunStatus): boolean {
  return status === "interrupted" || status === "paused" || status === "blocked";
}

/** The name a host recorded on the member when it imported it, or `null`: never imported. */
export function recordedName(fleet: FleetReport | undefined, member: string): string | null {
  const recorded = fleet?.clusters.find((c) => c.name === member)?.kubesphere?.recordedName?.value;
  // An empty clusterName is KubeSphere's "never imported".
  return recorded !== undefined && recorded !== "" ? recorded : null;
}

/**
 * The Cluster name a workflow without a name uses (the core's planners do the same): the name
 * a host recorded on the member, which KubeSphere wants again, else the member's name here.
 */
export function importName(fleet: FleetReport | undefined, member: string): string {
  return recordedName(fleet, member) ?? member;
}

/** The Cluster name the plan will use: the typed one, else the default. */
export function clusterNameOf(form: WizardForm, fleet: FleetReport | undefined): string {
  return form.clusterName !== "" ? form.clusterName : importName(fleet, form.member);
}

/** i18n keys (under `workflows.form`) of the warnings about a name other than the recorded one. */
export type RenameWarning = "renamedImport" | "renamedUnbind" | "renamedRebind";

/**
 * A warning when the typed name differs from the one a host recorded on the member: KubeSphere
 * wants a member imported again under its old name, and the host knows it by that name.
 */
export function renameWarning(
  form: WizardForm,
  fleet: FleetReport | undefined,
): { key: RenameWarning; recorded: string; name: string } | null {
  const recorded = recordedName(fleet, form.member);
  if (!usesClusterName(form) || form.clusterName === "" || recorded === null || form.clusterName === recorded) return null;
  const key: RenameWarning =
    form.kind === "unbind" ? "renamedUnbind" : form.kind === "rebind" ? "renamedRebind" : "renamedImport";
  return { key, recorded, name: form.clusterName };
}
