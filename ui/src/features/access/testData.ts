import type { AccessCell, AccessMatrix, ClusterFacts, FleetReport, Membership } from "../../ipc/bindings";
import { demoFleet } from "../../test/fixtures";

/** A cell: reached through a platform role and/or workspaces, with its copy on a member. */
export function cell(platformRole: string | null, workspaces: Membership[] = [], synced: boolean | null = null): AccessCell {
  return { platformRole, workspaces, synced };
}

/**
 * The demo fleet's host with an access matrix over its own Cluster and member-1: admin is
 * platform-admin, alice works in ws-apps (placed on member-1) but has no copy there yet, bob
 * reaches nothing.
 */
export function accessMatrix(): AccessMatrix {
  const apps: Membership = { workspace: "ws-apps", role: "regular" };
  return {
    clusters: [
      { name: "host", estateName: "host", isHost: true },
      { name: "member-1", estateName: "member-1", isHost: false },
    ],
    users: [
      { user: "admin", platformRoles: ["platform-admin"], memberships: [], cells: [cell("platform-admin"), cell("platform-admin", [], true)] },
      { user: "alice", platformRoles: ["platform-regular"], memberships: [apps], cells: [cell(null), cell(null, [apps], false)] },
      { user: "bob", platformRoles: [], memberships: [], cells: [cell(null), cell(null, [], true)] },
    ],
    source: "users.iam.kubesphere.io with role bindings on host",
  };
}

/** The demo fleet, its host carrying {@link accessMatrix}. */
export function accessFleet(): FleetReport {
  const fleet = demoFleet();
  const withMatrix = (c: ClusterFacts): ClusterFacts =>
    c.name === "host"
      ? {
          ...c,
          users: { ...c.users, items: [...(c.users.items ?? []), { name: "bob", email: "bob@example.com", kubefedManaged: false }] },
          access: { ...c.access, matrix: accessMatrix() },
        }
      : c;
  return { ...fleet, clusters: fleet.clusters.map(withMatrix) };
}
