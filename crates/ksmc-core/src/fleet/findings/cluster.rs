//! Findings about one cluster: KubeSphere's presence, role and configuration for its position,
//! the recorded name, a member's cleanliness and components, and its projects.

use super::super::facts::{ClusterFacts, is_zero_duration};
use super::{
    Out, Position, Severity, copy_jwt_commands, fix, kubectl, position, set_member_role_command,
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
        );
        return;
    }
    let pos = position(all, c);
    let Some(ks) = &c.kubesphere else {
        let registered = pos.registered.is_some();
        out.push(
            "no-kubesphere",
            if registered { Severity::Error } else { Severity::Warning },
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
        );
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
            );
        }
    }

    let member_like = !c.is_host() && (role == ClusterRole::Member || pos.registered.is_some());

    // Role for its position.
    if let Some((h, mc)) = pos.registered {
        if role != ClusterRole::Member {
            out.push(
                "role-not-member",
                Severity::Error,
                name,
                Some(format!("Cluster {} on {}", mc.name, h.name)),
                format!("{name} is a member of {} but its clusterRole is {}", h.name, role_name(role)),
                format!("{} manages {name} as Cluster {}, yet {name}'s kubesphere-config says clusterRole {}. The host's proxy and token checks assume a member; KubeSphere's validation would refuse it: \"the clusterRole of the member cluster must be 'member'\".", h.name, mc.name, role_name(role)),
                fix("Set clusterRole member in the member's ClusterConfiguration.", vec![set_member_role_command(name)], Some("set-member-role"))
                    .by(WorkflowInput::FixMember { host: h.name.clone(), member: name.to_owned(), set_role: true, copy_jwt: false }),
            );
        }
    } else if role == ClusterRole::None
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
            );
        }
    }

    if member_like {
        if let (Some(h), Some(eff)) = (pos.host, effective) {
            // jwtSecret.
            if let (Some(mine), Some(theirs)) =
                (eff.jwt_fingerprint.as_deref(), h.jwt_fingerprint())
                && mine != theirs
            {
                {
                    out.push(
                        "jwt-mismatch",
                        Severity::Error,
                        name,
                        Some("ConfigMap kubesphere-system/kubesphere-config".into()),
                        format!("{name}'s jwtSecret differs from {}'s", h.name),
                        format!("The member verifies the tokens the host issues with its own jwtSecret (fingerprint {mine}; host {} has {theirs}). Users entering {name} from the host are logged out (\"signature is invalid\", a \"session timeout\" loop), and KubeSphere's validation refuses the import: \"hostcluster Jwt is not equal to member cluster jwt, please edit the member cluster cluster config\".", h.name),
                        fix("Copy the host's jwtSecret into the member's ClusterConfiguration and wait for ks-installer to re-render kubesphere-config.", copy_jwt_commands(&h.name, name), Some("copy-jwt-secret"))
                            .by(WorkflowInput::FixMember { host: h.name.clone(), member: name.to_owned(), set_role: false, copy_jwt: true }),
                    );
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
                out.push(
                    "access-token-max-age",
                    Severity::Error,
                    name,
                    Some("ConfigMap kubesphere-system/kubesphere-config".into()),
                    format!("{name}: accessTokenMaxAge is {shown}, a member needs 0"),
                    "With a non-zero accessTokenMaxAge the member looks host-issued tokens up in its own cache, where they never are: users are sent back to the login page (\"token not found in cache\").".into(),
                    fix(
                        "Set authentication.oauthOptions.accessTokenMaxAge to 0 in kubesphere-config (ks-installer renders it for clusterRole member), then restart ks-apiserver.",
                        vec![
                            format!("{} -n kubesphere-system edit cm kubesphere-config", kubectl(name)),
                            format!("{} -n kubesphere-system rollout restart deploy ks-apiserver", kubectl(name)),
                        ],
                        Some("set-access-token-max-age"),
                    ),
                );
            }
        }
    }

    // The recorded cluster name.
    if let Some(recorded) = effective.and_then(|e| e.recorded_name.as_deref()) {
        match pos.registered {
            Some((h, mc)) if mc.name != recorded => out.push(
                "recorded-name-mismatch",
                Severity::Error,
                name,
                Some(format!("Cluster {} on {}", mc.name, h.name)),
                format!("{name} is recorded as {recorded} but {} calls it {}", h.name, mc.name),
                format!("kubesphere-config multicluster.clusterName is {recorded} while the host's Cluster is {}. The host rewrites the name on each successful sync; a lasting difference means the sync fails or another host writes it.", mc.name),
                fix("Read the Cluster's conditions on the host; the next successful sync rewrites the name.", vec![format!("{} get cluster {} -o yaml", kubectl(&h.name), mc.name)], None),
            ),
            None if !c.is_host() => out.push(
                "earlier-import-name",
                Severity::Warning,
                name,
                Some("ConfigMap kubesphere-system/kubesphere-config".into()),
                format!("{name} was imported before as {recorded}"),
                format!("multicluster.clusterName is {recorded}: a host imported this cluster under that name. KubeFed objects (ServiceAccount {recorded}-kubesphere) and workspace placements refer to it; importing it under another name makes the join fail on conflicting workspaces or deletes workspaces not placed on the new name."),
                fix(format!("Import it again as {recorded} (ksmc fleet preflight … --name {recorded})."), vec![], Some("import-with-recorded-name")),
            ),
            _ => {}
        }
    }

    if member_like {
        member_cleanliness(c, &pos, out);
        if let Some(h) = pos.host {
            components(c, h, out);
        }
    }
    projects(c, out);
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
fn member_cleanliness(c: &ClusterFacts, pos: &Position<'_>, out: &mut Out) {
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
            );
        }
    }
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
    for p in c.projects.all() {
        for (i, r) in p.owner_references.iter().enumerate() {
            if r.is_workspace() && !workspaces.iter().any(|w| w.uid == r.uid) {
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
                );
            }
        }
        if !p.kubefed_managed && !workspaces.iter().any(|w| w.name == p.workspace) {
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
            );
        }
    }
}
