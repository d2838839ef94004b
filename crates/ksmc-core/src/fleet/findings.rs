//! Findings: what is wrong in an estate, as pure functions over [`ClusterFacts`]. Each finding
//! names the cluster and object, explains in plain words, and carries a fix (exact commands,
//! and a fix-it id where ksmc will be able to do it itself).
//!
//! Commands assume each cluster's kubeconfig is `<name>.kubeconfig` in the current directory.

use serde::Serialize;

use crate::workflow::WorkflowInput;

use super::facts::{ClusterFacts, ManagedCluster, is_zero_duration};
use crate::facts::ClusterRole;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// How to fix a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    pub summary: String,
    /// Exact commands, in order. Never contains a secret (secrets are copied by the shell).
    pub commands: Vec<String>,
    /// A fix-it action ksmc will run itself, by id.
    pub fix_it: Option<String>,
    /// The workflow that carries the fix-it out (plan it, review it, apply it).
    pub workflow: Option<crate::workflow::WorkflowInput>,
}

impl Fix {
    /// The same fix, carried out by `workflow`.
    #[must_use]
    pub fn by(mut self, workflow: crate::workflow::WorkflowInput) -> Self {
        self.workflow = Some(workflow);
        self
    }
}

/// One thing wrong (or worth knowing) in an estate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable id of the kind of finding (e.g. `jwt-mismatch`).
    pub id: String,
    pub severity: Severity,
    /// The affected cluster (ksmc's name).
    pub cluster: String,
    /// The affected object, e.g. `Workspace team-a`.
    pub object: Option<String>,
    pub title: String,
    pub explanation: String,
    pub fix: Fix,
}

/// Every finding id this engine produces.
pub const IDS: &[&str] = &[
    "cluster-unreadable",
    "no-kubesphere",
    "role-not-member",
    "role-none",
    "config-not-rendered",
    "jwt-mismatch",
    "access-token-max-age",
    "recorded-name-mismatch",
    "earlier-import-name",
    "imported-twice",
    "managed-by-two-hosts",
    "workspace-conflict",
    "member-local-workspace",
    "member-user-conflict",
    "member-user-email-conflict",
    "stale-owner-reference",
    "project-workspace-missing",
    "appstore-on-member",
    "component-not-on-host",
    "cluster-not-ready",
    "cluster-deleting",
];

/// `kubectl` against a cluster of the estate.
#[must_use]
pub fn kubectl(cluster: &str) -> String {
    format!("kubectl --kubeconfig {cluster}.kubeconfig")
}

/// The commands that copy the host's jwtSecret into the member's ClusterConfiguration (the
/// secret travels through the shell, never through ksmc's text).
#[must_use]
pub fn copy_jwt_commands(host: &str, member: &str) -> Vec<String> {
    vec![
        format!(
            "JWT=$({} -n kubesphere-system get secret kubesphere-secret -o jsonpath='{{.data.secret}}' | base64 -d)",
            kubectl(host)
        ),
        format!(
            "{} -n kubesphere-system patch cc ks-installer --type merge -p \"{{\\\"spec\\\":{{\\\"authentication\\\":{{\\\"jwtSecret\\\":\\\"$JWT\\\"}}}}}}\"",
            kubectl(member)
        ),
    ]
}

/// The command that sets a member's role in its ClusterConfiguration.
#[must_use]
pub fn set_member_role_command(member: &str) -> String {
    format!(
        "{} -n kubesphere-system patch cc ks-installer --type merge -p '{{\"spec\":{{\"multicluster\":{{\"clusterRole\":\"member\"}}}}}}'",
        kubectl(member)
    )
}

/// Where a cluster stands in the estate.
#[derive(Debug)]
struct Position<'a> {
    /// The host that has a Cluster object for it (matched by kube-system UID) and that object.
    registered: Option<(&'a ClusterFacts, &'a ManagedCluster)>,
    /// The host it belongs with: the registering one, else the only host of the estate.
    host: Option<&'a ClusterFacts>,
}

impl Position<'_> {
    fn name_on_host<'b>(&'b self, c: &'b ClusterFacts) -> &'b str {
        match self.registered {
            Some((_, mc)) => &mc.name,
            None => c
                .effective()
                .and_then(|e| e.recorded_name.as_deref())
                .unwrap_or(&c.name),
        }
    }
}

fn position<'a>(all: &'a [ClusterFacts], c: &'a ClusterFacts) -> Position<'a> {
    let hosts: Vec<&ClusterFacts> = all.iter().filter(|h| h.is_host()).collect();
    let registered = c.uid().and_then(|uid| {
        hosts.iter().find_map(|h| {
            h.clusters
                .all()
                .iter()
                .find(|mc| !mc.is_host && mc.uid.as_deref() == Some(uid))
                .map(|mc| (*h, mc))
        })
    });
    let host = registered.map(|(h, _)| h).or_else(|| {
        (hosts.len() == 1 && !c.is_host() && hosts[0].uid() != c.uid()).then(|| hosts[0])
    });
    Position { registered, host }
}

struct Out(Vec<Finding>);

impl Out {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        severity: Severity,
        cluster: &str,
        object: Option<String>,
        title: String,
        explanation: String,
        fix: Fix,
    ) {
        debug_assert!(IDS.contains(&id), "{id}");
        self.0.push(Finding {
            id: id.to_owned(),
            severity,
            cluster: cluster.to_owned(),
            object,
            title,
            explanation,
            fix,
        });
    }
}

fn fix(summary: impl Into<String>, commands: Vec<String>, fix_it: Option<&str>) -> Fix {
    Fix {
        summary: summary.into(),
        commands,
        fix_it: fix_it.map(str::to_owned),
        workflow: None,
    }
}

/// Every finding of an estate, errors first.
#[must_use]
pub fn findings(all: &[ClusterFacts]) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    for c in all {
        cluster_findings(all, c, &mut out);
    }
    for h in all.iter().filter(|h| h.is_host()) {
        host_findings(all, h, &mut out);
    }
    let mut list = out.0;
    list.sort_by(|a, b| {
        (a.severity, &a.cluster, &a.id, &a.object).cmp(&(b.severity, &b.cluster, &b.id, &b.object))
    });
    list
}

#[allow(clippy::too_many_lines)]
fn cluster_findings(all: &[ClusterFacts], c: &ClusterFacts, out: &mut Out) {
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

/// Findings about a host's Cluster objects.
fn host_findings(all: &[ClusterFacts], h: &ClusterFacts, out: &mut Out) {
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
            );
            continue;
        }
        if let Some(ready) = mc.condition("Ready")
            && ready.status != "True"
        {
            {
                let why = mc
                    .condition("Federated")
                    .filter(|f| f.status != "True")
                    .and_then(|f| f.reason.clone())
                    .or_else(|| ready.reason.clone())
                    .unwrap_or_else(|| "no reason given".into());
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
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::*;
    use super::*;

    fn ks(role: ClusterRole, jwt: &str, max_age: &str, recorded: Option<&str>) -> KubeSphereFacts {
        KubeSphereFacts {
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
            },
            Project {
                name: "orphan".into(),
                workspace: "deleted-ws".into(),
                owner_references: vec![],
                kubefed_managed: false,
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
}
