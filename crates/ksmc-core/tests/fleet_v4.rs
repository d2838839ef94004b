//! Fleet facts, findings and the import preflight on KubeSphere 4.1.3 (ksmc-sim's `fresh-v4`
//! and `migrate-v4`), over HTTPS: the version from ks-apiserver, the recorded name and host
//! from the `kubesphere-system` annotations, workspaces pushed without KubeFed's label,
//! projects bound by label, no User copies on members, extensions and InstallPlans, and the
//! 4.1 validation's checks.

mod fleet_common;

use fleet_common::by_cluster;
use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use ksmc_core::ClusterRole;
use ksmc_core::ClusterSource;
use ksmc_core::fleet::facts::{
    ClusterFacts, Generation, SRC_HOST_ANNOTATION, SRC_KS_APISERVER, SRC_NAME_ANNOTATION,
    fingerprint,
};
use ksmc_core::fleet::{
    CheckStatus, FleetReport, PreflightReport, Severity, inspect_dir, preflight, source_in_dir,
};
use ksmc_sim::{Estate, EstateOptions, Scenario};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};

async fn start(scenario: &Scenario) -> (Estate, tempfile::TempDir) {
    let estate = Estate::start(scenario, &EstateOptions::default())
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

fn api(
    client: kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    Api::all_with(
        client,
        &ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural),
    )
}

fn object(v: Value) -> DynamicObject {
    serde_json::from_value(v).unwrap()
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

fn get<'a>(report: &'a FleetReport, name: &str) -> &'a ClusterFacts {
    report.clusters.iter().find(|c| c.name == name).unwrap()
}

/// Inspects until `done` holds (the simulated controllers settle asynchronously).
async fn inspect_until(
    dir: &tempfile::TempDir,
    what: &str,
    done: impl Fn(&FleetReport) -> bool,
) -> FleetReport {
    let mut last = None;
    for _ in 0..100 {
        let report = inspect_dir(dir.path()).await.expect("estate read");
        if done(&report) {
            return report;
        }
        last = Some(report);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} never happened: {last:#?}");
}

/// prod-1 is Ready on old-host and carries the name annotations.
fn settled(r: &FleetReport) -> bool {
    let ready =
        get(r, "old-host").clusters.all().iter().any(|m| {
            m.name == "prod-1" && m.condition("Ready").is_some_and(|c| c.status == "True")
        });
    ready && get(r, "prod-1").recorded_name().is_some()
}

async fn run_preflight(
    dir: &tempfile::TempDir,
    host: &str,
    member: &str,
    name: Option<&str>,
) -> PreflightReport {
    let h = source_in_dir(dir.path(), host).unwrap();
    let m = source_in_dir(dir.path(), member).unwrap();
    preflight(&h, &m, name).await
}

fn not_passed(r: &PreflightReport) -> Vec<(String, CheckStatus)> {
    r.checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| (c.id.clone(), c.status))
        .collect()
}

fn checks(items: &[(&str, CheckStatus)]) -> Vec<(String, CheckStatus)> {
    items.iter().map(|(i, s)| ((*i).to_owned(), *s)).collect()
}

fn message<'a>(r: &'a PreflightReport, id: &str) -> &'a str {
    &r.checks.iter().find(|c| c.id == id).unwrap().message
}

