//! Faults that act on a cluster's objects rather than on its requests: hazards a procedure
//! meets on a real estate when something else writes to the cluster at the same time. Set per
//! cluster in the [`crate::FaultPlan`] (`reAddOwners`, `deleteNamespace`), with the
//! `ksmc-sim serve` flags, through the control endpoint or with [`crate::Estate`]'s methods.
//! Their writes go through the store's normal write path (new resourceVersion, watch events)
//! but are not requests, so they are not in the write log ([`crate::writes`]).
//!
//! **Owners re-added** (`reAddOwners`): "something re-adds the Workspace ownerReference after
//! ksmc removed it" — KubeFed re-applying a namespace template, a second ks-controller-manager.
//! When a client write (a request the API server applied) removes from a namespace an
//! ownerReference of kind `Workspace` or `WorkspaceTemplate` (apiVersion
//! `tenant.kubesphere.io/*`), or removes the `kubesphere.io/workspace` label of a namespace that
//! has such a reference (KubeSphere's namespace controller then drops the reference itself),
//! the binding is put back `delayMs` (default 200) after the last such write: the same
//! references and, unless `restoreLabel` is false, the label as it was. Without the label
//! KubeSphere's namespace controller would remove the reference again at once, as it does on a
//! real cluster. `namespaces` limits it to those names (`prefix*` matches a prefix); `count`
//! limits how many times it puts a binding back.
//!
//! ```json
//! {"reAddOwners": {"delayMs": 200, "namespaces": ["demo", "team-*"], "count": 1}}
//! ```
//!
//! **Namespace deleted by someone else** (`deleteNamespace`): once the cluster has applied
//! `afterWrites` mutating requests (counted from when the fault was set; 0 means at once), the
//! namespace is deleted as `kubectl delete namespace` would: Terminating, contents deleted,
//! finalizers cleared, then gone. It fires once; [`crate::Estate::delete_namespace_externally`]
//! does the same at any moment.
//!
//! ```json
//! {"deleteNamespace": {"namespace": "demo", "afterWrites": 3}}
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::cluster::SimCluster;
use crate::ops::{self, DeleteOptions, Part};

mod estate;

const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";

/// Puts back the Workspace ownerReferences a client removed from a namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnerReAdd {
    /// How long after the client's write the binding comes back, in milliseconds.
    #[serde(default = "default_delay_ms")]
    pub delay_ms: u64,
    /// Only these namespaces (any when empty); `prefix*` matches names starting with `prefix`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// The most times a binding is put back (unlimited when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Also put back the `kubesphere.io/workspace` label when the client removed it.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub restore_label: bool,
}

fn default_delay_ms() -> u64 {
    200
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_true(b: &bool) -> bool {
    *b
}

impl Default for OwnerReAdd {
    fn default() -> Self {
        Self {
            delay_ms: default_delay_ms(),
            namespaces: Vec::new(),
            count: None,
            restore_label: true,
        }
    }
}

impl OwnerReAdd {
    /// Whether the fault applies to a namespace of that name.
    #[must_use]
    pub fn applies_to(&self, namespace: &str) -> bool {
        self.namespaces.is_empty()
            || self.namespaces.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => namespace.starts_with(prefix),
                None => p == namespace,
            })
    }
}

/// Deletes a namespace once the cluster has applied some mutating requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespaceDeletion {
    pub namespace: String,
    /// Applied mutating requests to wait for, counted from when the fault was set.
    #[serde(default)]
    pub after_writes: u64,
}

impl NamespaceDeletion {
    #[must_use]
    pub fn new(namespace: &str, after_writes: u64) -> Self {
        Self {
            namespace: namespace.to_owned(),
            after_writes,
        }
    }
}

/// What the hazards of one cluster did since they were set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HazardStats {
    /// Bindings put back by `reAddOwners`.
    pub owners_re_added: u64,
    /// Namespaces waiting for their binding to come back.
    pub re_adds_pending: usize,
    /// Applied mutating requests since `deleteNamespace` was set.
    pub writes_since_deletion_set: u64,
    /// `deleteNamespace` has fired.
    pub namespace_deleted: bool,
}

/// A binding to put back.
#[derive(Debug)]
struct Pending {
    due: Instant,
    refs: Vec<Value>,
    label: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    re_add: Option<OwnerReAdd>,
    re_added: u64,
    pending: BTreeMap<String, Pending>,
    deletion: Option<NamespaceDeletion>,
    writes_seen: u64,
    deleted: bool,
}

impl State {
    /// The namespace `deleteNamespace` should delete now (marking it done).
    fn due_deletion(&mut self) -> Option<String> {
        let deletion = self.deletion.as_ref()?;
        if self.deleted || self.writes_seen < deletion.after_writes {
            return None;
        }
        self.deleted = true;
        Some(deletion.namespace.clone())
    }

