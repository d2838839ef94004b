//! KubeSphere 3.4 behaviour of the simulator: installer, import (cluster controller), webhook,
//! workspace propagation, namespace binding, and how projects survive or are lost.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{client, eventually};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

async fn fast_estate() -> Estate {
    estate_with_installer_delay(Duration::from_millis(50)).await
}

async fn estate_with_installer_delay(delay: Duration) -> Estate {
    let options = EstateOptions {
        kubesphere: ksmc_sim::kubesphere::Settings {
            installer_delay: delay,
            resync: Duration::from_millis(200),
        },
        ..EstateOptions::default()
    };
    Estate::start(&Scenario::fresh(), &options).await.unwrap()
}

fn dynamic(
    c: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    ns: Option<&str>,
) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    match ns {
        Some(ns) => Api::namespaced_with(c.clone(), ns, &ar),
        None => Api::all_with(c.clone(), &ar),
    }
}

fn clusters(c: &kube::Client) -> Api<DynamicObject> {
    dynamic(
        c,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
        None,
    )
}

fn cc(c: &kube::Client) -> Api<DynamicObject> {
    dynamic(
        c,
        "installer.kubesphere.io",
        "v1alpha1",
        "ClusterConfiguration",
        "clusterconfigurations",
        Some("kubesphere-system"),
    )
}

async fn effective(c: &kube::Client) -> Value {
    let cm = Api::<ConfigMap>::namespaced(c.clone(), "kubesphere-system")
        .get("kubesphere-config")
        .await
        .unwrap();
    serde_saphyr::from_str(&cm.data.unwrap()["kubesphere.yaml"]).unwrap()
}

/// Makes member-1 a member with the host's jwtSecret, through its ClusterConfiguration.
async fn configure_member(host: &kube::Client, member: &kube::Client) -> String {
    let jwt = effective(host).await["authentication"]["jwtSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    cc(member)
        .patch(
            "ks-installer",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {
            "multicluster": {"clusterRole": "member"}, "authentication": {"jwtSecret": jwt}}})),
        )
        .await
        .unwrap();
    jwt
}

async fn import(estate: &Estate, host: &kube::Client, name: &str) {
    let yaml = estate
        .kubeconfig(estate.cluster("member-1").unwrap())
        .unwrap();
    let cluster: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": name},
        "spec": {"joinFederation": true, "provider": "", "connection": {"type": "direct",
            "kubeconfig": base64::engine::general_purpose::STANDARD.encode(yaml)}}}))
    .unwrap();
    clusters(host)
        .create(&PostParams::default(), &cluster)
        .await
        .unwrap();
}

fn condition<'a>(c: &'a DynamicObject, kind: &str) -> Option<&'a Value> {
    c.data
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|x| x["type"] == kind)
}

