//! A running estate and kube-rs clients for it.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use ksmc_sim::{Estate, EstateOptions, Scenario};

pub async fn estate() -> Estate {
    Estate::start(&Scenario::fresh(), &EstateOptions::default())
        .await
        .expect("estate starts")
}

pub async fn client(estate: &Estate, cluster: &str) -> kube::Client {
    let running = estate.cluster(cluster).expect("cluster exists");
    let yaml = estate.kubeconfig(running).unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

/// Polls until `check` holds or 10 s pass.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
