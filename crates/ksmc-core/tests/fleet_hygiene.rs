//! Fleet inspection of what goes stale in a running estate: kubeconfig certificates of member
//! Clusters, users KubeFed did not copy to a member, and business projects on a host — against
//! ksmc-sim's `migrate` scenario over HTTPS.

mod fleet_common;

use fleet_common::by_cluster;
use std::collections::BTreeMap;

use base64::Engine as _;
use jiff::{Timestamp, ToSpan as _};
use ksmc_core::ClusterSource;
use ksmc_core::fleet::{FleetReport, Severity, inspect_dir};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};

async fn migrate() -> (Estate, tempfile::TempDir) {
    let estate = Estate::start(&Scenario::migrate(), &EstateOptions::default())
        .await
        .expect("estate starts");
    let dir = tempfile::tempdir().expect("tempdir");
    estate.write_dir(dir.path()).expect("kubeconfigs written");
    (estate, dir)
}

async fn client(dir: &tempfile::TempDir, cluster: &str) -> kube::Client {
    ClusterSource::from_file(&dir.path().join(format!("{cluster}.kubeconfig")))
        .unwrap()
        .client()
        .await
        .unwrap()
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

async fn clusters_api(dir: &tempfile::TempDir, host: &str) -> Api<DynamicObject> {
    Api::all_with(
        client(dir, host).await,
        &resource("cluster.kubesphere.io", "v1alpha1", "Cluster", "clusters"),
    )
}

fn expect(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(c, ids)| {
            (
                (*c).to_owned(),
                ids.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A self-signed client certificate valid until midnight UTC of `day`, and its key (PEM).
fn client_cert(day: jiff::civil::Date) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubernetes-admin");
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(
        i32::from(day.year()),
        u8::try_from(day.month()).unwrap(),
        u8::try_from(day.day()).unwrap(),
    );
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A kubeconfig (as JSON, which is YAML) whose only user authenticates with `user`.
fn kubeconfig(server: &str, user: Value) -> String {
    json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "edge",
        "clusters": [{"name": "edge", "cluster": {"server": server}}],
        "users": [{"name": "edge-admin", "user": user}],
        "contexts": [{"name": "edge", "context": {"cluster": "edge", "user": "edge-admin"}}],
    })
    .to_string()
}

/// A member Cluster on `host` that the simulated host cannot reach (so its controller leaves
/// `status` as created: the CRD has no status subresource).
async fn create_cluster(api: &Api<DynamicObject>, name: &str, kubeconfig: &str, status: Value) {
    let obj: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": name},
        "spec": {"joinFederation": true, "connection": {"type": "direct", "kubeconfig": b64(kubeconfig)}},
        "status": status,
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfig_certificates_that_expire_are_found_without_showing_any_credential() {
    let (estate, dir) = migrate().await;
    let clusters = clusters_api(&dir, "old-host").await;

    // prod-1's kubeconfig gains a client certificate that expires in (at most) three days; the
    // token stays, so the host still reaches the member and the webhook accepts the update.
    let day = Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(3.days())
        .unwrap();
    let (cert_pem, key_pem) = client_cert(day);
    let prod = clusters.get("prod-1").await.unwrap();
    let old_b64 = prod.data["spec"]["connection"]["kubeconfig"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&old_b64)
            .unwrap(),
    )
    .unwrap();
    let mut doc: Value = serde_saphyr::from_str(&old_text).unwrap();
    let token = doc["users"][0]["user"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    doc["users"][0]["user"]["client-certificate-data"] = json!(b64(&cert_pem));
    doc["users"][0]["user"]["client-key-data"] = json!(b64(&key_pem));
    let new_b64 = b64(&doc.to_string());
    clusters
        .patch(
            "prod-1",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"connection": {"kubeconfig": new_b64}}})),
        )
        .await
        .unwrap();

    // On new-host: a member whose certificate has expired, and one with a token kubeconfig
    // that KubeSphere reports as expiring (KubeConfigCertExpiresInSevenDays).
    let new_host = clusters_api(&dir, "new-host").await;
    let (old_cert, old_key) = client_cert(jiff::civil::date(2024, 1, 1));
    create_cluster(
        &new_host,
        "edge-expired",
        &kubeconfig(
            "https://127.0.0.1:9",
            json!({"client-certificate-data": b64(&old_cert), "client-key-data": b64(&old_key)}),
        ),
        json!({}),
    )
    .await;
    create_cluster(
        &new_host,
        "edge-token",
        &kubeconfig(
            "https://127.0.0.1:9",
            json!({"token": "edge-token-canary-7f3a9c"}),
        ),
        json!({"conditions": [{"type": "KubeConfigCertExpiresInSevenDays", "status": "True",
            "reason": "", "message": "Cluster kubeconfig certificate expires in 5 days"}]}),
    )
    .await;

    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[
            (
                "new-host",
                &["kubeconfig-cert-expiring", "kubeconfig-cert-expiring"]
            ),
            ("old-host", &["kubeconfig-cert-expiring"]),
            ("prod-1", &[]),
        ]),
        "{:#?}",
        report.findings
    );

    // The fact, with its source.
    let get = |n: &str| report.clusters.iter().find(|c| c.name == n).unwrap();
    let mc = |h: &str, n: &str| {
        get(h)
            .clusters
            .all()
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .clone()
    };
    let prod_mc = mc("old-host", "prod-1");
    let fact = prod_mc.cert_expires.as_ref().expect("a certificate expiry");
    assert_eq!(
        fact.value,
        day.to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .to_string()
    );
    assert_eq!(
        fact.source,
        "Cluster prod-1 spec.connection.kubeconfig: client-certificate-data of user prod-1-admin"
    );
    assert!(mc("new-host", "edge-token").cert_expires.is_none());
    assert!(get("old-host").fact_errors.is_empty());
    assert!(
        mc("old-host", "host").cert_expires.is_none(),
        "the host's own Cluster"
    );

    // The findings.
    let find = |object: &str| {
        report
            .findings
            .iter()
            .find(|f| f.object.as_deref() == Some(object))
            .unwrap()
    };
    let soon = find("Cluster prod-1");
    assert_eq!(soon.severity, Severity::Warning);
    assert!(soon.title.contains("expires in"), "{}", soon.title);
    assert!(
        soon.fix
            .commands
            .iter()
            .any(|c| c.starts_with(
                "kubectl --kubeconfig old-host.kubeconfig patch cluster prod-1 --type merge -p"
            ) && c.contains("$(base64 -w0 < prod-1-renewed.kubeconfig)")),
        "{:#?}",
        soon.fix
    );
    let expired = find("Cluster edge-expired");
    assert_eq!(expired.severity, Severity::Error);
    assert!(
        expired.title.contains("expired on 2024-01-01"),
        "{}",
        expired.title
    );
    let by_condition = find("Cluster edge-token");
    assert_eq!(by_condition.severity, Severity::Warning);
    assert!(
        by_condition
            .explanation
            .contains("KubeConfigCertExpiresInSevenDays=True"),
        "{}",
        by_condition.explanation
    );

    // Nothing of the kubeconfigs but the expiry: no key, no token, no certificate.
    let text = format!("{report:?}{}", serde_json::to_string(&report).unwrap());
    let body = |pem: &str| -> String {
        pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    };
    for needle in [
        token.as_str(),
        "edge-token-canary-7f3a9c",
        "PRIVATE KEY",
        "BEGIN CERTIFICATE",
        &body(&key_pem)[..40],
        &body(&old_key)[..40],
        &body(&cert_pem)[..40],
        &b64(&key_pem)[..40],
        &b64(&cert_pem)[..40],
        &new_b64[..40],
        &old_b64[..40],
    ] {
        assert!(!text.contains(needle), "{needle} is shown");
    }
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_copy_missing_on_a_member_is_found() {
    let (estate, dir) = migrate().await;
    let report = inspect_dir(dir.path()).await.unwrap();
    let sync = |r: &FleetReport| {
        r.clusters
            .iter()
            .find(|c| c.name == "old-host")
            .unwrap()
            .clusters
            .all()
            .iter()
            .find(|c| c.name == "prod-1")
            .unwrap()
            .users_synced
            .clone()
            .expect("user sync of prod-1")
    };
    let before = sync(&report);
    assert_eq!(
        (before.cluster.as_str(), before.synced, before.total),
        ("prod-1", 2, 2)
    );
    assert!(before.missing.is_empty());
    assert!(
        before
            .source
            .starts_with("users.iam.kubesphere.io on old-host")
    );
    assert!(
        !report.findings.iter().any(|f| f.id == "users-not-synced"),
        "{:#?}",
        report.findings
    );

    // bob's KubeFed copy disappears from prod-1 (the simulator re-copies users only on a
    // join or a change of the host's User, so this lasts).
    let users: Api<DynamicObject> = Api::all_with(
        client(&dir, "prod-1").await,
        &resource("iam.kubesphere.io", "v1alpha2", "User", "users"),
    );
    users.delete("bob", &DeleteParams::default()).await.unwrap();
    for _ in 0..100 {
        if users.get_opt("bob").await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[
            ("new-host", &[]),
            ("old-host", &[]),
            ("prod-1", &["users-not-synced"])
        ]),
        "{:#?}",
        report.findings
    );
    let after = sync(&report);
    assert_eq!((after.synced, after.total), (1, 2));
    assert_eq!(after.missing, ["bob"]);
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "users-not-synced")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.object.as_deref(), Some("Cluster prod-1 on old-host"));
    assert_eq!(f.title, "1 of old-host's 2 users are not on prod-1: bob");
    assert!(f.explanation.contains("FederatedUser"));
    assert!(f.explanation.contains("user email: … already exists"));
    assert!(
        f.fix
            .commands
            .iter()
            .any(|c| c.contains("kubefed-controller-manager"))
    );
    assert!(
        f.fix
            .commands
            .iter()
            .any(|c| c.ends_with("get federatedusers.types.kubefed.io bob -o yaml"))
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_projects_on_a_host_are_listed() {
    let (estate, dir) = migrate().await;
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> =
        Api::all(client(&dir, "old-host").await);
    for (name, labels) in [
        // A project of ws-data, which is placed on the host too.
        ("shop", json!({"kubesphere.io/workspace": "ws-data"})),
        // The host side of a multi-cluster project: its workloads run on members.
        (
            "multi",
            json!({"kubesphere.io/workspace": "ws-data", "kubesphere.io/kubefed-host-namespace": "true", "kubefed.io/managed": "false"}),
        ),
        // Not a project.
        ("scratch", json!({})),
    ] {
        let ns: k8s_openapi::api::core::v1::Namespace = serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}),
        )
        .unwrap();
        namespaces
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
    }
    let report = inspect_dir(dir.path()).await.unwrap();
    assert_eq!(
        by_cluster(&report),
        expect(&[
            ("new-host", &[]),
            ("old-host", &["workloads-on-host"]),
            ("prod-1", &[])
        ]),
        "{:#?}",
        report.findings
    );
    let f = &report.findings[0];
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.title, "1 project on host old-host: shop (ws-data)");
    assert!(
        f.explanation
            .contains("manage clusters only and deploy workloads on Member Clusters"),
        "{}",
        f.explanation
    );
    assert_eq!(
        f.fix.commands[1],
        "kubectl --kubeconfig old-host.kubeconfig -n shop get deployments,statefulsets,daemonsets,jobs"
    );
    estate.shutdown().await;
}