#[tokio::test]
async fn the_installer_renders_the_effective_config_after_a_delay() {
    let estate = estate_with_installer_delay(Duration::from_millis(1500)).await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    assert_eq!(
        effective(&member).await["multicluster"]["clusterRole"],
        "none"
    );
    let jwt = configure_member(&host, &member).await;
    // Not yet: ks-installer takes a while.
    assert_eq!(
        effective(&member).await["multicluster"]["clusterRole"],
        "none"
    );
    eventually("member config re-rendered", || async {
        let e = effective(&member).await;
        e["multicluster"]["clusterRole"] == "member"
            && e["authentication"]["jwtSecret"] == jwt.as_str()
            && e["authentication"]["oauthOptions"]["accessTokenMaxAge"] == 0
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn importing_a_member_joins_it_and_records_its_name() {
    let estate = fast_estate().await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    configure_member(&host, &member).await;
    import(&estate, &host, "member-1").await;
    eventually("member Ready", || async {
        let c = clusters(&host).get("member-1").await.unwrap();
        condition(&c, "Ready").is_some_and(|r| r["status"] == "True")
    })
    .await;
    let c = clusters(&host).get("member-1").await.unwrap();
    assert_eq!(condition(&c, "Federated").unwrap()["status"], "True");
    assert_eq!(c.data["status"]["kubernetesVersion"], "v1.31.6");
    assert_eq!(c.data["status"]["kubeSphereVersion"], "v3.4.1");
    let uid = Api::<Namespace>::all(member.clone())
        .get("kube-system")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap();
    assert_eq!(c.data["status"]["uid"], uid.as_str());
    assert!(
        c.metadata
            .finalizers
            .unwrap()
            .contains(&"finalizer.cluster.kubesphere.io".to_owned())
    );
    eventually("cluster name written on the member", || async {
        effective(&member).await["multicluster"]["clusterName"] == "member-1"
    })
    .await;
    // KubeFed's leftovers on the member.
    let sa = dynamic(
        &member,
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        Some("kube-federation-system"),
    );
    assert!(sa.get_opt("member-1-kubesphere").await.unwrap().is_some());
    estate.shutdown().await;
}

#[tokio::test]
async fn workspaces_propagate_and_deleting_one_on_the_host_loses_member_projects() {
    let estate = fast_estate().await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    configure_member(&host, &member).await;
    import(&estate, &host, "member-1").await;
    let templates = dynamic(
        &host,
        "tenant.kubesphere.io",
        "v1alpha2",
        "WorkspaceTemplate",
        "workspacetemplates",
        None,
    );
    for ws in ["ws-lose", "ws-keep"] {
        let t: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "tenant.kubesphere.io/v1alpha2", "kind": "WorkspaceTemplate",
            "metadata": {"name": ws},
            "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "member-1"}]}}})).unwrap();
        templates.create(&PostParams::default(), &t).await.unwrap();
    }
    let member_ws = dynamic(
        &member,
        "tenant.kubesphere.io",
        "v1alpha1",
        "Workspace",
        "workspaces",
        None,
    );
    eventually("workspaces propagated to the member", || async {
        member_ws.get_opt("ws-lose").await.unwrap().is_some()
            && member_ws.get_opt("ws-keep").await.unwrap().is_some()
    })
    .await;
    let w = member_ws.get("ws-lose").await.unwrap();
    assert_eq!(w.metadata.labels.unwrap()["kubefed.io/managed"], "true");

    // Projects on the member: the namespace controller binds them to the member's Workspace.
    let nss: Api<Namespace> = Api::all(member.clone());
    for (ns, ws) in [("p-lose", "ws-lose"), ("p-keep", "ws-keep")] {
        let n: Namespace = serde_json::from_value(
            json!({"metadata": {"name": ns, "labels": {"kubesphere.io/workspace": ws}}}),
        )
        .unwrap();
        nss.create(&PostParams::default(), &n).await.unwrap();
    }
    eventually("projects owned by their workspaces", || async {
        let a = nss.get("p-lose").await.unwrap();
        let b = nss.get("p-keep").await.unwrap();
        a.metadata
            .owner_references
            .is_some_and(|r| r[0].kind == "Workspace" && r[0].controller == Some(true))
            && b.metadata.owner_references.is_some()
    })
    .await;

    // Delete ws-keep keeping its projects (the tenant API's orphan finalizer), ws-lose plainly.
    templates
        .patch("ws-keep", &PatchParams::default(), &Patch::Merge(json!({"metadata": {"finalizers": ["orphan.finalizers.kubesphere.io", "finalizers.workspacetemplate.kubesphere.io"]}})))
        .await
        .unwrap();
    templates
        .delete("ws-keep", &DeleteParams::default())
        .await
        .unwrap();
    templates
        .delete("ws-lose", &DeleteParams::default())
        .await
        .unwrap();
    eventually(
        "the plainly deleted workspace's project is garbage-collected",
        || async { nss.get_opt("p-lose").await.unwrap().is_none() },
    )
    .await;
    eventually("the orphaned project is detached", || async {
        nss.get("p-keep")
            .await
            .unwrap()
            .metadata
            .owner_references
            .is_none()
    })
    .await;
    let kept = nss.get("p-keep").await.unwrap();
    assert!(kept.metadata.deletion_timestamp.is_none());
    // The stale label stays (kubesphere#5450): it must still be removed by hand.
    assert_eq!(
        kept.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "ws-keep"
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn a_member_holding_a_conflicting_workspace_cannot_join() {
    let estate = fast_estate().await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    configure_member(&host, &member).await;
    // A workspace KubeFed left on the member, which the host places elsewhere.
    let ws: DynamicObject = serde_json::from_value(json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
        "metadata": {"name": "shared", "labels": {"kubefed.io/managed": "true"}}, "spec": {"manager": "admin"}})).unwrap();
    dynamic(
        &member,
        "tenant.kubesphere.io",
        "v1alpha1",
        "Workspace",
        "workspaces",
        None,
    )
    .create(&PostParams::default(), &ws)
    .await
    .unwrap();
    let t: DynamicObject = serde_json::from_value(json!({"apiVersion": "tenant.kubesphere.io/v1alpha2", "kind": "WorkspaceTemplate",
        "metadata": {"name": "shared"}, "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}}})).unwrap();
    dynamic(
        &host,
        "tenant.kubesphere.io",
        "v1alpha2",
        "WorkspaceTemplate",
        "workspacetemplates",
        None,
    )
    .create(&PostParams::default(), &t)
    .await
    .unwrap();
    import(&estate, &host, "member-1").await;
    eventually("join refused", || async {
        let c = clusters(&host).get("member-1").await.unwrap();
        condition(&c, "Federated").is_some_and(|f| f["status"] == "False")
    })
    .await;
    let c = clusters(&host).get("member-1").await.unwrap();
    let f = condition(&c, "Federated").unwrap();
    assert_eq!(
        f["reason"],
        "The workspace shared is found in the target member cluster member-1, which is conflict with the workspace on host"
    );
    assert_eq!(
        condition(&c, "Ready").unwrap()["reason"],
        "Cluster join federation control plane failed"
    );
    estate.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_member_cannot_be_removed_because_of_the_webhook() {
    let estate = fast_estate().await;
    let host = client(&estate, "host").await;
    let member = client(&estate, "member-1").await;
    configure_member(&host, &member).await;
    import(&estate, &host, "member-1").await;
    eventually("member Ready", || async {
        let c = clusters(&host).get("member-1").await.unwrap();
        c.data.pointer("/status/uid").is_some()
    })
    .await;
    estate.network().set_reachable("member-1", false);
    clusters(&host)
        .delete("member-1", &DeleteParams::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stuck = clusters(&host).get("member-1").await.unwrap();
    assert!(
        stuck.metadata.deletion_timestamp.is_some(),
        "still there, being deleted"
    );
    // The maintainers' finalizer patch is an UPDATE too, and is denied.
    let err = clusters(&host)
        .patch(
            "member-1",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("expected a denial")
    };
    assert_eq!(status.code, 403);
    assert!(
        status.message.starts_with(
            "admission webhook \"validating-cluster.kubesphere.io\" denied the request: Get \""
        ),
        "{}",
        status.message
    );
    assert!(
        status.message.ends_with("connect: connection refused"),
        "{}",
        status.message
    );
    // Back on the network, the controller finishes the unbind.
    estate.network().set_reachable("member-1", true);
    eventually("cluster removed", || async {
        clusters(&host).get_opt("member-1").await.unwrap().is_none()
    })
    .await;
    estate.shutdown().await;
}

#[tokio::test]
async fn unlabelling_a_project_drops_its_workspace_owner_reference() {
    let estate = fast_estate().await;
    let member = client(&estate, "member-1").await;
    let ws: DynamicObject = serde_json::from_value(
        json!({"apiVersion": "tenant.kubesphere.io/v1alpha1", "kind": "Workspace",
        "metadata": {"name": "local"}, "spec": {"manager": "admin"}}),
    )
    .unwrap();
    dynamic(
        &member,
        "tenant.kubesphere.io",
        "v1alpha1",
        "Workspace",
        "workspaces",
        None,
    )
    .create(&PostParams::default(), &ws)
    .await
    .unwrap();
    let nss: Api<Namespace> = Api::all(member.clone());
    let n: Namespace = serde_json::from_value(
        json!({"metadata": {"name": "proj", "labels": {"kubesphere.io/workspace": "local"}}}),
    )
    .unwrap();
    nss.create(&PostParams::default(), &n).await.unwrap();
    eventually("bound", || async {
        nss.get("proj")
            .await
            .unwrap()
            .metadata
            .owner_references
            .is_some()
    })
    .await;
    let p = nss.get("proj").await.unwrap();
    assert!(
        p.metadata
            .finalizers
            .unwrap()
            .contains(&"finalizers.kubesphere.io/namespaces".to_owned())
    );
    nss.patch(
        "proj",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": null}}})),
    )
    .await
    .unwrap();
    eventually("unbound by the controller", || async {
        nss.get("proj")
            .await
            .unwrap()
            .metadata
            .owner_references
            .is_none()
    })
    .await;
    estate.shutdown().await;
}
