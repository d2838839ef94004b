//! Findings about one cluster: KubeSphere's presence, role and configuration for its position,
//! the recorded name, a member's cleanliness and components, and its projects.

use foldhash::HashSet;

use super::super::facts::{ClusterFacts, is_zero_duration};
use super::{
    Out, Params, Position, Severity, copy_jwt_commands, fix, kubectl, params, position,
    reinstall_ks_core_commands, set_member_role_command, variant,
};
use crate::facts::ClusterRole;
use crate::workflow::WorkflowInput;

#[allow(clippy::too_many_lines)]
pub(super) fn cluster_findings(all: &[ClusterFacts], c: &ClusterFacts, out: &mut Out) {
    let name = c.name.as_str();
    if let Some(e) = &c.error {
        out.push(
            "cluster-unreadable",
            Severity::Error,
            name,
            None,
            format!("{name} cannot be read"),
            e.message.clone(),
            fix(
                "Check the kubeconfig, the network path to the API server and the credentials.",
                vec![format!("{} get --raw /version", kubectl(name))],
                None,
            ),
            params(&[
                ("cluster", &name),
                ("kind", &format!("{:?}", e.kind)),
                ("message", &e.message),
            ]),
        );
        return;
    }
    let pos = position(all, c);
    let Some(ks) = &c.kubesphere else {
        no_kubesphere(all, c, &pos, out);
        return;
    };
    let role = c.role();
    let effective = c.effective();

    // The installer has not (yet) applied the ClusterConfiguration.
    if let (Some(configured), Some(eff)) = (&ks.configured_role, effective) {
        let role_pending = configured.value != eff.cluster_role;
        let jwt_pending = ks
            .configured_jwt_fingerprint
            .as_ref()
            .is_some_and(|fp| eff.jwt_fingerprint.as_ref() != Some(fp));
        if role_pending || jwt_pending {
            let what = match (role_pending, jwt_pending) {
                (true, true) => format!(
                    "clusterRole ({} in the ClusterConfiguration, {} in effect) and jwtSecret",
                    role_name(configured.value),
                    role_name(eff.cluster_role)
                ),
                (true, false) => format!(
                    "clusterRole ({} in the ClusterConfiguration, {} in effect)",
                    role_name(configured.value),
                    role_name(eff.cluster_role)
                ),
                _ => "jwtSecret".into(),
            };
            let mut p = params(&[("cluster", &name)]);
            if role_pending {
                p.extend(params(&[
                    ("configuredRole", &role_name(configured.value)),
                    ("effectiveRole", &role_name(eff.cluster_role)),
                ]));
            }
            let form = match (role_pending, jwt_pending) {
                (true, true) => Some("roleAndJwt"),
                (true, false) => Some("role"),
                _ => None,
            };
            out.push(
                "config-not-rendered",
                Severity::Warning,
                name,
                Some("ConfigMap kubesphere-system/kubesphere-config".into()),
                format!("{name}: the configuration in effect does not match the ClusterConfiguration yet"),
                format!("The {what} differ between the ks-installer ClusterConfiguration and kubesphere-config. ks-installer re-renders kubesphere-config after a spec change; until it has, KubeSphere runs with the old values (or the installer run failed)."),
                fix(
                    "Wait for ks-installer to finish and read kubesphere-config again; if it does not change, read the installer log.",
                    vec![format!("{} -n kubesphere-system logs -l 'app in (ks-install, ks-installer)' --tail 50", kubectl(name))],
                    None,
                ),
                variant(p, form),
            );
        }
    }

    let member_like = !c.is_host() && (role == ClusterRole::Member || pos.registered.is_some());
    // KubeSphere 4.x: the host pushes role, jwtSecret and accessTokenMaxAge when it installs
    // ks-core on a member, so they only matter once it is registered.
    let v4 = pos.v4(c);
    let v4_registered = v4.then_some(pos.registered).flatten();

    // Role for its position.
    if let Some((h, mc)) = pos.registered {
        let p = params(&[
            ("cluster", &name),
            ("host", &h.name),
            ("clusterOnHost", &mc.name),
            ("role", &role_name(role)),
        ]);
        if role != ClusterRole::Member && v4 {
            out.push(
                "role-not-member",
                Severity::Error,
                name,
                Some(format!("Cluster {} on {}", mc.name, h.name)),
                format!("{name} is a member of {} but its clusterRole is {}", h.name, role_name(role)),
                format!("{} manages {name} as Cluster {}, yet {name}'s kubesphere-config says clusterRole {}. A KubeSphere 4.x host installs ks-core on its members with multicluster.role member; this one was reinstalled or edited since, and runs the host-only controllers.", h.name, mc.name, role_name(role)),
                fix(format!("Let {} install ks-core on {name} again (as a member, with its jwtSecret).", h.name), reinstall_ks_core_commands(&h.name, &mc.name), None),
                variant(p, Some("v4")),
            );
        } else if role != ClusterRole::Member {
            out.push(
                "role-not-member",
                Severity::Error,
                name,
                Some(format!("Cluster {} on {}", mc.name, h.name)),
                format!("{name} is a member of {} but its clusterRole is {}", h.name, role_name(role)),
                format!("{} manages {name} as Cluster {}, yet {name}'s kubesphere-config says clusterRole {}. The host's proxy and token checks assume a member; KubeSphere's validation would refuse it: \"the clusterRole of the member cluster must be 'member'\".", h.name, mc.name, role_name(role)),
                fix("Set clusterRole member in the member's ClusterConfiguration.", vec![set_member_role_command(name)], Some("set-member-role"))
                    .by(WorkflowInput::FixMember { host: h.name.clone(), member: name.to_owned(), set_role: true, copy_jwt: false }),
                p,
            );
        }
    } else if role == ClusterRole::None
        && !v4
        && let Some(h) = pos.host
    {
        {
            out.push(
                "role-none",
                Severity::Warning,
                name,
                None,
                format!("{name} is not configured as a member (clusterRole none)"),
                format!("{name} runs KubeSphere with multi-cluster off. {} cannot import it until clusterRole is member and the jwtSecret equals the host's: \"the clusterRole of the member cluster must be 'member'\".", h.name),
                fix(
                    "Set the host's jwtSecret and clusterRole member in the ClusterConfiguration, then wait for ks-installer.",
                    [copy_jwt_commands(&h.name, name), vec![set_member_role_command(name)]].concat(),
                    Some("prepare-member"),
                )
                .by(WorkflowInput::FixMember { host: h.name.clone(), member: name.to_owned(), set_role: true, copy_jwt: true }),
                params(&[("cluster", &name), ("host", &h.name)]),
            );
        }
    }

    if member_like && (!v4 || v4_registered.is_some()) {
        if let (Some(h), Some(eff)) = (pos.host, effective) {
            // jwtSecret.
            if let (Some(mine), Some(theirs)) =
                (eff.jwt_fingerprint.as_deref(), h.jwt_fingerprint())
                && mine != theirs
            {
                let object = Some("ConfigMap kubesphere-system/kubesphere-config".to_owned());
                let title = format!("{name}'s jwtSecret differs from {}'s", h.name);
                // Fingerprints only: the secret itself never leaves the cluster reader.
                let p = params(&[
                    ("cluster", &name),
                    ("host", &h.name),
                    ("fingerprint", &mine),
                    ("hostFingerprint", &theirs),
                ]);
                match v4_registered {
                    Some((_, mc)) => out.push(
                        "jwt-mismatch",
                        Severity::Error,
                        name,
                        object,
                        title,
                        format!("The member verifies the tokens the host issues with its own jwtSecret (authentication.issuer.jwtSecret, fingerprint {mine}; host {} has {theirs}). Users entering {name} from the host are logged out (\"signature is invalid\"). A KubeSphere 4.x host sets its jwtSecret on the member when it installs ks-core there; it was changed since, on one side or the other.", h.name),
                        fix(format!("Let {} install ks-core on {name} again: it sets its own jwtSecret there.", h.name), reinstall_ks_core_commands(&h.name, &mc.name), None),
                        variant(p, Some("v4")),
                    ),
                    None => out.push(
                        "jwt-mismatch",
                        Severity::Error,
                        name,
                        object,
                        title,
                        format!("The member verifies the tokens the host issues with its own jwtSecret (fingerprint {mine}; host {} has {theirs}). Users entering {name} from the host are logged out (\"signature is invalid\", a \"session timeout\" loop), and KubeSphere's validation refuses the import: \"hostcluster Jwt is not equal to member cluster jwt, please edit the member cluster cluster config\".", h.name),
                        fix("Copy the host's jwtSecret into the member's ClusterConfiguration and wait for ks-installer to re-render kubesphere-config.", copy_jwt_commands(&h.name, name), Some("copy-jwt-secret"))
                            .by(WorkflowInput::FixMember { host: h.name.clone(), member: name.to_owned(), set_role: false, copy_jwt: true }),
                        p,
                    ),
                }
            }
        }
        if let Some(eff) = effective {
            let zero = eff
                .access_token_max_age
                .as_deref()
                .is_some_and(is_zero_duration);
            if !zero && role == ClusterRole::Member {
                let shown = eff
                    .access_token_max_age
                    .clone()
                    .unwrap_or_else(|| "absent (default 2h)".into());
                let mut p = params(&[("cluster", &name)]);
                if let Some(age) = &eff.access_token_max_age {
                    p.extend(params(&[("maxAge", age)]));
                }
                if let Some((h, _)) = v4_registered {
                    p.extend(params(&[("host", &h.name)]));
                }
                let form = match (v4_registered.is_some(), eff.access_token_max_age.is_none()) {
                    (true, true) => Some("v4Absent"),
                    (true, false) => Some("v4"),
                    (false, true) => Some("absent"),
                    (false, false) => None,
                };
                let explanation = "With a non-zero accessTokenMaxAge the member looks host-issued tokens up in its own cache, where they never are: users are sent back to the login page (\"token not found in cache\").";
                let fix = match v4_registered {
                    Some((h, mc)) => fix(
                        format!(
                            "Let {} install ks-core on {name} again: the chart renders authentication.issuer.accessTokenMaxAge 0s for a member.",
                            h.name
                        ),
                        reinstall_ks_core_commands(&h.name, &mc.name),
                        None,
                    ),
                    None => fix(
                        "Set authentication.oauthOptions.accessTokenMaxAge to 0 in kubesphere-config (ks-installer renders it for clusterRole member), then restart ks-apiserver.",
                        vec![
                            format!(
                                "{} -n kubesphere-system edit cm kubesphere-config",
                                kubectl(name)
                            ),
                            format!(
                                "{} -n kubesphere-system rollout restart deploy ks-apiserver",
                                kubectl(name)
                            ),
                        ],
                        Some("set-access-token-max-age"),
                    ),
                };
                out.push(
                    "access-token-max-age",
                    Severity::Error,
                    name,
                    Some("ConfigMap kubesphere-system/kubesphere-config".into()),
                    format!("{name}: accessTokenMaxAge is {shown}, a member needs 0"),
                    explanation.into(),
                    fix,
                    variant(p, form),
                );
            }
        }
    }

    // The recorded cluster name, and (4.x) the host recorded as managing it.
    recorded(c, &pos, v4, out);

    if member_like {
        member_cleanliness(c, &pos, v4, out);
        if let Some(h) = pos.host {
            components(c, h, out);
        }
    }
    projects(c, out);
}

