//! Fix-its called from fleet findings: the member configuration (role, jwtSecret) and a
//! dangling workspace owner on a project. Role switches a host would need are refused: the
//! KubeSphere docs forbid them.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;

use super::access::Clusters;
use super::plan::{Action, KeptNamespace, Phase};
use super::steps::{get_opt, is_workspace_owner};
use super::unbind::{Parts, read_error, step};
use crate::error::{AppError, ErrorKind};
use crate::fleet::findings::kubectl;

/// Plans the member fix-its.
///
/// # Errors
/// When neither fix is asked for, the member is a host, or a cluster cannot be read.
pub async fn plan_member(
    clusters: &Clusters,
    host: &str,
    member: &str,
    set_role: bool,
    copy_jwt: bool,
) -> Result<Parts, AppError> {
    if !set_role && !copy_jwt {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "nothing to fix: ask for the role, the jwtSecret or both",
        ));
    }
    let mclient = clusters.client(member).await?;
    match super::member::cluster_role(&mclient).await.as_deref() {
        Some("host") => {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!(
                    "{member} is a host cluster; KubeSphere does not support turning a host into a member, so ksmc will not"
                ),
            ));
        }
        None => {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!(
                    "{member} has no ks-installer ClusterConfiguration (KubeSphere 3.x) to fix"
                ),
            ));
        }
        Some(_) => {}
    }
    let host_facts = crate::fleet::facts::gather(clusters.source(host)?).await;
    if !host_facts.is_host() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("{host} is not a host cluster"),
        ));
    }
    Ok(Parts {
        phases: vec![super::import::configure_phase(
            host,
            member,
            host_facts.jwt_fingerprint(),
            set_role,
            copy_jwt,
        )],
        ..Parts::default()
    })
}

/// Plans removing a dangling workspace owner from a project.
///
/// # Errors
/// When the namespace or the reference is not there, or the owner still exists (then it is
/// not dangling and removing it would unbind the project).
pub async fn plan_strip_owner(
    clusters: &Clusters,
    cluster: &str,
    namespace: &str,
    owner_uid: &str,
) -> Result<Parts, AppError> {
    crate::names::check_label("namespace", namespace)?;
    let client = clusters.client(cluster).await?;
    let nss: Api<Namespace> = Api::all(client.clone());
    let Some(ns) = get_opt(&nss, namespace)
        .await
        .map_err(|e| read_error(cluster, &e))?
    else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("namespace {namespace} does not exist on {cluster}"),
        ));
    };
    let owners = ns.metadata.owner_references.clone().unwrap_or_default();
    let Some(owner) = owners
        .iter()
        .find(|r| r.uid == owner_uid && is_workspace_owner(r))
    else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("namespace {namespace} has no workspace ownerReference with uid {owner_uid}"),
        ));
    };
    let ws = clusters.workspaces(cluster).await?;
    let live = get_opt(&ws, &owner.name)
        .await
        .map_err(|e| read_error(cluster, &e))?;
    if live.and_then(|w| w.metadata.uid).as_deref() == Some(owner_uid) {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "Workspace {} (uid {owner_uid}) exists on {cluster}: the reference is not dangling",
                owner.name
            ),
        ));
    }
    let uid = ns.metadata.uid.clone().unwrap_or_default();
    let kept = KeptNamespace {
        cluster: cluster.to_owned(),
        name: namespace.to_owned(),
        uid: uid.clone(),
        workspace: super::access::label(&ns.metadata, super::member::WORKSPACE_LABEL)
            .map(str::to_owned),
        other_owners: owners
            .iter()
            .filter(|r| !is_workspace_owner(r))
            .map(|r| r.uid.clone())
            .collect(),
    };
    Ok(Parts {
        inventory: vec![kept],
        phases: vec![Phase {
            title: format!("Project {namespace} on {cluster}"),
            concurrent: false,
            steps: vec![
                step(
                    format!(
                        "Remove the dangling owner {} {} from {namespace}",
                        owner.kind, owner.name
                    ),
                    Action::StripOwner {
                        cluster: cluster.to_owned(),
                        namespace: namespace.to_owned(),
                        uid,
                        owner_uid: owner_uid.to_owned(),
                    },
                    format!("PATCH /api/v1/namespaces/{namespace} (merge, resourceVersion)"),
                    vec![format!(
                        "- ownerReference {} {} (uid {owner_uid}, gone)",
                        owner.kind, owner.name
                    )],
                    vec![format!(
                        "{} patch namespace {namespace} --type merge -p '{{\"metadata\":{{\"ownerReferences\":[...the others...]}}}}'",
                        kubectl(cluster)
                    )],
                    "The garbage collector deletes a namespace whose only owner is gone; the label stays, so the namespace controller re-binds it to the live workspace.",
                ),
                step(
                    format!("Verify {namespace} on {cluster}"),
                    Action::VerifyInventory {
                        unbound: false,
                        cluster: cluster.to_owned(),
                    },
                    "GET /api/v1/namespaces (fresh list)".into(),
                    Vec::new(),
                    vec![format!("{} get ns {namespace} -o yaml", kubectl(cluster))],
                    "The project exists, is not terminating, keeps its other owners.",
                ),
            ],
        }],
        ..Parts::default()
    })
}
