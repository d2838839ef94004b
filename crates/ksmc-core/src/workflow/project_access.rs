//! Project access through unbind → rebind on KubeSphere 4.x (`kubesphere-multicluster.md`
//! §7.4): 4.1.3's namespace controller deletes, in a namespace without the
//! `kubesphere.io/workspace` label, every `iam.kubesphere.io` Role and RoleBinding and the
//! `rbac.authorization.k8s.io` ones labelled `iam.kubesphere.io/user-ref` or `…/role-ref`.
//! Unbinding keeps projects by removing that label, so their members and custom roles go.
//!
//! At plan time ([`snapshot`]) ksmc keeps exactly those objects of every kept project in the
//! plan — only what recreating them needs — and says so in the review. After a rebind labels
//! a project again, [`restore`] creates each one that is missing; one already there is never
//! overwritten (a different one is reported in the run's notes).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, PostParams};
use kube::core::GroupVersionKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::access::{CallError, Clusters, V4_TENANT, call, json as to_json, label};
use super::member::WORKSPACE_LABEL;
use super::plan::{Action, KeptNamespace, Phase, Step};
use super::steps::{Done, StepCtx, Stop, WAIT_LIMIT, app, get_opt, note, retry, wait};
use super::unbind::{read_error, step};
use crate::error::AppError;
use crate::fleet::findings::kubectl;

/// The labels by which 4.1.3 recognises its own `rbac.authorization.k8s.io` objects.
pub const KUBESPHERE_RBAC_LABELS: [&str; 2] =
    ["iam.kubesphere.io/user-ref", "iam.kubesphere.io/role-ref"];
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// The fields that make a Role or RoleBinding what it is (compared before restoring).
const CONTENT: [&str; 4] = ["rules", "aggregationRoleTemplates", "roleRef", "subjects"];

/// One kind the 4.1.3 namespace controller deletes.
#[derive(Clone, Copy, Debug)]
struct Kind {
    api_version: &'static str,
    kind: &'static str,
    plural: &'static str,
    /// Only the objects carrying one of [`KUBESPHERE_RBAC_LABELS`].
    labelled_only: bool,
}

/// In restore order: roles before the bindings that refer to them.
const KINDS: [Kind; 4] = [
    Kind {
        api_version: "iam.kubesphere.io/v1beta1",
        kind: "Role",
        plural: "roles",
        labelled_only: false,
    },
    Kind {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        plural: "roles",
        labelled_only: true,
    },
    Kind {
        api_version: "iam.kubesphere.io/v1beta1",
        kind: "RoleBinding",
        plural: "rolebindings",
        labelled_only: false,
    },
    Kind {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        labelled_only: true,
    },
];

impl Kind {
    fn of(obj: &Value) -> Option<(usize, Self)> {
        KINDS
            .iter()
            .enumerate()
            .find(|(_, k)| obj["apiVersion"] == k.api_version && obj["kind"] == k.kind)
            .map(|(i, k)| (i, *k))
    }

    fn resource(self) -> ApiResource {
        let (group, version) = self.api_version.split_once('/').unwrap_or(("", "v1"));
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(group, version, self.kind),
            self.plural,
        )
    }

    fn path(self, namespace: &str) -> String {
        format!(
            "/apis/{}/namespaces/{namespace}/{}",
            self.api_version, self.plural
        )
    }
}

/// The Roles and RoleBindings of one kept project that 4.1 deletes when it leaves its
/// workspace, as they were when planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProjectAccess {
    pub cluster: String,
    pub namespace: String,
    /// Roles first, then RoleBindings, each as `kubectl create -f` takes it: apiVersion,
    /// kind, name, namespace, labels, annotations (without kubectl's last-applied copy) and
    /// rules / aggregationRoleTemplates / roleRef / subjects — nothing else.
    pub objects: Vec<Value>,
}

impl ProjectAccess {
    /// How many Roles it holds.
    #[must_use]
    pub fn roles(&self) -> usize {
        self.objects.iter().filter(|o| o["kind"] == "Role").count()
    }

    /// How many RoleBindings it holds.
    #[must_use]
    pub fn bindings(&self) -> usize {
        self.objects.len() - self.roles()
    }
}