/// A cluster without KubeSphere: a problem under a 3.x host; under a 4.x host, an import
/// candidate (the host installs ks-core itself), or, once registered, a member whose ks-core
/// install has not finished.
fn no_kubesphere(all: &[ClusterFacts], c: &ClusterFacts, pos: &Position<'_>, out: &mut Out) {
    let name = c.name.as_str();
    let hosts: Vec<&ClusterFacts> = all.iter().filter(|h| h.is_host()).collect();
    let estate_v4 = !hosts.is_empty() && hosts.iter().all(|h| h.is_v4());
    match pos.registered {
        Some((h, mc)) if h.is_v4() => {
            let ks_core = mc.condition("KSCoreReady");
            let failed = ks_core.is_some_and(|k| k.status != "True");
            let mut p = params(&[
                ("cluster", &name),
                ("host", &h.name),
                ("clusterOnHost", &mc.name),
            ]);
            let form = match ks_core {
                None => "v4Pending",
                Some(k) => {
                    p.extend(params(&[("status", &k.status)]));
                    match &k.message {
                        Some(m) => {
                            p.extend(params(&[("message", m)]));
                            "v4Message"
                        }
                        None => "v4",
                    }
                }
            };
            let state = match ks_core {
                None => "KSCoreReady is not written yet: the install is pending or running".to_owned(),
                Some(k) => format!(
                    "KSCoreReady is {}{}",
                    k.status,
                    k.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
                ),
            };
            out.push(
                "no-kubesphere",
                if failed { Severity::Error } else { Severity::Warning },
                name,
                Some(format!("Cluster {} on {}", mc.name, h.name)),
                format!("{} has not installed ks-core on {name}", h.name),
                format!("{} (KubeSphere 4.x) manages {name} as Cluster {} and installs ks-core there with Helm; {name} has no kubesphere-config yet. {state}.", h.name, mc.name),
                fix(
                    "Read the Cluster's conditions and the host's ks-controller-manager log; the install waits up to 5 minutes.",
                    vec![
                        reinstall_ks_core_commands(&h.name, &mc.name)[1].clone(),
                        format!("{} -n kubesphere-system logs deploy/ks-controller-manager --tail 100", kubectl(&h.name)),
                    ],
                    None,
                ),
                variant(p, Some(form)),
            );
        }
        // A 4.x host installs ks-core on the cluster it imports: nothing is missing.
        None if pos.host.map_or(estate_v4, ClusterFacts::is_v4) => {}
        registered => out.push(
            "no-kubesphere",
            if registered.is_some() { Severity::Error } else { Severity::Warning },
            name,
            None,
            format!("KubeSphere is not installed on {name}"),
            "There is no ks-installer ClusterConfiguration and no kubesphere-config in kubesphere-system. A cluster without KubeSphere cannot be a host or a member: the host's validation fails with \"unable validate kubesphere endpoint\".".into(),
            fix(
                "Install KubeSphere 3.4 with clusterRole member and the host's jwtSecret, then import it.",
                vec![
                    format!("{} apply -f https://github.com/kubesphere/ks-installer/releases/download/v3.4.1/kubesphere-installer.yaml", kubectl(name)),
                    format!("{} apply -f https://github.com/kubesphere/ks-installer/releases/download/v3.4.1/cluster-configuration.yaml", kubectl(name)),
                ],
                None,
            ),
            params(&[("cluster", &name)]),
        ),
    }
}

