//! Workspace, user and component actions the KubeSphere docs describe, as plans of generic
//! idempotent steps (`kubesphere-multicluster.md` §4.2, §5, §6): create a workspace on the
//! host and place it on clusters, create a user with a platform role, invite a user into a
//! workspace with a workspace role, enable a component on several clusters at once.

use kube::api::{Api, DynamicObject, ListParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::access::{Clusters, call, json as to_json, kubesphere_clusters};
use super::member::{template_refusal, workspace_template};
use super::plan::{Action, Phase};
use super::steps::get_opt;
use super::unbind::{Parts, read_error, step};
use crate::error::{AppError, ErrorKind};
use crate::fleet::findings::kubectl;
use crate::names::check_label;

/// Which API an object of a generic step lives in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub plural: String,
    pub namespace: Option<String>,
}

impl ResourceRef {
    fn new(api_version: &str, kind: &str, plural: &str, namespace: Option<&str>) -> Self {
        Self {
            api_version: api_version.into(),
            kind: kind.into(),
            plural: plural.into(),
            namespace: namespace.map(str::to_owned),
        }
    }

    /// The kube-rs API of this resource.
    #[must_use]
    pub fn api(&self, client: kube::Client) -> Api<DynamicObject> {
        let (group, version) = self
            .api_version
            .split_once('/')
            .unwrap_or(("", self.api_version.as_str()));
        let gvk = kube::core::GroupVersionKind::gvk(group, version, &self.kind);
        let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, &self.plural);
        match &self.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &ar),
            None => Api::all_with(client, &ar),
        }
    }

    /// The request path prefix (`/apis/g/v/plural` or `/api/v1/namespaces/ns/plural`).
    #[must_use]
    pub fn path(&self) -> String {
        let root = if self.api_version.contains('/') {
            format!("/apis/{}", self.api_version)
        } else {
            format!("/api/{}", self.api_version)
        };
        match &self.namespace {
            Some(ns) => format!("{root}/namespaces/{ns}/{}", self.plural),
            None => format!("{root}/{}", self.plural),
        }
    }
}

/// `iam.kubesphere.io` on KubeSphere 3.x.
const IAM_V3: &str = "iam.kubesphere.io/v1alpha2";
/// `iam.kubesphere.io` storage version on KubeSphere 4.x (`kubesphere-multicluster.md` §7.4).
const IAM_V4: &str = "iam.kubesphere.io/v1beta1";
const CREATOR: &str = "kubesphere.io/creator";
const USER_REF: &str = "iam.kubesphere.io/user-ref";
/// New in 4.x on every binding its API creates (§7.4).
const ROLE_REF: &str = "iam.kubesphere.io/role-ref";
const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";

/// How one KubeSphere generation writes users and their bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Iam {
    /// 3.x (`iam.kubesphere.io/v1alpha2`, §5.3): bindings labelled `user-ref` (and
    /// `kubesphere.io/workspace`), subjects in the `rbac.authorization.k8s.io` group.
    V3,
    /// 4.x (`iam.kubesphere.io/v1beta1`): as ks-apiserver 4.1's `am.go`
    /// (`CreateOrUpdateGlobalRoleBinding`, `CreateOrUpdateUserWorkspaceRoleBinding`) writes
    /// them — the same names, the extra label `iam.kubesphere.io/role-ref`, subjects in the
    /// `iam.kubesphere.io` group.
    V4,
}

impl Iam {
    /// The generation of a host, from the tenant version it prefers.
    async fn of(clusters: &Clusters, host: &str) -> Result<Self, AppError> {
        Ok(
            if clusters.tenant_version(host).await? == super::access::V4_TENANT {
                Self::V4
            } else {
                Self::V3
            },
        )
    }

