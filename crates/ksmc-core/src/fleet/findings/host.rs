//! Findings about a host's Cluster objects (imports, deletion, readiness, kubeconfig
//! certificates, user sync) and about the host itself (business projects, 4.x extensions).

use jiff::Timestamp;

use super::super::facts::{ClusterFacts, ManagedCluster, failed_state};
use super::{
    CERT_WARNING_DAYS, LISTED, Out, Params, Severity, fix, kubectl, listed, merged, params, variant,
};

/// Findings about a host's Cluster objects.
pub(super) fn host_findings(all: &[ClusterFacts], h: &ClusterFacts, now: Timestamp, out: &mut Out) {
    let host = h.name.as_str();
    let members: Vec<&ManagedCluster> = h.clusters.all().iter().filter(|m| !m.is_host).collect();
    for (i, mc) in members.iter().enumerate() {
        let object = Some(format!("Cluster {}", mc.name));
        if let Some(uid) = mc.uid.as_deref() {
            if let Some(first) = members[..i].iter().find(|o| o.uid.as_deref() == Some(uid)) {
                out.push(
                    "imported-twice",
                    Severity::Error,
                    host,
                    object.clone(),
                    format!("{} and {} are the same cluster", first.name, mc.name),
                    format!("Both Clusters record kube-system UID {uid}. KubeSphere refuses this through its console (\"cluster {} already exists ({uid}), MUST not import the same cluster twice\"); created through the API, both fight over the member's cluster name and KubeFed objects.", first.name),
                    fix(format!("Delete the newer Cluster {}.", mc.name), vec![format!("{} delete cluster {}", kubectl(host), mc.name)], None),
                    params(&[
                        ("first", &first.name),
                        ("cluster", &mc.name),
                        ("uid", &uid),
                    ]),
                );
            }
            for other in all
                .iter()
                .filter(|o| o.is_host() && o.name != h.name && o.name > h.name)
            {
                if let Some(omc) = other
                    .clusters
                    .all()
                    .iter()
                    .find(|o| !o.is_host && o.uid.as_deref() == Some(uid))
                {
                    out.push(
                        "managed-by-two-hosts",
                        Severity::Error,
                        host,
                        object.clone(),
                        format!("{} is managed by both {host} and {}", mc.name, other.name),
                        format!("{host}'s Cluster {} and {}'s Cluster {} record the same kube-system UID {uid}. Two hosts overwrite each other's cluster name on the member and both propagate workspaces and users to it.", mc.name, other.name, omc.name),
                        fix("Unbind it from the host it should leave (keeping its projects).", vec![], Some("unbind-member")),
                        params(&[
                            ("host", &host),
                            ("cluster", &mc.name),
                            ("otherHost", &other.name),
                            ("otherCluster", &omc.name),
                            ("uid", &uid),
                        ]),
                    );
                }
            }
        }
        if let Some(since) = &mc.deleting_since {
            out.push(
                "cluster-deleting",
                Severity::Warning,
                host,
                object.clone(),
                format!("Cluster {} has been deleting since {since}", mc.name),
                format!("Its finalizer ({}) has not been removed. If the member is unreachable or was reinstalled, the validating-cluster.kubesphere.io webhook denies every update of the Cluster, the controller's own finalizer removal included, and the deletion hangs.", mc.finalizers.join(", ")),
                fix(
                    "Make the member reachable with its original kubeconfig; otherwise the webhook must be bypassed while the finalizer is removed.",
                    vec![
                        format!("{} get cluster {} -o yaml", kubectl(host), mc.name),
                        format!("{} patch cluster {} --type merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'", kubectl(host), mc.name),
                    ],
                    Some("finish-cluster-deletion"),
                ),
                params(&[
                    ("cluster", &mc.name),
                    ("since", since),
                    ("finalizers", &mc.finalizers.join(", ")),
                ]),
            );
            continue;
        }
        if let Some(ready) = mc.condition("Ready")
            && ready.status != "True"
        {
            {
                // 3.x explains in the Federated reason; 4.x in the messages of KSCoreReady
                // and Ready (whose reason is just "Ready").
                let why = if h.is_v4() {
                    mc.condition("KSCoreReady")
                        .filter(|k| k.status != "True")
                        .and_then(|k| k.message.clone())
                        .or_else(|| ready.message.clone())
                } else {
                    mc.condition("Federated")
                        .filter(|f| f.status != "True")
                        .and_then(|f| f.reason.clone())
                }
                .or_else(|| ready.reason.clone());
                let mut p = params(&[
                    ("cluster", &mc.name),
                    ("status", &ready.status),
                    ("reason", &ready.reason.as_deref().unwrap_or("-")),
                ]);
                if let Some(why) = &why {
                    p.extend(params(&[("why", why)]));
                }
                let form = why.is_none().then_some("noReason");
                let why = why.unwrap_or_else(|| "no reason given".into());
                out.push(
                    "cluster-not-ready",
                    Severity::Error,
                    host,
                    object.clone(),
                    format!("Cluster {} is not Ready", mc.name),
                    format!("Ready is {} ({}): {why}", ready.status, ready.reason.as_deref().unwrap_or("-")),
                    fix("Read the Cluster's conditions and the ks-controller-manager log on the host.", vec![
                        format!("{} get cluster {} -o yaml", kubectl(host), mc.name),
                        format!("{} -n kubesphere-system logs deploy/ks-controller-manager --tail 100", kubectl(host)),
                    ], None),
                    variant(p, form),
                );
            }
        }
        kubeconfig_cert(h, mc, now, out);
        if mc.condition("Ready").is_some_and(|r| r.status == "True") {
            users_not_synced(h, mc, out);
        }
    }
}

