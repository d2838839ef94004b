//! The facts' types: what ksmc knows about a cluster, each with its source.

use serde::Serialize;

use super::{
    SRC_CLUSTERS, SRC_EXTENSIONS, SRC_INSTALL_PLANS, SRC_PROJECTS, SRC_TEMPLATES, SRC_USERS,
    SRC_WORKSPACES,
};
use crate::error::AppError;
use crate::facts::ClusterRole;

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

/// Which generation of KubeSphere a cluster runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Generation {
    /// 3.x: ks-installer and its ClusterConfiguration, KubeFed, `tenant.kubesphere.io`
    /// v1alpha1/v1alpha2.
    #[serde(rename = "3.x")]
    V3,
    /// 4.x: the ks-core Helm chart, extensions, workspaces pushed by the host,
    /// `tenant.kubesphere.io` v1beta1.
    #[serde(rename = "4.x")]
    V4,
}

/// KubeSphere on one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KubeSphereFacts {
    /// 3.x or 4.x: 4.x when the cluster prefers `tenant.kubesphere.io/v1beta1`.
    pub generation: Fact<Generation>,
    /// 3.x: the ClusterConfiguration's `status.core.version`, else its `version` label.
    /// 4.x: what ks-apiserver answers on `/kapis/version` through the service proxy.
    pub version: Option<Fact<String>>,
    /// `spec.multicluster.clusterRole` of the ClusterConfiguration; `None` without one.
    pub configured_role: Option<Fact<ClusterRole>>,
    /// Fingerprint of `spec.authentication.jwtSecret` in the ClusterConfiguration (`None` when
    /// empty, i.e. "keep the existing secret").
    pub configured_jwt_fingerprint: Option<String>,
    /// The configuration in effect; `None` when the ConfigMap is absent or unreadable.
    pub effective: Option<EffectiveConfig>,
    /// The name a host recorded for this cluster: 3.x `multicluster.clusterName` of
    /// kubesphere-config; 4.x the `cluster.kubesphere.io/name` annotation of the
    /// `kubesphere-system` Namespace.
    pub recorded_name: Option<Fact<String>>,
    /// The host that manages this cluster, as recorded on it: the
    /// `cluster.kubesphere.io/host-cluster` annotation of `kubesphere-system` (4.x; that
    /// host's `hostClusterName`). KubeSphere 4.x refuses to import a cluster that has it.
    pub managed_by: Option<Fact<String>>,
    /// 3.x pluggable components (ClusterConfiguration); empty on 4.x, where extensions
    /// replace them (see [`ClusterFacts::extensions`]).
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
    /// `notAfter` (RFC 3339) of the client certificate of `spec.connection.kubeconfig`'s
    /// current user; `None` for token kubeconfigs and the host's own Cluster. Nothing else of
    /// that kubeconfig is kept.
    pub cert_expires: Option<Fact<String>>,
    /// Which of the host's users the member has as KubeFed copies, when the member is part of
    /// the estate (filled in after every cluster has been read).
    pub users_synced: Option<UserSync>,
}

/// The host's users against the copies KubeFed made on one member (§5.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UserSync {
    /// The member (ksmc's name).
    pub cluster: String,
    /// Host users that have a `kubefed.io/managed=true` copy on the member.
    pub synced: u32,
    /// Host users that should (every user not labelled `kubefed.io/managed=true`, but `admin`,
    /// which every KubeSphere installation has).
    pub total: u32,
    /// The first [`MISSING_SHOWN`] users without a copy, by name.
    pub missing: Vec<String>,
    pub source: String,
}

/// How many missing users a [`UserSync`] names.
pub const MISSING_SHOWN: usize = 20;

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
    /// `kubesphere.io/kubefed-host-namespace=true`: the host side of a multi-cluster project
    /// (its workloads run on the members).
    pub kubefed_host_namespace: bool,
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

/// A KubeSphere 4.x extension (`extensions.kubesphere.io`, §7.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub name: String,
    /// `status.state` (`Available`, `Installed`, `InstallFailed`…).
    pub state: Option<String>,
    /// `status.installedVersion`.
    pub installed_version: Option<String>,
}

