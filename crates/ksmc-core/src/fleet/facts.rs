//! Fleet facts: what each cluster of an estate is, read-only and concurrently, each fact with
//! where it was read (`shared/docs/kubesphere-multicluster.md` §1–6).
//!
//! The jwtSecret is read from the effective `kubesphere-config` only to compute its
//! fingerprint; the secret itself is dropped at once and never stored, logged or serialised.

use std::time::Instant;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::{GroupVersionKind, ObjectMeta};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::error::{AppError, ClusterError, ErrorKind};
use crate::facts::{CALL_DEADLINE, ClusterRole};
use crate::kubeconfig::ClusterSource;

/// How many clusters are read at the same time.
pub const PARALLELISM: usize = 8;
/// Page size of every list.
const PAGE: u32 = 500;

pub const SRC_CC: &str = "ClusterConfiguration kubesphere-system/ks-installer";
pub const SRC_CONFIG: &str = "ConfigMap kubesphere-system/kubesphere-config";
pub const SRC_VERSION: &str = "GET /version";
pub const SRC_KUBE_SYSTEM: &str = "Namespace kube-system";
pub const SRC_CLUSTERS: &str = "clusters.cluster.kubesphere.io";
pub const SRC_WORKSPACES: &str = "workspaces.tenant.kubesphere.io";
pub const SRC_TEMPLATES: &str = "workspacetemplates.tenant.kubesphere.io";
pub const SRC_PROJECTS: &str = "namespaces with label kubesphere.io/workspace";
pub const SRC_USERS: &str = "users.iam.kubesphere.io";

/// Label KubeFed puts on what it propagated.
pub const KUBEFED_MANAGED: &str = "kubefed.io/managed";
/// The label that makes a namespace a project.
pub const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
/// The label of the host's own Cluster object.
pub const HOST_CLUSTER_LABEL: &str = "cluster-role.kubesphere.io/host";

/// A value and where it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Fact<T> {
    pub value: T,
    pub source: String,
}

impl<T> Fact<T> {
    pub fn new(value: T, source: &str) -> Self {
        Self {
            value,
            source: source.to_owned(),
        }
    }
}

/// Multi-cluster settings of the effective `kubesphere.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EffectiveConfig {
    /// `multicluster.clusterRole`.
    pub cluster_role: ClusterRole,
    /// `multicluster.enable` (what the binaries actually test; true on a host).
    pub multicluster_enabled: bool,
    /// First 12 hex digits of SHA-256 of `authentication.jwtSecret`; `None` when empty.
    pub jwt_fingerprint: Option<String>,
    /// `authentication.oauthOptions.accessTokenMaxAge` as written (`0`, `2h`…); `None` when
    /// absent (KubeSphere's default is 2h).
    pub access_token_max_age: Option<String>,
    /// `multicluster.clusterName`: the name a host recorded when it last synced this cluster.
    pub recorded_name: Option<String>,
    /// `multicluster.hostClusterName` (host only).
    pub host_cluster_name: Option<String>,
    pub source: String,
}

/// One pluggable component (§6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The ClusterConfiguration key (`devops`, `monitoring`, `openpitrix` = App Store…).
    pub name: String,
    /// Switched on in the ClusterConfiguration spec.
    pub configured: bool,
    /// `status.<name>.status == enabled`: the installer finished it once.
    pub installed: bool,
}

/// KubeSphere on one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KubeSphereFacts {
    /// `status.core.version`, else the `version` label.
    pub version: Option<Fact<String>>,
    /// `spec.multicluster.clusterRole` of the ClusterConfiguration; `None` without one.
    pub configured_role: Option<Fact<ClusterRole>>,
    /// Fingerprint of `spec.authentication.jwtSecret` in the ClusterConfiguration (`None` when
    /// empty, i.e. "keep the existing secret").
    pub configured_jwt_fingerprint: Option<String>,
    /// The configuration in effect; `None` when the ConfigMap is absent or unreadable.
    pub effective: Option<EffectiveConfig>,
    pub components: Vec<Component>,
}

/// A condition of a Cluster object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_update_time: Option<String>,
}