/// The name (and, on 4.x, the host) a host recorded on the cluster, against where it stands.
fn recorded(c: &ClusterFacts, pos: &Position<'_>, v4: bool, out: &mut Out) {
    let name = c.name.as_str();
    let recorded = c.recorded_name();
    let managed_by = c.managed_by();
    if let (Some(recorded), Some((h, mc))) = (recorded, pos.registered)
        && mc.name != recorded
    {
        let (where_, object) = if v4 {
            (
                "The cluster.kubesphere.io/name annotation of its kubesphere-system Namespace",
                "Namespace kubesphere-system",
            )
        } else {
            (
                "kubesphere-config multicluster.clusterName",
                "ConfigMap kubesphere-system/kubesphere-config",
            )
        };
        out.push(
            "recorded-name-mismatch",
            Severity::Error,
            name,
            Some(format!("Cluster {} on {}", mc.name, h.name)),
            format!("{name} is recorded as {recorded} but {} calls it {}", h.name, mc.name),
            format!("{where_} is {recorded} while the host's Cluster is {} ({object}). The host rewrites the name on each successful sync; a lasting difference means the sync fails or another host writes it.", mc.name),
            fix("Read the Cluster's conditions on the host; the next successful sync rewrites the name.", vec![format!("{} get cluster {} -o yaml", kubectl(&h.name), mc.name)], None),
            variant(
                params(&[
                    ("cluster", &name),
                    ("recorded", &recorded),
                    ("host", &h.name),
                    ("clusterOnHost", &mc.name),
                ]),
                v4.then_some("v4"),
            ),
        );
    }
    if c.is_host() {
        return;
    }
    let clear = |by: &str| {
        vec![
            format!("# on host {by}: kubectl get clusters  (is {name} still there, and Ready?)"),
            format!(
                "{} annotate namespace kubesphere-system cluster.kubesphere.io/name- cluster.kubesphere.io/host-cluster-  # only once {by} no longer manages it",
                kubectl(name)
            ),
        ]
    };
    match (pos.registered, managed_by, recorded) {
        (Some((h, mc)), Some(by), _) if v4 => {
            let Some(own) = h.effective().and_then(|e| e.host_cluster_name.as_deref()) else {
                return;
            };
            if by != own {
                out.push(
                    "managed-by-another-host",
                    Severity::Error,
                    name,
                    Some("Namespace kubesphere-system".into()),
                    format!("{name} is recorded as managed by host {by}, not by {} ({own})", h.name),
                    format!("{} manages {name} as Cluster {}, but the cluster.kubesphere.io/host-cluster annotation of {name}'s kubesphere-system says {by}: another host has imported it too and overwrites the annotations on each sync. Two hosts push their workspaces to it and delete each other's.", h.name, mc.name),
                    fix(format!("Unbind {name} from the host it should leave (keeping its projects)."), vec![], Some("unbind-member")),
                    variant(
                        params(&[
                            ("cluster", &name),
                            ("by", &by),
                            ("host", &h.name),
                            ("hostClusterName", &own),
                            ("clusterOnHost", &mc.name),
                        ]),
                        Some("registered"),
                    ),
                );
            }
        }
        (None, Some(by), _) if v4 => out.push(
            "managed-by-another-host",
            Severity::Warning,
            name,
            Some("Namespace kubesphere-system".into()),
            format!("{name} is managed by host {by}"),
            format!("The cluster.kubesphere.io/host-cluster annotation of {name}'s kubesphere-system says host {by} manages it{}, and no host of this estate has a Cluster for it. A KubeSphere 4.x host refuses to import it: \"current cluster is managed by another host cluster '{by}'\". A host removes the annotations when its Cluster is deleted while the member is Ready; they stay when it was not.", recorded.map(|r| format!(" as {r}")).unwrap_or_default()),
            fix(format!("Unbind it from {by} first; if {by} is gone, remove the two annotations."), clear(by), None),
            {
                let mut p = params(&[("cluster", &name), ("by", &by)]);
                if let Some(r) = recorded {
                    p.extend(params(&[("recorded", &r)]));
                }
                variant(p, recorded.map(|_| "recorded"))
            },
        ),
        (None, _, Some(recorded)) if !v4 => out.push(
            "earlier-import-name",
            Severity::Warning,
            name,
            Some("ConfigMap kubesphere-system/kubesphere-config".into()),
            format!("{name} was imported before as {recorded}"),
            format!("multicluster.clusterName is {recorded}: a host imported this cluster under that name. KubeFed objects (ServiceAccount {recorded}-kubesphere) and workspace placements refer to it; importing it under another name makes the join fail on conflicting workspaces or deletes workspaces not placed on the new name."),
            fix(format!("Import it again as {recorded} (ksmc preflight import … --name {recorded})."), vec![], Some("import-with-recorded-name")),
            params(&[("cluster", &name), ("recorded", &recorded)]),
        ),
        _ => {}
    }
}