    fn api_version(self) -> &'static str {
        match self {
            Self::V3 => IAM_V3,
            Self::V4 => IAM_V4,
        }
    }

    fn users(self) -> ResourceRef {
        ResourceRef::new(self.api_version(), "User", "users", None)
    }

    fn global_role_bindings(self) -> ResourceRef {
        ResourceRef::new(
            self.api_version(),
            "GlobalRoleBinding",
            "globalrolebindings",
            None,
        )
    }

    fn workspace_role_bindings(self) -> ResourceRef {
        ResourceRef::new(
            self.api_version(),
            "WorkspaceRoleBinding",
            "workspacerolebindings",
            None,
        )
    }

    /// The subject of a binding of `user`.
    fn subject(self, user: &str) -> Value {
        let group = match self {
            Self::V3 => "rbac.authorization.k8s.io",
            Self::V4 => "iam.kubesphere.io",
        };
        json!({"kind": "User", "apiGroup": group, "name": user})
    }

    /// The labels of a binding of `user` to `role` (and `workspace`).
    fn labels(self, user: &str, role: &str, workspace: Option<&str>) -> Value {
        let mut labels = json!({USER_REF: user});
        if self == Self::V4 {
            labels[ROLE_REF] = json!(role);
        }
        if let Some(ws) = workspace {
            labels[WORKSPACE_LABEL] = json!(ws);
        }
        labels
    }

    /// The User object ksmc creates (no password: ksmc never handles one).
    fn user(self, user: &str, email: &str) -> Value {
        json!({"apiVersion": self.api_version(), "kind": "User",
            "metadata": {"name": user, "annotations": {CREATOR: "ksmc"}},
            "spec": {"email": email}})
    }

    /// GlobalRoleBinding `<user>-<role>`.
    fn global_role_binding(self, user: &str, role: &str) -> Value {
        json!({"apiVersion": self.api_version(), "kind": "GlobalRoleBinding",
            "metadata": {"name": format!("{user}-{role}"), "labels": self.labels(user, role, None)},
            "subjects": [self.subject(user)],
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "GlobalRole", "name": role}})
    }

    /// WorkspaceRoleBinding `<user>-<workspace>-<role>` to WorkspaceRole `<workspace>-<role>`.
    fn workspace_role_binding(self, user: &str, workspace: &str, role: &str) -> Value {
        let role = format!("{workspace}-{role}");
        json!({"apiVersion": self.api_version(), "kind": "WorkspaceRoleBinding",
            "metadata": {"name": format!("{user}-{role}"),
                "labels": self.labels(user, &role, Some(workspace))},
            "subjects": [self.subject(user)],
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "WorkspaceRole", "name": role}})
    }
}

fn templates(tenant: &str) -> ResourceRef {
    let version = if tenant == super::access::V4_TENANT {
        "tenant.kubesphere.io/v1beta1"
    } else {
        "tenant.kubesphere.io/v1alpha2"
    };
    ResourceRef::new(version, "WorkspaceTemplate", "workspacetemplates", None)
}

