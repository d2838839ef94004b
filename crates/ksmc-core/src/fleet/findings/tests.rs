//! Findings from hand-made facts.

use super::super::facts::*;
use super::*;
use crate::facts::ClusterRole;

#[path = "../../../tests/params_check/mod.rs"]
mod params_check;

/// [`super::findings`], each finding's params checked.
fn findings(all: &[ClusterFacts]) -> Vec<Finding> {
    checked(super::findings(all))
}

/// [`super::findings_at`], each finding's params checked.
fn findings_at(all: &[ClusterFacts], now: Timestamp) -> Vec<Finding> {
    checked(super::findings_at(all, now))
}

fn checked(list: Vec<Finding>) -> Vec<Finding> {
    for f in &list {
        let text = [f.title.as_str(), &f.explanation, &f.fix.summary];
        params_check::check(&f.id, &f.cluster, f.object.as_deref(), &text, &f.params)
            .unwrap_or_else(|e| panic!("{e}\n{f:#?}"));
    }
    list
}

#[test]
fn every_id_declares_its_params_in_order() {
    let declared: Vec<&str> = PARAMS.iter().map(|(id, ..)| *id).collect();
    assert_eq!(declared, IDS);
    for (id, keys, variants) in PARAMS {
        assert!(!keys.is_empty(), "{id}");
        assert!(!keys.contains(&VARIANT), "{id}");
        let mut unique = keys.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "{id}");
        assert!(!variants.contains(&""), "{id}");
    }
}

fn ks(role: ClusterRole, jwt: &str, max_age: &str, recorded: Option<&str>) -> KubeSphereFacts {
    KubeSphereFacts {
        generation: Fact::new(Generation::V3, SRC_TENANT_GROUP),
        version: Some(Fact::new("v3.4.1".into(), SRC_CC)),
        configured_role: Some(Fact::new(role, SRC_CC)),
        configured_jwt_fingerprint: None,
        effective: Some(EffectiveConfig {
            cluster_role: role,
            multicluster_enabled: role == ClusterRole::Host,
            jwt_fingerprint: fingerprint(jwt),
            access_token_max_age: Some(max_age.into()),
            recorded_name: recorded.map(str::to_owned),
            host_cluster_name: None,
            source: SRC_CONFIG.into(),
        }),
        recorded_name: recorded.map(|r| Fact::new(r.to_owned(), SRC_CONFIG)),
        managed_by: None,
        components: Vec::new(),
    }
}

fn cluster(name: &str, uid: &str, kubesphere: Option<KubeSphereFacts>) -> ClusterFacts {
    let mut c =
        ClusterFacts::unreadable(name, crate::AppError::new(crate::ErrorKind::Internal, ""));
    c.error = None;
    c.reachable = true;
    c.kube_system_uid = Some(Fact::new(uid.into(), SRC_KUBE_SYSTEM));
    c.kubesphere = kubesphere;
    c.workspaces.items = Some(vec![]);
    c.users.items = Some(vec![]);
    c.clusters.items = Some(vec![]);
    c.workspace_templates.items = Some(vec![]);
    c.projects.items = Some(vec![]);
    c
}

fn managed(name: &str, uid: &str, ready: bool) -> ManagedCluster {
    ManagedCluster {
        name: name.into(),
        is_host: false,
        connection_type: Some("direct".into()),
        join_federation: true,
        conditions: vec![
            Condition {
                kind: "Federated".into(),
                status: if ready { "True" } else { "False" }.into(),
                reason: (!ready)
                    .then(|| "The workspace w is found in the target member cluster m".into()),
                message: None,
                last_update_time: None,
            },
            Condition {
                kind: "Ready".into(),
                status: if ready { "True" } else { "False" }.into(),
                reason: Some(
                    if ready {
                        "Ready"
                    } else {
                        "Cluster join federation control plane failed"
                    }
                    .into(),
                ),
                message: None,
                last_update_time: None,
            },
        ],
        kubernetes_version: None,
        kubesphere_version: None,
        uid: Some(uid.into()),
        deleting_since: None,
        finalizers: vec!["finalizer.cluster.kubesphere.io".into()],
        cert_expires: None,
        users_synced: None,
    }
}