fn role_name(r: ClusterRole) -> &'static str {
    match r {
        ClusterRole::Host => "host",
        ClusterRole::Member => "member",
        ClusterRole::None => "none",
        ClusterRole::Unknown => "unknown",
    }
}

/// Workspaces and users on a member that conflict with (or are unknown to) its host.
fn member_cleanliness(c: &ClusterFacts, pos: &Position<'_>, v4: bool, out: &mut Out) {
    if v4 {
        // A 4.x host copies no User objects to its members (§5.2): no user conflicts.
        v4_workspaces(c, pos, out);
        return;
    }
    let name = c.name.as_str();
    let on_host = pos.name_on_host(c).to_owned();
    for ws in c.workspaces.all() {
        if ws.name == "system-workspace" {
            continue;
        }
        if ws.kubefed_managed {
            let Some(h) = pos.host else { continue };
            let Some(t) = h
                .workspace_templates
                .all()
                .iter()
                .find(|t| t.name == ws.name)
            else {
                continue;
            };
            if !t.places(&on_host) {
                out.push(
                    "workspace-conflict",
                    Severity::Error,
                    name,
                    Some(format!("Workspace {}", ws.name)),
                    format!("Workspace {} on {name} conflicts with {}'s", ws.name, h.name),
                    format!("The workspace {ws} is found in the target member cluster {on_host}, which is conflict with the workspace on host. {name} holds Workspace {ws} propagated by KubeFed (kubefed.io/managed=true), and {}'s WorkspaceTemplate {ws} is not placed on {on_host}: the join fails (Federated=False), and if it ever joins KubeFed deletes the workspace and, through owner references, its projects.", h.name, ws = ws.name),
                    fix(
                        format!("Either place the workspace on {on_host} on the host, or unbind {name}'s projects from it and delete the stale Workspace."),
                        vec![
                            format!("{} patch workspacetemplate {} --type json -p '[{{\"op\":\"add\",\"path\":\"/spec/placement/clusters/-\",\"value\":{{\"name\":\"{on_host}\"}}}}]'", kubectl(&h.name), ws.name),
                            format!("# or: unbind the projects of {ws} on {name} (label and ownerReferences), then: {} delete workspace {ws}", kubectl(name), ws = ws.name),
                        ],
                        Some("unbind-stale-workspace"),
                    )
                    .by(WorkflowInput::Workspace { host: h.name.clone(), workspace: ws.name.clone(), placement: vec![on_host.to_owned()], manager: "admin".into() }),
                    params(&[
                        ("cluster", &name),
                        ("workspace", &ws.name),
                        ("host", &h.name),
                        ("clusterOnHost", &on_host),
                    ]),
                );
            }
        } else {
            let host_name = pos.host.map_or("the host", |h| h.name.as_str());
            out.push(
                "member-local-workspace",
                Severity::Warning,
                name,
                Some(format!("Workspace {}", ws.name)),
                format!("Workspace {} was created on {name}, not on {host_name}", ws.name),
                format!("{} is a local workspace of the member (not propagated by KubeFed). {host_name} does not know it: it is not synced to the host, is invisible from the host's console, and a host workspace of the same name will conflict with it.", ws.name),
                fix(
                    format!("Create the workspace on {host_name} placed on {on_host}, then let KubeFed take it over; or unbind its projects and delete it."),
                    pos.host.map(|h| vec![format!("{} get workspacetemplate {}", kubectl(&h.name), ws.name)]).unwrap_or_default(),
                    Some("adopt-member-workspace"),
                ),
                local_workspace_params(name, &ws.name, pos, &on_host, false),
            );
        }
    }
    let Some(h) = pos.host else { return };
    for u in c.users.all() {
        if u.kubefed_managed || u.name == "admin" {
            continue;
        }
        let host_users = h.users.all();
        if host_users.iter().any(|x| x.name == u.name) {
            out.push(
                "member-user-conflict",
                Severity::Warning,
                name,
                Some(format!("User {}", u.name)),
                format!("User {} exists on {name} and on {}", u.name, h.name),
                format!("{name} has its own User {} (not synced from a host). Once joined, the host's copy replaces it: its password, e-mail and roles on {name} become the host's.", u.name),
                fix("Decide which account wins; delete the member-local one if the host's should.", vec![format!("{} delete user {}", kubectl(name), u.name)], None),
                params(&[("cluster", &name), ("user", &u.name), ("host", &h.name)]),
            );
        } else if let Some(other) = u.email.as_deref().and_then(|e| {
            host_users
                .iter()
                .find(|x| x.email.as_deref() == Some(e) && x.name != u.name)
        }) {
            out.push(
                "member-user-email-conflict",
                Severity::Error,
                name,
                Some(format!("User {}", u.name)),
                format!("User {} on {name} has the e-mail of {}'s user {}", u.name, h.name, other.name),
                format!("The member's webhook rejects the synced copy of {}: \"user email: {} already exists\".", other.name, u.email.as_deref().unwrap_or_default()),
                fix("Change the e-mail of the member-local user, or delete it.", vec![format!("{} delete user {}", kubectl(name), u.name)], None),
                params(&[
                    ("cluster", &name),
                    ("user", &u.name),
                    ("host", &h.name),
                    ("hostUser", &other.name),
                    ("email", &u.email.as_deref().unwrap_or_default()),
                ]),
            );
        }
    }
}