fn create(cluster: &str, resource: ResourceRef, body: Value, protects: &str) -> super::Step {
    let name = body["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let yaml = serde_json::to_string_pretty(&body).unwrap_or_default();
    step(
        format!("Create {} {name} on {cluster}", resource.kind),
        Action::CreateObject {
            cluster: cluster.to_owned(),
            resource: resource.clone(),
            body,
        },
        format!("POST {}", resource.path()),
        vec![format!("+ {} {name}", resource.kind)],
        vec![format!(
            "{} create -f - <<'EOF'\n{yaml}\nEOF",
            kubectl(cluster)
        )],
        protects,
    )
}

pub(crate) fn merge_patch(
    cluster: &str,
    resource: ResourceRef,
    name: &str,
    patch: Value,
    change: String,
    protects: &str,
) -> super::Step {
    let ns_flag = resource
        .namespace
        .as_deref()
        .map_or(String::new(), |n| format!(" -n {n}"));
    let cmd = format!(
        "{}{ns_flag} patch {}.{} {name} --type merge -p '{}'",
        kubectl(cluster),
        resource.plural,
        resource.api_version.split('/').next().unwrap_or_default(),
        patch
    );
    step(
        format!("Update {} {name} on {cluster}", resource.kind),
        Action::MergePatch {
            cluster: cluster.to_owned(),
            resource: resource.clone(),
            name: name.to_owned(),
            patch,
        },
        format!("PATCH {}/{name} (merge, resourceVersion)", resource.path()),
        vec![change],
        vec![cmd],
        protects,
    )
}

/// The name of the host's own Cluster object (labelled `cluster-role.kubesphere.io/host`).
async fn host_cluster_name(clusters: &Clusters, host: &str) -> Result<Option<String>, AppError> {
    let api: Api<DynamicObject> =
        Api::all_with(clusters.client(host).await?, &kubesphere_clusters());
    let list = call(api.list(&ListParams::default().labels("cluster-role.kubesphere.io/host")))
        .await
        .map_err(|e| read_error(host, &e))?;
    Ok(list.items.into_iter().find_map(|c| c.metadata.name))
}

/// Creates a workspace on the host placed on `placement` (Cluster names), or adds those
/// clusters to an existing one. Placing it on the host itself is allowed with a warning.
///
/// # Errors
/// Invalid names, a workspace being deleted, an unknown cluster name.
pub async fn plan_workspace(
    clusters: &Clusters,
    host: &str,
    workspace: &str,
    placement: &[String],
    manager: &str,
) -> Result<Parts, AppError> {
    check_label("workspace", workspace)?;
    check_label("manager", manager)?;
    if placement.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "give at least one cluster to place the workspace on",
        ));
    }
    let api: Api<DynamicObject> =
        Api::all_with(clusters.client(host).await?, &kubesphere_clusters());
    for c in placement {
        check_label("cluster", c)?;
        if get_opt(&api, c)
            .await
            .map_err(|e| read_error(host, &e))?
            .is_none()
        {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("{host} manages no cluster named {c}"),
            ));
        }
    }
    let mut warnings = Vec::new();
    if let Some(h) = host_cluster_name(clusters, host).await?
        && placement.contains(&h)
    {
        warnings.push(format!(
            "{h} is the host cluster: workloads of this workspace would run on the host, which KubeSphere discourages"
        ));
    }
    let tenant = clusters.tenant_version(host).await?;
    let tapi = clusters.templates(host).await?;
    let existing = get_opt(&tapi, workspace)
        .await
        .map_err(|e| read_error(host, &e))?;
    let step = match existing {
        None => {
            let mut body = workspace_template(workspace, &placement[0], manager, tenant);
            body["spec"]["placement"]["clusters"] = json!(
                placement
                    .iter()
                    .map(|c| json!({"name": c}))
                    .collect::<Vec<_>>()
            );
            create(
                host,
                templates(tenant),
                body,
                "A new workspace; its Workspace appears on each placed cluster.",
            )
        }
        Some(t) => {
            let value = to_json(&t);
            if let Some(why) = template_refusal(&value) {
                return Err(AppError::new(
                    ErrorKind::Conflict,
                    format!("workspace {workspace}: {why}"),
                ));
            }
            let mut list: Vec<Value> = value
                .pointer("/spec/placement/clusters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let added: Vec<&String> = placement
                .iter()
                .filter(|c| !list.iter().any(|x| x["name"] == c.as_str()))
                .collect();
            if added.is_empty() {
                warnings.push(format!(
                    "workspace {workspace} is already placed on every cluster given"
                ));
                return Ok(Parts {
                    warnings,
                    ..Parts::default()
                });
            }
            list.extend(added.iter().map(|c| json!({"name": c})));
            merge_patch(
                host,
                templates(tenant),
                workspace,
                json!({"spec": {"placement": {"clusters": list}}}),
                format!(
                    "~ placement + {}",
                    added
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "Only clusters are added; none removed (removing one would delete its Workspace there).",
            )
        }
    };
    Ok(Parts {
        warnings,
        phases: vec![Phase {
            title: format!("Workspace {workspace} on {host}"),
            concurrent: false,
            steps: vec![step],
        }],
        ..Parts::default()
    })
}

/// The platform roles a user can be given.
pub const GLOBAL_ROLES: &[&str] = &[
    "platform-admin",
    "platform-regular",
    "platform-self-provisioner",
];
/// The workspace roles a user can be invited with.
pub const WORKSPACE_ROLES: &[&str] = &["admin", "regular", "viewer", "self-provisioner"];

fn plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

/// Creates a user on the host with a platform role. KubeSphere syncs users to members. No
/// password is set by ksmc (it would have to pass through it): the user sets one through the
/// console's "forgot password" or an administrator sets it there.
///
/// # Errors
/// Invalid name, e-mail or role; the user exists already.
pub async fn plan_user(
    clusters: &Clusters,
    host: &str,
    user: &str,
    email: &str,
    role: &str,
) -> Result<Parts, AppError> {
    check_label("user", user)?;
    if !plausible_email(email) {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("invalid email address:{email}"),
        ));
    }
    if !GLOBAL_ROLES.contains(&role) {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("platform role must be one of {}", GLOBAL_ROLES.join(", ")),
        ));
    }
    let iam = Iam::of(clusters, host).await?;
    let client = clusters.client(host).await?;
    let uapi = iam.users().api(client);
    if get_opt(&uapi, user)
        .await
        .map_err(|e| read_error(host, &e))?
        .is_some()
    {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!("user {user} already exists on {host}"),
        ));
    }
    let existing = call(uapi.list(&ListParams::default()))
        .await
        .map_err(|e| read_error(host, &e))?;
    if existing
        .items
        .iter()
        .any(|u| to_json(u).pointer("/spec/email").and_then(Value::as_str) == Some(email))
    {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!("user email: {email} already exists"),
        ));
    }
    let body = iam.user(user, email);
    let binding = iam.global_role_binding(user, role);
    let propagation = match iam {
        Iam::V3 => "Created on the host; KubeSphere propagates users to members.",
        Iam::V4 => {
            "Created on the host (iam.kubesphere.io/v1beta1); KubeSphere 4.x pushes the user's kubeconfig Secret to every Ready member."
        }
    };
    Ok(Parts {
        warnings: vec![format!(
            "{user} has no password yet: set one in the KubeSphere console (ksmc never handles passwords)"
        )],
        phases: vec![Phase {
            title: format!("User {user} on {host}"),
            concurrent: false,
            steps: vec![
                create(host, iam.users(), body, propagation),
                create(
                    host,
                    iam.global_role_bindings(),
                    binding,
                    "The binding KubeSphere's API would create for the platform role.",
                ),
            ],
        }],
        ..Parts::default()
    })
}