/// Only what recreating an object needs (no uid, resourceVersion, managedFields,
/// ownerReferences, status, or kubectl's last-applied copy).
#[must_use]
pub fn recreatable(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let mut m = Map::new();
    for key in ["name", "namespace"] {
        m.insert(key.into(), meta[key].clone());
    }
    for key in ["labels", "annotations"] {
        if let Some(map) = meta.get(key).and_then(Value::as_object) {
            let mut map = map.clone();
            map.remove(LAST_APPLIED);
            if !map.is_empty() {
                m.insert(key.into(), Value::Object(map));
            }
        }
    }
    let mut out = json!({"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": m});
    for key in CONTENT {
        if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
            out[key] = v.clone();
        }
    }
    out
}

/// A field for comparison: absent, null and empty are the same.
fn content(obj: &Value, key: &str) -> Value {
    match obj.get(key) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Array(a)) if a.is_empty() => Value::Null,
        Some(Value::Object(o)) if o.is_empty() => Value::Null,
        Some(v) => v.clone(),
    }
}

/// The fields in which an object found on the cluster differs from the snapshot.
fn differences(wanted: &Value, found: &Value) -> Vec<&'static str> {
    CONTENT
        .into_iter()
        .filter(|k| content(wanted, k) != content(found, k))
        .collect()
}

async fn list_all(
    api: &Api<DynamicObject>,
    selector: Option<&str>,
) -> Result<Vec<DynamicObject>, CallError> {
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(500);
    if let Some(s) = selector {
        params = params.labels(s);
    }
    loop {
        let page = match call(api.list(&params)).await {
            Ok(p) => p,
            // A cluster that does not serve the kind has none to lose.
            Err(CallError::NotFound) => return Ok(out),
            Err(e) => return Err(e),
        };
        out.extend(page.items);
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => params = params.continue_token(&c),
            _ => return Ok(out),
        }
    }
}

/// The objects 4.1.3's namespace controller would delete in each kept namespace of
/// `cluster` once it loses its workspace label — empty on KubeSphere 3.x, where nothing of the
/// sort happens. One list per kind for the whole cluster (two for the labelled RBAC kinds),
/// in pages; sorted, so the same estate gives the same plan hash.
///
/// # Errors
/// When the cluster cannot be read; nothing is written.
pub async fn snapshot(
    clusters: &Clusters,
    cluster: &str,
    kept: &[KeptNamespace],
) -> Result<Vec<ProjectAccess>, AppError> {
    if kept.is_empty() || clusters.tenant_version(cluster).await? != V4_TENANT {
        return Ok(Vec::new());
    }
    let client = clusters.client(cluster).await?;
    let wanted: BTreeSet<&str> = kept
        .iter()
        .filter(|k| k.cluster == cluster)
        .map(|k| k.name.as_str())
        .collect();
    // namespace → (kind index, name) → object
    let mut found: BTreeMap<String, BTreeMap<(usize, String), Value>> = BTreeMap::new();
    for (index, kind) in KINDS.iter().enumerate() {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &kind.resource());
        let selectors: Vec<Option<&str>> = if kind.labelled_only {
            KUBESPHERE_RBAC_LABELS.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for selector in selectors {
            let items = list_all(&api, selector)
                .await
                .map_err(|e| read_error(cluster, &e))?;
            for obj in items {
                if obj.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let (Some(ns), Some(name)) = (&obj.metadata.namespace, &obj.metadata.name) else {
                    continue;
                };
                if !wanted.contains(ns.as_str()) {
                    continue;
                }
                // The API's own apiVersion/kind (a list's items may omit them).
                let mut value = to_json(&obj);
                value["apiVersion"] = json!(kind.api_version);
                value["kind"] = json!(kind.kind);
                found
                    .entry(ns.clone())
                    .or_default()
                    .insert((index, name.clone()), recreatable(&value));
            }
        }
    }
    Ok(kept
        .iter()
        .filter(|k| k.cluster == cluster)
        .filter_map(|k| {
            let objects: Vec<Value> = found.remove(&k.name)?.into_values().collect();
            Some(ProjectAccess {
                cluster: cluster.to_owned(),
                namespace: k.name.clone(),
                objects,
            })
        })
        .collect())
}

fn totals(access: &[&ProjectAccess]) -> (usize, usize) {
    (
        access.iter().map(|a| a.roles()).sum(),
        access.iter().map(|a| a.bindings()).sum(),
    )
}

