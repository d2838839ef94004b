//! The object store of one simulated cluster: JSON objects keyed by resource, namespace and
//! name, one monotonic resourceVersion, and a stream of watch events.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::resources::ResourceKey;

/// Namespace (empty for cluster-scoped objects) and name.
pub type ObjectName = (String, String);

/// What happened to an object, as a watch reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change, broadcast to watchers.
#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventType,
    pub resource: ResourceKey,
    pub resource_version: u64,
    pub object: Value,
    /// The object before the change (for MODIFIED), so a selector watch can tell a transition.
    pub previous: Option<Value>,
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("already exists")]
    AlreadyExists,
    #[error("not found")]
    NotFound,
    #[error("the object has been modified")]
    Conflict,
}

/// What [`Store::apply`] should do.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Leave the object as it is.
    Keep,
    /// Create or replace the object.
    Put(Value),
    /// Delete the object for good.
    Remove,
}

/// What [`Store::apply`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// Nothing changed; the stored object (if any).
    Unchanged(Option<Value>),
    /// Stored, with its new resourceVersion.
    Written(Value),
    /// Removed; the object with the deletion's resourceVersion.
    Removed(Value),
}

impl Applied {
    /// The object as it is now (or was when removed).
    #[must_use]
    pub fn object(&self) -> Option<&Value> {
        match self {
            Self::Unchanged(v) => v.as_ref(),
            Self::Written(v) | Self::Removed(v) => Some(v),
        }
    }
}

/// How many past events a watch can resume from.
pub const HISTORY: usize = 50_000;

#[derive(Debug, Default)]
struct State {
    resource_version: u64,
    /// Shared, so that a LIST takes its page without copying objects.
    objects: HashMap<ResourceKey, BTreeMap<ObjectName, Arc<Stored>>>,
    history: VecDeque<Event>,
    /// The resourceVersion of the newest event no longer in `history`.
    forgotten: u64,
}