/// Invites a user into a workspace with a workspace role (one binding per user and
/// workspace, as KubeSphere's API keeps it).
///
/// # Errors
/// Unknown user or workspace, invalid role, or the user already has another role there.
pub async fn plan_invite(
    clusters: &Clusters,
    host: &str,
    workspace: &str,
    user: &str,
    role: &str,
) -> Result<Parts, AppError> {
    check_label("workspace", workspace)?;
    check_label("user", user)?;
    if !WORKSPACE_ROLES.contains(&role) {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "workspace role must be one of {}",
                WORKSPACE_ROLES.join(", ")
            ),
        ));
    }
    let iam = Iam::of(clusters, host).await?;
    let client = clusters.client(host).await?;
    if get_opt(&iam.users().api(client.clone()), user)
        .await
        .map_err(|e| read_error(host, &e))?
        .is_none()
    {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("user {user} does not exist on {host}"),
        ));
    }
    let template = get_opt(&clusters.templates(host).await?, workspace)
        .await
        .map_err(|e| read_error(host, &e))?;
    match template.map(|t| to_json(&t)) {
        None => {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("workspace {workspace} does not exist on {host}"),
            ));
        }
        Some(t) if t.pointer("/metadata/deletionTimestamp").is_some() => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!("workspace {workspace} is being deleted"),
            ));
        }
        Some(_) => {}
    }
    let wrb = iam.workspace_role_bindings().api(client);
    let selector = format!("iam.kubesphere.io/user-ref={user},kubesphere.io/workspace={workspace}");
    let current = call(wrb.list(&ListParams::default().labels(&selector)))
        .await
        .map_err(|e| read_error(host, &e))?;
    let name = format!("{user}-{workspace}-{role}");
    if let Some(bname) = current.items.first().and_then(|b| b.metadata.name.clone()) {
        if bname == name {
            return Ok(Parts {
                warnings: vec![format!("{user} already has role {role} in {workspace}")],
                ..Parts::default()
            });
        }
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "{user} already has binding {bname} in {workspace}; remove it first ({} delete workspacerolebinding {bname})",
                kubectl(host)
            ),
        ));
    }
    let body = iam.workspace_role_binding(user, workspace, role);
    Ok(Parts {
        phases: vec![Phase {
            title: format!("Invite {user} into {workspace}"),
            concurrent: false,
            steps: vec![create(
                host,
                iam.workspace_role_bindings(),
                body,
                "The binding name and labels KubeSphere's own invite uses.",
            )],
        }],
        ..Parts::default()
    })
}