/// A 4.x host pushes Workspaces (v1beta1) to the clusters its WorkspaceTemplates place,
/// without KubeFed's label, and deletes them from the clusters they do not place (§7.4).
fn v4_workspaces(c: &ClusterFacts, pos: &Position<'_>, out: &mut Out) {
    let name = c.name.as_str();
    let on_host = pos.name_on_host(c).to_owned();
    for ws in c.workspaces.all() {
        if ws.name == "system-workspace" {
            continue;
        }
        let template = pos.host.and_then(|h| {
            h.workspace_templates
                .all()
                .iter()
                .find(|t| t.name == ws.name)
                .map(|t| (h, t))
        });
        match template {
            // Pushed by the host.
            Some((_, t)) if t.places(&on_host) => {}
            Some((h, _)) => out.push(
                "workspace-conflict",
                Severity::Error,
                name,
                Some(format!("Workspace {}", ws.name)),
                format!("Workspace {} on {name} conflicts with {}'s", ws.name, h.name),
                format!("{}'s WorkspaceTemplate {ws} is not placed on {on_host}, so its workspacetemplate controller deletes Workspace {ws} from {name} whenever {on_host} is Ready. With KubeSphere 4.1.3 the projects of {ws} on {name} then lose their kubesphere.io/workspace label; with kubesphere.io/deletion-propagation Foreground or Background they are deleted.", h.name, ws = ws.name),
                fix(
                    format!("Either place the workspace on {on_host} on the host, or unbind {name}'s projects from it first."),
                    vec![
                        format!("{} patch workspacetemplate {} --type json -p '[{{\"op\":\"add\",\"path\":\"/spec/placement/clusters/-\",\"value\":{{\"name\":\"{on_host}\"}}}}]'", kubectl(&h.name), ws.name),
                        format!("# or: {} label namespace -l kubesphere.io/workspace={} kubesphere.io/workspace-", kubectl(name), ws.name),
                    ],
                    Some("unbind-stale-workspace"),
                )
                .by(WorkflowInput::Workspace { host: h.name.clone(), workspace: ws.name.clone(), placement: vec![on_host.clone()], manager: "admin".into() }),
                variant(
                    params(&[
                        ("cluster", &name),
                        ("workspace", &ws.name),
                        ("host", &h.name),
                        ("clusterOnHost", &on_host),
                    ]),
                    Some("v4"),
                ),
            ),
            None => {
                let host_name = pos.host.map_or("the host", |h| h.name.as_str());
                out.push(
                    "member-local-workspace",
                    Severity::Warning,
                    name,
                    Some(format!("Workspace {}", ws.name)),
                    format!("Workspace {} was created on {name}, not on {host_name}", ws.name),
                    format!("{} is a local workspace of the member: no WorkspaceTemplate of {host_name} places it on {on_host} (a KubeSphere 4.x host pushes the Workspaces of its templates directly). {host_name} does not know it: it is invisible from the host's console, and a template of the same name created there later takes it over.", ws.name),
                    fix(
                        format!("Create the workspace on {host_name} placed on {on_host} (the host then pushes it and takes it over); or unbind its projects and delete it."),
                        pos.host.map(|h| vec![format!("{} get workspacetemplate {}", kubectl(&h.name), ws.name)]).unwrap_or_default(),
                        Some("adopt-member-workspace"),
                    ),
                    local_workspace_params(name, &ws.name, pos, &on_host, true),
                );
            }
        }
    }
}