fn names(access: &[&ProjectAccess]) -> String {
    let mut out: Vec<&str> = access.iter().map(|a| a.namespace.as_str()).collect();
    let more = out.len().saturating_sub(5);
    out.truncate(5);
    let mut text = out.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// The command that restores a run's snapshot by hand, from its `plan.json` (`RUN_ID`: the
/// run's id or its prefix, as `ksmc runs list` shows it; the runs directory as the CLI's).
#[must_use]
pub fn manual_restore_command(cluster: &str) -> String {
    format!(
        "jq '{{apiVersion: \"v1\", kind: \"List\", items: [.projectAccess[].objects[]]}}' \"${{KSMC_HOME:-$HOME/.local/share/ksmc}}\"/runs/RUN_ID*/plan.json | {} create -f -",
        kubectl(cluster)
    )
}

/// The review's warnings about `access` on `cluster`: what ksmc restores itself (the
/// projects in `restored`) and, for the others, where the snapshot is kept and how to restore
/// it by hand.
#[must_use]
pub fn warnings(cluster: &str, access: &[ProjectAccess], restored: &BTreeSet<&str>) -> Vec<String> {
    let (by_ksmc, by_hand): (Vec<&ProjectAccess>, Vec<&ProjectAccess>) = access
        .iter()
        .filter(|a| a.cluster == cluster)
        .partition(|a| restored.contains(a.namespace.as_str()));
    let mut out = Vec::new();
    if !by_ksmc.is_empty() {
        let (r, b) = totals(&by_ksmc);
        out.push(format!(
            "{r} project role(s) and {b} member binding(s) on {cluster} ({}) are removed by KubeSphere 4.1 when projects leave their workspace; ksmc restores them when it rebinds (phase \"Restore project access\")",
            names(&by_ksmc)
        ));
    }
    if !by_hand.is_empty() {
        let (r, b) = totals(&by_hand);
        out.push(format!(
            "{r} project role(s) and {b} member binding(s) on {cluster} ({}) are removed by KubeSphere 4.1 when projects leave their workspace, and this run does not rebind them: they are kept in this run's plan (projectAccess in plan.json). `ksmc migrate` restores them by itself; after a separate `ksmc rebind`, restore them with (RUN_ID: this run's id in `ksmc runs list`): {}",
            names(&by_hand),
            manual_restore_command(cluster)
        ));
    }
    out
}

/// The phase that restores the snapshot of each rebound project (`bindings`: namespace →
/// workspace; `kept`: their uids), placed after the projects are labelled again. `None` when
/// there is nothing to restore.
#[must_use]
pub fn restore_phase(
    cluster: &str,
    access: &[ProjectAccess],
    kept: &[KeptNamespace],
    bindings: &BTreeMap<String, String>,
) -> Option<Phase> {
    let mut steps = Vec::new();
    for a in access.iter().filter(|a| a.cluster == cluster) {
        let Some(workspace) = bindings.get(&a.namespace) else {
            continue;
        };
        let Some(uid) = kept
            .iter()
            .find(|k| k.cluster == cluster && k.name == a.namespace)
            .map(|k| k.uid.clone())
        else {
            continue;
        };
        steps.push(restore_step(cluster, a, &uid, workspace));
    }
    (!steps.is_empty()).then(|| Phase {
        title: "Restore project access".into(),
        concurrent: true,
        steps,
    })
}

fn describe(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let group = obj["apiVersion"].as_str().unwrap_or_default();
    match kind {
        "RoleBinding" => {
            let subjects: Vec<String> = obj["subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    format!(
                        "{} {}",
                        s["kind"].as_str().unwrap_or_default(),
                        s["name"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "+ RoleBinding {name} ({group}): {} → {} {}",
                subjects.join(", "),
                obj["roleRef"]["kind"].as_str().unwrap_or_default(),
                obj["roleRef"]["name"].as_str().unwrap_or_default()
            )
        }
        _ => {
            let rules = obj["rules"].as_array().map_or(0, Vec::len);
            format!("+ Role {name} ({group}): {rules} rule(s)")
        }
    }
}

fn restore_step(cluster: &str, a: &ProjectAccess, uid: &str, workspace: &str) -> Step {
    let ns = &a.namespace;
    let list = json!({"apiVersion": "v1", "kind": "List", "items": a.objects});
    let mut requests: Vec<String> = a
        .objects
        .iter()
        .filter_map(Kind::of)
        .map(|(_, k)| format!("POST {}", k.path(ns)))
        .collect();
    requests.dedup();
    step(
        format!(
            "Restore {} role(s) and {} member binding(s) of project {ns}",
            a.roles(),
            a.bindings()
        ),
        Action::RestoreProjectAccess {
            cluster: cluster.to_owned(),
            namespace: ns.clone(),
            uid: uid.to_owned(),
            workspace: workspace.to_owned(),
        },
        format!(
            "{} (each one missing, after a GET; 409 AlreadyExists: left as it is)",
            requests.join(", ")
        ),
        a.objects.iter().map(describe).collect(),
        vec![format!(
            "{} create -f - <<'EOF' || echo 'objects already there were left as they are'\n{}\nEOF",
            kubectl(cluster),
            serde_json::to_string_pretty(&list).unwrap_or_default()
        )],
        "Runs once the project is labelled with its workspace again (until then KubeSphere 4.1 deletes them). Only missing objects are created; one already there is never overwritten, and one that differs is reported.",
    )
}

/// Applies a [`Action::RestoreProjectAccess`] step: waits until the project (same uid, not
/// terminating) is labelled with `workspace` and that Workspace exists, then creates each
/// snapshotted object that is missing. Resumable: objects a crashed attempt made are found
/// by the GET and left alone.
pub(crate) async fn restore(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    namespace: &str,
    uid: &str,
    workspace: &str,
) -> Result<(), Stop> {
    let Some(access) = ctx
        .plan
        .project_access
        .iter()
        .find(|a| a.cluster == cluster && a.namespace == namespace)
    else {
        return Ok(());
    };
    let client = ctx.client(cluster).await?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let workspaces = ctx
        .clusters
        .workspaces(cluster)
        .await
        .map_err(|e| app(&e))?;
    wait(ctx, step, WAIT_LIMIT, || async {
        let ns = match get_opt(&namespaces, namespace).await {
            Ok(n) => n,
            Err(e) => return note(e),
        };
        let Some(ns) = ns.filter(|n| n.metadata.uid.as_deref() == Some(uid)) else {
            return Err(Stop::Failed(format!(
                "NAMESPACE LOST on {cluster}: {namespace} (uid {uid})"
            )));
        };
        if ns.metadata.deletion_timestamp.is_some() {
            return Err(Stop::Failed(format!(
                "NAMESPACE LOST on {cluster}: {namespace} is terminating"
            )));
        }
        if label(&ns.metadata, WORKSPACE_LABEL) != Some(workspace) {
            return Ok(Err(format!(
                "waiting for project {namespace} to be labelled {WORKSPACE_LABEL}={workspace} before restoring its roles and bindings"
            )));
        }
        match get_opt(&workspaces, workspace).await {
            Ok(Some(_)) => Ok(Ok(())),
            Ok(None) => Ok(Err(format!(
                "waiting for workspace {workspace} on {cluster}"
            ))),
            Err(e) => note(e),
        }
    })
    .await?;
    for obj in &access.objects {
        restore_one(ctx, step, &client, cluster, obj).await?;
    }
    Ok(())
}

async fn restore_one(
    ctx: &StepCtx<'_>,
    step: &Step,
    client: &kube::Client,
    cluster: &str,
    wanted: &Value,
) -> Result<(), Stop> {
    let namespace = wanted["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = wanted["metadata"]["name"].as_str().unwrap_or_default();
    let Some((_, kind)) = Kind::of(wanted) else {
        return Err(Stop::Failed(format!(
            "{namespace}/{name} in the plan is not a Role or RoleBinding ksmc restores"
        )));
    };
    let object: DynamicObject = serde_json::from_value(wanted.clone())
        .map_err(|e| Stop::Failed(format!("{} {namespace}/{name}: {e}", kind.kind)))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &kind.resource());
    let differs: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let (api, object, differs_ref) = (&api, &object, &differs);
    let what = format!("{} {namespace}/{name} on {cluster}", kind.kind);
    retry(&what, || async move {
        let existing = match get_opt(api, name).await? {
            Some(e) => Some(e),
            None => match ctx
                .write(
                    step,
                    format!("POST {}", kind.path(namespace)),
                    None,
                    api.create(&PostParams::default(), object),
                )
                .await
            {
                Ok(_) => None,
                // Someone (KubeSphere, or an answer lost earlier) made it first: compare.
                Err(CallError::AlreadyExists) => get_opt(api, name).await?,
                Err(e) => return Err(e),
            },
        };
        if let Some(found) = existing
            && let Ok(mut d) = differs_ref.lock()
        {
            *d = differences(wanted, &to_json(&found));
        }
        Ok(Done)
    })
    .await?;
    let differs = differs.into_inner().unwrap_or_default();
    if !differs.is_empty() {
        ctx.report(
            step,
            format!(
                "{} {namespace}/{name} ({}) on {cluster} already exists with other {}; ksmc left it as it is",
                kind.kind,
                kind.api_version,
                differs.join(", ")
            ),
        )
        .await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_recreating_needs_is_kept() {
        let found = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "RoleBinding",
            "metadata": {"name": "alice-viewer", "namespace": "apps", "uid": "u", "resourceVersion": "7",
                "creationTimestamp": "2026-01-01T00:00:00Z", "generation": 3,
                "managedFields": [{"manager": "kubectl"}],
                "ownerReferences": [{"kind": "Workspace", "name": "ws", "uid": "w"}],
                "labels": {"iam.kubesphere.io/user-ref": "alice"},
                "annotations": {LAST_APPLIED: "{\"secret\":\"no\"}", "note": "kept"}},
            "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "Role", "name": "viewer"},
            "subjects": [{"kind": "User", "apiGroup": "iam.kubesphere.io", "name": "alice"}],
            "status": {"x": 1},
        });
        let kept = recreatable(&found);
        assert_eq!(
            kept,
            json!({
                "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "RoleBinding",
                "metadata": {"name": "alice-viewer", "namespace": "apps",
                    "labels": {"iam.kubesphere.io/user-ref": "alice"}, "annotations": {"note": "kept"}},
                "roleRef": {"apiGroup": "iam.kubesphere.io", "kind": "Role", "name": "viewer"},
                "subjects": [{"kind": "User", "apiGroup": "iam.kubesphere.io", "name": "alice"}],
            })
        );
        // Annotations that were only kubectl's copy leave no empty map behind.
        let mut bare = found.clone();
        bare["metadata"]["annotations"] = json!({LAST_APPLIED: "{}"});
        assert!(recreatable(&bare)["metadata"].get("annotations").is_none());
    }

    #[test]
    fn content_differences_ignore_metadata_and_empty_fields() {
        let a = json!({"kind": "Role", "metadata": {"name": "r", "labels": {"x": "1"}},
            "rules": [{"verbs": ["get"], "resources": ["pods"]}]});
        let mut b = a.clone();
        b["metadata"]["labels"] = json!({"y": "2"});
        b["subjects"] = json!([]);
        assert!(differences(&a, &b).is_empty());
        b["rules"] = json!([{"verbs": ["*"], "resources": ["pods"]}]);
        assert_eq!(differences(&a, &b), ["rules"]);
    }

    #[test]
    fn warnings_say_what_ksmc_restores_and_how_to_restore_the_rest() {
        let access = vec![
            ProjectAccess {
                cluster: "m".into(),
                namespace: "apps".into(),
                objects: vec![
                    json!({"kind": "Role"}),
                    json!({"kind": "RoleBinding"}),
                    json!({"kind": "RoleBinding"}),
                ],
            },
            ProjectAccess {
                cluster: "m".into(),
                namespace: "scratch".into(),
                objects: vec![json!({"kind": "RoleBinding"})],
            },
        ];
        let w = warnings("m", &access, &["apps"].into());
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w[0].starts_with("1 project role(s) and 2 member binding(s) on m (apps) are removed by KubeSphere 4.1 when projects leave their workspace; ksmc restores them when it rebinds"), "{}", w[0]);
        assert!(
            w[1].starts_with("0 project role(s) and 1 member binding(s) on m (scratch)"),
            "{}",
            w[1]
        );
        assert!(
            w[1].contains("kubectl --kubeconfig m.kubeconfig create -f -"),
            "{}",
            w[1]
        );
        assert!(warnings("other", &access, &BTreeSet::new()).is_empty());
    }
}