fn host() -> ClusterFacts {
    cluster(
        "host",
        "uid-host",
        Some(ks(ClusterRole::Host, "host-secret", "2h", None)),
    )
}

fn ids(f: &[Finding], cluster: &str) -> Vec<String> {
    let mut v: Vec<String> = f
        .iter()
        .filter(|x| x.cluster == cluster)
        .map(|x| x.id.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn a_healthy_member_has_no_findings() {
    let mut h = host();
    h.clusters.items = Some(vec![managed("m", "uid-m", true)]);
    let m = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::Member, "host-secret", "0", Some("m"))),
    );
    assert_eq!(findings(&[h, m]), vec![]);
}

#[test]
fn jwt_max_age_and_role_of_a_registered_member() {
    let mut h = host();
    h.clusters.items = Some(vec![managed("m", "uid-m", true)]);
    let m = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::Member, "other", "2h", Some("m"))),
    );
    let f = findings(&[h.clone(), m]);
    assert_eq!(ids(&f, "m"), ["access-token-max-age", "jwt-mismatch"]);
    let jwt = f.iter().find(|x| x.id == "jwt-mismatch").unwrap();
    assert!(jwt.explanation.contains(&fingerprint("other").unwrap()));
    let text = serde_json::to_string(&f).unwrap();
    assert!(
        !text.contains("host-secret") && !text.contains("\"other\""),
        "{text}"
    );

    let none = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::None, "host-secret", "2h", Some("m"))),
    );
    let f = findings(&[h, none]);
    assert_eq!(ids(&f, "m"), ["role-not-member"]);
    assert_eq!(f[0].severity, Severity::Error);
}

#[test]
fn names_twice_imports_and_cluster_state() {
    let mut h = host();
    let mut deleting = managed("gone", "uid-gone", true);
    deleting.deleting_since = Some("2025-01-01T00:00:00Z".into());
    h.clusters.items = Some(vec![
        managed("m", "uid-m", true),
        managed("m-again", "uid-m", true),
        managed("broken", "uid-b", false),
        deleting,
    ]);
    let m = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::Member, "host-secret", "0", Some("old"))),
    );
    let f = findings(&[h, m]);
    assert_eq!(
        ids(&f, "host"),
        ["cluster-deleting", "cluster-not-ready", "imported-twice"]
    );
    assert_eq!(ids(&f, "m"), ["recorded-name-mismatch"]);
    let nr = f.iter().find(|x| x.id == "cluster-not-ready").unwrap();
    assert!(
        nr.explanation
            .contains("is found in the target member cluster"),
        "{}",
        nr.explanation
    );
    assert_eq!(nr.object.as_deref(), Some("Cluster broken"));
    assert_eq!(
        f.iter()
            .find(|x| x.id == "imported-twice")
            .unwrap()
            .object
            .as_deref(),
        Some("Cluster m-again")
    );
}

#[test]
fn stale_owner_reference_is_the_gc_hazard() {
    let mut m = cluster("m", "uid-m", Some(ks(ClusterRole::None, "s", "2h", None)));
    m.workspaces.items = Some(vec![Workspace {
        name: "ws".into(),
        uid: "new-uid".into(),
        kubefed_managed: false,
    }]);
    let owner = |uid: &str| OwnerRef {
        api_version: "tenant.kubesphere.io/v1alpha1".into(),
        kind: "Workspace".into(),
        name: "ws".into(),
        uid: uid.into(),
        controller: true,
    };
    m.projects.items = Some(vec![
        Project {
            name: "ok".into(),
            workspace: "ws".into(),
            owner_references: vec![owner("new-uid")],
            kubefed_managed: false,
            kubefed_host_namespace: false,
        },
        Project {
            name: "stale".into(),
            workspace: "ws".into(),
            owner_references: vec![
                OwnerRef {
                    kind: "Application".into(),
                    api_version: "argoproj.io/v1alpha1".into(),
                    name: "a".into(),
                    uid: "x".into(),
                    controller: false,
                },
                owner("old-uid"),
            ],
            kubefed_managed: false,
            kubefed_host_namespace: false,
        },
        Project {
            name: "orphan".into(),
            workspace: "deleted-ws".into(),
            owner_references: vec![],
            kubefed_managed: false,
            kubefed_host_namespace: false,
        },
    ]);
    let f = findings(&[m]);
    assert_eq!(
        ids(&f, "m"),
        ["project-workspace-missing", "stale-owner-reference"]
    );
    let stale = f.iter().find(|x| x.id == "stale-owner-reference").unwrap();
    assert_eq!(stale.object.as_deref(), Some("Namespace stale"));
    assert!(
        stale.fix.commands[0].contains("/metadata/ownerReferences/1"),
        "{:?}",
        stale.fix
    );
    assert_eq!(
        f.iter()
            .find(|x| x.id == "project-workspace-missing")
            .unwrap()
            .object
            .as_deref(),
        Some("Namespace orphan")
    );
}