/// A `Cluster` object on a host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ManagedCluster {
    pub name: String,
    /// Carries `cluster-role.kubesphere.io/host`: the host's own entry.
    pub is_host: bool,
    /// `spec.connection.type` (`direct`, `proxy`).
    pub connection_type: Option<String>,
    pub join_federation: bool,
    pub conditions: Vec<Condition>,
    pub kubernetes_version: Option<String>,
    pub kubesphere_version: Option<String>,
    /// `status.uid`: the member's kube-system UID.
    pub uid: Option<String>,
    /// `metadata.deletionTimestamp`, when deletion is pending.
    pub deleting_since: Option<String>,
    pub finalizers: Vec<String>,
}

impl ManagedCluster {
    /// The `Ready` condition, if written.
    #[must_use]
    pub fn condition(&self, kind: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }
}

/// A `Workspace`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub name: String,
    pub uid: String,
    /// `kubefed.io/managed=true`: propagated from a host.
    pub kubefed_managed: bool,
}

/// A `WorkspaceTemplate` and its placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceTemplate {
    pub name: String,
    /// `placement.clusterSelector` present: every cluster.
    pub placed_everywhere: bool,
    /// `placement.clusters[].name`.
    pub clusters: Vec<String>,
}

impl WorkspaceTemplate {
    #[must_use]
    pub fn places(&self, cluster: &str) -> bool {
        self.placed_everywhere || self.clusters.iter().any(|c| c == cluster)
    }
}

/// An ownerReference of a namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OwnerRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: bool,
}

impl OwnerRef {
    /// A `Workspace`/`WorkspaceTemplate` of `tenant.kubesphere.io`.
    #[must_use]
    pub fn is_workspace(&self) -> bool {
        self.api_version.starts_with("tenant.kubesphere.io/")
            && matches!(self.kind.as_str(), "Workspace" | "WorkspaceTemplate")
    }
}

/// A project: a namespace labelled `kubesphere.io/workspace`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub name: String,
    pub workspace: String,
    pub owner_references: Vec<OwnerRef>,
    pub kubefed_managed: bool,
}

/// A `User`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub email: Option<String>,
    /// `kubefed.io/managed=true`: a copy synced from a host.
    pub kubefed_managed: bool,
}

/// A list read from a cluster: `None` when the resource type is not installed there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Listed<T> {
    pub items: Option<Vec<T>>,
    pub source: String,
}

impl<T> Listed<T> {
    fn absent(source: &str) -> Self {
        Self {
            items: None,
            source: source.to_owned(),
        }
    }

    /// The items, empty when the type is not installed.
    #[must_use]
    pub fn all(&self) -> &[T] {
        self.items.as_deref().unwrap_or_default()
    }
}

/// A fact that could not be read while the cluster itself answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FactError {
    pub source: String,
    pub error: AppError,
}

/// Everything ksmc knows about one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterFacts {
    /// ksmc's name (the kubeconfig file stem).
    pub name: String,
    pub server: String,
    pub reachable: bool,
    /// Round trip of `/version`, in milliseconds.
    pub latency_ms: Option<u32>,
    pub kubernetes_version: Option<Fact<String>>,
    /// UID of `kube-system`: the cluster's identity, as KubeSphere records it.
    pub kube_system_uid: Option<Fact<String>>,
    /// `None`: KubeSphere not installed (no `kubesphere-system`, no ClusterConfiguration and
    /// no `kubesphere-config`).
    pub kubesphere: Option<KubeSphereFacts>,
    /// `Cluster` objects (present on a host).
    pub clusters: Listed<ManagedCluster>,
    pub workspaces: Listed<Workspace>,
    pub workspace_templates: Listed<WorkspaceTemplate>,
    pub projects: Listed<Project>,
    pub users: Listed<User>,
    /// Facts that could not be read (e.g. forbidden) while the cluster answered.
    pub fact_errors: Vec<FactError>,
    /// Why the cluster could not be read at all.
    pub error: Option<AppError>,
}

