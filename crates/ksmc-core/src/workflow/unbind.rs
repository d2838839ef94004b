//! Planning "unbind keeping projects" (`shared/docs/kubesphere-multicluster.md` §2.3, §4.4–4.5;
//! `security-requirements.md` §4.3): unbind every kept namespace in one patch each, settle and
//! re-verify, remove the Cluster from the old host, delete the member's old workspaces
//! orphan-safe, verify every kept namespace.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::access::{CallError, Clusters, call, json, label};
use super::member::{KUBEFED_MANAGED, SYSTEM_WORKSPACE, WORKSPACE_LABEL};
use super::plan::{Action, KeptNamespace, Phase, Step};
use super::steps::{get_opt, is_workspace_owner, list_namespaces};
use crate::error::{AppError, ErrorKind};
use crate::fleet::findings::kubectl;

/// What planning found and decided.
#[derive(Debug, Default)]
pub struct Parts {
    pub inventory: Vec<KeptNamespace>,
    pub warnings: Vec<String>,
    pub phases: Vec<Phase>,
    /// The Cluster name the member is (or was) known by.
    pub cluster_name: String,
}

fn refuse(kind: ErrorKind, message: String) -> AppError {
    AppError::new(kind, message)
}

pub(crate) fn read_error(cluster: &str, e: &CallError) -> AppError {
    match e {
        CallError::Fatal(a) => AppError::new(a.kind, format!("{cluster}: {}", a.message)),
        other => AppError::new(
            ErrorKind::Unreachable,
            format!("cannot read {cluster}: {}", other.describe()),
        ),
    }
}

/// System namespaces: never unbound, never in the inventory.
#[must_use]
pub fn is_system(ns: &Namespace) -> bool {
    let name = ns.metadata.name.as_deref().unwrap_or_default();
    label(&ns.metadata, WORKSPACE_LABEL) == Some(SYSTEM_WORKSPACE)
        || name == "default"
        || name.starts_with("kube-")
        || name.starts_with("kubesphere-")
        || name.ends_with("-system")
}

pub(crate) fn step(
    title: String,
    action: Action,
    request: String,
    changes: Vec<String>,
    kubectl: Vec<String>,
    protects: &str,
) -> Step {
    Step {
        id: 0,
        title,
        action,
        request,
        changes,
        kubectl,
        protects: protects.to_owned(),
    }
}

/// The member's recorded cluster name (`multicluster.clusterName` of kubesphere-config).
/// On KubeSphere 4.x, the annotation the host writes on the member's `kubesphere-system`.
pub const V4_NAME_ANNOTATION: &str = "cluster.kubesphere.io/name";

/// The name a host recorded on the member: 3.x `multicluster.clusterName` in
/// kubesphere-config, else 4.x's annotation on the `kubesphere-system` namespace.
pub(crate) async fn recorded_name(client: &kube::Client) -> Option<String> {
    let api: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), "kubesphere-system");
    let from_config = match call(api.get("kubesphere-config")).await {
        Ok(cm) => cm
            .data
            .and_then(|d| d.get("kubesphere.yaml").cloned())
            .and_then(|y| crate::fleet::facts::parse_effective_config(&y).ok())
            .and_then(|c| c.recorded_name),
        Err(_) => None,
    };
    if from_config.is_some() {
        return from_config;
    }
    let nss: Api<Namespace> = Api::all(client.clone());
    let ns = call(nss.get("kubesphere-system")).await.ok()?;
    ns.metadata.annotations?.get(V4_NAME_ANNOTATION).cloned()
}

