//! One simulated cluster: its resource types, its objects, what `/version` says, and who may
//! talk to it.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::discovery::VersionInfo;
use crate::hazards::Hazards;
use crate::resources::{Registry, ResourceType};
use crate::store::{Store, StoreError};
use crate::writes::{Effect, WriteLog, WriteRecord};

/// A simulated Kubernetes cluster (with or without KubeSphere installed).
#[derive(Debug)]
pub struct SimCluster {
    pub name: String,
    pub registry: Registry,
    pub store: Store,
    pub version: VersionInfo,
    /// The bearer token that authenticates as cluster-admin over HTTPS.
    pub admin_token: String,
    /// The estate's network, once the cluster is part of a running estate.
    pub network: std::sync::OnceLock<std::sync::Arc<crate::network::Network>>,
    /// Every mutating request the API server applied (see [`crate::writes`]).
    pub writes: WriteLog,
    /// Every watch its API server streamed, and which are still open (see [`crate::watches`]).
    pub watches: crate::watches::WatchLog,
    /// Faults that act on the store: owners re-added, namespaces deleted by someone else.
    pub hazards: std::sync::Arc<Hazards>,
}

/// Errors seeding a cluster with fixture objects.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("no resource type serves apiVersion {api_version} kind {kind}")]
    UnknownKind { api_version: String, kind: String },
    #[error("object {0} already exists")]
    Exists(String),
}

impl SimCluster {
    #[must_use]
    pub fn new(name: &str, registry: Registry, version: VersionInfo) -> Self {
        Self {
            name: name.to_owned(),
            registry,
            store: Store::new(),
            version,
            admin_token: random_token(),
            network: std::sync::OnceLock::new(),
            writes: WriteLog::default(),
            watches: crate::watches::WatchLog::default(),
            hazards: std::sync::Arc::default(),
        }
    }

    /// The mutating requests applied so far, oldest first.
    #[must_use]
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.writes.records()
    }

    /// Forgets the mutating requests applied so far.
    pub fn clear_writes(&self) {
        self.writes.clear();
    }

    /// Logs an applied mutating request, then lets the hazards react to it.
    pub fn record_write(&self, method: &str, path: &str, status: u16, effect: Effect) {
        self.writes.push(WriteRecord::new(method, path, status));
        self.hazards.after_write(self, effect.change.as_ref());
    }

    /// Whether a bearer token authenticates here: the admin token, or the token of a
    /// ServiceAccount token Secret.
    #[must_use]
    pub fn accepts_token(&self, token: &str) -> bool {
        use base64::Engine as _;
        if token == self.admin_token {
            return true;
        }
        let secrets = crate::resources::ResourceKey {
            group: String::new(),
            plural: "secrets".into(),
        };
        self.store.list(&secrets, None).0.iter().any(|s| {
            s["type"] == "kubernetes.io/service-account-token"
                && s.pointer("/data/token")
                    .and_then(Value::as_str)
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .is_some_and(|t| t == token.as_bytes())
        })
    }

    /// The type of an object, by its `apiVersion` and `kind`.
    #[must_use]
    pub fn type_of(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.registry
            .types()
            .iter()
            .find(|t| t.group == group && t.kind == kind && t.versions.iter().any(|v| v == version))
    }

    /// Creates a fixture object as the API server would (uid, creationTimestamp, defaults),
    /// bypassing admission. Used to build scenarios.
    ///
    /// # Errors
    /// When the kind is not served or the object exists.
    pub fn seed(&self, mut object: Value) -> Result<Value, SeedError> {
        let api_version = object["apiVersion"].as_str().unwrap_or_default().to_owned();
        let kind = object["kind"].as_str().unwrap_or_default().to_owned();
        let ty = self
            .type_of(&api_version, &kind)
            .ok_or_else(|| SeedError::UnknownKind {
                api_version: api_version.clone(),
                kind: kind.clone(),
            })?
            .clone();
        apply_create_defaults(&ty, &mut object, Timestamp::now());
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.store.create(&ty.key(), object).map_err(|e| match e {
            StoreError::AlreadyExists => SeedError::Exists(name),
            _ => SeedError::Exists(String::new()),
        })
    }

    /// Creates a namespace fixture with labels.
    ///
    /// # Errors
    /// As [`SimCluster::seed`].
    pub fn seed_namespace(&self, name: &str, labels: Value) -> Result<Value, SeedError> {
        self.seed(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
        }))
    }
}

/// The defaults the API server fills in on create.
pub fn apply_create_defaults(ty: &ResourceType, object: &mut Value, now: Timestamp) {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    let meta = &mut object["metadata"];
    meta["uid"] = json!(uuid::Uuid::new_v4().to_string());
    meta["creationTimestamp"] = json!(rfc3339(now));
    if !ty.builtin {
        meta["generation"] = json!(1);
    }
    if meta.get("labels").is_some_and(Value::is_null) {
        meta.as_object_mut().map(|m| m.remove("labels"));
    }
    if ty.kind == "Namespace" {
        let name = meta["name"].clone();
        if !meta.get("labels").is_some_and(Value::is_object) {
            meta["labels"] = json!({});
        }
        meta["labels"]["kubernetes.io/metadata.name"] = name;
        if object.pointer("/spec/finalizers").is_none() {
            object["spec"] = json!({"finalizers": ["kubernetes"]});
        }
        object["status"] = json!({"phase": "Active"});
    }
    if object.get("apiVersion").is_none() {
        object["apiVersion"] = json!(ty.api_version(ty.preferred_version()));
    }
    if object.get("kind").is_none() {
        object["kind"] = json!(ty.kind);
    }
}

/// RFC 3339 in whole seconds with `Z`, as Kubernetes writes timestamps.
#[must_use]
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A random bearer token (hex of a v4 UUID pair).
#[must_use]
pub fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
