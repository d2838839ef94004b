//! 4.1.3's multi-cluster sync of role bindings (`shared/docs/kubesphere-multicluster.md` §5.2;
//! `ks@v4.1.3:pkg/controller/globalrolebinding/`, `pkg/controller/workspacerolebinding/`,
//! `multiClusterSync`): the host pushes copies through per-cluster clients, no KubeFed.
//!
//! * A GlobalRoleBinding is copied (labels, annotations, roleRef, subjects) to every Ready
//!   cluster; one to `platform-admin` also gets ClusterRoleBinding `<user>-cluster-admin`
//!   there, owned by the copy.
//! * A WorkspaceRoleBinding is copied to every Ready member (not the host) its workspace's
//!   WorkspaceTemplate places (`kubesphere.io/workspace` label → template).
//!
//! Not modelled: deleting the copies when the host's binding goes, events for clusters not
//! Ready.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::{label, name_of, upsert};
use super::cluster::clusters;
use super::tenant::places;
use super::{Ctx, HOST_LABEL};

const IAM: &str = "iam.kubesphere.io";
const IAM_V4: &str = "iam.kubesphere.io/v1beta1";
const USER_REF: &str = "iam.kubesphere.io/user-ref";
const ROLE_REF: &str = "iam.kubesphere.io/role-ref";
const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";

/// The copy a host controller's CreateOrUpdate leaves on a cluster.
fn copy(kind: &str, binding: &Value) -> Value {
    let mut meta = json!({"name": name_of(binding)});
    for key in ["labels", "annotations"] {
        if let Some(v) = binding.pointer(&format!("/metadata/{key}")) {
            meta[key] = v.clone();
        }
    }
    json!({"apiVersion": IAM_V4, "kind": kind, "metadata": meta,
        "roleRef": binding.get("roleRef").cloned().unwrap_or(Value::Null),
        "subjects": binding.get("subjects").cloned().unwrap_or_else(|| json!([]))})
}

/// `syncGlobalRoleBinding` on every Ready cluster.
pub fn sync_global_role_binding(ctx: &Arc<Ctx>, binding: &Value) {
    let platform_admin = binding.pointer("/roleRef/name") == Some(&json!("platform-admin"));
    let user = label(binding, USER_REF).map(str::to_owned);
    for (_, target) in clusters(ctx) {
        let Some(target) = target else { continue };
        if Arc::ptr_eq(&target, &ctx.cluster) {
            continue;
        }
        let Ok(written) = upsert(
            &target,
            IAM,
            "globalrolebindings",
            copy("GlobalRoleBinding", binding),
        ) else {
            continue;
        };
        if let (true, Some(user)) = (platform_admin, &user) {
            let _ = upsert(
                &target,
                "rbac.authorization.k8s.io",
                "clusterrolebindings",
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": {"name": format!("{user}-cluster-admin"),
                        "labels": {ROLE_REF: "cluster-admin", USER_REF: user},
                        "ownerReferences": [{"apiVersion": IAM_V4, "kind": "GlobalRoleBinding",
                            "name": name_of(&written), "uid": written.pointer("/metadata/uid"),
                            "controller": true, "blockOwnerDeletion": true}]},
                    "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user}],
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}}),
            );
        }
    }
}

/// `syncWorkspaceRoleBinding` on every Ready member the workspace is placed on.
pub fn sync_workspace_role_binding(ctx: &Arc<Ctx>, binding: &Value) {
    let Some(template) = label(binding, WORKSPACE_LABEL).and_then(|ws| {
        super::super::get(
            &ctx.cluster,
            "tenant.kubesphere.io",
            "workspacetemplates",
            "",
            ws,
        )
    }) else {
        return;
    };
    for (cluster, target) in clusters(ctx) {
        let Some(target) = target else { continue };
        if label(&cluster, HOST_LABEL).is_some() || !places(&template, &cluster) {
            continue;
        }
        let _ = upsert(
            &target,
            IAM,
            "workspacerolebindings",
            copy("WorkspaceRoleBinding", binding),
        );
    }
}