/// The params of `member-local-workspace`: without a host, the text says "the host".
fn local_workspace_params(
    cluster: &str,
    workspace: &str,
    pos: &Position<'_>,
    on_host: &str,
    v4: bool,
) -> Params {
    let mut p = params(&[
        ("cluster", &cluster),
        ("workspace", &workspace),
        ("clusterOnHost", &on_host),
    ]);
    if let Some(h) = pos.host {
        p.extend(params(&[("host", &h.name)]));
    }
    let form = match (v4, pos.host.is_some()) {
        (true, true) => Some("v4"),
        (true, false) => Some("v4NoHost"),
        (false, true) => None,
        (false, false) => Some("noHost"),
    };
    variant(p, form)
}

fn components(c: &ClusterFacts, h: &ClusterFacts, out: &mut Out) {
    let name = c.name.as_str();
    let Some(ks) = &c.kubesphere else { return };
    let host_on = |n: &str| {
        h.kubesphere
            .as_ref()
            .is_some_and(|k| k.components.iter().any(|x| x.name == n && x.configured))
    };
    for comp in ks.components.iter().filter(|x| x.configured) {
        if comp.name == "openpitrix" {
            out.push(
                "appstore-on-member",
                Severity::Warning,
                name,
                Some("ClusterConfiguration kubesphere-system/ks-installer".into()),
                format!("The App Store is enabled on member {name}"),
                "The App Store is needed on the host only; members use the host's. Enabled on a member it runs a second, unused App Store.".into(),
                fix(
                    "Switch it off in the member's ClusterConfiguration.",
                    vec![format!("{} -n kubesphere-system patch cc ks-installer --type merge -p '{{\"spec\":{{\"openpitrix\":{{\"store\":{{\"enabled\":false}}}}}}}}'", kubectl(name))],
                    None,
                ),
                params(&[("cluster", &name)]),
            );
        } else if !host_on(&comp.name) {
            out.push(
                "component-not-on-host",
                Severity::Info,
                name,
                Some(format!("component {}", comp.name)),
                format!("{} is enabled on {name} but not on {}", comp.name, h.name),
                format!("Components are enabled per cluster. {} on {name} works, but the host's console shows it only where the host has it too.", comp.name),
                fix("Enable it on the host too if you want it managed from there.", vec![format!("{} -n kubesphere-system edit cc ks-installer", kubectl(&h.name))], None),
                params(&[
                    ("cluster", &name),
                    ("component", &comp.name),
                    ("host", &h.name),
                ]),
            );
        }
    }
}

