import type { Project } from "../../ipc/bindings";

/** The workspace that owns the project (its controller ownerReference), if any. */
export function ownerOf(project: Project): string | null {
  const owner = project.ownerReferences.find(
    (r) => r.controller && r.apiVersion.startsWith("tenant.kubesphere.io/") && (r.kind === "Workspace" || r.kind === "WorkspaceTemplate"),
  );
  return owner ? `${owner.kind} ${owner.name}` : null;
}