impl ClusterFacts {
    fn empty(name: &str, server: &str) -> Self {
        Self {
            name: name.to_owned(),
            server: server.to_owned(),
            reachable: false,
            latency_ms: None,
            kubernetes_version: None,
            kube_system_uid: None,
            kubesphere: None,
            clusters: Listed::absent(SRC_CLUSTERS),
            workspaces: Listed::absent(SRC_WORKSPACES),
            workspace_templates: Listed::absent(SRC_TEMPLATES),
            projects: Listed::absent(SRC_PROJECTS),
            users: Listed::absent(SRC_USERS),
            fact_errors: Vec::new(),
            error: None,
        }
    }

    /// A kubeconfig that could not be parsed, as a cluster row with its error.
    #[must_use]
    pub fn unreadable(name: &str, error: AppError) -> Self {
        Self {
            error: Some(error),
            ..Self::empty(name, "")
        }
    }

    /// The effective role (kubesphere-config), else the configured one, else unknown.
    #[must_use]
    pub fn role(&self) -> ClusterRole {
        let Some(ks) = &self.kubesphere else {
            return ClusterRole::Unknown;
        };
        ks.effective
            .as_ref()
            .map(|e| e.cluster_role)
            .or_else(|| ks.configured_role.as_ref().map(|r| r.value))
            .unwrap_or(ClusterRole::Unknown)
    }

    /// The effective configuration, if read.
    #[must_use]
    pub fn effective(&self) -> Option<&EffectiveConfig> {
        self.kubesphere.as_ref().and_then(|k| k.effective.as_ref())
    }

    /// A host: the effective config says `clusterRole: host` and `enable: true`.
    #[must_use]
    pub fn is_host(&self) -> bool {
        self.effective()
            .is_some_and(|e| e.cluster_role == ClusterRole::Host && e.multicluster_enabled)
    }

    #[must_use]
    pub fn uid(&self) -> Option<&str> {
        self.kube_system_uid.as_ref().map(|f| f.value.as_str())
    }

    #[must_use]
    pub fn jwt_fingerprint(&self) -> Option<&str> {
        self.effective().and_then(|e| e.jwt_fingerprint.as_deref())
    }

    #[must_use]
    pub fn kubesphere_version(&self) -> Option<&str> {
        self.kubesphere
            .as_ref()
            .and_then(|k| k.version.as_ref())
            .map(|v| v.value.as_str())
    }
}

/// The fingerprint ksmc shows for a jwtSecret: the first 12 hex digits of its SHA-256.
/// `None` for an empty secret.
#[must_use]
pub fn fingerprint(secret: &str) -> Option<String> {
    if secret.is_empty() {
        return None;
    }
    let digest = Sha256::digest(secret.as_bytes());
    Some(digest.iter().take(6).map(|b| format!("{b:02x}")).collect())
}

/// Parses a role string as KubeSphere writes it.
#[must_use]
pub fn parse_role(s: Option<&str>) -> ClusterRole {
    match s {
        Some("host") => ClusterRole::Host,
        Some("member") => ClusterRole::Member,
        Some("none" | "") | None => ClusterRole::None,
        Some(_) => ClusterRole::Unknown,
    }
}

