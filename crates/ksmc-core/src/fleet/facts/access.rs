//! Who can reach which cluster: platform and workspace role bindings read on each cluster
//! (`kubesphere-multicluster.md` §5.3, §7.4), and on every host the users × clusters matrix
//! they imply with the workspaces' placement and the members' user copies (§5.2).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};

use kube::api::DynamicObject;
use serde::Serialize;
use serde_json::Value;

use super::model::{ClusterFacts, FactError, Listed};
use super::objects::{labels_of, str_at};
use super::read::{Reader, listed, resource};
use super::{BUILTIN_ADMIN, KUBEFED_MANAGED, WORKSPACE_LABEL};

pub const SRC_GLOBAL_ROLE_BINDINGS: &str = "globalrolebindings.iam.kubesphere.io";
pub const SRC_WORKSPACE_ROLE_BINDINGS: &str = "workspacerolebindings.iam.kubesphere.io";
/// The label KubeSphere puts on a binding of one user.
pub const USER_REF_LABEL: &str = "iam.kubesphere.io/user-ref";
/// Platform roles that reach every cluster of their host.
pub const PLATFORM_WIDE_ROLES: &[&str] = &["platform-admin"];

/// A `GlobalRoleBinding` or `WorkspaceRoleBinding`: who is bound to which role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoleBinding {
    pub name: String,
    /// The users bound: `subjects[]` of kind `User`, else the `iam.kubesphere.io/user-ref`
    /// label.
    pub users: Vec<String>,
    /// `roleRef.name` (`platform-admin`; `<workspace>-regular`).
    pub role: String,
    /// The `kubesphere.io/workspace` label (workspace role bindings).
    pub workspace: Option<String>,
    /// `kubefed.io/managed=true`: a copy synced from a host.
    pub kubefed_managed: bool,
}

impl RoleBinding {
    /// A workspace role without its workspace prefix (`ws-apps-regular` → `regular`).
    #[must_use]
    pub fn workspace_role(&self) -> &str {
        self.workspace
            .as_deref()
            .and_then(|w| self.role.strip_prefix(w))
            .and_then(|r| r.strip_prefix('-'))
            .unwrap_or(&self.role)
    }
}

/// What a cluster says about access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AccessFacts {
    pub global_role_bindings: Listed<RoleBinding>,
    pub workspace_role_bindings: Listed<RoleBinding>,
    /// On a host: which of its users reach which of its clusters (filled in after every
    /// cluster has been read).
    pub matrix: Option<AccessMatrix>,
}

impl AccessFacts {
    pub(super) fn absent() -> Self {
        Self {
            global_role_bindings: Listed::absent(SRC_GLOBAL_ROLE_BINDINGS),
            workspace_role_bindings: Listed::absent(SRC_WORKSPACE_ROLE_BINDINGS),
            matrix: None,
        }
    }
}

/// A host's users × the clusters it manages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AccessMatrix {
    /// The columns, in the order of every row's `cells`.
    pub clusters: Vec<AccessCluster>,
    pub users: Vec<UserAccess>,
    pub source: String,
}

/// A cluster the host manages (one of its `Cluster` objects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AccessCluster {
    /// The `Cluster` name on the host (what workspace placements name).
    pub name: String,
    /// The estate cluster with the same kube-system UID (ksmc's name), when in the estate.
    pub estate_name: Option<String>,
    /// The host's own `Cluster`.
    pub is_host: bool,
}

/// A workspace membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub workspace: String,
    /// The workspace role without its prefix (`admin`, `regular`, `viewer`…).
    pub role: String,
}

/// One user of the host (a row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UserAccess {
    pub user: String,
    /// The platform roles of the user's GlobalRoleBindings.
    pub platform_roles: Vec<String>,
    pub memberships: Vec<Membership>,
    pub cells: Vec<AccessCell>,
}

/// How one user reaches one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AccessCell {
    /// A platform role that reaches every cluster (`platform-admin`).
    pub platform_role: Option<String>,
    /// Memberships of workspaces placed on this cluster.
    pub workspaces: Vec<Membership>,
    /// KubeSphere 3.x member in the estate: whether it has the user's KubeFed copy (without
    /// one the user cannot log in there). `None`: the host itself, 4.x (no copies), or a
    /// cluster ksmc cannot read.
    pub synced: Option<bool>,
}

