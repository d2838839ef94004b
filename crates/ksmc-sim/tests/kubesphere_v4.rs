//! KubeSphere 4.1.3 behaviour of the simulator (`shared/docs/kubesphere-multicluster.md` §7):
//! ks-core configuration, import by installing ks-core with the host's jwtSecret, Ready from
//! reachability, the cluster's name on the member, workspace push and removal, the 4.1.3
//! cascade semantics (projects kept by default, deleted with `Background`), the namespace
//! controller, user sync, Cluster deletion, the 4.1 scenarios and `--kubesphere 4.1`, and the
//! real kubectl on the 4.1 kinds.

mod common;
#[path = "kubectl_support.rs"]
mod support;

#[path = "kubesphere_v4/estate.rs"]
mod estate;
#[path = "kubesphere_v4/extensions.rs"]
mod extensions;
#[path = "kubesphere_v4/iam.rs"]
mod iam;
#[path = "kubesphere_v4/import.rs"]
mod import;
#[path = "kubesphere_v4/tenant.rs"]
mod tenant;

use std::time::Duration;

use base64::Engine as _;
use common::{client, eventually};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::api::rbac::v1::ClusterRole;
use ksmc_sim::scenario::ScenarioFlags;
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

async fn start(scenario: Scenario) -> Estate {
    let options = EstateOptions {
        kubesphere: ksmc_sim::kubesphere::Settings {
            installer_delay: Duration::from_millis(100),
            resync: Duration::from_millis(200),
        },
        ..EstateOptions::default()
    };
    Estate::start(&scenario, &options).await.unwrap()
}

fn api(
    c: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    Api::all_with(c.clone(), &ApiResource::from_gvk_with_plural(&gvk, plural))
}

fn clusters(c: &kube::Client) -> Api<DynamicObject> {
    api(
        c,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
    )
}

fn workspaces(c: &kube::Client) -> Api<DynamicObject> {
    api(
        c,
        "tenant.kubesphere.io",
        "v1beta1",
        "Workspace",
        "workspaces",
    )
}

fn templates(c: &kube::Client) -> Api<DynamicObject> {
    api(
        c,
        "tenant.kubesphere.io",
        "v1beta1",
        "WorkspaceTemplate",
        "workspacetemplates",
    )
}

fn namespaces(c: &kube::Client) -> Api<Namespace> {
    Api::all(c.clone())
}

fn object(v: Value) -> DynamicObject {
    serde_json::from_value(v).unwrap()
}

async fn config(c: &kube::Client) -> Option<Value> {
    let cm = Api::<ConfigMap>::namespaced(c.clone(), "kubesphere-system")
        .get_opt("kubesphere-config")
        .await
        .unwrap()?;
    serde_saphyr::from_str(&cm.data.unwrap()["kubesphere.yaml"]).ok()
}

fn condition(c: &DynamicObject, kind: &str) -> Option<Value> {
    c.data
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|x| x["type"] == kind)
        .cloned()
}

fn is_true(c: &DynamicObject, kind: &str) -> bool {
    condition(c, kind).is_some_and(|x| x["status"] == "True")
}

/// `GET` through the Kubernetes service proxy to ks-apiserver: status and body.
async fn ks_apiserver(c: &kube::Client, path: &str) -> Result<Value, kube::Error> {
    let uri = format!("/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy{path}");
    let req = hyper::Request::get(uri).body(Vec::new()).unwrap();
    let text = c.request_text(req).await?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn labels(ns: &Namespace) -> std::collections::BTreeMap<String, String> {
    ns.metadata.labels.clone().unwrap_or_default()
}

/// Imports `member-1` into `host` as a Cluster named `name`, with `kubeconfig`.
async fn create_cluster(host: &kube::Client, name: &str, kubeconfig: &str) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(kubeconfig);
    clusters(host)
        .create(
            &PostParams::default(),
            &object(json!({"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
                "metadata": {"name": name, "annotations": {"kubesphere.io/creator": "admin"}},
                "spec": {"joinFederation": true, "provider": "", "connection": {"type": "direct", "kubeconfig": b64}}})),
        )
        .await
        .unwrap();
}

async fn wait_ready(host: &kube::Client, name: &str) {
    eventually(&format!("{name} Ready"), || async {
        clusters(host)
            .get_opt(name)
            .await
            .unwrap()
            .is_some_and(|c| is_true(&c, "Ready") && is_true(&c, "KSCoreReady"))
    })
    .await;
}

/// fresh-v4 with member-1 imported and Ready.
async fn imported() -> (Estate, kube::Client, kube::Client) {
    let estate = start(Scenario::fresh_v4()).await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    let kc = estate
        .kubeconfig(estate.cluster("member-1").unwrap())
        .unwrap();
    create_cluster(&host, "member-1", &kc).await;
    wait_ready(&host, "member-1").await;
    (estate, host, member)
}

async fn labelled_project(c: &kube::Client, name: &str, ws: &str) {
    namespaces(c)
        .create(
            &PostParams::default(),
            &serde_json::from_value(
                json!({"metadata": {"name": name, "labels": {"kubesphere.io/workspace": ws}}}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
}

async fn set_annotation(api: &Api<DynamicObject>, name: &str, key: &str, value: &str) {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {key: value}}})),
    )
    .await
    .unwrap();
}

async fn create_template(host: &kube::Client, name: &str, placement: Value) {
    templates(host)
        .create(
            &PostParams::default(),
            &object(json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
                "metadata": {"name": name},
                "spec": {"template": {"metadata": {"labels": {"team": name}}, "spec": {"manager": "admin"}}, "placement": placement}})),
        )
        .await
        .unwrap();
}
