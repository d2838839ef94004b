//! ksmc-core: the domain of ksmc. Kubeconfig rules, cluster facts, and (later) the vault,
//! preflight and workflows. Knows kube-rs; knows nothing of Tauri or the CLI.

pub mod error;
pub mod estate;
pub mod facts;
pub mod fleet;
pub mod kubeconfig;
pub mod vault;

pub use error::{AppError, ClusterError, ErrorKind};
pub use facts::{ClusterRole, ClusterSummary, EstateSource, EstateView};
pub use kubeconfig::ClusterSource;