impl State {
    /// Copies of a resource's objects, in one namespace or all, by namespace and name.
    fn items(&self, resource: &ResourceKey, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .get(resource)
            .map(|m| {
                m.iter()
                    .filter(|((ns, _), _)| namespace.is_none_or(|want| ns == want))
                    .map(|(_, v)| Value::clone(v))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A stored object, shared by the store and the LISTs being written out (a write replaces it,
/// never changes it), with its JSON and what a LIST reads of it made once, when first needed.
#[derive(Debug)]
pub struct Stored {
    value: Value,
    json: OnceLock<Box<[u8]>>,
    summary: OnceLock<Summary>,
}

/// What a LIST reads of every object it walks (selectors, the version it is written as),
/// taken from the object once: a lookup here compares lengths before bytes, where a
/// `serde_json` map search compares the bytes of every key on its way.
#[derive(Debug, Default)]
pub struct Summary {
    api_version: Option<Box<str>>,
    kind: Option<Box<str>>,
    /// `metadata.labels` whose values are strings, in the object's (sorted) order.
    labels: Box<[(Box<str>, Box<str>)]>,
}

impl Summary {
    fn of(object: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(Box::from);
        let labels = object
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .map(|labels| {
                labels
                    .iter()
                    .filter_map(|(k, v)| Some((Box::from(k.as_str()), Box::from(v.as_str()?))))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            api_version: text(object.get("apiVersion")),
            kind: text(object.get("kind")),
            labels,
        }
    }

    /// The object's `apiVersion`, if it is a string.
    #[must_use]
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// The object's `kind`, if it is a string.
    #[must_use]
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The value of one label, if the object has it (as a string).
    #[must_use]
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k.len() == key.len() && **k == *key)
            .map(|(_, v)| &**v)
    }
}

impl Stored {
    fn new(value: Value) -> Self {
        Self {
            value,
            json: OnceLock::new(),
            summary: OnceLock::new(),
        }
    }

    /// What a LIST reads of the object, taken on the first call only.
    #[must_use]
    pub fn summary(&self) -> &Summary {
        self.summary.get_or_init(|| Summary::of(&self.value))
    }

    /// The object.
    #[must_use]
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The object as compact JSON, serialised on the first call only.
    #[must_use]
    pub fn json(&self) -> &[u8] {
        self.json
            .get_or_init(|| serde_json::to_vec(&self.value).unwrap_or_default().into())
    }
}

impl std::ops::Deref for Stored {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

/// Which page of a list [`Store::select_page`] takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page<'a> {
    /// One namespace's objects, or (with `None`) every object.
    pub namespace: Option<&'a str>,
    /// The (namespace, name) of the last object of the previous page.
    pub after: Option<&'a ObjectName>,
    /// At most this many objects.
    pub limit: Option<usize>,
    /// Count every matching object after the page (for `remainingItemCount`), instead of
    /// stopping at the first.
    pub count_rest: bool,
}

/// A watch asked to resume from a resourceVersion older than the retained history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub requested: u64,
    pub oldest: u64,
}

/// Thread-safe store. Every persisted change bumps the one resourceVersion and emits an event.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
    events: broadcast::Sender<Event>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    #[must_use]
    pub fn new() -> Self {
        let (events, _) = broadcast::channel(4096);
        Self {
            state: Mutex::new(State {
                resource_version: 100,
                ..State::default()
            }),
            events,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current resourceVersion of the whole store.
    #[must_use]
    pub fn resource_version(&self) -> u64 {
        self.lock().resource_version
    }

    /// Subscribes to future changes.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The objects of a resource (one namespace or all) and a subscription to the changes
    /// after them, taken atomically so no change falls in between.
    #[must_use]
    pub fn list_and_subscribe(
        &self,
        resource: &ResourceKey,
        namespace: Option<&str>,
    ) -> (Vec<Value>, u64, broadcast::Receiver<Event>) {
        let state = self.lock();
        let rx = self.events.subscribe();
        let items = state.items(resource, namespace);
        (items, state.resource_version, rx)
    }

    /// The retained events after `resource_version` and a subscription to later ones.
    ///
    /// # Errors
    /// [`Expired`] when events after that version are no longer retained.
    pub fn subscribe_since(
        &self,
        resource_version: u64,
    ) -> Result<(Vec<Event>, broadcast::Receiver<Event>), Expired> {
        let state = self.lock();
        if resource_version < state.forgotten {
            return Err(Expired {
                requested: resource_version,
                oldest: state.forgotten,
            });
        }
        let rx = self.events.subscribe();
        let past = state
            .history
            .iter()
            .filter(|e| e.resource_version > resource_version)
            .cloned()
            .collect();
        Ok((past, rx))
    }

    /// Forgets the event history, as an API server does when etcd is compacted: a watch that
    /// resumes from an older resourceVersion is answered 410 Expired and must list again.
    pub fn compact(&self) {
        let mut state = self.lock();
        state.history.clear();
        state.forgotten = state.resource_version;
    }

    /// One object.
    #[must_use]
    pub fn get(&self, resource: &ResourceKey, namespace: &str, name: &str) -> Option<Value> {
        self.lock()
            .objects
            .get(resource)
            .and_then(|m| m.get(&(namespace.to_owned(), name.to_owned())))
            .map(|v| Value::clone(v))
    }

    /// One object, shared rather than copied (see [`Stored`]).
    #[must_use]
    pub fn get_shared(
        &self,
        resource: &ResourceKey,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<Stored>> {
        self.lock()
            .objects
            .get(resource)
            .and_then(|m| m.get(&(namespace.to_owned(), name.to_owned())))
            .cloned()
    }

    /// All objects of a resource, in one namespace or (with `None`) in all, ordered by
    /// namespace and name, with the resourceVersion the list was taken at.
    #[must_use]
    pub fn list(&self, resource: &ResourceKey, namespace: Option<&str>) -> (Vec<Value>, u64) {
        let state = self.lock();
        let items = state.items(resource, namespace);
        (items, state.resource_version)
    }

    /// One page of a list: objects after `after` (namespace, name) that satisfy `keep`, at
    /// most `limit` of them, cloned only once chosen; with the list's resourceVersion and how
    /// many matching objects remain after the page.
    #[must_use]
    pub fn select(
        &self,
        resource: &ResourceKey,
        namespace: Option<&str>,
        after: Option<&ObjectName>,
        limit: Option<usize>,
        keep: impl Fn(&Stored) -> bool,
    ) -> (Vec<Value>, u64, usize) {
        let (page, rv, remaining) = self.select_shared(resource, namespace, after, limit, keep);
        let page = page.into_iter().map(|o| Value::clone(&o)).collect();
        (page, rv, remaining)
    }

    /// [`Store::select`] without copying: the page shares the stored objects, which a later
    /// write replaces rather than changes.
    #[must_use]
    pub fn select_shared(
        &self,
        resource: &ResourceKey,
        namespace: Option<&str>,
        after: Option<&ObjectName>,
        limit: Option<usize>,
        keep: impl Fn(&Stored) -> bool,
    ) -> (Vec<Arc<Stored>>, u64, usize) {
        let page = Page {
            namespace,
            after,
            limit,
            count_rest: true,
        };
        self.select_page(resource, &page, keep)
    }

    /// One page of a list, shared (see [`Store::select_shared`]). A namespaced walk covers
    /// that namespace's objects only. Without `count_rest` the walk stops at the first
    /// matching object past the page, and the count it returns is 1 (more follow) or 0.
    #[must_use]
    pub fn select_page(
        &self,
        resource: &ResourceKey,
        page: &Page<'_>,
        keep: impl Fn(&Stored) -> bool,
    ) -> (Vec<Arc<Stored>>, u64, usize) {
        use std::ops::Bound;
        let state = self.lock();
        let Some(map) = state.objects.get(resource) else {
            return (Vec::new(), state.resource_version, 0);
        };
        // Keys order by namespace first: a namespace's objects are one run of the map,
        // starting at (namespace, "") — no object has an empty name.
        let first = page.namespace.map(|ns| (ns.to_owned(), String::new()));
        let start = match (page.after, first) {
            (Some(after), Some(first)) if *after < first => Bound::Included(first),
            (Some(after), _) => Bound::Excluded(after.clone()),
            (None, Some(first)) => Bound::Included(first),
            (None, None) => Bound::Unbounded,
        };
        let mut chosen = Vec::new();
        let mut remaining = 0;
        for ((ns, _), object) in map.range((start, Bound::Unbounded)) {
            if page.namespace.is_some_and(|want| ns != want) {
                break;
            }
            if !keep(object) {
                continue;
            }
            if page.limit.is_none_or(|l| chosen.len() < l) {
                chosen.push(Arc::clone(object));
            } else {
                remaining += 1;
                if !page.count_rest {
                    break;
                }
            }
        }
        (chosen, state.resource_version, remaining)
    }

    /// Stores a new object, setting its resourceVersion.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] when an object of that name exists.
    pub fn create(&self, resource: &ResourceKey, object: Value) -> Result<Value, StoreError> {
        let key = object_name(&object);
        let mut state = self.lock();
        if state
            .objects
            .get(resource)
            .is_some_and(|m| m.contains_key(&key))
        {
            return Err(StoreError::AlreadyExists);
        }
        Ok(self.put(&mut state, resource, key, object, None))
    }

    /// Replaces an object. When `expected_rv` is given it must equal the stored one.
    /// A write that changes nothing keeps the old resourceVersion and emits no event.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] or [`StoreError::Conflict`].
    pub fn update(
        &self,
        resource: &ResourceKey,
        mut object: Value,
        expected_rv: Option<&str>,
    ) -> Result<Value, StoreError> {
        let key = object_name(&object);
        let mut state = self.lock();
        let current = state
            .objects
            .get(resource)
            .and_then(|m| m.get(&key))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let current_rv = current
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if expected_rv.is_some_and(|rv| rv != current_rv) {
            return Err(StoreError::Conflict);
        }
        set_resource_version_str(&mut object, &current_rv);
        if object == current.value {
            return Ok(Value::clone(&current));
        }
        Ok(self.put(&mut state, resource, key, object, Some(current)))
    }

    /// Atomically reads an object (or its absence) and writes what `change` decides. The
    /// decision sees the stored object; a write that changes nothing bumps nothing.
    ///
    /// # Errors
    /// Whatever `change` returns.
    pub fn apply<E>(
        &self,
        resource: &ResourceKey,
        namespace: &str,
        name: &str,
        change: impl FnOnce(Option<&Value>) -> Result<Change, E>,
    ) -> Result<Applied, E> {
        let key = (namespace.to_owned(), name.to_owned());
        let mut state = self.lock();
        let current = state
            .objects
            .get(resource)
            .and_then(|m| m.get(&key))
            .cloned();
        let unchanged =
            |current: Option<Arc<Stored>>| Applied::Unchanged(current.map(|c| Value::clone(&c)));
        match change(current.as_deref().map(Stored::value))? {
            Change::Keep => Ok(unchanged(current)),
            Change::Put(mut object) => {
                if let Some(old) = &current {
                    let old_rv = old
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    set_resource_version_str(&mut object, &old_rv);
                    if object == old.value {
                        return Ok(unchanged(current));
                    }
                }
                Ok(Applied::Written(
                    self.put(&mut state, resource, key, object, current),
                ))
            }
            Change::Remove => {
                let Some(object) = state.objects.get_mut(resource).and_then(|m| m.remove(&key))
                else {
                    return Ok(Applied::Unchanged(None));
                };
                Ok(Applied::Removed(self.record_removal(
                    &mut state,
                    resource,
                    unshare(object),
                )))
            }
        }
    }

    /// Every stored object with its resource, for controllers that index the whole store.
    #[must_use]
    pub fn snapshot(&self) -> Vec<(ResourceKey, Value)> {
        let state = self.lock();
        state
            .objects
            .iter()
            .flat_map(|(k, m)| m.values().map(move |v| (k.clone(), Value::clone(v))))
            .collect()
    }

    /// Removes an object for good.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub fn remove(
        &self,
        resource: &ResourceKey,
        namespace: &str,
        name: &str,
    ) -> Result<Value, StoreError> {
        let mut state = self.lock();
        let object = state
            .objects
            .get_mut(resource)
            .and_then(|m| m.remove(&(namespace.to_owned(), name.to_owned())))
            .ok_or(StoreError::NotFound)?;
        Ok(self.record_removal(&mut state, resource, unshare(object)))
    }

    /// Stores `object` under a new resourceVersion and tells watchers: ADDED, or MODIFIED
    /// with the `previous` content.
    fn put(
        &self,
        state: &mut State,
        resource: &ResourceKey,
        key: ObjectName,
        mut object: Value,
        previous: Option<Arc<Stored>>,
    ) -> Value {
        state.resource_version += 1;
        let rv = state.resource_version;
        set_resource_version(&mut object, rv);
        state
            .objects
            .entry(resource.clone())
            .or_default()
            .insert(key, Arc::new(Stored::new(object.clone())));
        // The previous content is no longer stored: take it without a copy when nobody else
        // (a LIST being written out) holds it.
        let previous = previous.map(unshare);
        let kind = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.emit(state, kind, resource, rv, object.clone(), previous);
        object
    }

    /// Records that `object` (already taken out) is gone, under a new resourceVersion.
    fn record_removal(
        &self,
        state: &mut State,
        resource: &ResourceKey,
        mut object: Value,
    ) -> Value {
        state.resource_version += 1;
        let rv = state.resource_version;
        set_resource_version(&mut object, rv);
        self.emit(
            state,
            EventType::Deleted,
            resource,
            rv,
            object.clone(),
            None,
        );
        object
    }

    fn emit(
        &self,
        state: &mut State,
        kind: EventType,
        resource: &ResourceKey,
        resource_version: u64,
        object: Value,
        previous: Option<Value>,
    ) {
        let event = Event {
            kind,
            resource: resource.clone(),
            resource_version,
            object,
            previous,
        };
        if state.history.len() == HISTORY
            && let Some(old) = state.history.pop_front()
        {
            state.forgotten = old.resource_version;
        }
        state.history.push_back(event.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.events.send(event);
    }
}

/// The object itself when this is the last reference, a copy otherwise.
fn unshare(object: Arc<Stored>) -> Value {
    Arc::try_unwrap(object).map_or_else(|shared| shared.value.clone(), |stored| stored.value)
}

fn object_name(object: &Value) -> ObjectName {
    let meta = object.get("metadata");
    let field = |f: &str| {
        meta.and_then(|m| m.get(f))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (field("namespace"), field("name"))
}

fn set_resource_version(object: &mut Value, rv: u64) {
    set_resource_version_str(object, &rv.to_string());
}

fn set_resource_version_str(object: &mut Value, rv: &str) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), json!(rv));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns_key() -> ResourceKey {
        ResourceKey {
            group: String::new(),
            plural: "namespaces".into(),
        }
    }

    #[test]
    fn writes_bump_one_resource_version_and_noops_do_not() {
        let store = Store::new();
        let mut rx = store.subscribe();
        let a = store
            .create(&ns_key(), json!({"metadata": {"name": "a"}}))
            .unwrap();
        let rv_a = a["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            store.create(&ns_key(), json!({"metadata": {"name": "a"}})),
            Err(StoreError::AlreadyExists)
        );
        // Same content: no bump, no event.
        let same = store.update(&ns_key(), a.clone(), Some(&rv_a)).unwrap();
        assert_eq!(same["metadata"]["resourceVersion"], rv_a.as_str());
        let mut changed = a.clone();
        changed["metadata"]["labels"] = json!({"x": "y"});
        let updated = store
            .update(&ns_key(), changed.clone(), Some(&rv_a))
            .unwrap();
        assert_ne!(updated["metadata"]["resourceVersion"], rv_a.as_str());
        // A stale resourceVersion is a conflict.
        assert_eq!(
            store.update(&ns_key(), changed, Some(&rv_a)),
            Err(StoreError::Conflict)
        );
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Added);
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Modified);
        assert!(rx.try_recv().is_err());
        store.remove(&ns_key(), "", "a").unwrap();
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Deleted);
        assert!(store.get(&ns_key(), "", "a").is_none());
    }
}