/// "a, b, c and 7 more".
fn first_few(names: &[String], total: usize) -> String {
    let shown = names
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let shown_count = names.len().min(LISTED);
    if total > shown_count {
        format!("{shown} and {} more", total - shown_count)
    } else {
        shown
    }
}

/// The client certificate in a member Cluster's kubeconfig expires soon or has expired
/// (read from the kubeconfig; else KubeSphere's `KubeConfigCertExpiresInSevenDays`).
fn kubeconfig_cert(h: &ClusterFacts, mc: &ManagedCluster, now: Timestamp, out: &mut Out) {
    let host = h.name.as_str();
    let expiring_condition = mc
        .condition("KubeConfigCertExpiresInSevenDays")
        .filter(|c| c.status == "True");
    let base = params(&[("cluster", &mc.name)]);
    let (severity, title, what, p) = match &mc.cert_expires {
        Some(fact) => {
            // A fact ksmc wrote itself; unparsable only if the model changed.
            let Ok(not_after) = fact.value.parse::<Timestamp>() else {
                return;
            };
            let left = not_after.as_second() - now.as_second();
            let days = left.div_euclid(86_400);
            // What both texts name: the cluster, the host, where the certificate was read, its end.
            let cert = merged(
                base,
                params(&[
                    ("host", &host),
                    ("source", &fact.source),
                    ("notAfter", &fact.value),
                ]),
            );
            if left <= 0 {
                (
                    Severity::Error,
                    format!(
                        "The kubeconfig certificate of Cluster {} expired on {}",
                        mc.name, fact.value
                    ),
                    format!(
                        "The client certificate {host} uses to reach {} ({}) expired on {}: the member's API server refuses it (\"x509: certificate has expired or is not yet valid\"), so the host cannot sync the Cluster, proxy requests to it or propagate workspaces and users.",
                        mc.name, fact.source, fact.value
                    ),
                    variant(cert, Some("expired")),
                )
            } else if days < CERT_WARNING_DAYS {
                let when = if days == 0 {
                    "within a day".to_owned()
                } else if days == 1 {
                    "in 1 day".to_owned()
                } else {
                    format!("in {days} days")
                };
                (
                    Severity::Warning,
                    format!(
                        "The kubeconfig certificate of Cluster {} expires {when}",
                        mc.name
                    ),
                    format!(
                        "The client certificate {host} uses to reach {} ({}) expires on {}{}. After that the member's API server refuses it: the host can no longer sync the Cluster, proxy requests to it or propagate workspaces and users.",
                        mc.name,
                        fact.source,
                        fact.value,
                        if expiring_condition.is_some() {
                            "; KubeSphere reports KubeConfigCertExpiresInSevenDays=True"
                        } else {
                            ""
                        }
                    ),
                    variant(
                        merged(cert, params(&[("days", &days)])),
                        expiring_condition.map(|_| "reported"),
                    ),
                )
            } else {
                // Renewed since KubeSphere last computed the condition, or not expiring yet.
                return;
            }
        }
        None => {
            let Some(c) = expiring_condition else { return };
            (
                Severity::Warning,
                format!(
                    "The kubeconfig certificate of Cluster {} expires within seven days",
                    mc.name
                ),
                format!(
                    "KubeSphere reports KubeConfigCertExpiresInSevenDays=True on Cluster {}{}. The host's controller computes it from the client certificate of the Cluster's kubeconfig; once it has expired the member's API server refuses the host.",
                    mc.name,
                    c.message
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default()
                ),
                match &c.message {
                    Some(m) => variant(
                        merged(base, params(&[("message", m)])),
                        Some("conditionMessage"),
                    ),
                    None => variant(base, Some("condition")),
                },
            )
        }
    };
    let renewed = format!("{}-renewed.kubeconfig", mc.name);
    out.push(
        "kubeconfig-cert-expiring",
        severity,
        host,
        Some(format!("Cluster {}", mc.name)),
        title,
        what,
        fix(
            format!("Renew the member's client certificate (or switch the Cluster to a ServiceAccount token kubeconfig, which does not expire), then put the new kubeconfig into Cluster {}. The Cluster webhook accepts it only if it reaches the same cluster (same kube-system UID); the console's \"Update KubeConfig\" does the same.", mc.name),
            vec![
                format!("# on a control-plane node of {} (kubeadm): sudo kubeadm certs check-expiration && sudo kubeadm certs renew admin.conf && sudo cat /etc/kubernetes/admin.conf > {renewed}", mc.name),
                format!("kubectl --kubeconfig {renewed} get --raw /version  # it works, and its server is reachable from {host}"),
                format!("{} patch cluster {} --type merge -p \"{{\\\"spec\\\":{{\\\"connection\\\":{{\\\"kubeconfig\\\":\\\"$(base64 -w0 < {renewed})\\\"}}}}}}\"", kubectl(host), mc.name),
                format!("{} get cluster {} -o jsonpath='{{range .status.conditions[*]}}{{.type}}={{.status}}{{\"\\n\"}}{{end}}'", kubectl(host), mc.name),
            ],
            None,
        ),
        p,
    );
}