/// Reads `kubesphere.yaml` into the facts ksmc keeps. The jwtSecret is hashed and dropped.
///
/// # Errors
/// When the text is not YAML.
pub fn parse_effective_config(yaml: &str) -> Result<EffectiveConfig, String> {
    let doc: Value = serde_saphyr::from_str(yaml)
        .map_err(|_| "kubesphere.yaml in kubesphere-config is not valid YAML".to_owned())?;
    let text = |p: &str| {
        doc.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // 3.x keeps it under authentication; 4.1 under authentication.issuer.
    let jwt = doc
        .pointer("/authentication/jwtSecret")
        .or_else(|| doc.pointer("/authentication/issuer/jwtSecret"))
        .and_then(Value::as_str)
        .and_then(fingerprint);
    let max_age = doc
        .pointer("/authentication/oauthOptions/accessTokenMaxAge")
        .or_else(|| doc.pointer("/authentication/issuer/accessTokenMaxAge"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    Ok(EffectiveConfig {
        cluster_role: parse_role(
            doc.pointer("/multicluster/clusterRole")
                .and_then(Value::as_str),
        ),
        multicluster_enabled: doc
            .pointer("/multicluster/enable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        jwt_fingerprint: jwt,
        access_token_max_age: max_age,
        recorded_name: text("/multicluster/clusterName"),
        host_cluster_name: text("/multicluster/hostClusterName"),
        source: SRC_CONFIG.to_owned(),
    })
}

/// Whether an `accessTokenMaxAge` means "never expires" (what a member needs).
#[must_use]
pub fn is_zero_duration(v: &str) -> bool {
    let digits = v.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.chars().all(|c| c == '0' || c == '.')
}

/// Components from a ClusterConfiguration: `<x>.enabled` in spec, `status.<x>.status`.
#[must_use]
pub fn components(cc: &Value) -> Vec<Component> {
    let spec = cc.get("spec").cloned().unwrap_or_default();
    let status = cc.get("status").cloned().unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    if let Some(map) = spec.as_object() {
        for (k, v) in map {
            if v.get("enabled").and_then(Value::as_bool).is_some() {
                names.push(k.clone());
            }
        }
    }
    if spec.pointer("/openpitrix/store/enabled").is_some() {
        names.push("openpitrix".into());
    }
    if let Some(map) = status.as_object() {
        for (k, v) in map {
            if v.get("status").is_some() && k != "core" {
                names.push(k.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let configured = if name == "openpitrix" {
                spec.pointer("/openpitrix/store/enabled")
                    .and_then(Value::as_bool)
                    == Some(true)
            } else if name == "monitoring" {
                // Always installed in 3.4 (no switch of its own).
                spec.pointer("/monitoring/enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
            } else {
                spec.pointer(&format!("/{name}/enabled"))
                    .and_then(Value::as_bool)
                    == Some(true)
            };
            let installed = status
                .pointer(&format!("/{name}/status"))
                .and_then(Value::as_str)
                == Some("enabled");
            Component {
                name,
                configured,
                installed,
            }
        })
        .collect()
}

async fn deadline<T>(fut: impl Future<Output = Result<T, kube::Error>>) -> Result<T, ClusterError> {
    match tokio::time::timeout(CALL_DEADLINE, fut).await {
        Ok(result) => result.map_err(|e| ClusterError::from_kube(&e)),
        Err(_) => Err(ClusterError::Timeout(CALL_DEADLINE.as_secs())),
    }
}

fn is_not_found(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code: 404, .. })
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// Lists every object of a cluster-scoped type, page by page. `Ok(None)` when the type is not
/// served (CRD not installed).
async fn list_all(
    client: &kube::Client,
    ar: &ApiResource,
    params: ListParams,
) -> Result<Option<Vec<DynamicObject>>, ClusterError> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), ar);
    let mut params = params.limit(PAGE);
    let mut out = Vec::new();
    loop {
        let page = match deadline(api.list(&params)).await {
            Ok(p) => p,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(Some(out)),
        }
    }
}

fn labels_of<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

fn str_at(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_owned)
}

fn managed_cluster(o: &DynamicObject) -> ManagedCluster {
    let d = &o.data;
    let conditions = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| Condition {
                    kind: str_at(c, "/type").unwrap_or_default(),
                    status: str_at(c, "/status").unwrap_or_default(),
                    reason: str_at(c, "/reason").filter(|s| !s.is_empty()),
                    message: str_at(c, "/message").filter(|s| !s.is_empty()),
                    last_update_time: str_at(c, "/lastUpdateTime"),
                })
                .collect()
        })
        .unwrap_or_default();
    ManagedCluster {
        name: o.metadata.name.clone().unwrap_or_default(),
        is_host: labels_of(&o.metadata, HOST_CLUSTER_LABEL).is_some(),
        connection_type: str_at(d, "/spec/connection/type"),
        join_federation: d
            .pointer("/spec/joinFederation")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        conditions,
        kubernetes_version: str_at(d, "/status/kubernetesVersion"),
        kubesphere_version: str_at(d, "/status/kubeSphereVersion"),
        uid: str_at(d, "/status/uid").filter(|s| !s.is_empty()),
        deleting_since: o
            .metadata
            .deletion_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
        finalizers: o.metadata.finalizers.clone().unwrap_or_default(),
    }
}

fn managed(meta: &ObjectMeta) -> bool {
    labels_of(meta, KUBEFED_MANAGED) == Some("true")
}