    fn re_adds_left(&self) -> bool {
        self.re_add
            .as_ref()
            .is_some_and(|r| r.count.is_none_or(|c| self.re_added < c))
    }
}

/// The hazards of one cluster, run by [`run`].
#[derive(Debug, Default)]
pub struct Hazards {
    state: Mutex<State>,
    wake: Notify,
}

impl Hazards {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The owner re-adding in force.
    #[must_use]
    pub fn owner_re_add(&self) -> Option<OwnerReAdd> {
        self.lock().re_add.clone()
    }

    /// Starts (or with `None` stops) re-adding owners; forgets pending re-adds and counts.
    pub fn set_owner_re_add(&self, re_add: Option<OwnerReAdd>) {
        let mut state = self.lock();
        state.re_add = re_add;
        state.re_added = 0;
        state.pending.clear();
        drop(state);
        self.wake.notify_one();
    }

    /// The namespace deletion in force.
    #[must_use]
    pub fn namespace_deletion(&self) -> Option<NamespaceDeletion> {
        self.lock().deletion.clone()
    }

    /// Arms (or with `None` disarms) a namespace deletion, counting writes from now.
    pub fn set_namespace_deletion(&self, deletion: Option<NamespaceDeletion>) {
        let mut state = self.lock();
        state.deletion = deletion;
        state.writes_seen = 0;
        state.deleted = false;
        drop(state);
        self.wake.notify_one();
    }

    /// Counters since each hazard was set.
    #[must_use]
    pub fn stats(&self) -> HazardStats {
        let state = self.lock();
        HazardStats {
            owners_re_added: state.re_added,
            re_adds_pending: state.pending.len(),
            writes_since_deletion_set: state.writes_seen,
            namespace_deleted: state.deleted,
        }
    }

    /// Reacts to an applied client write: `change` is an updated object before and after.
    pub fn after_write(&self, cluster: &SimCluster, change: Option<&(Value, Value)>) {
        let mut state = self.lock();
        if state.deletion.is_some() && !state.deleted {
            state.writes_seen += 1;
        }
        let delete = state.due_deletion();
        if let Some((before, after)) = change {
            self.schedule(&mut state, before, after);
        }
        drop(state);
        if let Some(namespace) = delete {
            delete_namespace(cluster, &namespace);
        }
    }

    /// Remembers the binding a client write removed from a namespace.
    fn schedule(&self, state: &mut State, before: &Value, after: &Value) {
        if before["kind"] != "Namespace" || after.pointer("/metadata/deletionTimestamp").is_some() {
            return;
        }
        let name = after["metadata"]["name"].as_str().unwrap_or_default();
        let Some(re_add) = state.re_add.as_ref().filter(|r| r.applies_to(name)) else {
            return;
        };
        let had = workspace_refs(before);
        let kept = workspace_refs(after);
        let mut refs: Vec<Value> = had
            .iter()
            .filter(|r| !kept.iter().any(|k| k["uid"] == r["uid"]))
            .cloned()
            .collect();
        let old_label = label(before);
        let label_removed = old_label.is_some() && label(after).is_none();
        if refs.is_empty() && label_removed {
            // KubeSphere's namespace controller drops the references of an unlabelled namespace.
            refs = had;
        }
        if refs.is_empty() || !state.re_adds_left() {
            return;
        }
        let due = Instant::now() + Duration::from_millis(re_add.delay_ms);
        let label = (re_add.restore_label && label_removed)
            .then(|| old_label.map(str::to_owned))
            .flatten();
        let pending = state.pending.entry(name.to_owned()).or_insert(Pending {
            due,
            refs: Vec::new(),
            label: None,
        });
        pending.due = due;
        for r in refs {
            if !pending.refs.iter().any(|p| p["uid"] == r["uid"]) {
                pending.refs.push(r);
            }
        }
        pending.label = label.or(pending.label.take());
        tracing::debug!(namespace = %name, "an ownerReference will be re-added");
        self.wake.notify_one();
    }

    /// The re-adds due by `now`, and when the next one is.
    fn take_due(&self, now: Instant) -> (Vec<(String, Pending)>, Option<Instant>) {
        let mut state = self.lock();
        let due: Vec<String> = state
            .pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(n, _)| n.clone())
            .collect();
        let taken = due
            .into_iter()
            .filter_map(|n| state.pending.remove_entry(&n))
            .collect();
        let next = state.pending.values().map(|p| p.due).min();
        (taken, next)
    }
}

fn label(ns: &Value) -> Option<&str> {
    ns.pointer("/metadata/labels")
        .and_then(|l| l.get(WORKSPACE_LABEL))
        .and_then(Value::as_str)
}