/// Host users without a KubeFed copy on a joined member.
fn users_not_synced(h: &ClusterFacts, mc: &ManagedCluster, out: &mut Out) {
    let Some(sync) = &mc.users_synced else { return };
    if sync.synced >= sync.total {
        return;
    }
    let host = h.name.as_str();
    let member = sync.cluster.as_str();
    let missing = (sync.total - sync.synced) as usize;
    let listed_names = first_few(&sync.missing, missing);
    let (users, users_more) = listed(&sync.missing, missing);
    out.push(
        "users-not-synced",
        Severity::Warning,
        member,
        Some(format!("Cluster {} on {host}", mc.name)),
        format!("{missing} of {}'s {} users are not on {member}: {listed_names}", host, sync.total),
        format!("KubeSphere 3.4 propagates every host User to every member through a KubeFed FederatedUser (placement: all clusters); the copies carry kubefed.io/managed=true. {member} (Cluster {} on {host}, Ready) has {} of {} such copies; missing: {listed_names}. Those users cannot work on {member} from the host's console. KubeFed propagates asynchronously: right after a join, inspect again; if it lasts, kubefed-controller-manager on {host} is down or failing, or the member's user webhook rejects the copy — a member-local user with the same e-mail makes it answer \"user email: … already exists\".", mc.name, sync.synced, sync.total),
        fix(
            "Check kubefed-controller-manager on the host and the FederatedUser's status; on the member, look for a local user with the same e-mail (change or delete it).",
            vec![
                format!("{} -n kube-federation-system get deploy kubefed-controller-manager", kubectl(host)),
                format!("{} -n kube-federation-system logs deploy/kubefed-controller-manager --tail 100", kubectl(host)),
                format!("{} get federatedusers.types.kubefed.io {} -o yaml", kubectl(host), sync.missing.first().map_or("<user>", String::as_str)),
                format!("{} get users -o custom-columns=NAME:.metadata.name,EMAIL:.spec.email,MANAGED:.metadata.labels.kubefed\\.io/managed", kubectl(member)),
            ],
            None,
        ),
        params(&[
            ("host", &host),
            ("cluster", &member),
            ("clusterOnHost", &mc.name),
            ("missing", &missing),
            ("total", &sync.total),
            ("synced", &sync.synced),
            ("users", &users),
            ("usersMore", &users_more),
        ]),
    );
}