fn workspace(o: &DynamicObject) -> Workspace {
    Workspace {
        name: o.metadata.name.clone().unwrap_or_default(),
        uid: o.metadata.uid.clone().unwrap_or_default(),
        kubefed_managed: managed(&o.metadata),
    }
}

fn template(o: &DynamicObject) -> WorkspaceTemplate {
    WorkspaceTemplate {
        name: o.metadata.name.clone().unwrap_or_default(),
        placed_everywhere: o.data.pointer("/spec/placement/clusterSelector").is_some(),
        clusters: o
            .data
            .pointer("/spec/placement/clusters")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|c| str_at(c, "/name")).collect())
            .unwrap_or_default(),
    }
}

fn user(o: &DynamicObject) -> User {
    User {
        name: o.metadata.name.clone().unwrap_or_default(),
        email: str_at(&o.data, "/spec/email"),
        kubefed_managed: managed(&o.metadata),
    }
}

fn project(meta: &ObjectMeta) -> Project {
    Project {
        name: meta.name.clone().unwrap_or_default(),
        workspace: labels_of(meta, WORKSPACE_LABEL)
            .unwrap_or_default()
            .to_owned(),
        owner_references: meta
            .owner_references
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|r| OwnerRef {
                api_version: r.api_version.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
                uid: r.uid.clone(),
                controller: r.controller.unwrap_or(false),
            })
            .collect(),
        kubefed_managed: managed(meta),
    }
}

/// Projects: namespaces labelled `kubesphere.io/workspace`, page by page (metadata only).
async fn projects(client: &kube::Client) -> Result<Vec<Project>, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let mut params = ListParams::default().labels(WORKSPACE_LABEL).limit(PAGE);
    let mut out = Vec::new();
    loop {
        let page = deadline(api.list_metadata(&params)).await?;
        out.extend(page.items.iter().map(|n| project(&n.metadata)));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(out),
        }
    }
}

async fn kubesphere(
    client: &kube::Client,
    errors: &mut Vec<FactError>,
) -> Result<Option<KubeSphereFacts>, ClusterError> {
    let cc_api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "kubesphere-system",
        &resource(
            "installer.kubesphere.io",
            "v1alpha1",
            "ClusterConfiguration",
            "clusterconfigurations",
        ),
    );
    let cm_api: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), "kubesphere-system");
    let (cc, cm) = futures::join!(
        deadline(cc_api.get_opt("ks-installer")),
        deadline(cm_api.get_opt("kubesphere-config"))
    );
    // A 404 on the CRD itself means "not installed".
    let cc = match cc {
        Err(e) if is_not_found(&e) => None,
        other => other?,
    };
    let cm = cm?;
    if cc.is_none() && cm.is_none() {
        return Ok(None);
    }
    let effective = cm.and_then(|cm| {
        let yaml = cm.data.as_ref()?.get("kubesphere.yaml")?;
        match parse_effective_config(yaml) {
            Ok(c) => Some(c),
            Err(message) => {
                errors.push(FactError {
                    source: SRC_CONFIG.into(),
                    error: AppError::new(ErrorKind::Invalid, message),
                });
                None
            }
        }
    });
    let Some(cc) = cc else {
        return Ok(Some(KubeSphereFacts {
            version: None,
            configured_role: None,
            configured_jwt_fingerprint: None,
            effective,
            components: Vec::new(),
        }));
    };
    let version = str_at(&cc.data, "/status/core/version")
        .or_else(|| labels_of(&cc.metadata, "version").map(str::to_owned))
        .map(|v| Fact::new(v, SRC_CC));
    let role = parse_role(
        cc.data
            .pointer("/spec/multicluster/clusterRole")
            .and_then(Value::as_str),
    );
    let configured_jwt_fingerprint = cc
        .data
        .pointer("/spec/authentication/jwtSecret")
        .and_then(Value::as_str)
        .and_then(fingerprint);
    Ok(Some(KubeSphereFacts {
        version,
        configured_role: Some(Fact::new(role, SRC_CC)),
        configured_jwt_fingerprint,
        effective,
        components: components(&cc.data),
    }))
}

