//! The Kubernetes controllers the simulator runs per cluster: the namespace lifecycle
//! controller (Terminating → contents deleted → finalized → gone) and the garbage collector
//! (ownerReferences with Background, Foreground and Orphan propagation, including dependents
//! whose owner no longer exists — which is how real clusters lose projects).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use crate::cluster::SimCluster;
use crate::ops::{self, DeleteOptions, Part};
use crate::resources::{ResourceKey, ResourceType};
use crate::store::{Event, EventType};

type ObjectRef = (ResourceKey, String, String);

fn object_ref(resource: &ResourceKey, o: &Value) -> ObjectRef {
    let field = |f: &str| {
        o.pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (resource.clone(), field("namespace"), field("name"))
}

fn owner_uids(o: &Value) -> Vec<String> {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn has_finalizer(o: &Value, name: &str) -> bool {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == name))
}

fn deleting(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp").is_some()
}

/// Runs the controllers of one cluster until `stop` turns true.
pub async fn run(cluster: Arc<SimCluster>, mut stop: watch::Receiver<bool>) {
    let mut rx = cluster.store.subscribe();
    let mut gc = Controllers::new(cluster);
    gc.resync();
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            received = rx.recv() => match received {
                Ok(event) => gc.handle(&event),
                Err(broadcast::error::RecvError::Lagged(_)) => gc.resync(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

struct Controllers {
    cluster: Arc<SimCluster>,
    /// owner uid → dependents.
    dependents: HashMap<String, HashSet<ObjectRef>>,
    /// dependent → the owner uids it is indexed under.
    owners: HashMap<ObjectRef, Vec<String>>,
}

impl Controllers {
    fn new(cluster: Arc<SimCluster>) -> Self {
        Self {
            cluster,
            dependents: HashMap::new(),
            owners: HashMap::new(),
        }
    }

    fn ty(&self, key: &ResourceKey) -> Option<ResourceType> {
        self.cluster.registry.by_key(key).cloned()
    }

    /// Rebuilds the owner index from the store and reconciles everything pending.
    fn resync(&mut self) {
        self.dependents.clear();
        self.owners.clear();
        let all = self.cluster.store.snapshot();
        for (key, o) in &all {
            self.index(key, o);
        }
        for (key, o) in &all {
            self.reconcile(key, o);
        }
    }

    fn index(&mut self, key: &ResourceKey, o: &Value) {
        let r = object_ref(key, o);
        self.unindex(&r);
        let uids = owner_uids(o);
        for uid in &uids {
            self.dependents
                .entry(uid.clone())
                .or_default()
                .insert(r.clone());
        }
        if !uids.is_empty() {
            self.owners.insert(r, uids);
        }
    }

    fn unindex(&mut self, r: &ObjectRef) {
        if let Some(uids) = self.owners.remove(r) {
            for uid in uids {
                if let Some(set) = self.dependents.get_mut(&uid) {
                    set.remove(r);
                    if set.is_empty() {
                        self.dependents.remove(&uid);
                    }
                }
            }
        }
    }

    fn handle(&mut self, event: &Event) {
        match event.kind {
            EventType::Added | EventType::Modified => {
                self.index(&event.resource, &event.object);
                self.reconcile(&event.resource, &event.object);
            }
            EventType::Deleted => {
                let r = object_ref(&event.resource, &event.object);
                let owners = self.owners.get(&r).cloned().unwrap_or_default();
                self.unindex(&r);
                if let Some(uid) = event
                    .object
                    .pointer("/metadata/uid")
                    .and_then(Value::as_str)
                {
                    self.collect_dependents_of(uid);
                }
                // An owner waiting in foreground for this dependent may now go.
                for uid in owners {
                    self.recheck_owner(&uid);
                }
                if !r.1.is_empty() {
                    self.reconcile_namespace(&r.1);
                }
            }
        }
    }

    /// Work an added or modified object may need.
    fn reconcile(&mut self, key: &ResourceKey, o: &Value) {
        if key.group.is_empty() && key.plural == "secrets" {
            crate::tokens::reconcile_secret(&self.cluster, o);
        } else if key.group.is_empty() && key.plural == "serviceaccounts" {
            crate::tokens::reconcile_service_account(&self.cluster, o);
        }
        if deleting(o) {
            if key.plural == "namespaces" && key.group.is_empty() {
                let name = o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                self.reconcile_namespace(&name);
            }
            if has_finalizer(o, "orphan") {
                self.orphan(o);
            }
            if has_finalizer(o, "foregroundDeletion") {
                self.foreground(o);
            }
        } else if !owner_uids(o).is_empty() {
            self.collect_if_orphaned(key, o);
        }
    }

    /// Whether the owner a reference names exists with that uid.
    fn owner_exists(&self, dependent_ns: &str, reference: &Value) -> bool {
        let api_version = reference["apiVersion"].as_str().unwrap_or_default();
        let kind = reference["kind"].as_str().unwrap_or_default();
        let name = reference["name"].as_str().unwrap_or_default();
        let uid = reference["uid"].as_str().unwrap_or_default();
        let Some(ty) = self.cluster.type_of(api_version, kind) else {
            // A kind this cluster does not serve cannot be verified: keep the dependent.
            return true;
        };
        if ty.namespaced && dependent_ns.is_empty() {
            return false;
        }
        let ns = if ty.namespaced { dependent_ns } else { "" };
        self.cluster
            .store
            .get(&ty.key(), ns, name)
            .is_some_and(|owner| {
                owner.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid)
            })
    }

    /// Background collection: a dependent whose owners are all gone is deleted; one with a
    /// surviving owner loses only the dangling references.
    fn collect_if_orphaned(&mut self, key: &ResourceKey, o: &Value) {
        let Some(refs) = o
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
        else {
            return;
        };
        let ns = o
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (alive, dead): (Vec<&Value>, Vec<&Value>) =
            refs.iter().partition(|r| self.owner_exists(ns, r));
        if dead.is_empty() {
            return;
        }
        let Some(ty) = self.ty(key) else { return };
        let name = o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if alive.is_empty() {
            tracing::debug!(cluster = %self.cluster.name, %name, kind = %ty.kind, "garbage-collecting an object whose owners are gone");
            let _ = ops::delete(&self.cluster, &ty, ns, &name, &DeleteOptions::default());
        } else {
            let dead_uids: Vec<Value> = dead.iter().map(|r| r["uid"].clone()).collect();
            self.drop_owner_references(&ty, ns, &name, &dead_uids);
        }
    }

    /// Removes the references to the given owner uids from one object (an emptied list is
    /// dropped by the write itself).
    fn drop_owner_references(&self, ty: &ResourceType, ns: &str, name: &str, uids: &[Value]) {
        let _ = ops::update_with(
            &self.cluster,
            ty,
            ns,
            name,
            Part::Main,
            None,
            false,
            |cur| {
                let mut next = cur.clone();
                if let Some(list) = next
                    .pointer_mut("/metadata/ownerReferences")
                    .and_then(Value::as_array_mut)
                {
                    list.retain(|r| !uids.contains(&r["uid"]));
                }
                Ok(next)
            },
        );
    }

    fn dependents_of(&self, uid: &str) -> Vec<ObjectRef> {
        self.dependents
            .get(uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn collect_dependents_of(&mut self, uid: &str) {
        for (key, ns, name) in self.dependents_of(uid) {
            if let Some(o) = self.cluster.store.get(&key, &ns, &name)
                && !deleting(&o)
            {
                self.collect_if_orphaned(&key, &o);
            }
        }
    }

    fn recheck_owner(&mut self, uid: &str) {
        // Owners are few; find the one with this uid among objects holding the finalizer.
        for (key, o) in self.cluster.store.snapshot() {
            if o.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid) && deleting(&o) {
                self.reconcile(&key, &o);
                return;
            }
        }
    }

    fn remove_finalizer(&self, o: &Value, finalizer: &str) {
        let Some(ty) = self.cluster.type_of(
            o["apiVersion"].as_str().unwrap_or_default(),
            o["kind"].as_str().unwrap_or_default(),
        ) else {
            return;
        };
        let ty = ty.clone();
        let ns = o
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = o["metadata"]["name"].as_str().unwrap_or_default();
        let _ = ops::update_with(
            &self.cluster,
            &ty,
            ns,
            name,
            Part::Main,
            None,
            false,
            |cur| {
                let mut next = cur.clone();
                if let Some(list) = next
                    .pointer_mut("/metadata/finalizers")
                    .and_then(Value::as_array_mut)
                {
                    list.retain(|f| f != finalizer);
                }
                Ok(next)
            },
        );
    }

    /// Orphan: strip the owner's reference from every dependent, then let the owner go.
    fn orphan(&mut self, owner: &Value) {
        let uid = owner
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for (key, ns, name) in self.dependents_of(&uid) {
            let Some(ty) = self.ty(&key) else { continue };
            self.drop_owner_references(&ty, &ns, &name, &[json!(uid)]);
        }
        self.remove_finalizer(owner, "orphan");
    }

    /// Foreground: delete the dependents first; the owner goes when no dependent that blocks
    /// its deletion is left.
    fn foreground(&mut self, owner: &Value) {
        let uid = owner
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut blocking = 0;
        for (key, ns, name) in self.dependents_of(&uid) {
            let Some(o) = self.cluster.store.get(&key, &ns, &name) else {
                continue;
            };
            let blocks = o
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r["uid"] == json!(uid) && r["blockOwnerDeletion"] == json!(true))
                });
            if blocks {
                blocking += 1;
            }
            if !deleting(&o)
                && let Some(ty) = self.ty(&key)
            {
                let options = DeleteOptions {
                    propagation: ops::Propagation::Foreground,
                    ..DeleteOptions::default()
                };
                let _ = ops::delete(&self.cluster, &ty, &ns, &name, &options);
            }
        }
        if blocking == 0 {
            self.remove_finalizer(owner, "foregroundDeletion");
        }
    }

    /// The namespace controller: delete everything in a terminating namespace, then clear
    /// `spec.finalizers`; the namespace goes once its metadata finalizers are gone too.
    fn reconcile_namespace(&mut self, namespace: &str) {
        let ns_key = ops::namespaces_key();
        let Some(ns) = self.cluster.store.get(&ns_key, "", namespace) else {
            return;
        };
        if !deleting(&ns) {
            return;
        }
        let mut remaining = 0;
        let types: Vec<ResourceType> = self
            .cluster
            .registry
            .types()
            .iter()
            .filter(|t| t.namespaced)
            .cloned()
            .collect();
        for ty in &types {
            let (items, _) = self.cluster.store.list(&ty.key(), Some(namespace));
            for o in items {
                let gone = !deleting(&o)
                    && ops::delete(
                        &self.cluster,
                        ty,
                        namespace,
                        o["metadata"]["name"].as_str().unwrap_or_default(),
                        &DeleteOptions::default(),
                    )
                    .is_ok_and(|d| d.gone);
                if !gone {
                    remaining += 1;
                }
            }
        }
        let has_spec_finalizers = ns
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if remaining == 0
            && has_spec_finalizers
            && let Some(ty) = self.ty(&ns_key)
        {
            let _ = ops::update_with(
                &self.cluster,
                &ty,
                "",
                namespace,
                Part::Finalize,
                None,
                false,
                |cur| {
                    let mut next = cur.clone();
                    next["spec"]["finalizers"] = json!([]);
                    Ok(next)
                },
            );
        }
    }
}