/// A pluggable component and where it is switched on in the ClusterConfiguration.
#[must_use]
pub fn component_patch(component: &str) -> Option<Value> {
    let on = json!({"enabled": true});
    Some(match component {
        "alerting" | "auditing" | "devops" | "events" | "logging" | "servicemesh"
        | "gatekeeper" | "edgeruntime" | "metrics_server" => {
            json!({"spec": {component: on}})
        }
        "networkpolicy" => json!({"spec": {"network": {"networkpolicy": on}}}),
        "openpitrix" | "appstore" => json!({"spec": {"openpitrix": {"store": on}}}),
        _ => return None,
    })
}

/// Enables a component on several clusters together. The App Store goes on hosts only.
///
/// # Errors
/// Unknown component, the App Store on a member, an unreadable cluster.
pub async fn plan_component(
    clusters: &Clusters,
    targets: &[String],
    component: &str,
) -> Result<Parts, AppError> {
    let patch = component_patch(component).ok_or_else(|| AppError::new(ErrorKind::Invalid, format!(
        "unknown component {component}; known: alerting, auditing, devops, events, logging, servicemesh, gatekeeper, edgeruntime, metrics_server, networkpolicy, appstore"
    )))?;
    if targets.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "give at least one cluster",
        ));
    }
    let cc = ResourceRef::new(
        "installer.kubesphere.io/v1alpha1",
        "ClusterConfiguration",
        "clusterconfigurations",
        Some("kubesphere-system"),
    );
    let mut steps = Vec::new();
    for cluster in targets {
        if clusters.tenant_version(cluster).await? == super::access::V4_TENANT {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!(
                    "{cluster} runs KubeSphere 4.x: components are extensions there, scheduled to clusters from the host's InstallPlan; give the 4.x host and the Cluster names instead"
                ),
            ));
        }
        let role = super::member::cluster_role(&clusters.client(cluster).await?).await;
        let Some(role) = role else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("{cluster} has no ks-installer ClusterConfiguration (KubeSphere 3.x)"),
            ));
        };
        if matches!(component, "openpitrix" | "appstore") && role != "host" {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!(
                    "the App Store is enabled on the host only; members use the host's ({cluster} is {role})"
                ),
            ));
        }
        steps.push(merge_patch(
            cluster,
            cc.clone(),
            "ks-installer",
            patch.clone(),
            format!("~ {component} enabled"),
            "ks-installer installs the component after the change; nothing is uninstalled.",
        ));
    }
    Ok(Parts {
        phases: vec![Phase {
            title: format!("Enable {component}"),
            concurrent: false,
            steps,
        }],
        ..Parts::default()
    })
}