/// Reads one list; a failure other than "not installed" is kept as a fact error.
async fn listed<T>(
    client: &kube::Client,
    ar: ApiResource,
    source: &str,
    map: fn(&DynamicObject) -> T,
) -> (Listed<T>, Option<FactError>) {
    match list_all(client, &ar, ListParams::default()).await {
        Ok(items) => (
            Listed {
                items: items.map(|l| l.iter().map(map).collect()),
                source: source.to_owned(),
            },
            None,
        ),
        Err(e) => (
            Listed::absent(source),
            Some(FactError {
                source: source.to_owned(),
                error: AppError::from(&e),
            }),
        ),
    }
}

/// Reads the facts of one cluster. Never fails: a failure is recorded in `error` (cluster
/// unreadable) or `fact_errors` (one fact unreadable).
pub async fn gather(source: &ClusterSource) -> ClusterFacts {
    let mut facts = ClusterFacts::empty(&source.name, &source.server);
    if let Err(e) = fill(source, &mut facts).await {
        tracing::info!(cluster = %source.name, error = %e, "cluster could not be read");
        facts.error = Some(AppError::from(&e));
    }
    facts
}

async fn fill(source: &ClusterSource, facts: &mut ClusterFacts) -> Result<(), ClusterError> {
    let client = source.client().await?;
    let started = Instant::now();
    let version = deadline(client.apiserver_version()).await?;
    facts.reachable = true;
    facts.latency_ms = Some(u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX));
    facts.kubernetes_version = Some(Fact::new(version.git_version, SRC_VERSION));

    let ns_api: Api<Namespace> = Api::all(client.clone());
    let mut errors = Vec::new();
    let (kube_system, ks, clusters, workspaces, templates, users, projects) = futures::join!(
        deadline(ns_api.get_metadata_opt("kube-system")),
        kubesphere(&client, &mut errors),
        listed(
            &client,
            resource("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters"),
            SRC_CLUSTERS,
            managed_cluster
        ),
        listed(
            &client,
            resource(
                "tenant.kubesphere.io",
                "v1alpha1",
                "Workspace",
                "workspaces"
            ),
            SRC_WORKSPACES,
            workspace
        ),
        listed(
            &client,
            resource(
                "tenant.kubesphere.io",
                "v1alpha2",
                "WorkspaceTemplate",
                "workspacetemplates"
            ),
            SRC_TEMPLATES,
            template
        ),
        listed(
            &client,
            resource("iam.kubesphere.io", "v1alpha2", "User", "users"),
            SRC_USERS,
            user
        ),
        projects(&client),
    );
    match kube_system {
        Ok(ns) => {
            facts.kube_system_uid = ns
                .and_then(|n| n.metadata.uid)
                .map(|u| Fact::new(u, SRC_KUBE_SYSTEM));
        }
        Err(e) => errors.push(FactError {
            source: SRC_KUBE_SYSTEM.into(),
            error: AppError::from(&e),
        }),
    }
    match ks {
        Ok(k) => facts.kubesphere = k,
        Err(e) => errors.push(FactError {
            source: SRC_CC.into(),
            error: AppError::from(&e),
        }),
    }
    facts.clusters = clusters.0;
    facts.workspaces = workspaces.0;
    facts.workspace_templates = templates.0;
    facts.users = users.0;
    errors.extend(
        [clusters.1, workspaces.1, templates.1, users.1]
            .into_iter()
            .flatten(),
    );
    match projects {
        Ok(p) => {
            facts.projects = Listed {
                items: Some(p),
                source: SRC_PROJECTS.into(),
            };
        }
        Err(e) => errors.push(FactError {
            source: SRC_PROJECTS.into(),
            error: AppError::from(&e),
        }),
    }
    facts.fact_errors = errors;
    Ok(())
}

/// Reads every cluster, at most [`PARALLELISM`] at a time, keeping the sources' order.
pub async fn gather_all(sources: &[ClusterSource]) -> Vec<ClusterFacts> {
    futures::stream::iter(sources.iter().map(gather))
        .buffered(PARALLELISM)
        .collect()
        .await
}