/// Plans the unbinding of `member`.
///
/// # Errors
/// A specific refusal when unbinding is not safe or the input is wrong; nothing is written.
pub async fn plan(
    clusters: &Clusters,
    member: &str,
    old_host: Option<&str>,
    cluster_name: Option<&str>,
    projects: Option<&[String]>,
    settle_seconds: u32,
) -> Result<Parts, AppError> {
    if let Some(n) = cluster_name {
        crate::names::check_label("cluster name", n)?;
    }
    for p in projects.unwrap_or_default() {
        crate::names::check_label("project", p)?;
    }
    let client = clusters.client(member).await?;
    let all = list_namespaces(&client)
        .await
        .map_err(|e| read_error(member, &e))?;
    let ws_api = clusters.workspaces(member).await?;
    let wst_api = clusters.templates(member).await?;
    let member_workspaces = call(ws_api.list(&Default::default()))
        .await
        .map_err(|e| read_error(member, &e))?
        .items;
    let member_templates = match call(wst_api.list(&Default::default())).await {
        Ok(l) => l.items,
        Err(CallError::NotFound) => Vec::new(),
        Err(e) => return Err(read_error(member, &e)),
    };
    let cc = super::member::cluster_role(&client).await;
    if cc.as_deref() == Some("host") {
        return Err(refuse(
            ErrorKind::Invalid,
            format!("{member} is a host cluster; only a member can be unbound"),
        ));
    }
    let name = match cluster_name {
        Some(n) => n.to_owned(),
        None => recorded_name(&client)
            .await
            .unwrap_or_else(|| member.to_owned()),
    };

    // Which namespaces to keep.
    let candidates: Vec<&Namespace> = all.iter().filter(|n| !is_system(n)).collect();
    let chosen: Vec<&Namespace> = match projects {
        None => candidates,
        Some(wanted) => {
            let mut out = Vec::new();
            for w in wanted {
                let Some(ns) = all.iter().find(|n| n.metadata.name.as_deref() == Some(w)) else {
                    return Err(refuse(
                        ErrorKind::NotFound,
                        format!("project {w} does not exist on {member}"),
                    ));
                };
                if is_system(ns) {
                    return Err(refuse(
                        ErrorKind::Invalid,
                        format!("{w} is a system namespace; ksmc never unbinds system namespaces"),
                    ));
                }
                out.push(ns);
            }
            out
        }
    };
    let mut inventory = Vec::new();
    let mut unbind_steps = Vec::new();
    let mut warnings = Vec::new();
    for ns in &chosen {
        let ns_name = ns.metadata.name.clone().unwrap_or_default();
        let uid = ns.metadata.uid.clone().unwrap_or_default();
        if ns.metadata.deletion_timestamp.is_some() {
            return Err(refuse(
                ErrorKind::Conflict,
                format!("namespace {ns_name} on {member} is terminating; it cannot be kept"),
            ));
        }
        if label(&ns.metadata, KUBEFED_MANAGED) == Some("true") {
            return Err(refuse(
                ErrorKind::Conflict,
                format!(
                    "namespace {ns_name} on {member} is a federated project (kubefed.io/managed=true): the old host's FederatedNamespace drives it; remove it from the federated project's placement on the old host first"
                ),
            ));
        }
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        let ws = label(&ns.metadata, WORKSPACE_LABEL).map(str::to_owned);
        inventory.push(KeptNamespace {
            cluster: member.to_owned(),
            name: ns_name.clone(),
            uid: uid.clone(),
            workspace: ws.clone(),
            other_owners: owners
                .iter()
                .filter(|r| !is_workspace_owner(r))
                .map(|r| r.uid.clone())
                .collect(),
        });
        let ws_owners: Vec<_> = owners.iter().filter(|r| is_workspace_owner(r)).collect();
        if ws.is_none() && ws_owners.is_empty() {
            continue;
        }
        let mut changes = Vec::new();
        if let Some(w) = &ws {
            changes.push(format!("- label {WORKSPACE_LABEL}={w}"));
        }
        for r in &ws_owners {
            changes.push(format!(
                "- ownerReference {} {} (uid {})",
                r.kind, r.name, r.uid
            ));
        }
        let others = owners.len() - ws_owners.len();
        if others > 0 {
            changes.push(format!("= {others} other ownerReference(s) kept"));
        }
        let remaining: Vec<Value> = owners
            .iter()
            .filter(|r| !is_workspace_owner(r))
            .filter_map(|r| serde_json::to_value(r).ok())
            .collect();
        let owners_json = if remaining.is_empty() {
            "null".to_owned()
        } else {
            Value::Array(remaining).to_string()
        };
        unbind_steps.push(step(
            format!("Unbind project {ns_name} from workspace {}", ws.as_deref().unwrap_or("(owner only)")),
            Action::UnbindNamespace { cluster: member.to_owned(), namespace: ns_name.clone(), uid },
            format!("PATCH /api/v1/namespaces/{ns_name} (merge, with resourceVersion)"),
            changes,
            vec![format!(
                "{} patch namespace {ns_name} --type merge -p '{{\"metadata\":{{\"labels\":{{\"{WORKSPACE_LABEL}\":null}},\"ownerReferences\":{owners_json}}}}}'",
                kubectl(member)
            )],
            "Label and workspace owners go in one write, so KubeSphere's namespace controller cannot re-add the owner from the label in between; other owners stay.",
        ));
    }
    if inventory.is_empty() {
        warnings.push(format!(
            "{member} has no non-system namespace; nothing to keep"
        ));
    }

    let mut phases = vec![
        Phase {
            title: "Unbind projects".into(),
            concurrent: true,
            steps: unbind_steps,
        },
        Phase {
            title: "Settle and verify".into(),
            concurrent: false,
            steps: vec![step(
                format!("Wait {settle_seconds} s, then re-read every kept namespace of {member}"),
                Action::SettleAndVerifyUnbound {
                    cluster: member.to_owned(),
                    settle_seconds,
                },
                "GET /api/v1/namespaces (fresh list)".into(),
                Vec::new(),
                vec![
                    format!("sleep {settle_seconds}"),
                    format!(
                        "{} get ns -L {WORKSPACE_LABEL} -o custom-columns=NAME:.metadata.name,WS:.metadata.labels.kubesphere\\.io/workspace,OWNERS:.metadata.ownerReferences[*].kind",
                        kubectl(member)
                    ),
                ],
                "If any controller put a label or owner back, the run stops here, before anything is deleted.",
            )],
        },
    ];

    // The old host's Cluster object.
    match old_host {
        Some(host) => {
            let hclient = clusters.client(host).await?;
            let api: Api<DynamicObject> = Api::all_with(hclient, &super::access::kubesphere_clusters());
            let found = get_opt(&api, &name).await.map_err(|e| read_error(host, &e))?;
            let member_uid = all
                .iter()
                .find(|n| n.metadata.name.as_deref() == Some("kube-system"))
                .and_then(|n| n.metadata.uid.clone());
            match found {
                None => warnings.push(format!("{host} has no Cluster named {name}; nothing to remove there")),
                Some(c) => {
                    let recorded = json(&c).pointer("/status/uid").and_then(Value::as_str).map(str::to_owned);
                    if recorded.is_some() && recorded != member_uid {
                        return Err(refuse(ErrorKind::Conflict, format!(
                            "Cluster {name} on {host} is another cluster (kube-system UID {}), not {member}",
                            recorded.unwrap_or_default()
                        )));
                    }
                    phases.push(Phase {
                        title: format!("Remove {name} from {host}"),
                        concurrent: false,
                        steps: vec![step(
                            format!("Delete Cluster {name} on {host} and wait until it is gone"),
                            Action::DeleteCluster { host: host.to_owned(), name: name.clone(), uid: c.metadata.uid.clone().unwrap_or_default() },
                            format!("DELETE /apis/cluster.kubesphere.io/v1alpha1/clusters/{name} (precondition uid)"),
                            vec![format!("- Cluster {name}")],
                            vec![format!("{} delete cluster {name} --wait", kubectl(host))],
                            "KubeSphere 3.4 touches nothing on the member when a Cluster is deleted; the host stops propagating workspaces to it, so they can be removed next without coming back.",
                        )],
                    });
                }
            }
        }
        None => warnings.push(format!(
            "no old host given: if a host still manages {member}, it keeps its Cluster object and may place workspaces on it again"
        )),
    }

    // The member's old workspaces.
    let templates: BTreeMap<String, &DynamicObject> = member_templates
        .iter()
        .filter_map(|t| t.metadata.name.clone().map(|n| (n, t)))
        .collect();
    let mut delete_steps = Vec::new();
    let mut names: Vec<String> = member_workspaces
        .iter()
        .filter_map(|w| w.metadata.name.clone())
        .collect();
    names.extend(templates.keys().cloned());
    names.sort();
    names.dedup();
    for ws in names.into_iter().filter(|n| n != SYSTEM_WORKSPACE) {
        let template = templates.get(&ws);
        let obj = template.copied().or_else(|| {
            member_workspaces
                .iter()
                .find(|w| w.metadata.name.as_deref() == Some(&ws))
        });
        let Some(obj) = obj else { continue };
        if obj.metadata.deletion_timestamp.is_some() {
            warnings.push(format!(
                "workspace {ws} on {member} is already being deleted"
            ));
        }
        let uid = obj.metadata.uid.clone().unwrap_or_default();
        let (kind, cmds) = if template.is_some() {
            (
                "WorkspaceTemplate",
                vec![
                    format!(
                        "{} patch workspacetemplate {ws} --type json -p '[{{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"{}\"}}]'",
                        kubectl(member),
                        super::member::ORPHAN_FINALIZER
                    ),
                    format!(
                        "{} delete workspacetemplate {ws} --cascade=orphan",
                        kubectl(member)
                    ),
                ],
            )
        } else {
            (
                "Workspace",
                vec![format!(
                    "{} delete workspace {ws} --cascade=orphan",
                    kubectl(member)
                )],
            )
        };
        delete_steps.push(step(
            format!("Delete {kind} {ws} on {member}, keeping its projects"),
            Action::DeleteWorkspace { cluster: member.to_owned(), workspace: ws.clone(), uid, template: template.is_some() },
            format!("DELETE {kind} {ws} (propagationPolicy Orphan, preconditions uid+resourceVersion)"),
            vec![format!("- {kind} {ws}")],
            cmds,
            "Checked first: no kept namespace is labelled with or owned by it. Orphan propagation (and KubeSphere's orphan finalizer on a template) means the garbage collector deletes no namespace.",
        ));
    }
    if !delete_steps.is_empty() {
        phases.push(Phase {
            title: "Delete the old workspaces on the member".into(),
            // Each deletion re-checks its own tripwire first, so they can go side by side.
            concurrent: true,
            steps: delete_steps,
        });
    }
    phases.push(Phase {
        title: "Verify".into(),
        concurrent: false,
        steps: vec![step(
            format!("Verify all {} kept namespaces of {member}", inventory.len()),
            Action::VerifyInventory { cluster: member.to_owned(), unbound: true },
            "GET /api/v1/namespaces (fresh list)".into(),
            Vec::new(),
            vec![format!("{} get ns", kubectl(member))],
            "Every kept namespace exists with its uid, is not terminating, and keeps its other owners.",
        )],
    });
    Ok(Parts {
        inventory,
        warnings,
        phases,
        cluster_name: name,
    })
}