/// What a 4.x host's preflight does not check: the host sets role and jwtSecret itself.
const V4_SKIPPED: [(&str, CheckStatus); 3] = [
    ("member-role", CheckStatus::Skip),
    ("jwt-secret", CheckStatus::Skip),
    ("access-token-max-age", CheckStatus::Skip),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_v4_facts_are_read_the_4_1_way_and_the_estate_is_clean() {
    let (estate, dir) = start(&Scenario::migrate_v4()).await;
    let report = inspect_until(&dir, "prod-1 settled", settled).await;

    for name in ["old-host", "prod-1", "new-host"] {
        let c = get(&report, name);
        assert!(c.error.is_none() && c.fact_errors.is_empty(), "{c:#?}");
        let ks = c.kubesphere.as_ref().unwrap();
        assert_eq!(ks.generation.value, Generation::V4, "{name}");
        let version = ks.version.as_ref().expect("version read");
        assert_eq!(version.value, "v4.1.3", "{name}");
        assert_eq!(version.source, SRC_KS_APISERVER);
        assert!(ks.configured_role.is_none() && ks.components.is_empty());
        // Extensions and InstallPlans are listed (none installed).
        assert_eq!(c.extensions.items.as_deref(), Some(&[][..]));
        assert_eq!(c.install_plans.items.as_deref(), Some(&[][..]));
    }
    let old = get(&report, "old-host");
    let new = get(&report, "new-host");
    let prod = get(&report, "prod-1");
    assert!(old.is_host() && new.is_host() && !prod.is_host());
    assert_eq!(prod.role(), ClusterRole::Member);

    // The name and the host recorded on prod-1, and the host that registered it.
    let ks = prod.kubesphere.as_ref().unwrap();
    let recorded = ks.recorded_name.as_ref().unwrap();
    assert_eq!(
        (recorded.value.as_str(), recorded.source.as_str()),
        ("prod-1", SRC_NAME_ANNOTATION)
    );
    let by = ks.managed_by.as_ref().unwrap();
    assert_eq!(by.source, SRC_HOST_ANNOTATION);
    assert_eq!(
        Some(by.value.as_str()),
        old.effective().unwrap().host_cluster_name.as_deref()
    );
    let registered = old
        .clusters
        .all()
        .iter()
        .find(|m| m.uid.as_deref() == prod.uid())
        .expect("old-host registers prod-1 by its kube-system UID");
    assert_eq!(registered.name, "prod-1");
    assert_eq!(registered.condition("KSCoreReady").unwrap().status, "True");
    assert!(new.clusters.all().iter().all(|m| m.is_host));
    // No User copies on a 4.1 member, and no user sync computed.
    assert!(prod.users.all().is_empty());
    assert!(registered.users_synced.is_none());
    assert!(old.users.all().iter().any(|u| u.name == "alice"));

    // The jwtSecret the host pushed, as a fingerprint only.
    let secret =
        ksmc_sim::kubesphere::v4::jwt_secret(&estate.cluster("old-host").unwrap().cluster).unwrap();
    assert_eq!(prod.jwt_fingerprint(), fingerprint(&secret).as_deref());
    assert_eq!(prod.jwt_fingerprint(), old.jwt_fingerprint());
    let shown = serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(&secret));

    // Workspaces pushed by old-host (v1beta1, no kubefed.io/managed), projects by label only.
    let mut ws: Vec<&str> = prod
        .workspaces
        .all()
        .iter()
        .map(|w| w.name.as_str())
        .collect();
    ws.sort_unstable();
    assert_eq!(ws, ["system-workspace", "ws-apps", "ws-data"]);
    assert!(prod.workspaces.all().iter().all(|w| !w.kubefed_managed));
    let gitops = prod
        .projects
        .all()
        .iter()
        .find(|p| p.name == "apps-gitops")
        .unwrap();
    assert_eq!(gitops.workspace, "ws-apps");
    assert!(gitops.owner_references.iter().all(|r| !r.is_workspace()));

    // Nothing is wrong: no member-local workspace, no stale owner, no users not synced.
    assert_eq!(
        by_cluster(&report),
        expect(&[("new-host", &[]), ("old-host", &[]), ("prod-1", &[])]),
        "{:#?}",
        report.findings
    );

    // prod-1 cannot be imported into new-host as it is: old-host manages it.
    let r = run_preflight(&dir, "new-host", "prod-1", None).await;
    assert!(!r.ok);
    let mut expected = vec![("not-managed", CheckStatus::Fail)];
    expected.extend(V4_SKIPPED);
    // Its workspaces are old-host's: new-host has no templates for them (yet).
    expected.push(("clean-member", CheckStatus::Warn));
    assert_eq!(not_passed(&r), checks(&expected), "{r:#?}");
    assert!(message(&r, "clean-member").contains("ws-apps is a local workspace of the member"));
    assert_eq!(
        message(&r, "not-managed"),
        "current cluster is managed by another host cluster 'host'"
    );
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breaking_a_v4_member_is_found() {
    let (estate, dir) = start(&Scenario::migrate_v4()).await;
    inspect_until(&dir, "prod-1 settled", settled).await;
    let member = client(&dir, "prod-1").await;
    let host = client(&dir, "old-host").await;

    // A project labelled with a workspace that is nowhere.
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(member.clone());
    namespaces
        .patch(
            "scratch",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": "ws-ghost"}}})),
        )
        .await
        .unwrap();
    // A workspace created on the member itself: no template of old-host places it.
    api(
        member.clone(),
        "tenant.kubesphere.io",
        "v1beta1",
        "Workspace",
        "workspaces",
    )
    .create(
        &PostParams::default(),
        &object(
            json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "Workspace",
                "metadata": {"name": "ws-local"}, "spec": {"manager": "admin"}}),
        ),
    )
    .await
    .unwrap();
    // An extension whose install failed on the host and on prod-1.
    let failed = |message: &str| {
        json!({"state": "InstallFailed", "releaseName": "devops", "targetNamespace": "kubesphere-devops-system",
            "version": "1.1.1",
            "conditions": [{"type": "Installed", "status": "False", "reason": "InstallFailed",
                "message": message, "lastTransitionTime": "2025-01-01T00:00:00Z"}]})
    };
    let mut status = failed("helm install timed out");
    status["clusterSchedulingStatuses"] = json!({"prod-1": failed("image pull failed")});
    let plans = api(
        host,
        "kubesphere.io",
        "v1alpha1",
        "InstallPlan",
        "installplans",
    );
    let plan = plans
        .create(
            &PostParams::default(),
            &object(
                json!({"apiVersion": "kubesphere.io/v1alpha1", "kind": "InstallPlan",
                "metadata": {"name": "devops"},
                "spec": {"extension": {"name": "devops", "version": "1.1.1"}, "enabled": true,
                    "clusterScheduling": {"placement": {"clusters": ["prod-1"]}}},
                "status": status.clone()}),
            ),
        )
        .await
        .unwrap();
    if plan.data.get("status").is_none() {
        // A status subresource: write the status through it.
        let mut with_status = plan.clone();
        with_status.data["status"] = status;
        plans
            .replace_status("devops", &PostParams::default(), &with_status)
            .await
            .unwrap();
    }

    let report = inspect_until(&dir, "the breakage seen", |r| {
        get(r, "prod-1")
            .workspaces
            .all()
            .iter()
            .any(|w| w.name == "ws-local")
            && !get(r, "old-host").install_plans.all().is_empty()
    })
    .await;
    let old = get(&report, "old-host");
    let plan = &old.install_plans.all()[0];
    assert_eq!(
        (plan.extension.as_str(), plan.state.as_deref(), plan.enabled),
        ("devops", Some("InstallFailed"), true)
    );
    assert_eq!(plan.placed_clusters, ["prod-1"]);
    assert_eq!(plan.message.as_deref(), Some("helm install timed out"));
    assert_eq!(plan.clusters.len(), 1);
    assert_eq!(plan.clusters[0].cluster, "prod-1");
    assert_eq!(plan.clusters[0].state.as_deref(), Some("InstallFailed"));

    assert_eq!(
        by_cluster(&report),
        expect(&[
            ("new-host", &[]),
            ("old-host", &["extension-failed"]),
            (
                "prod-1",
                &[
                    "extension-failed",
                    "member-local-workspace",
                    "project-workspace-missing"
                ]
            ),
        ]),
        "{:#?}",
        report.findings
    );
    let find = |cluster: &str, id: &str| {
        report
            .findings
            .iter()
            .find(|f| f.cluster == cluster && f.id == id)
            .unwrap()
    };
    let f = find("prod-1", "project-workspace-missing");
    assert_eq!(f.object.as_deref(), Some("Namespace scratch"));
    assert_eq!(f.severity, Severity::Warning);
    let f = find("prod-1", "member-local-workspace");
    assert_eq!(f.object.as_deref(), Some("Workspace ws-local"));
    assert!(f.fix.commands[0].contains("old-host.kubeconfig get workspacetemplate ws-local"));
    let f = find("prod-1", "extension-failed");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.object.as_deref(),
        Some("InstallPlan devops on old-host (Cluster prod-1)")
    );
    assert!(f.explanation.contains("image pull failed"), "{f:#?}");
    let f = find("old-host", "extension-failed");
    assert_eq!(f.object.as_deref(), Some("InstallPlan devops"));
    assert!(f.explanation.contains("helm install timed out"), "{f:#?}");
    estate.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_v4_plain_member_passes_the_4_1_preflight_until_a_host_manages_it() {
    let (estate, dir) = start(&Scenario::fresh_v4()).await;
    let report = inspect_dir(dir.path()).await.unwrap();
    let host = get(&report, "host");
    assert!(host.is_host() && host.is_v4());
    assert_eq!(host.kubesphere_version(), Some("v4.1.3"));
    let plain = get(&report, "member-1");
    assert!(plain.error.is_none() && plain.kubesphere.is_none());
    // A plain cluster is what a 4.1 host imports: nothing is missing.
    assert_eq!(
        by_cluster(&report),
        expect(&[("host", &[]), ("member-1", &[])]),
        "{:#?}",
        report.findings
    );

    let r = run_preflight(&dir, "host", "member-1", None).await;
    assert!(r.ok, "{r:#?}");
    let mut expected = vec![("ks-apiserver", CheckStatus::Skip)];
    expected.extend(V4_SKIPPED);
    assert_eq!(not_passed(&r), checks(&expected), "{r:#?}");
    assert!(message(&r, "kubesphere-version").contains("installs ks-core v4.1.3"));
    assert!(message(&r, "jwt-secret").contains("not checked by KubeSphere 4.x"));

    // Import it as KubeSphere would: a Cluster with its kubeconfig; the host installs ks-core
    // and records its name and itself on member-1.
    let kubeconfig = std::fs::read_to_string(dir.path().join("member-1.kubeconfig")).unwrap();
    api(
        client(&dir, "host").await,
        "cluster.kubesphere.io",
        "v1alpha1",
        "Cluster",
        "clusters",
    )
    .create(
        &PostParams::default(),
        &object(
            json!({"apiVersion": "cluster.kubesphere.io/v1alpha1", "kind": "Cluster",
                "metadata": {"name": "member-1"},
                "spec": {"joinFederation": true, "connection": {"type": "direct",
                    "kubeconfig": base64::engine::general_purpose::STANDARD.encode(kubeconfig)}}}),
        ),
    )
    .await
    .unwrap();
    let report = inspect_until(&dir, "member-1 imported", |r| {
        let m = get(r, "member-1");
        m.managed_by().is_some() && m.kubesphere_version().is_some() && r.findings.is_empty()
    })
    .await;
    let m = get(&report, "member-1");
    assert_eq!(m.kubesphere_version(), Some("v4.1.3"));
    assert_eq!(m.generation(), Some(Generation::V4));
    assert_eq!(m.role(), ClusterRole::Member);
    assert_eq!(
        (m.recorded_name(), m.managed_by()),
        (Some("member-1"), Some("host"))
    );
    assert_eq!(m.jwt_fingerprint(), get(&report, "host").jwt_fingerprint());

    // Now it is managed, and imported: the 4.1 validation refuses it twice over.
    let r = run_preflight(&dir, "host", "member-1", Some("member-1-again")).await;
    assert!(!r.ok);
    let mut expected = vec![
        ("not-imported", CheckStatus::Fail),
        ("not-managed", CheckStatus::Fail),
    ];
    expected.extend(V4_SKIPPED);
    expected.push(("recorded-name", CheckStatus::Warn));
    assert_eq!(not_passed(&r), checks(&expected), "{r:#?}");
    assert_eq!(
        message(&r, "not-imported"),
        "cluster member-1-again already exists (member-1), MUST not import the same cluster twice"
    );
    assert_eq!(
        message(&r, "not-managed"),
        "current cluster is managed by another host cluster 'host'"
    );
    estate.shutdown().await;
}