impl AccessCell {
    #[must_use]
    pub fn reachable(&self) -> bool {
        self.platform_role.is_some() || !self.workspaces.is_empty()
    }
}

fn binding(o: &DynamicObject, _: &mut Vec<FactError>) -> RoleBinding {
    let mut users: Vec<String> = o
        .data
        .get("subjects")
        .and_then(Value::as_array)
        .map(|s| {
            s.iter()
                .filter(|x| x.get("kind").and_then(Value::as_str) == Some("User"))
                .filter_map(|x| str_at(x, "/name"))
                .collect()
        })
        .unwrap_or_default();
    if users.is_empty()
        && let Some(u) = labels_of(&o.metadata, USER_REF_LABEL)
    {
        users.push(u.to_owned());
    }
    RoleBinding {
        name: o.metadata.name.clone().unwrap_or_default(),
        users,
        role: str_at(&o.data, "/roleRef/name").unwrap_or_default(),
        workspace: labels_of(&o.metadata, WORKSPACE_LABEL).map(str::to_owned),
        kubefed_managed: labels_of(&o.metadata, KUBEFED_MANAGED) == Some("true"),
    }
}

/// Reads the role bindings in the `iam.kubesphere.io` version the cluster serves its users in
/// (`v1alpha2` on 3.x, `v1beta1` on 4.x).
pub(super) async fn read(reader: &Reader, iam: &str) -> (AccessFacts, Vec<FactError>) {
    let (global, workspace) = futures::join!(
        listed(
            reader,
            resource(
                "iam.kubesphere.io",
                iam,
                "GlobalRoleBinding",
                "globalrolebindings"
            ),
            SRC_GLOBAL_ROLE_BINDINGS,
            binding
        ),
        listed(
            reader,
            resource(
                "iam.kubesphere.io",
                iam,
                "WorkspaceRoleBinding",
                "workspacerolebindings"
            ),
            SRC_WORKSPACE_ROLE_BINDINGS,
            binding
        ),
    );
    let facts = AccessFacts {
        global_role_bindings: global.0,
        workspace_role_bindings: workspace.0,
        matrix: None,
    };
    (facts, global.1.into_iter().chain(workspace.1).collect())
}

/// Fills in every host's [`AccessMatrix`] once every cluster has been read.
pub fn link_access(all: &mut [ClusterFacts]) {
    let matrices: Vec<Option<AccessMatrix>> = all.iter().map(|c| matrix(c, all)).collect();
    for (c, m) in all.iter_mut().zip(matrices) {
        c.access.matrix = m;
    }
}

/// The bindings that are not KubeFed copies, by the users they name (a binding naming a user
/// twice is listed once for them).
fn by_user(bindings: &[RoleBinding]) -> HashMap<&str, Vec<&RoleBinding>> {
    let mut index: HashMap<&str, Vec<&RoleBinding>> = HashMap::default();
    for b in bindings.iter().filter(|b| !b.kubefed_managed) {
        let mut named: Vec<&str> = b.users.iter().map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        for user in named {
            index.entry(user).or_default().push(b);
        }
    }
    index
}

/// The bindings of `user` in an index made by [`by_user`].
fn bindings_of<'i, 'b>(
    index: &'i HashMap<&str, Vec<&'b RoleBinding>>,
    user: &str,
) -> &'i [&'b RoleBinding] {
    index.get(user).map_or(&[], Vec::as_slice)
}