#[test]
fn app_store_and_components_on_a_member() {
    let mut h = host();
    h.kubesphere.as_mut().unwrap().components = vec![Component {
        name: "devops".into(),
        configured: true,
        installed: true,
    }];
    let mut k = ks(ClusterRole::Member, "host-secret", "0", None);
    k.components = vec![
        Component {
            name: "openpitrix".into(),
            configured: true,
            installed: false,
        },
        Component {
            name: "devops".into(),
            configured: true,
            installed: true,
        },
        Component {
            name: "logging".into(),
            configured: true,
            installed: false,
        },
        Component {
            name: "events".into(),
            configured: false,
            installed: true,
        },
    ];
    let m = cluster("m", "uid-m", Some(k));
    let f = findings(&[h, m]);
    assert_eq!(
        ids(&f, "m"),
        ["appstore-on-member", "component-not-on-host"]
    );
    assert_eq!(
        f.iter()
            .find(|x| x.id == "component-not-on-host")
            .unwrap()
            .object
            .as_deref(),
        Some("component logging")
    );
}

#[test]
fn config_not_rendered_after_a_cc_change() {
    let mut k = ks(ClusterRole::None, "s", "2h", None);
    k.configured_role = Some(Fact::new(ClusterRole::Member, SRC_CC));
    k.configured_jwt_fingerprint = fingerprint("host-secret");
    let m = cluster("m", "uid-m", Some(k));
    let f = findings(&[host(), m]);
    let c = f.iter().find(|x| x.id == "config-not-rendered").unwrap();
    assert!(
        c.explanation
            .contains("member in the ClusterConfiguration, none in effect"),
        "{}",
        c.explanation
    );
    assert!(c.explanation.contains("jwtSecret"));
    assert!(ids(&f, "m").contains(&"role-none".to_owned()));
}

#[test]
fn two_hosts_managing_one_member() {
    let mut a = host();
    a.clusters.items = Some(vec![managed("m", "uid-m", true)]);
    let mut b = cluster(
        "new-host",
        "uid-new",
        Some(ks(ClusterRole::Host, "host-secret", "2h", None)),
    );
    b.clusters.items = Some(vec![managed("m2", "uid-m", true)]);
    let m = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::Member, "host-secret", "0", Some("m"))),
    );
    let f = findings(&[a, b, m]);
    assert_eq!(ids(&f, "host"), ["managed-by-two-hosts"]);
    assert!(ids(&f, "new-host").is_empty());
}

fn user(name: &str, managed: bool) -> User {
    User {
        name: name.into(),
        email: Some(format!("{name}@example.com")),
        kubefed_managed: managed,
    }
}