/// The ownerReferences of kind Workspace or WorkspaceTemplate (`tenant.kubesphere.io/*`).
fn workspace_refs(o: &Value) -> Vec<Value> {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter(|r| {
                    r["apiVersion"]
                        .as_str()
                        .is_some_and(|a| a.starts_with("tenant.kubesphere.io/"))
                        && matches!(r["kind"].as_str(), Some("Workspace" | "WorkspaceTemplate"))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Deletes a namespace as a client would (Background propagation). `true` when its deletion
/// started now; `false` when it does not exist or is already terminating.
pub fn delete_namespace(cluster: &SimCluster, name: &str) -> bool {
    let Some(ty) = cluster.registry.by_key(&ops::namespaces_key()) else {
        return false;
    };
    let deleted = ops::delete(cluster, ty, "", name, &DeleteOptions::default());
    tracing::debug!(cluster = %cluster.name, namespace = %name, ok = deleted.is_ok(), "namespace deleted by someone else");
    deleted.is_ok_and(|d| d.changed)
}

/// Puts a binding back through the normal write path. `true` when something changed.
fn restore(cluster: &SimCluster, name: &str, pending: &Pending) -> bool {
    let Some(ty) = cluster.registry.by_key(&ops::namespaces_key()) else {
        return false;
    };
    let updated = ops::update_tracked(cluster, ty, "", name, Part::Main, None, false, |cur| {
        let mut next = cur.clone();
        if cur.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(next);
        }
        let meta = &mut next["metadata"];
        if !meta.get("ownerReferences").is_some_and(Value::is_array) {
            meta["ownerReferences"] = json!([]);
        }
        if let Some(list) = meta["ownerReferences"].as_array_mut() {
            for r in &pending.refs {
                if !list.iter().any(|x| x["uid"] == r["uid"]) {
                    list.push(r.clone());
                }
            }
        }
        if let Some(value) = &pending.label
            && label(cur).is_none()
        {
            if !meta.get("labels").is_some_and(Value::is_object) {
                meta["labels"] = json!({});
            }
            meta["labels"][WORKSPACE_LABEL] = json!(value);
        }
        Ok(next)
    });
    match updated {
        Ok(u) => u.previous.is_some(),
        Err(e) => {
            tracing::debug!(cluster = %cluster.name, namespace = %name, error = %e.message, "could not re-add an ownerReference");
            false
        }
    }
}

/// Runs the hazards of one cluster until `stop` turns true.
pub async fn run(cluster: Arc<SimCluster>, mut stop: watch::Receiver<bool>) {
    let hazards = cluster.hazards.clone();
    loop {
        let delete = hazards.lock().due_deletion();
        if let Some(namespace) = delete {
            delete_namespace(&cluster, &namespace);
        }
        let (due, next) = hazards.take_due(Instant::now());
        for (name, pending) in due {
            if !hazards.lock().re_adds_left() {
                break;
            }
            if restore(&cluster, &name, &pending) {
                hazards.lock().re_added += 1;
            }
        }
        let next = next.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = stop.changed() => return,
            () = hazards.wake.notified() => {}
            () = tokio::time::sleep_until(next) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        faults: crate::faults::FaultFlags,
    }

    #[test]
    fn json_defaults_names_and_flags() {
        let r: OwnerReAdd = serde_json::from_str("{}").unwrap();
        assert_eq!(r, OwnerReAdd::default());
        assert_eq!((r.delay_ms, r.restore_label), (200, true));
        assert!(serde_json::from_str::<OwnerReAdd>(r#"{"delay": 5}"#).is_err());
        let some = OwnerReAdd {
            namespaces: vec!["demo".into(), "team-*".into()],
            ..OwnerReAdd::default()
        };
        assert!(some.applies_to("demo") && some.applies_to("team-a"));
        assert!(!some.applies_to("demo-2") && !some.applies_to("tea"));
        assert!(r.applies_to("anything"));

        let cli = Cli::parse_from([
            "x",
            "--re-add-owners",
            "--re-add-owners-namespaces",
            "a,b*",
            "--re-add-owners-count",
            "2",
            "--delete-namespace",
            "demo",
            "--delete-namespace-after-writes",
            "4",
        ]);
        let plan = cli.faults.apply(crate::EstateOptions::default()).faults;
        assert_eq!(
            plan.re_add_owners,
            Some(OwnerReAdd {
                namespaces: vec!["a".into(), "b*".into()],
                count: Some(2),
                ..OwnerReAdd::default()
            })
        );
        assert_eq!(
            plan.delete_namespace,
            Some(NamespaceDeletion::new("demo", 4))
        );
        let none = Cli::parse_from(["x"])
            .faults
            .apply(crate::EstateOptions::default());
        assert!(none.faults.is_empty());
        assert!(Cli::try_parse_from(["x", "--re-add-owners-count", "1"]).is_err());
    }
}