/// What the member's ks-apiserver answers through the Kubernetes service proxy
/// (`GET …/services/:ks-apiserver:/proxy/kapis/version`, as the host's validation does).
///
/// # Errors
/// The message KubeSphere's validation would give, when the answer is not 200 with JSON.
pub async fn ks_apiserver_version(source: &ClusterSource) -> Result<String, String> {
    const PATH: &str =
        "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version";
    let invalid = |body: &str| {
        format!(
            "unable validate kubesphere endpoint, invalid response: {body} , please make sure ks-apiserver.kubesphere-system.svc of member cluster is up and running"
        )
    };
    let client = source.client().await.map_err(|e| invalid(&e.to_string()))?;
    let request = http::Request::get(PATH)
        .body(Vec::new())
        .map_err(|e| invalid(&e.to_string()))?;
    let text = match tokio::time::timeout(CALL_DEADLINE, client.request_text(request)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Err(invalid(&ClusterError::from_kube(&e).to_string())),
        Err(_) => return Err(invalid("no answer in time")),
    };
    let v: Value = serde_json::from_str(&text).map_err(|_| invalid("not JSON"))?;
    Ok(str_at(&v, "/gitVersion").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "authentication:\n  jwtSecret: hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd\n  oauthOptions:\n    accessTokenMaxAge: 0\nmulticluster:\n  clusterRole: member\n  enable: false\n  clusterName: member1\n";

    #[test]
    fn effective_config_keeps_a_fingerprint_not_the_secret() {
        let c = parse_effective_config(YAML).unwrap();
        assert_eq!(c.cluster_role, ClusterRole::Member);
        assert!(!c.multicluster_enabled);
        assert_eq!(c.access_token_max_age.as_deref(), Some("0"));
        assert_eq!(c.recorded_name.as_deref(), Some("member1"));
        let fp = c.jwt_fingerprint.clone().unwrap();
        assert_eq!(fp.len(), 12);
        assert_eq!(
            Some(fp.clone()),
            fingerprint("hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd")
        );
        assert_ne!(Some(fp), fingerprint("Qm4tZx8RkVb2Lw6NcYp0Hs3JfAe9GdUo"));
        let shown = format!("{c:?} {}", serde_json::to_string(&c).unwrap());
        assert!(!shown.contains("hUsPzb"), "{shown}");
        assert_eq!(fingerprint(""), None);
    }

    #[test]
    fn host_config_and_bad_yaml() {
        let c = parse_effective_config(
            "authentication:\n  jwtSecret: x\n  oauthOptions:\n    accessTokenMaxAge: 2h\nmulticluster:\n  clusterRole: host\n  enable: true\n",
        )
        .unwrap();
        assert_eq!(c.cluster_role, ClusterRole::Host);
        assert!(c.multicluster_enabled);
        assert_eq!(c.access_token_max_age.as_deref(), Some("2h"));
        let err = parse_effective_config("authentication: [jwtSecret: secret-canary").unwrap_err();
        assert!(!err.contains("canary"));
    }

    #[test]
    fn zero_durations() {
        for z in ["0", "0s", "0h"] {
            assert!(is_zero_duration(z), "{z}");
        }
        for nz in ["2h", "1", "30m", ""] {
            assert!(!is_zero_duration(nz), "{nz}");
        }
    }

    #[test]
    fn components_configured_and_installed() {
        let cc = serde_json::json!({
            "spec": {"openpitrix": {"store": {"enabled": true}}, "devops": {"enabled": true},
                     "logging": {"enabled": false}, "monitoring": {}},
            "status": {"core": {"status": "enabled"}, "monitoring": {"status": "enabled"},
                       "logging": {"status": "enabled"}},
        });
        let c = components(&cc);
        let get = |n: &str| c.iter().find(|x| x.name == n).cloned().unwrap();
        assert_eq!(
            get("openpitrix"),
            Component {
                name: "openpitrix".into(),
                configured: true,
                installed: false
            }
        );
        assert_eq!(
            get("devops"),
            Component {
                name: "devops".into(),
                configured: true,
                installed: false
            }
        );
        assert_eq!(
            get("logging"),
            Component {
                name: "logging".into(),
                configured: false,
                installed: true
            }
        );
        assert!(get("monitoring").configured && get("monitoring").installed);
        assert!(c.iter().all(|x| x.name != "core"));
    }
}