/// The matrix of one host; `None` for a cluster that is not a host or whose users or role
/// bindings could not be listed.
#[must_use]
pub fn matrix(host: &ClusterFacts, all: &[ClusterFacts]) -> Option<AccessMatrix> {
    if !host.is_host() || host.error.is_some() {
        return None;
    }
    let users = host.users.items.as_deref()?;
    let global = host.access.global_role_bindings.items.as_deref()?;
    let local = host.access.workspace_role_bindings.items.as_deref()?;
    let columns: Vec<(AccessCluster, Option<&ClusterFacts>)> = host
        .clusters
        .all()
        .iter()
        .map(|mc| {
            let estate = if mc.is_host {
                Some(host)
            } else {
                mc.uid.as_deref().and_then(|uid| {
                    all.iter()
                        .find(|c| c.error.is_none() && c.uid() == Some(uid) && c.name != host.name)
                })
            };
            let column = AccessCluster {
                name: mc.name.clone(),
                estate_name: estate.map(|c| c.name.clone()),
                is_host: mc.is_host,
            };
            (column, estate)
        })
        .collect();
    // Member copies of users, per column (3.x only: 4.x copies no User objects); every
    // installation has its own `admin`, which KubeFed does not copy.
    let copies: Vec<Option<HashSet<&str>>> = columns
        .iter()
        .map(|(col, estate)| {
            let member = estate.filter(|_| !col.is_host && !host.is_v4())?;
            let items = member.users.items.as_deref()?;
            Some(
                items
                    .iter()
                    .filter(|u| u.kubefed_managed || u.name == BUILTIN_ADMIN)
                    .map(|u| u.name.as_str())
                    .collect(),
            )
        })
        .collect();
    let placed: BTreeMap<&str, &super::model::WorkspaceTemplate> = host
        .workspace_templates
        .all()
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    // Each user's bindings, found once by name rather than by scanning every binding per user.
    let (global, local) = (by_user(global), by_user(local));
    let mut rows: Vec<UserAccess> = users
        .iter()
        .filter(|u| !u.kubefed_managed)
        .map(|u| {
            let mut platform_roles: Vec<String> = bindings_of(&global, &u.name)
                .iter()
                .map(|b| b.role.clone())
                .collect();
            platform_roles.sort();
            platform_roles.dedup();
            let mut memberships: Vec<Membership> = bindings_of(&local, &u.name)
                .iter()
                .filter_map(|b| {
                    Some(Membership {
                        workspace: b.workspace.clone()?,
                        role: b.workspace_role().to_owned(),
                    })
                })
                .collect();
            memberships.sort_by(|a, b| (&a.workspace, &a.role).cmp(&(&b.workspace, &b.role)));
            memberships.dedup();
            let wide = platform_roles
                .iter()
                .find(|r| PLATFORM_WIDE_ROLES.contains(&r.as_str()))
                .cloned();
            let cells = columns
                .iter()
                .zip(&copies)
                .map(|((col, _), copies)| AccessCell {
                    platform_role: wide.clone(),
                    workspaces: memberships
                        .iter()
                        .filter(|m| {
                            placed
                                .get(m.workspace.as_str())
                                .is_some_and(|t| t.places(&col.name))
                        })
                        .cloned()
                        .collect(),
                    synced: copies.as_ref().map(|c| c.contains(u.name.as_str())),
                })
                .collect();
            UserAccess {
                user: u.name.clone(),
                platform_roles,
                memberships,
                cells,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.user.cmp(&b.user));
    Some(AccessMatrix {
        clusters: columns.into_iter().map(|(c, _)| c).collect(),
        users: rows,
        source: format!(
            "{} with {SRC_GLOBAL_ROLE_BINDINGS}, {SRC_WORKSPACE_ROLE_BINDINGS} and workspacetemplates placement on {}; user copies on members",
            super::SRC_USERS,
            host.name
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(name: &str, users: &[&str], kubefed_managed: bool) -> RoleBinding {
        RoleBinding {
            name: name.into(),
            users: users.iter().map(|&u| u.to_owned()).collect(),
            role: "platform-regular".into(),
            workspace: None,
            kubefed_managed,
        }
    }

    fn names(found: &[&RoleBinding]) -> Vec<String> {
        found.iter().map(|b| b.name.clone()).collect()
    }

    #[test]
    fn the_index_lists_each_users_own_bindings_once_and_no_kubefed_copy() {
        let bindings = [
            binding("a", &["alice", "bob"], false),
            binding("b", &["alice", "alice"], false),
            binding("copy", &["alice"], true),
            binding("c", &["bob"], false),
        ];
        let index = by_user(&bindings);
        assert_eq!(names(bindings_of(&index, "alice")), ["a", "b"]);
        assert_eq!(names(bindings_of(&index, "bob")), ["a", "c"]);
        assert!(bindings_of(&index, "carol").is_empty());
    }
}