/// A KubeSphere 4.x InstallPlan (`installplans.kubesphere.io`, §7.3): an extension installed
/// on the host and, through `spec.clusterScheduling`, its agent part on members. Its
/// `spec.config` (Helm values) is never read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InstallPlan {
    pub name: String,
    /// `spec.extension.name`.
    pub extension: String,
    /// `spec.extension.version`.
    pub version: Option<String>,
    /// `spec.enabled`.
    pub enabled: bool,
    /// `status.state` (`Installed`, `InstallFailed`, `UpgradeFailed`…).
    pub state: Option<String>,
    /// The message of the latest `status.conditions` entry that is not True.
    pub message: Option<String>,
    /// `spec.clusterScheduling.placement.clusters`.
    pub placed_clusters: Vec<String>,
    /// `spec.clusterScheduling.placement.clusterSelector` is set.
    pub placed_by_selector: bool,
    /// `status.clusterSchedulingStatuses`: the extension's state on each Cluster, by name.
    pub clusters: Vec<ClusterInstall>,
}

/// One entry of an InstallPlan's `status.clusterSchedulingStatuses`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClusterInstall {
    /// The Cluster's name on the host.
    pub cluster: String,
    pub state: Option<String>,
    pub version: Option<String>,
    pub target_namespace: Option<String>,
    /// The message of the latest condition that is not True.
    pub message: Option<String>,
}

/// Whether an extension or InstallPlan state is a failure (`InstallFailed`,
/// `UpgradeFailed`, `UninstallFailed`).
#[must_use]
pub fn failed_state(state: Option<&str>) -> bool {
    state.is_some_and(|s| s.ends_with("Failed"))
}

/// A list read from a cluster: `None` when the resource type is not installed there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Listed<T> {
    pub items: Option<Vec<T>>,
    pub source: String,
}

impl<T> Listed<T> {
    pub(super) fn absent(source: &str) -> Self {
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
    /// KubeSphere 4.x extensions (`None` on 3.x).
    pub extensions: Listed<Extension>,
    /// KubeSphere 4.x InstallPlans, with their per-cluster state (`None` on 3.x).
    pub install_plans: Listed<InstallPlan>,
    /// Role bindings and, on a host, who reaches which cluster.
    pub access: super::access::AccessFacts,
    /// Facts that could not be read (e.g. forbidden) while the cluster answered.
    pub fact_errors: Vec<FactError>,
    /// Why the cluster could not be read at all.
    pub error: Option<AppError>,
}

impl ClusterFacts {
    pub(super) fn empty(name: &str, server: &str) -> Self {
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
            extensions: Listed::absent(SRC_EXTENSIONS),
            install_plans: Listed::absent(SRC_INSTALL_PLANS),
            access: super::access::AccessFacts::absent(),
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

    /// A host: the effective config says `clusterRole: host`, and on 3.x also
    /// `multicluster.enable: true` (4.x has no such switch: every ks-core installed with role
    /// host is a host, of itself at least).
    #[must_use]
    pub fn is_host(&self) -> bool {
        self.effective().is_some_and(|e| {
            e.cluster_role == ClusterRole::Host && (e.multicluster_enabled || self.is_v4())
        })
    }

    /// The KubeSphere generation, when KubeSphere is installed.
    #[must_use]
    pub fn generation(&self) -> Option<Generation> {
        self.kubesphere.as_ref().map(|k| k.generation.value)
    }

    /// KubeSphere 4.x is installed.
    #[must_use]
    pub fn is_v4(&self) -> bool {
        self.generation() == Some(Generation::V4)
    }

    /// The name a host recorded for this cluster (3.x kubesphere-config, 4.x annotation).
    #[must_use]
    pub fn recorded_name(&self) -> Option<&str> {
        self.kubesphere
            .as_ref()
            .and_then(|k| k.recorded_name.as_ref())
            .map(|f| f.value.as_str())
    }

    /// The host recorded as managing this cluster (4.x annotation).
    #[must_use]
    pub fn managed_by(&self) -> Option<&str> {
        self.kubesphere
            .as_ref()
            .and_then(|k| k.managed_by.as_ref())
            .map(|f| f.value.as_str())
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
