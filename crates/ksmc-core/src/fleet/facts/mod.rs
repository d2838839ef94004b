//! Fleet facts: what each cluster of an estate is, read-only and concurrently, each fact with
//! where it was read (`shared/docs/kubesphere-multicluster.md` §1–6).
//!
//! The jwtSecret is read from the effective `kubesphere-config` only to compute its
//! fingerprint; the secret itself is dropped at once and never stored, logged or serialised.

mod access;
mod config;
mod lean;
mod link;
mod model;
mod objects;
mod read;

pub use access::{
    AccessCell, AccessCluster, AccessFacts, AccessMatrix, Membership, PLATFORM_WIDE_ROLES,
    RoleBinding, SRC_GLOBAL_ROLE_BINDINGS, SRC_WORKSPACE_ROLE_BINDINGS, UserAccess, link_access,
    matrix,
};
pub use config::{components, fingerprint, is_zero_duration, parse_effective_config, parse_role};
pub use link::link_members;
pub use model::*;
pub use read::{Depth, gather, gather_all, gather_on_task, gather_to, ks_apiserver_version};

/// How many clusters are read at the same time. An inspection waits mostly on round trips,
/// and a cluster's reads hold a few small connections: 32 keeps an estate of up to 32
/// clusters in one wave (at 8, 21 clusters took three waves: 3× the latency floor).
pub const PARALLELISM: usize = 32;
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
pub const SRC_EXTENSIONS: &str = "extensions.kubesphere.io";
pub const SRC_INSTALL_PLANS: &str = "installplans.kubesphere.io";
pub const SRC_TENANT_GROUP: &str = "GET /apis/tenant.kubesphere.io (preferred version)";
pub const SRC_KS_APISERVER: &str =
    "GET /api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version";
pub const SRC_NAME_ANNOTATION: &str =
    "Namespace kubesphere-system annotation cluster.kubesphere.io/name";
pub const SRC_HOST_ANNOTATION: &str =
    "Namespace kubesphere-system annotation cluster.kubesphere.io/host-cluster";

/// On a 4.x cluster's `kubesphere-system` Namespace: its Cluster name on the managing host.
pub const CLUSTER_NAME_ANNOTATION: &str = "cluster.kubesphere.io/name";
/// On a 4.x cluster's `kubesphere-system` Namespace: the managing host's `hostClusterName`.
pub const HOST_CLUSTER_ANNOTATION: &str = "cluster.kubesphere.io/host-cluster";
/// The `tenant.kubesphere.io` version a KubeSphere 4.x cluster prefers (its storage version).
pub const V4_TENANT: &str = "v1beta1";

/// Label KubeFed puts on what it propagated.
pub const KUBEFED_MANAGED: &str = "kubefed.io/managed";
/// The label that makes a namespace a project.
pub const WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
/// The label of the host's own Cluster object.
pub const HOST_CLUSTER_LABEL: &str = "cluster-role.kubesphere.io/host";
/// The label of the host-side namespace of a multi-cluster project.
pub const KUBEFED_HOST_NAMESPACE: &str = "kubesphere.io/kubefed-host-namespace";
/// The user every KubeSphere installation creates; not expected as a KubeFed copy.
pub const BUILTIN_ADMIN: &str = "admin";