/// Projects whose workspace label or ownerReferences point at nothing.
fn projects(c: &ClusterFacts, out: &mut Out) {
    let Some(workspaces) = c.workspaces.items.as_deref() else {
        return;
    };
    let name = c.name.as_str();
    // Sets, not scans: thousands of projects against hundreds of workspaces.
    let uids: HashSet<&str> = workspaces.iter().map(|w| w.uid.as_str()).collect();
    let names: HashSet<&str> = workspaces.iter().map(|w| w.name.as_str()).collect();
    for p in c.projects.all() {
        for (i, r) in p.owner_references.iter().enumerate() {
            if r.is_workspace() && !uids.contains(r.uid.as_str()) {
                out.push(
                    "stale-owner-reference",
                    Severity::Error,
                    name,
                    Some(format!("Namespace {}", p.name)),
                    format!("Project {} is owned by a Workspace that no longer exists", p.name),
                    format!("Namespace {} has an ownerReference to {} {} (uid {}), and no Workspace with that uid exists on {name}. Kubernetes' garbage collector deletes objects whose owners are gone: the project and everything in it can vanish.", p.name, r.kind, r.name, r.uid),
                    fix(
                        "Remove that ownerReference now (the namespace controller re-binds it to the live workspace).",
                        vec![format!("{} patch namespace {} --type json -p '[{{\"op\":\"test\",\"path\":\"/metadata/ownerReferences/{i}/uid\",\"value\":\"{}\"}},{{\"op\":\"remove\",\"path\":\"/metadata/ownerReferences/{i}\"}}]'", kubectl(name), p.name, r.uid)],
                        Some("strip-stale-owner"),
                    )
                    .by(WorkflowInput::StripOwner { cluster: name.to_owned(), namespace: p.name.clone(), owner_uid: r.uid.clone() }),
                    params(&[
                        ("cluster", &name),
                        ("namespace", &p.name),
                        ("ownerKind", &r.kind),
                        ("owner", &r.name),
                        ("ownerUid", &r.uid),
                    ]),
                );
            }
        }
        if !p.kubefed_managed && !names.contains(p.workspace.as_str()) {
            out.push(
                "project-workspace-missing",
                Severity::Warning,
                name,
                Some(format!("Namespace {}", p.name)),
                format!("Project {} belongs to workspace {}, which is not on {name}", p.name, p.workspace),
                format!("Namespace {} is labelled kubesphere.io/workspace={}, but {name} has no such Workspace: the project shows in no workspace, and a workspace of that name created later adopts it.", p.name, p.workspace),
                fix(
                    "Place the workspace on this cluster from the host, or remove the label.",
                    vec![format!("{} label namespace {} kubesphere.io/workspace-", kubectl(name), p.name)],
                    None,
                ),
                params(&[
                    ("cluster", &name),
                    ("namespace", &p.name),
                    ("workspace", &p.workspace),
                ]),
            );
        }
    }
}