#[test]
fn kubeconfig_certificates_expiring_expired_and_by_condition() {
    let now: Timestamp = "2025-06-01T12:00:00Z".parse().unwrap();
    let with_cert = |name: &str, not_after: &str| {
        let mut mc = managed(name, &format!("uid-{name}"), true);
        mc.cert_expires = Some(Fact::new(
            not_after.into(),
            &format!(
                "Cluster {name} spec.connection.kubeconfig: client-certificate-data of user u"
            ),
        ));
        mc
    };
    let mut by_condition = managed("cond", "uid-cond", true);
    by_condition.conditions.push(Condition {
        kind: "KubeConfigCertExpiresInSevenDays".into(),
        status: "True".into(),
        reason: None,
        message: Some("Cluster kubeconfig certificate expires in 5 days".into()),
        last_update_time: None,
    });
    let mut renewed = with_cert("renewed", "2026-06-01T00:00:00Z");
    renewed.conditions = by_condition.conditions.clone();
    let mut h = host();
    h.clusters.items = Some(vec![
        with_cert("soon", "2025-06-04T00:00:00Z"),
        with_cert("later", "2025-08-01T00:00:00Z"),
        with_cert("gone", "2025-05-31T00:00:00Z"),
        by_condition,
        renewed,
    ]);
    let f = findings_at(&[h], now);
    let got: Vec<(&str, Severity, &str)> = f
        .iter()
        .map(|x| (x.id.as_str(), x.severity, x.object.as_deref().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("kubeconfig-cert-expiring", Severity::Error, "Cluster gone"),
            (
                "kubeconfig-cert-expiring",
                Severity::Warning,
                "Cluster cond"
            ),
            (
                "kubeconfig-cert-expiring",
                Severity::Warning,
                "Cluster soon"
            ),
        ]
    );
    let soon = f
        .iter()
        .find(|x| x.object.as_deref() == Some("Cluster soon"))
        .unwrap();
    assert!(soon.title.ends_with("expires in 2 days"), "{}", soon.title);
    assert!(
        soon.fix
            .commands
            .iter()
            .any(|c| c.contains("patch cluster soon")),
        "{:?}",
        soon.fix
    );
    let cond = f
        .iter()
        .find(|x| x.object.as_deref() == Some("Cluster cond"))
        .unwrap();
    assert!(
        cond.explanation.contains("expires in 5 days"),
        "{}",
        cond.explanation
    );
    assert!(
        f[0].title.contains("expired on 2025-05-31"),
        "{}",
        f[0].title
    );
}

#[test]
fn users_missing_on_a_joined_member() {
    let mut h = host();
    h.users.items = Some(
        ["admin", "alice", "bob", "carol"]
            .iter()
            .map(|n| user(n, false))
            .collect(),
    );
    h.clusters.items = Some(vec![
        managed("m", "uid-m", true),
        managed("n", "uid-n", false),
    ]);
    let mut m = cluster(
        "m",
        "uid-m",
        Some(ks(ClusterRole::Member, "host-secret", "0", Some("m"))),
    );
    // A local alice is not a copy; admin is every installation's own.
    m.users.items = Some(vec![
        user("admin", false),
        user("alice", false),
        user("bob", true),
    ]);
    let mut n = cluster(
        "n",
        "uid-n",
        Some(ks(ClusterRole::Member, "host-secret", "0", Some("n"))),
    );
    n.users.items = Some(vec![]);
    let mut all = vec![h, m, n];
    link_members(&mut all);
    let sync = all[0].clusters.all()[0].users_synced.clone().unwrap();
    assert_eq!(
        (sync.cluster.as_str(), sync.synced, sync.total),
        ("m", 1, 3)
    );
    assert_eq!(sync.missing, ["alice", "carol"]);
    assert_eq!(
        all[0].clusters.all()[1]
            .users_synced
            .as_ref()
            .unwrap()
            .synced,
        0
    );
    let f = findings(&all);
    let u: Vec<&Finding> = f.iter().filter(|x| x.id == "users-not-synced").collect();
    // n is not Ready (it has not joined): only m.
    assert_eq!(u.len(), 1, "{f:#?}");
    assert_eq!(u[0].cluster, "m");
    assert_eq!(u[0].object.as_deref(), Some("Cluster m on host"));
    assert!(
        u[0].title
            .starts_with("2 of host's 3 users are not on m: alice, carol"),
        "{}",
        u[0].title
    );
    assert!(u[0].explanation.contains("FederatedUser"));
}

