//! kubectl writes against the simulator (`shared/docs/simulator-fidelity.md` §d 25–59): label,
//! annotate, patch (merge, JSON, strategic, and the 415 on a custom resource), create, apply
//! (client-side and server-side), replace, delete (dry run, cascades, finalizers), the
//! namespace lifecycle, garbage collection and watches. Every expected line is what kubectl
//! prints against a real API server.
//!
//! The host runs Kubernetes v1.32, so the PATH kubectl (the gcloud dispatcher) runs kubectl
//! 1.32, which sends protobuf bodies for `create ns|configmap|secret`.

#[path = "kubectl_support.rs"]
mod support;

use std::time::{Duration, Instant};

use support::{Sim, like, rows};

const WST: &str = "apiVersion: tenant.kubesphere.io/v1alpha2
kind: WorkspaceTemplate
metadata:
  name: NAME
  labels:
    team: a
spec:
  template:
    spec:
      manager: admin
  placement:
    clusters:
    - name: member-1
";

fn wst(name: &str) -> String {
    WST.replace("NAME", name)
}

fn write(sim: &Sim, file: &str, content: &str) -> String {
    let path = sim.dir.path().join(file);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn uid(sim: &Sim, cluster: &str, what: &[&str]) -> String {
    sim.jsonpath(cluster, what, "{.metadata.uid}")
        .expect("object exists")
}

fn gone(sim: &Sim, cluster: &str, what: &[&str]) -> bool {
    sim.jsonpath(cluster, what, "{.metadata.name}").is_none()
}

/// §d 25–36.
#[test]
fn label_annotate_and_patch() {
    let sim = Sim::start("fresh");
    let k = |args: &[&str]| sim.kubectl("host", args);
    k(&["create", "ns", "demo"]).ok();
    k(&["label", "ns", "demo", "kubesphere.io/workspace=ws1"]).ok();
    sim.settle("host", &["ns", "demo"]);

    assert_eq!(
        k(&["label", "ns", "demo", "kubesphere.io/workspace=ws2"]).err(),
        "error: 'kubesphere.io/workspace' already has a value (ws1), and --overwrite is false"
    );
    assert_eq!(
        k(&[
            "label",
            "ns",
            "demo",
            "kubesphere.io/workspace=ws2",
            "--overwrite"
        ])
        .ok(),
        "namespace/demo labeled\n"
    );
    sim.settle("host", &["ns", "demo"]);
    let rv = sim.jsonpath("host", &["ns", "demo"], "{.metadata.resourceVersion}");
    assert_eq!(
        k(&[
            "label",
            "ns",
            "demo",
            "kubesphere.io/workspace=ws2",
            "--overwrite"
        ])
        .ok(),
        "namespace/demo not labeled\n"
    );
    // A write that changes nothing bumps nothing.
    assert_eq!(
        sim.jsonpath("host", &["ns", "demo"], "{.metadata.resourceVersion}"),
        rv
    );
    assert_eq!(
        k(&["label", "ns", "demo", "kubesphere.io/workspace-"]).ok(),
        "namespace/demo unlabeled\n"
    );
    // Removing an absent label succeeds (exit 0): `&&` chains go on.
    let again = k(&["label", "ns", "demo", "kubesphere.io/workspace-"]);
    assert_eq!(
        again.ok(),
        "label \"kubesphere.io/workspace\" not found.\nnamespace/demo not labeled\n"
    );
    assert_eq!(
        k(&["annotate", "ns", "demo", "note=hi"]).ok(),
        "namespace/demo annotated\n"
    );
    assert_eq!(
        k(&[
            "patch",
            "ns",
            "demo",
            "--type=merge",
            "-p",
            r#"{"metadata":{"annotations":{"note":"hi"}}}"#
        ])
        .ok(),
        "namespace/demo patched (no change)\n"
    );

    // ownerReferences: `[]` is a no-op as a strategic merge patch and empties the list as a
    // JSON merge patch (the seed procedure relies on `--type=merge`). The owner is a User
    // that exists, so the garbage collector keeps the namespace.
    let admin = uid(&sim, "host", &["users.iam.kubesphere.io", "admin"]);
    let owner = format!(
        r#"{{"metadata":{{"ownerReferences":[{{"apiVersion":"iam.kubesphere.io/v1alpha2","kind":"User","name":"admin","uid":"{admin}"}}]}}}}"#
    );
    assert_eq!(
        k(&["patch", "ns", "demo", "--type=merge", "-p", &owner]).ok(),
        "namespace/demo patched\n"
    );
    sim.settle("host", &["ns", "demo"]);
    assert_eq!(
        k(&[
            "patch",
            "ns",
            "demo",
            "-p",
            r#"{"metadata":{"ownerReferences":[]}}"#
        ])
        .ok(),
        "namespace/demo patched (no change)\n"
    );
    let owners = |sim: &Sim| {
        sim.jsonpath(
            "host",
            &["ns", "demo"],
            "{.metadata.ownerReferences[*].name}",
        )
        .unwrap()
    };
    assert_eq!(owners(&sim), "admin");
    assert_eq!(
        k(&[
            "patch",
            "ns",
            "demo",
            "-p",
            r#"{"metadata":{"ownerReferences":[]}}"#,
            "--type=merge"
        ])
        .ok(),
        "namespace/demo patched\n"
    );
    assert_eq!(owners(&sim), "");

    // Finalizers merge as a set under strategic merge patch.
    k(&[
        "patch",
        "ns",
        "demo",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/a"]}}"#,
    ])
    .ok();
    k(&[
        "patch",
        "ns",
        "demo",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/b"]}}"#,
    ])
    .ok();
    let finalizers = sim
        .jsonpath("host", &["ns", "demo"], "{.metadata.finalizers}")
        .unwrap();
    let finalizers: Vec<String> = serde_json::from_str(&finalizers).unwrap();
    let a = finalizers.iter().position(|f| f == "example.com/a");
    let b = finalizers.iter().position(|f| f == "example.com/b");
    assert!(a.is_some() && b > a, "{finalizers:?}");

    // A custom resource: strategic merge patch is refused with kubectl's exact message.
    sim.kubectl_in("host", &["create", "-f", "-"], &wst("ws1"))
        .ok();
    assert_eq!(
        k(&[
            "patch",
            "workspacetemplate",
            "ws1",
            "-p",
            r#"{"metadata":{"labels":{"a":"b"}}}"#
        ])
        .err(),
        "error: application/strategic-merge-patch+json is not supported by tenant.kubesphere.io/v1alpha2, Kind=WorkspaceTemplate: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
    assert_eq!(
        k(&[
            "patch",
            "workspacetemplate",
            "ws1",
            "--type=merge",
            "-p",
            r#"{"metadata":{"labels":{"a":"b"}}}"#
        ])
        .ok(),
        "workspacetemplate.tenant.kubesphere.io/ws1 patched\n"
    );
    let label_a = |sim: &Sim| {
        sim.jsonpath(
            "host",
            &["workspacetemplate", "ws1"],
            "{.metadata.labels.a}",
        )
        .unwrap()
    };
    assert_eq!(label_a(&sim), "b");
    assert_eq!(
        k(&[
            "patch",
            "workspacetemplate",
            "ws1",
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/metadata/labels/a"}]"#
        ])
        .ok(),
        "workspacetemplate.tenant.kubesphere.io/ws1 patched\n"
    );
    assert_eq!(label_a(&sim), "");
    // A JSON patch that cannot apply fails and changes nothing.
    let failed = k(&[
        "patch",
        "workspacetemplate",
        "ws1",
        "--type=json",
        "-p",
        r#"[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"remove","path":"/metadata/labels/zzz"}]"#,
    ]);
    assert!(!failed.err().is_empty());
    assert_eq!(
        sim.jsonpath(
            "host",
            &["workspacetemplate", "ws1"],
            "{.metadata.labels.x}"
        ),
        Some(String::new())
    );
    assert_eq!(
        k(&[
            "patch",
            "workspaces.tenant.kubesphere.io",
            "system-workspace",
            "-p",
            r#"{"metadata":{"finalizers":[]}}"#,
            "--type=merge"
        ])
        .ok(),
        "workspace.tenant.kubesphere.io/system-workspace patched\n"
    );
}

/// §d 37–46.
#[test]
fn create_apply_and_replace() {
    let sim = Sim::start("fresh");
    let k = |args: &[&str]| sim.kubectl("host", args);
    // kubectl 1.32 sends these three as protobuf.
    assert_eq!(
        k(&["create", "ns", "proj1"]).ok(),
        "namespace/proj1 created\n"
    );
    assert_eq!(
        k(&[
            "create",
            "configmap",
            "c1",
            "-n",
            "proj1",
            "--from-literal=a=b"
        ])
        .ok(),
        "configmap/c1 created\n"
    );
    assert_eq!(
        k(&[
            "create",
            "secret",
            "generic",
            "s1",
            "-n",
            "proj1",
            "--from-literal=a=b"
        ])
        .ok(),
        "secret/s1 created\n"
    );
    assert_eq!(
        sim.jsonpath(
            "host",
            &["secret", "s1", "-n", "proj1"],
            "{.data.a} {.type}"
        ),
        Some("Yg== Opaque".into())
    );
    assert_eq!(
        sim.jsonpath("host", &["cm", "c1", "-n", "proj1"], "{.data.a}"),
        Some("b".into())
    );
    assert_eq!(
        k(&["create", "ns", "proj1"]).err(),
        "Error from server (AlreadyExists): namespaces \"proj1\" already exists"
    );
    assert_eq!(
        k(&["create", "ns", "Bad_Name"]).err(),
        "The Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    );
    let bad = write(&sim, "badwst.yaml", &wst("Bad_WS"));
    assert_eq!(
        k(&["create", "-f", &bad]).err(),
        "The WorkspaceTemplate \"Bad_WS\" is invalid: metadata.name: Invalid value: \"Bad_WS\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    );
    let gen_file = write(
        &sim,
        "gen.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  generateName: proj-\n",
    );
    let generated = k(&["create", "-f", &gen_file]).ok().trim().to_owned();
    assert!(like(&generated, "namespace/proj-* created"), "{generated}");
    let suffix = &generated["namespace/proj-".len()..generated.len() - " created".len()];
    assert!(
        suffix.len() == 5
            && suffix
                .chars()
                .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)),
        "{suffix}"
    );

    // replace: a stale resourceVersion conflicts; the current one replaces.
    let stale = write(
        &sim,
        "stale.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: proj1\n  resourceVersion: \"1\"\n",
    );
    assert_eq!(
        k(&["replace", "-f", &stale]).err(),
        format!(
            "Error from server (Conflict): error when replacing \"{stale}\": Operation cannot be fulfilled on namespaces \"proj1\": the object has been modified; please apply your changes to the latest version and try again"
        )
    );
    sim.settle("host", &["ns", "proj1"]);
    let mut current: serde_json::Value =
        serde_json::from_str(k(&["get", "ns", "proj1", "-o", "json"]).ok()).unwrap();
    current["metadata"]["annotations"] = serde_json::json!({"note": "replaced"});
    let current = write(&sim, "current.json", &current.to_string());
    assert_eq!(
        k(&["replace", "-f", &current]).ok(),
        "namespace/proj1 replaced\n"
    );
    assert_eq!(
        sim.jsonpath("host", &["ns", "proj1"], "{.metadata.annotations.note}"),
        Some("replaced".into())
    );

    // Client-side apply of a custom resource: created, unchanged, configured (merge patch).
    let file = write(&sim, "wst.yaml", &wst("ws2"));
    assert_eq!(
        k(&["apply", "-f", &file]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws2 created\n"
    );
    let last_applied = sim
        .jsonpath(
            "host",
            &["workspacetemplate", "ws2"],
            "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
        )
        .unwrap();
    assert!(last_applied.contains("\"team\":\"a\""), "{last_applied}");
    assert_eq!(
        k(&["apply", "-f", &file]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws2 unchanged\n"
    );
    std::fs::write(&file, wst("ws2").replace("team: a", "team: b")).unwrap();
    let configured = k(&["apply", "-f", &file]);
    assert_eq!(
        (configured.ok(), configured.stderr.as_str()),
        (
            "workspacetemplate.tenant.kubesphere.io/ws2 configured\n",
            ""
        )
    );
    assert_eq!(
        sim.jsonpath(
            "host",
            &["workspacetemplate", "ws2"],
            "{.metadata.labels.team}"
        ),
        Some("b".into())
    );

    // Client-side apply of a built-in kind: kubectl computes a strategic merge patch from its
    // compiled-in types (no warning about the OpenAPI schema).
    let ns_file = write(
        &sim,
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: applied\n  labels:\n    team: a\n",
    );
    assert_eq!(
        k(&["apply", "-f", &ns_file]).ok(),
        "namespace/applied created\n"
    );
    sim.settle("host", &["ns", "applied"]);
    assert_eq!(
        k(&["apply", "-f", &ns_file]).ok(),
        "namespace/applied unchanged\n"
    );
    std::fs::write(
        &ns_file,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: applied\n  labels:\n    team: b\n",
    )
    .unwrap();
    let configured = k(&["apply", "-f", &ns_file]);
    assert_eq!(
        (configured.ok(), configured.stderr.as_str()),
        ("namespace/applied configured\n", "")
    );
    assert_eq!(
        sim.jsonpath("host", &["ns", "applied"], "{.metadata.labels.team}"),
        Some("b".into())
    );

    // Server-side apply: created, then updated.
    let ssa = write(&sim, "ssa.yaml", &wst("ws4"));
    assert_eq!(
        k(&["apply", "--server-side", "-f", &ssa]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws4 serverside-applied\n"
    );
    std::fs::write(&ssa, wst("ws4").replace("team: a", "team: c")).unwrap();
    assert_eq!(
        k(&["apply", "--server-side", "-f", &ssa]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws4 serverside-applied\n"
    );
    assert_eq!(
        sim.jsonpath(
            "host",
            &["workspacetemplate", "ws4"],
            "{.metadata.labels.team}"
        ),
        Some("c".into())
    );

    // A server dry run stores nothing.
    let dry = write(&sim, "wst3.yaml", &wst("ws3"));
    assert_eq!(
        k(&["apply", "--dry-run=server", "-f", &dry]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws3 created (server dry run)\n"
    );
    assert_eq!(
        k(&["get", "workspacetemplate", "ws3"]).err(),
        "Error from server (NotFound): workspacetemplates.tenant.kubesphere.io \"ws3\" not found"
    );

    // kubectl sends fieldValidation=Strict (it found the parameter in OpenAPI v3): the server
    // rejects unknown fields.
    let typo = write(
        &sim,
        "typo.yaml",
        &wst("ws5").replacen("spec:\n", "spec:\n  bogus: 1\n", 1),
    );
    assert_eq!(
        k(&["apply", "-f", &typo]).err(),
        format!(
            "Error from server (BadRequest): error when creating \"{typo}\": strict decoding error: unknown field \"spec.bogus\""
        )
    );
    assert_eq!(
        k(&["create", "-f", &typo]).err(),
        format!(
            "Error from server (BadRequest): error when creating \"{typo}\": strict decoding error: unknown field \"spec.bogus\""
        )
    );
}

/// §d 47–55, 59.
#[test]
fn delete_dry_run_finalizers_cascades_and_namespace_lifecycle() {
    let sim = Sim::start("fresh");
    let k = |args: &[&str]| sim.kubectl("host", args);

    sim.kubectl_in("host", &["create", "-f", "-"], &wst("ws1"))
        .ok();
    assert_eq!(
        k(&["delete", "workspacetemplate", "ws1", "--dry-run=server"]).ok(),
        "workspacetemplate.tenant.kubesphere.io \"ws1\" deleted (server dry run)\n"
    );
    assert_eq!(
        k(&["get", "workspacetemplate", "ws1", "-o", "name"]).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws1\n"
    );
    assert_eq!(
        k(&["delete", "workspacetemplate", "ws1"]).ok(),
        "workspacetemplate.tenant.kubesphere.io \"ws1\" deleted\n"
    );
    assert_eq!(
        k(&["delete", "workspacetemplate", "ws1"]).err(),
        "Error from server (NotFound): workspacetemplates.tenant.kubesphere.io \"ws1\" not found"
    );

    // A finalizer keeps a deleted object until it is removed.
    let held = "apiVersion: tenant.kubesphere.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\nspec:\n  manager: admin\n";
    sim.kubectl_in("host", &["create", "-f", "-"], held).ok();
    assert_eq!(
        k(&["delete", "workspace", "held", "--wait=false"]).ok(),
        "workspace.tenant.kubesphere.io \"held\" deleted\n"
    );
    let deletion = sim
        .jsonpath(
            "host",
            &["workspace", "held"],
            "{.metadata.deletionTimestamp}",
        )
        .expect("still there");
    assert!(like(&deletion, "20*Z"), "{deletion}");
    assert_eq!(
        k(&[
            "patch",
            "workspace",
            "held",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#
        ])
        .ok(),
        "workspace.tenant.kubesphere.io/held patched\n"
    );
    sim.eventually("the workspace goes", Duration::from_secs(10), || {
        gone(&sim, "host", &["workspace", "held"])
    });

    // Deleting a namespace waits (with a watch) until its contents and itself are gone.
    k(&["create", "ns", "tmp"]).ok();
    k(&[
        "create",
        "configmap",
        "c",
        "-n",
        "tmp",
        "--from-literal=a=b",
    ])
    .ok();
    let started = Instant::now();
    assert_eq!(
        k(&["delete", "ns", "tmp"]).ok(),
        "namespace \"tmp\" deleted\n"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let left = k(&["get", "cm", "-n", "tmp"]);
    assert_eq!(
        (left.ok(), left.stderr.trim()),
        ("", "No resources found in tmp namespace.")
    );
    assert_eq!(
        k(&["get", "ns", "tmp"]).err(),
        "Error from server (NotFound): namespaces \"tmp\" not found"
    );

    // A Terminating namespace refuses new content.
    k(&["create", "ns", "tmp2"]).ok();
    k(&[
        "patch",
        "ns",
        "tmp2",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
    ])
    .ok();
    assert_eq!(
        k(&["delete", "ns", "tmp2", "--wait=false"]).ok(),
        "namespace \"tmp2\" deleted\n"
    );
    let status = rows(k(&["get", "ns", "tmp2"]).ok());
    assert_eq!(status[1][..2], ["tmp2", "Terminating"]);
    assert_eq!(
        k(&["create", "configmap", "x", "-n", "tmp2"]).err(),
        "error: failed to create configmap: configmaps \"x\" is forbidden: unable to create new content in namespace tmp2 because it is being terminated"
    );
    k(&[
        "patch",
        "ns",
        "tmp2",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ])
    .ok();
    sim.eventually("tmp2 goes", Duration::from_secs(10), || {
        gone(&sim, "host", &["ns", "tmp2"])
    });

    // Garbage collection of projects owned by a Workspace.
    let workspace = |name: &str| {
        let yaml = format!(
            "apiVersion: tenant.kubesphere.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: {name}\nspec:\n  manager: admin\n"
        );
        sim.kubectl_in("host", &["create", "-f", "-"], &yaml).ok();
    };
    let project = |ns: &str, ws: &str, extra: &str| {
        k(&["create", "ns", ns]).ok();
        let ws_uid = uid(&sim, "host", &["workspace", ws]);
        let patch = format!(
            r#"{{"metadata":{{"labels":{{"kubesphere.io/workspace":"{ws}"}},"ownerReferences":[{{"apiVersion":"tenant.kubesphere.io/v1alpha1","kind":"Workspace","name":"{ws}","uid":"{ws_uid}","controller":true,"blockOwnerDeletion":true}}]{extra}}}}}"#
        );
        k(&["patch", "ns", ns, "--type=merge", "-p", &patch]).ok();
        sim.settle("host", &["ns", ns]);
        assert_eq!(
            sim.jsonpath("host", &["ns", ns], "{.metadata.ownerReferences[*].uid}"),
            Some(ws_uid)
        );
    };
    // Background (kubectl's default): the project goes with its workspace.
    workspace("wsb");
    project("proj-b", "wsb", "");
    assert_eq!(
        k(&["delete", "workspace", "wsb"]).ok(),
        "workspace.tenant.kubesphere.io \"wsb\" deleted\n"
    );
    sim.eventually("proj-b is collected", Duration::from_secs(10), || {
        gone(&sim, "host", &["ns", "proj-b"])
    });
    // Orphan: the project stays, without the reference.
    workspace("wso");
    project("proj-o", "wso", "");
    k(&["delete", "workspace", "wso", "--cascade=orphan"]).ok();
    sim.eventually("wso goes", Duration::from_secs(10), || {
        gone(&sim, "host", &["workspace", "wso"])
    });
    sim.settle("host", &["ns", "proj-o"]);
    assert_eq!(
        sim.jsonpath(
            "host",
            &["ns", "proj-o"],
            "{.status.phase} {.metadata.ownerReferences}"
        ),
        Some("Active ".into())
    );
    // Foreground: the workspace waits, with `foregroundDeletion`, for its blocking project.
    workspace("wsf");
    project("proj-f", "wsf", r#","finalizers":["example.com/hold"]"#);
    k(&[
        "delete",
        "workspace",
        "wsf",
        "--cascade=foreground",
        "--wait=false",
    ])
    .ok();
    sim.eventually("proj-f is terminating", Duration::from_secs(10), || {
        sim.jsonpath("host", &["ns", "proj-f"], "{.status.phase}") == Some("Terminating".into())
    });
    let finalizers = sim
        .jsonpath("host", &["workspace", "wsf"], "{.metadata.finalizers}")
        .expect("the workspace waits for its project");
    assert!(finalizers.contains("foregroundDeletion"), "{finalizers}");
    k(&[
        "patch",
        "ns",
        "proj-f",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ])
    .ok();
    sim.eventually("both go", Duration::from_secs(10), || {
        gone(&sim, "host", &["ns", "proj-f"]) && gone(&sim, "host", &["workspace", "wsf"])
    });

    // `/finalize` through `replace --raw`, as KubeSphere's uninstall script does.
    k(&["create", "ns", "fin"]).ok();
    let body = "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"fin\"}}";
    let printed: serde_json::Value = serde_json::from_str(
        sim.kubectl_in(
            "host",
            &[
                "replace",
                "--raw",
                "/api/v1/namespaces/fin/finalize",
                "-f",
                "-",
            ],
            body,
        )
        .ok(),
    )
    .unwrap();
    assert_eq!(printed["kind"], "Namespace");
    assert_eq!(
        sim.jsonpath(
            "host",
            &["ns", "fin"],
            "{.spec.finalizers[*]} {.status.phase}"
        ),
        Some(" Active".into())
    );
}

/// §d 52: after `/finalize` with no finalizers, the real server's `spec` is `{}`
/// (`finalizers` is `omitempty`).
#[test]
fn finalize_leaves_an_empty_spec() {
    let sim = Sim::start("fresh");
    sim.kubectl("host", &["create", "ns", "fin"]).ok();
    let body = "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"fin\"}}";
    sim.kubectl_in(
        "host",
        &[
            "replace",
            "--raw",
            "/api/v1/namespaces/fin/finalize",
            "-f",
            "-",
        ],
        body,
    )
    .ok();
    assert_eq!(
        sim.jsonpath("host", &["ns", "fin"], "{.spec}"),
        Some("{}".into())
    );
}

/// §d 57–58: `kubectl get -w` prints each event; a selector transition ends in DELETED; a
/// watch on one name sees only that name.
#[test]
fn watch_prints_events_and_selector_transitions() {
    let sim = Sim::start("fresh");
    let k = |args: &[&str]| sim.kubectl("host", args);
    k(&["create", "ns", "wdemo"]).ok();
    sim.settle("host", &["ns", "wdemo"]);
    let events = sim.spawn_kubectl(
        "host",
        &[
            "get",
            "ns",
            "-w",
            "-l",
            "kubesphere.io/workspace",
            "--output-watch-events",
        ],
    );
    let named = sim.spawn_kubectl("host", &["get", "ns", "wdemo", "-w", "-o", "name"]);
    let starts = |ev: &'static str, name: &'static str| {
        move |l: &str| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len() == 4 && cols[0] == ev && cols[1] == name
        }
    };
    events.wait_for(
        "the initial events",
        Duration::from_secs(15),
        starts("ADDED", "kubesphere-system"),
    );
    named.wait_for("the named watch", Duration::from_secs(15), |l| {
        l == "namespace/wdemo"
    });

    k(&["label", "ns", "wdemo", "kubesphere.io/workspace=ws1"]).ok();
    events.wait_for(
        "ADDED wdemo",
        Duration::from_secs(10),
        starts("ADDED", "wdemo"),
    );
    k(&["annotate", "ns", "wdemo", "x=y"]).ok();
    events.wait_for(
        "MODIFIED wdemo",
        Duration::from_secs(10),
        starts("MODIFIED", "wdemo"),
    );
    k(&["label", "ns", "wdemo", "kubesphere.io/workspace-"]).ok();
    events.wait_for(
        "DELETED wdemo",
        Duration::from_secs(10),
        starts("DELETED", "wdemo"),
    );
    k(&["create", "ns", "other"]).ok();
    std::thread::sleep(Duration::from_millis(500));

    let (lines, _) = events.stop();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["EVENT", "NAME", "STATUS", "AGE"]
    );
    let wdemo: Vec<&str> = lines
        .iter()
        .filter(|l| l.split_whitespace().nth(1) == Some("wdemo"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(wdemo.first(), Some(&"ADDED"), "{lines:#?}");
    assert_eq!(wdemo.last(), Some(&"DELETED"), "{lines:#?}");
    assert!(
        lines
            .iter()
            .all(|l| l.split_whitespace().nth(1) != Some("other")),
        "an unlabelled namespace is not in a labelled watch: {lines:#?}"
    );
    let (named, _) = named.stop();
    assert!(named.len() >= 4, "{named:?}");
    assert!(named.iter().all(|l| l == "namespace/wdemo"), "{named:?}");
}
