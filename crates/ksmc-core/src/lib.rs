//! ksmc-core: the domain of ksmc. Kubeconfig rules, cluster facts, the vault, fleet
//! inspection and preflight, and the guided workflows. Knows kube-rs; knows nothing of Tauri or the CLI.

pub mod error;
pub mod estate;
pub mod facts;
pub mod fleet;
pub mod kubeconfig;
pub mod names;
pub mod vault;
pub mod workflow;

pub use error::{AppError, ClusterError, ErrorKind};
pub use facts::{ClusterRole, ClusterSummary, EstateSource, EstateView};
pub use kubeconfig::ClusterSource;