#[test]
fn business_projects_on_a_host() {
    let project = |name: &str, ws: &str| Project {
        name: name.into(),
        workspace: ws.into(),
        owner_references: vec![],
        kubefed_managed: false,
        kubefed_host_namespace: false,
    };
    let mut h = host();
    h.workspaces.items = Some(
        ["system-workspace", "shop"]
            .iter()
            .map(|w| Workspace {
                name: (*w).into(),
                uid: format!("uid-{w}"),
                kubefed_managed: false,
            })
            .collect(),
    );
    let mut federated = project("multi", "shop");
    federated.kubefed_host_namespace = true;
    h.projects.items = Some(vec![
        project("kubesphere-system", "system-workspace"),
        project("kube-federation-system", "system-workspace"),
        project("shop-web", "shop"),
        project("shop-db", "shop"),
        federated,
    ]);
    let f = findings(&[h.clone()]);
    assert_eq!(ids(&f, "host"), ["workloads-on-host"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].title,
        "2 projects on host host: shop-db (shop), shop-web (shop)"
    );
    assert!(
        f[0].fix.commands[1].contains("-n shop-db "),
        "{:?}",
        f[0].fix
    );
    // Not a host: nothing.
    let mut m = h;
    m.kubesphere = Some(ks(ClusterRole::None, "s", "2h", None));
    assert!(findings(&[m]).is_empty());
}

/// KubeSphere 4.x facts: no ClusterConfiguration, the name and host from annotations.
fn ks_v4(role: ClusterRole, jwt: &str, recorded: Option<(&str, &str)>) -> KubeSphereFacts {
    KubeSphereFacts {
        generation: Fact::new(Generation::V4, SRC_TENANT_GROUP),
        version: Some(Fact::new("v4.1.3".into(), SRC_KS_APISERVER)),
        configured_role: None,
        configured_jwt_fingerprint: None,
        effective: Some(EffectiveConfig {
            cluster_role: role,
            multicluster_enabled: false,
            jwt_fingerprint: fingerprint(jwt),
            access_token_max_age: Some(
                if role == ClusterRole::Member {
                    "0s"
                } else {
                    "2h"
                }
                .into(),
            ),
            recorded_name: None,
            host_cluster_name: Some("host".into()),
            source: SRC_CONFIG.into(),
        }),
        recorded_name: recorded.map(|(n, _)| Fact::new(n.to_owned(), SRC_NAME_ANNOTATION)),
        managed_by: recorded.map(|(_, h)| Fact::new(h.to_owned(), SRC_HOST_ANNOTATION)),
        components: Vec::new(),
    }
}

fn v4_host() -> ClusterFacts {
    let mut h = cluster(
        "host",
        "uid-host",
        Some(ks_v4(
            ClusterRole::Host,
            "host-secret",
            Some(("host", "host")),
        )),
    );
    h.workspace_templates.items = Some(vec![
        WorkspaceTemplate {
            name: "ws-placed".into(),
            placed_everywhere: false,
            clusters: vec!["m".into()],
        },
        WorkspaceTemplate {
            name: "ws-elsewhere".into(),
            placed_everywhere: false,
            clusters: vec!["other".into()],
        },
    ]);
    h
}

fn workspace(name: &str) -> Workspace {
    Workspace {
        name: name.into(),
        uid: format!("uid-{name}"),
        kubefed_managed: false,
    }
}

