//! ksmc-sim: a simulated KubeSphere estate that speaks the real Kubernetes API over HTTP(S).
//!
//! Each simulated cluster is an API server on loopback with its own object store, serving
//! discovery, tables and the KubeSphere custom resources from the real CRD manifests, so
//! that the real `kubectl` and kube-rs talk to it unchanged.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ksmc_sim::EstateError> {
//! let estate = ksmc_sim::Estate::start(&ksmc_sim::Scenario::fresh(), &Default::default()).await?;
//! estate.write_dir(std::path::Path::new("/tmp/estate"))?;
//! estate.shutdown().await;
//! # Ok(()) }
//! ```

pub mod cluster;
pub mod control;
pub mod controllers;
pub mod discovery;
pub mod estate;
pub mod faults;
pub mod handlers;
pub mod hazards;
pub mod http;
pub mod kapis;
pub mod kubesphere;
pub mod network;
pub mod openapi;
pub mod ops;
pub mod patch;
pub mod protobuf;
pub mod resources;
pub mod scenario;
pub mod selectors;
pub mod server;
pub mod store;
pub mod table;
pub mod tls;
pub mod tokens;
pub mod validate;
pub mod watches;
pub mod writes;

pub use cluster::SimCluster;
pub use estate::{ClusterEntry, Estate, EstateError, EstateOptions, Manifest, RunningCluster};
pub use faults::{Fault, FaultPlan, FaultRule, Partition};
pub use hazards::{NamespaceDeletion, OwnerReAdd};
pub use scenario::{Role, Scenario, ScenarioError};
pub use writes::WriteRecord;
