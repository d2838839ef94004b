import type { AccessCell, AccessMatrix, ClusterFacts, FleetReport, WorkflowInput } from "../../ipc/bindings";
import { isHost } from "../clusters/model";
import { isLabel } from "../workflows/model";

/**
 * Views over the access matrices the core computes on every host (`ClusterFacts.access`):
 * which user reaches which cluster, and why.
 */

/** Platform roles a user can be created with (mirrors the core's `admin::GLOBAL_ROLES`). */
export const PLATFORM_ROLES = ["platform-regular", "platform-admin", "platform-self-provisioner"] as const;
/** Workspace roles a user can be invited with (mirrors the core's `admin::WORKSPACE_ROLES`). */
export const WORKSPACE_ROLES = ["regular", "viewer", "admin", "self-provisioner"] as const;

/** A host of the estate and its matrix (`null` when its users or bindings were not read). */
export interface HostAccess {
  host: ClusterFacts;
  matrix: AccessMatrix | null;
}

export function hostAccess(report: FleetReport): HostAccess[] {
  return report.clusters.filter(isHost).map((host) => ({ host, matrix: host.access.matrix }));
}

/** How a cell reads: reached through a platform role, through workspaces, or not at all. */
export type CellKind = "platform" | "workspace" | "none";

export interface CellView {
  kind: CellKind;
  /** Reached, but a 3.x member has no copy of the user: logging in there fails. */
  notSynced: boolean;
}

export function cellView(cell: AccessCell): CellView {
  const kind: CellKind = cell.platformRole !== null ? "platform" : cell.workspaces.length > 0 ? "workspace" : "none";
  return { kind, notSynced: kind !== "none" && cell.synced === false };
}

/** How many users reach each column of a matrix. */
export function reachCounts(matrix: AccessMatrix): number[] {
  return matrix.clusters.map((_, i) => matrix.users.filter((u) => u.cells[i] && cellView(u.cells[i]).kind !== "none").length);
}

/** What the action forms offer for one host. */
export interface HostChoices {
  /** Users of the host (not KubeFed copies). */
  users: string[];
  /** Workspaces (WorkspaceTemplates) of the host. */
  workspaces: string[];
  /** The host's Cluster objects: name, and whether it is the host's own. */
  clusters: { name: string; isHost: boolean }[];
}

export function hostChoices(host: ClusterFacts): HostChoices {
  const users = (host.users.items ?? []).filter((u) => !u.kubefedManaged).map((u) => u.name).sort();
  const workspaces = (host.workspaceTemplates.items ?? []).map((w) => w.name).sort();
  const clusters = (host.clusters.items ?? []).map((c) => ({ name: c.name, isHost: c.isHost }));
  return { users, workspaces, clusters };
}

/** The three actions of the Access screen. */
export type AccessAction = "user" | "workspace" | "invite";

export interface AccessForm {
  host: string;
  user: string;
  email: string;
  platformRole: string;
  workspace: string;
  workspaceRole: string;
  placement: string[];
  manager: string;
}

export function emptyAccessForm(host = ""): AccessForm {
  return {
    host,
    user: "",
    email: "",
    platformRole: "platform-regular",
    workspace: "",
    workspaceRole: "regular",
    placement: [],
    manager: "admin",
  };
}

/** i18n keys under `access.invalid`. */
export type AccessInvalid = "required" | "badName" | "badEmail" | "exists" | "unknown" | "noPlacement";
export type AccessErrors = Partial<Record<"host" | "user" | "email" | "workspace" | "placement" | "manager", AccessInvalid>>;

const EMAIL = /^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$/;

/** Inline validation before planning; the core validates again, against live reads. */
export function validateAccess(action: AccessAction, form: AccessForm, choices: HostChoices | null): AccessErrors {
  const errors: AccessErrors = {};
  if (form.host === "" || choices === null) errors.host = "required";
  const name = (field: "user" | "workspace", value: string) => {
    if (value === "") errors[field] = "required";
    else if (!isLabel(value)) errors[field] = "badName";
  };
  switch (action) {
    case "user":
      name("user", form.user);
      if (!errors.user && choices?.users.includes(form.user)) errors.user = "exists";
      if (form.email === "") errors.email = "required";
      else if (!EMAIL.test(form.email)) errors.email = "badEmail";
      break;
    case "workspace":
      name("workspace", form.workspace);
      if (form.placement.length === 0) errors.placement = "noPlacement";
      if (form.manager === "") errors.manager = "required";
      else if (choices && !choices.users.includes(form.manager)) errors.manager = "unknown";
      break;
    case "invite":
      if (form.user === "") errors.user = "required";
      if (form.workspace === "") errors.workspace = "required";
      break;
  }
  return errors;
}

/** The core's input for a valid form. */
export function accessInput(action: AccessAction, form: AccessForm): WorkflowInput {
  switch (action) {
    case "user":
      return { workflow: "user", host: form.host, user: form.user, email: form.email, role: form.platformRole };
    case "workspace":
      return { workflow: "workspace", host: form.host, workspace: form.workspace, placement: form.placement, manager: form.manager };
    case "invite":
      return { workflow: "invite", host: form.host, workspace: form.workspace, user: form.user, role: form.workspaceRole };
  }
}

/** Whether the placement puts workloads on the host itself (allowed, but discouraged). */
export function placesOnHost(form: AccessForm, choices: HostChoices | null): boolean {
  return choices?.clusters.some((c) => c.isHost && form.placement.includes(c.name)) ?? false;
}
