//! The seed document's procedure, "import the Member Cluster to a new Host Cluster while
//! retaining existing projects" (`shared/seed/manage-multicluster-environment.txt`), run
//! verbatim with the real kubectl against a member whose projects are labelled with and owned
//! by a Workspace: the detached project survives, a project left attached is garbage-collected
//! with its workspace.

#[path = "kubectl_support.rs"]
mod support;

use std::time::Duration;

use support::Sim;

/// Step 1, verbatim (including the three spaces before `-p`).
const STEP_1: &str = r#"kubectl label ns <namespace> kubesphere.io/workspace- && kubectl patch ns <namespace>   -p '{"metadata":{"ownerReferences":[]}}' --type=merge"#;
/// Step 2, verbatim.
const STEP_2: &str = "kubectl delete workspacetemplate <workspace name>";
/// Step 3, verbatim: the document misspells kubectl as `kuebctl`.
const STEP_3_AS_DOCUMENTED: &str =
    "kuebctl label ns <namespace> kubesphere.io/workspace=<workspace name>";

fn fill(template: &str, namespace: &str, workspace: &str) -> String {
    template
        .replace("<namespace>", namespace)
        .replace("<workspace name>", workspace)
}

const MEMBER: &str = "member-1";

#[test]
fn the_documented_procedure_keeps_the_detached_project_and_loses_the_other() {
    let sim = Sim::start("fresh");
    let k = |args: &[&str]| sim.kubectl(MEMBER, args);
    let get = |what: &[&str], path: &str| sim.jsonpath(MEMBER, what, path);

    // member-1 becomes a member, as the import procedure configures it.
    k(&[
        "-n",
        "kubesphere-system",
        "patch",
        "cc",
        "ks-installer",
        "--type=merge",
        "-p",
        r#"{"spec":{"multicluster":{"clusterRole":"member"}}}"#,
    ])
    .ok();
    sim.eventually(
        "ks-installer renders clusterRole: member",
        Duration::from_secs(15),
        || {
            get(
                &["cm", "kubesphere-config", "-n", "kubesphere-system"],
                "{.data.kubesphere\\.yaml}",
            )
            .is_some_and(|y| y.contains("clusterRole: member"))
        },
    );

    // What the old host left on the member: a KubeFed-propagated Workspace and two projects
    // labelled with it and controlled by it.
    sim.kubectl_in(
        MEMBER,
        &["create", "-f", "-"],
        "apiVersion: tenant.kubesphere.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: ws-old\n  labels:\n    kubefed.io/managed: \"true\"\nspec:\n  manager: admin\n",
    )
    .ok();
    let old_uid = get(&["workspace", "ws-old"], "{.metadata.uid}").unwrap();
    for ns in ["proj-keep", "proj-gone"] {
        k(&["create", "ns", ns]).ok();
        let bind = format!(
            r#"{{"metadata":{{"labels":{{"kubesphere.io/workspace":"ws-old"}},"ownerReferences":[{{"apiVersion":"tenant.kubesphere.io/v1alpha1","kind":"Workspace","name":"ws-old","uid":"{old_uid}","controller":true,"blockOwnerDeletion":true}}]}}}}"#
        );
        k(&["patch", "ns", ns, "--type=merge", "-p", &bind]).ok();
        sim.settle(MEMBER, &["ns", ns]);
        assert_eq!(
            get(
                &["ns", ns],
                "{.metadata.labels.kubesphere\\.io/workspace} {.metadata.ownerReferences[*].uid}"
            ),
            Some(format!("ws-old {old_uid}"))
        );
    }

    // Step 1 on the project to retain.
    let step1 = sim.sh(MEMBER, &fill(STEP_1, "proj-keep", "ws-old"));
    let printed = step1.lines();
    assert_eq!(printed[0], "namespace/proj-keep unlabeled", "{step1:?}");
    // KubeSphere's namespace controller drops the Workspace ownerReference as soon as the
    // label goes, so the explicit patch may find nothing left to change (on a real cluster
    // too): either line is right.
    assert!(
        printed[1] == "namespace/proj-keep patched"
            || printed[1] == "namespace/proj-keep patched (no change)",
        "{step1:?}"
    );
    assert_eq!(printed.len(), 2, "{step1:?}");
    sim.settle(MEMBER, &["ns", "proj-keep"]);
    assert_eq!(
        get(
            &["ns", "proj-keep"],
            "{.metadata.labels.kubesphere\\.io/workspace}|{.metadata.ownerReferences}"
        ),
        Some("|".into())
    );

    // Step 2 as documented: on a 3.4 member the host's workspaces arrive through KubeFed as
    // `Workspace` objects; there is no WorkspaceTemplate to delete.
    let step2 = sim.sh(MEMBER, &fill(STEP_2, "proj-keep", "ws-old"));
    assert_eq!(
        step2.err(),
        "Error from server (NotFound): workspacetemplates.tenant.kubesphere.io \"ws-old\" not found"
    );
    assert_eq!(
        get(&["ns", "proj-gone"], "{.status.phase}"),
        Some("Active".into()),
        "nothing was deleted"
    );
    // So clear the workspace by deleting the object that exists.
    assert_eq!(
        sim.sh(MEMBER, "kubectl delete workspace ws-old").ok(),
        "workspace.tenant.kubesphere.io \"ws-old\" deleted\n"
    );
    // The project left attached goes with its workspace (garbage collection, Background)...
    sim.eventually(
        "proj-gone is garbage-collected",
        Duration::from_secs(15),
        || get(&["ns", "proj-gone"], "{.metadata.name}").is_none(),
    );
    // ...the detached one stays.
    assert_eq!(
        get(&["ns", "proj-keep"], "{.status.phase}"),
        Some("Active".into())
    );

    // Step 3, once the new host has placed a workspace on this member (KubeFed creates the
    // Workspace here).
    sim.kubectl_in(
        MEMBER,
        &["create", "-f", "-"],
        "apiVersion: tenant.kubesphere.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: ws-new\n  labels:\n    kubefed.io/managed: \"true\"\nspec:\n  manager: admin\n",
    )
    .ok();
    let new_uid = get(&["workspace", "ws-new"], "{.metadata.uid}").unwrap();
    // The documented line cannot run as written (`kuebctl`)...
    let typo = sim.sh(MEMBER, &fill(STEP_3_AS_DOCUMENTED, "proj-keep", "ws-new"));
    assert_eq!(typo.code, Some(127), "{typo:?}");
    assert!(
        typo.stderr.contains("kuebctl: command not found"),
        "{typo:?}"
    );
    // ...the corrected one does.
    let step3 = fill(STEP_3_AS_DOCUMENTED, "proj-keep", "ws-new").replacen("kuebctl", "kubectl", 1);
    assert_eq!(sim.sh(MEMBER, &step3).ok(), "namespace/proj-keep labeled\n");
    // KubeSphere's namespace controller binds the project to the new workspace.
    sim.eventually(
        "proj-keep is owned by ws-new",
        Duration::from_secs(15),
        || {
            get(
                &["ns", "proj-keep"],
                "{.metadata.ownerReferences[?(@.controller==true)].uid}",
            ) == Some(new_uid.clone())
        },
    );
    assert_eq!(
        get(
            &["ns", "proj-keep"],
            "{.metadata.labels.kubesphere\\.io/workspace}"
        ),
        Some("ws-new".into())
    );
}