/// Whether a project is one of KubeSphere's or Kubernetes' own namespaces.
fn system_project(p: &super::super::facts::Project) -> bool {
    p.workspace == "system-workspace"
        || p.name == "default"
        || p.name.starts_with("kube-")
        || p.name.starts_with("kubesphere-")
        || matches!(
            p.name.as_str(),
            "istio-system" | "kubeedge" | "openpitrix-system" | "argocd"
        )
}

/// Business projects on a host cluster (KubeSphere recommends the host for management only).
pub(super) fn workloads_on_host(h: &ClusterFacts, out: &mut Out) {
    let host = h.name.as_str();
    let mut projects: Vec<&super::super::facts::Project> = h
        .projects
        .all()
        .iter()
        .filter(|p| !system_project(p) && !p.kubefed_managed && !p.kubefed_host_namespace)
        .collect();
    let Some(first) = projects.iter().map(|p| p.name.clone()).min() else {
        return;
    };
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<String> = projects
        .iter()
        .map(|p| format!("{} ({})", p.name, p.workspace))
        .collect();
    let n = names.len();
    let (shown, more) = listed(&names, n);
    let listed = first_few(&names, n);
    out.push(
        "workloads-on-host",
        Severity::Info,
        host,
        None,
        format!("{n} project{} on host {host}: {listed}", if n == 1 { "" } else { "s" }),
        format!("{host} is the host cluster and runs projects of its own (namespace (workspace)): {listed}. KubeSphere recommends using the host to manage clusters only and deploying workloads on members (\"It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters.\"): workloads there compete with ks-apiserver, ks-controller-manager and KubeFed, and a host problem then takes both the control plane and the applications down."),
        fix(
            "Move business workloads to a member: place the workspace on a member, create the project there and redeploy; then delete the host's project.",
            vec![
                format!("{} get namespaces -l 'kubesphere.io/workspace,kubesphere.io/workspace!=system-workspace'", kubectl(host)),
                format!("{} -n {first} get deployments,statefulsets,daemonsets,jobs", kubectl(host)),
            ],
            None,
        ),
        params(&[
            ("host", &host),
            ("n", &n),
            ("projects", &shown),
            ("projectsMore", &more),
        ]),
    );
}

