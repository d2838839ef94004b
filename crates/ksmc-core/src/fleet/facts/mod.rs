//! Fleet facts: what each cluster of an estate is, read-only and concurrently, each fact with
//! where it was read (`shared/docs/kubesphere-multicluster.md` §1–6).
//!
//! The jwtSecret is read from the effective `kubesphere-config` only to compute its
//! fingerprint; the secret itself is dropped at once and never stored, logged or serialised.

mod config;
mod link;
mod model;
mod objects;
mod read;

pub use config::{components, fingerprint, is_zero_duration, parse_effective_config, parse_role};
pub use link::link_members;
pub use model::*;
pub use read::{gather, gather_all, ks_apiserver_version};

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
/// The label of the host-side namespace of a multi-cluster project.
pub const KUBEFED_HOST_NAMESPACE: &str = "kubesphere.io/kubefed-host-namespace";
/// The user every KubeSphere installation creates; not expected as a KubeFed copy.
pub const BUILTIN_ADMIN: &str = "admin";