#[test]
fn v4_members_follow_the_4_1_rules() {
    let mut h = v4_host();
    assert!(h.is_host() && h.is_v4());
    h.clusters.items = Some(vec![managed("m", "uid-m", true)]);
    // A healthy member: pushed workspaces without KubeFed's label, no users, no ownerReferences.
    let mut m = cluster(
        "m",
        "uid-m",
        Some(ks_v4(
            ClusterRole::Member,
            "host-secret",
            Some(("m", "host")),
        )),
    );
    m.workspaces.items = Some(vec![workspace("system-workspace"), workspace("ws-placed")]);
    m.projects.items = Some(vec![Project {
        name: "app".into(),
        workspace: "ws-placed".into(),
        owner_references: vec![],
        kubefed_managed: false,
        kubefed_host_namespace: false,
    }]);
    assert_eq!(findings(&[h.clone(), m.clone()]), vec![]);

    // A local workspace, one the host deletes, another host's annotation, a changed jwtSecret.
    let mut broken = m.clone();
    broken
        .workspaces
        .items
        .as_mut()
        .unwrap()
        .extend([workspace("ws-local"), workspace("ws-elsewhere")]);
    let ks = broken.kubesphere.as_mut().unwrap();
    ks.managed_by = Some(Fact::new("other-host".into(), SRC_HOST_ANNOTATION));
    ks.effective.as_mut().unwrap().jwt_fingerprint = fingerprint("changed");
    let f = findings(&[h.clone(), broken]);
    assert_eq!(
        ids(&f, "m"),
        [
            "jwt-mismatch",
            "managed-by-another-host",
            "member-local-workspace",
            "workspace-conflict"
        ]
    );
    let jwt = f.iter().find(|x| x.id == "jwt-mismatch").unwrap();
    assert!(
        jwt.fix.workflow.is_none(),
        "a 4.x member has no ClusterConfiguration to patch"
    );
    assert!(jwt.fix.commands[0].contains("annotate cluster m kubesphere.io/config-hash-"));
    let conflict = f.iter().find(|x| x.id == "workspace-conflict").unwrap();
    assert_eq!(conflict.object.as_deref(), Some("Workspace ws-elsewhere"));
    assert!(conflict.fix.workflow.is_some());

    // Unregistered: a plain cluster is an import candidate; a cluster another host manages is
    // refused by the 4.1 validation; role and jwtSecret do not matter before the import.
    h.clusters.items = Some(vec![]);
    let plain = cluster("plain", "uid-p", None);
    let mut other = cluster(
        "m",
        "uid-m",
        Some(ks_v4(
            ClusterRole::Member,
            "another-secret",
            Some(("m", "gone-host")),
        )),
    );
    other.workspaces.items = Some(vec![workspace("system-workspace")]);
    let f = findings(&[h.clone(), plain.clone(), other]);
    assert_eq!(ids(&f, "plain"), Vec::<String>::new());
    assert_eq!(ids(&f, "m"), ["managed-by-another-host"]);
    assert!(
        f[0].explanation
            .contains("current cluster is managed by another host cluster 'gone-host'")
    );

    // Registered but ks-core not installed yet.
    let mut pending = managed("plain", "uid-p", false);
    pending.conditions.retain(|c| c.kind == "Ready");
    h.clusters.items = Some(vec![pending]);
    let f = findings(&[h, plain]);
    assert_eq!(ids(&f, "plain"), ["no-kubesphere"]);
    let nk = f.iter().find(|x| x.cluster == "plain").unwrap();
    assert_eq!(nk.severity, Severity::Warning);
    assert!(nk.title.contains("has not installed ks-core"));
}

#[test]
fn failed_install_plans_are_found_where_they_failed() {
    let mut h = v4_host();
    h.clusters.items = Some(vec![
        managed("m", "uid-m", true),
        managed("edge", "uid-edge", true),
    ]);
    let install = |cluster: &str, state: &str| ClusterInstall {
        cluster: cluster.into(),
        state: Some(state.into()),
        version: Some("1.1.1".into()),
        target_namespace: Some("kubesphere-devops-system".into()),
        message: (state != "Installed").then(|| "image pull failed".into()),
    };
    h.install_plans.items = Some(vec![InstallPlan {
        name: "devops".into(),
        extension: "devops".into(),
        version: Some("1.1.1".into()),
        enabled: true,
        state: Some("Installed".into()),
        message: None,
        placed_clusters: vec!["m".into(), "edge".into()],
        placed_by_selector: false,
        clusters: vec![install("edge", "UpgradeFailed"), install("m", "Installed")],
    }]);
    let m = cluster(
        "m",
        "uid-m",
        Some(ks_v4(
            ClusterRole::Member,
            "host-secret",
            Some(("m", "host")),
        )),
    );
    let f = findings(&[h, m]);
    // edge is not in the estate: the finding is the host's.
    assert_eq!(ids(&f, "host"), ["extension-failed"]);
    assert_eq!(ids(&f, "m"), Vec::<String>::new());
    assert_eq!(
        f[0].object.as_deref(),
        Some("InstallPlan devops on host (Cluster edge)")
    );
    assert!(
        f[0].explanation.contains("UpgradeFailed")
            && f[0].explanation.contains("image pull failed")
    );
}