/// KubeSphere 4.x: InstallPlans that failed on the host, or on one of the clusters their
/// `clusterScheduling` places the extension on (§7.3).
pub(super) fn extension_failures(all: &[ClusterFacts], h: &ClusterFacts, out: &mut Out) {
    let host = h.name.as_str();
    for p in h.install_plans.all() {
        let commands = |cluster: Option<&str>| {
            let mut c = vec![format!(
                "{} get installplan {} -o jsonpath='{{.status}}'",
                kubectl(host),
                p.name
            )];
            if let Some(cluster) = cluster {
                c.push(format!(
                    "{} get installplan {} -o jsonpath='{{.status.clusterSchedulingStatuses.{cluster}}}'",
                    kubectl(host),
                    p.name
                ));
            }
            c.push(format!(
                "{} -n kubesphere-system logs deploy/ks-controller-manager --tail 100",
                kubectl(host)
            ));
            c
        };
        if failed_state(p.state.as_deref()) {
            out.push(
                "extension-failed",
                Severity::Error,
                host,
                Some(format!("InstallPlan {}", p.name)),
                format!("Extension {} is {} on {host}", p.extension, state(p.state.as_deref())),
                format!(
                    "InstallPlan {} ({} {}) is {} on {host}{}. KubeSphere 4.x installs an extension with a Helm job on the host; until it succeeds the extension is missing on the host and on every cluster it is scheduled on.",
                    p.name,
                    p.extension,
                    p.version.as_deref().unwrap_or("-"),
                    state(p.state.as_deref()),
                    detail(p.message.as_deref())
                ),
                fix(
                    "Read the InstallPlan's status and the Helm job's log, fix the cause (values, image pulls, resources), then retry from the Extensions page (or change the InstallPlan so it is reconciled again).",
                    commands(None),
                    None,
                ),
                extension_params(
                    params(&[
                        ("host", &host),
                        ("installPlan", &p.name),
                        ("extension", &p.extension),
                        ("version", &p.version.as_deref().unwrap_or("-")),
                        ("state", &state(p.state.as_deref())),
                    ]),
                    p.message.as_deref(),
                    false,
                ),
            );
        }
        for ci in p
            .clusters
            .iter()
            .filter(|ci| failed_state(ci.state.as_deref()))
        {
            let cluster = estate_name(all, h, &ci.cluster);
            out.push(
                "extension-failed",
                Severity::Error,
                cluster,
                Some(format!("InstallPlan {} on {host} (Cluster {})", p.name, ci.cluster)),
                format!(
                    "Extension {} is {} on Cluster {}",
                    p.extension,
                    state(ci.state.as_deref()),
                    ci.cluster
                ),
                format!(
                    "{host}'s InstallPlan {} schedules the agent part of {} {} on Cluster {} (release {} in {}), and its status there is {}{}. The extension's features are missing on that cluster until the install succeeds.",
                    p.name,
                    p.extension,
                    ci.version.as_deref().or(p.version.as_deref()).unwrap_or("-"),
                    ci.cluster,
                    p.name,
                    ci.target_namespace.as_deref().unwrap_or("its namespace"),
                    state(ci.state.as_deref()),
                    detail(ci.message.as_deref())
                ),
                fix(
                    format!("Read the cluster's scheduling status on {host}; fix the cause on Cluster {} (reachability, image pulls, resources), then retry.", ci.cluster),
                    commands(Some(&ci.cluster)),
                    None,
                ),
                extension_params(
                    merged(
                        params(&[
                            ("host", &host),
                            ("cluster", &ci.cluster),
                            ("installPlan", &p.name),
                            ("extension", &p.extension),
                            (
                                "version",
                                &ci.version.as_deref().or(p.version.as_deref()).unwrap_or("-"),
                            ),
                            ("state", &state(ci.state.as_deref())),
                        ]),
                        ci.target_namespace
                            .as_deref()
                            .map(|ns| params(&[("namespace", &ns)]))
                            .unwrap_or_default(),
                    ),
                    ci.message.as_deref(),
                    true,
                ),
            );
        }
    }
}

/// `extension-failed`'s params with its variant: on the host or on a cluster, with or without
/// the state's message.
fn extension_params(p: Params, message: Option<&str>, on_cluster: bool) -> Params {
    let form = match (on_cluster, message.is_some()) {
        (false, false) => None,
        (false, true) => Some("message"),
        (true, false) => Some("cluster"),
        (true, true) => Some("clusterMessage"),
    };
    let p = match message {
        Some(m) => merged(p, params(&[("message", &m)])),
        None => p,
    };
    variant(p, form)
}

fn state(s: Option<&str>) -> &str {
    s.unwrap_or("unknown")
}

fn detail(message: Option<&str>) -> String {
    message.map(|m| format!(": \"{m}\"")).unwrap_or_default()
}

/// The estate's name for a host's Cluster (matched by kube-system UID), else the host's name.
fn estate_name<'a>(all: &'a [ClusterFacts], h: &'a ClusterFacts, cluster: &str) -> &'a str {
    let Some(mc) = h.clusters.all().iter().find(|m| m.name == cluster) else {
        return &h.name;
    };
    if mc.is_host {
        return &h.name;
    }
    mc.uid
        .as_deref()
        .and_then(|uid| {
            all.iter()
                .find(|c| c.error.is_none() && c.uid() == Some(uid) && c.name != h.name)
        })
        .map_or(&h.name, |c| c.name.as_str())
}
