//! The real kubectl is the referee: it must accept the simulator unchanged.
//!
//! Reads: discovery, tables, selectors, output formats, errors, CustomResourceDefinitions,
//! OpenAPI v3, and ks-apiserver through the service proxy (`shared/docs/simulator-fidelity.md`
//! §d 1–24). Writes are in `kubectl_writes.rs`, the seed procedure in
//! `kubectl_seed_procedure.rs`, the version matrix in `kubectl_versions.rs`.
//!
//! Needs `kubectl` on PATH (the README's setup installs it); the tests fail, rather than
//! skip, when it is missing, so a green run always means kubectl was really used.

#[path = "kubectl_support.rs"]
mod support;

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;
use support::{Sim, like, rows};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn set(lines: &[String]) -> BTreeSet<String> {
    lines.iter().cloned().collect()
}

#[test]
fn kubectl_reads_namespaces_tables_and_errors_then_sim_stops_on_sigterm() {
    let sim = Sim::start("fresh");

    // `kubectl get ns` over HTTPS with the CA and bearer token from the kubeconfig.
    let table = rows(sim.kubectl("host", &["get", "ns"]).ok());
    assert_eq!(table[0], ["NAME", "STATUS", "AGE"]);
    let names: Vec<&str> = table[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(
        names.contains(&"kubesphere-system") && names.contains(&"default"),
        "{names:?}"
    );
    assert!(
        table[1..]
            .iter()
            .all(|r| r[1] == "Active" && r[2].ends_with('s'))
    );

    // Label selectors and chunked lists.
    let labelled = rows(
        sim.kubectl(
            "host",
            &[
                "get",
                "ns",
                "-l",
                "kubesphere.io/workspace=system-workspace",
                "--chunk-size=2",
                "-o",
                "name",
            ],
        )
        .ok(),
    );
    assert_eq!(labelled.len(), 4, "{labelled:?}");
    assert!(labelled.iter().all(|r| r[0].starts_with("namespace/")));

    // A single object, JSON output.
    let ns = json(
        sim.kubectl("member-1", &["get", "ns", "kube-system", "-o", "json"])
            .ok(),
    );
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        "kube-system"
    );

    // Server-side printer columns of a KubeSphere CRD.
    let clusters = rows(
        sim.kubectl("host", &["get", "clusters.cluster.kubesphere.io"])
            .ok(),
    );
    assert_eq!(
        clusters[0],
        ["NAME", "FEDERATED", "PROVIDER", "ACTIVE", "VERSION"]
    );
    assert_eq!(
        clusters[1],
        ["host", "true", "kubesphere", "true", "v1.32.4"]
    );
    let cc = sim.kubectl(
        "member-1",
        &[
            "get",
            "cc",
            "ks-installer",
            "-n",
            "kubesphere-system",
            "-o",
            "jsonpath={.spec.multicluster.clusterRole}",
        ],
    );
    assert_eq!(cc.ok(), "none");

    // Errors are printed as the real server's.
    let missing = sim.kubectl("host", &["get", "ns", "nope"]);
    assert_eq!(
        missing.err(),
        "Error from server (NotFound): namespaces \"nope\" not found"
    );

    // A wrong token is refused (the Status message of a real API server's 401 is
    // "Unauthorized", which kubectl puts in parentheses).
    let bad = sim.dir.path().join("bad.kubeconfig");
    let text = std::fs::read_to_string(sim.kubeconfig("host")).unwrap();
    let token_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("token:"))
        .unwrap();
    std::fs::write(&bad, text.replace(token_line, "    token: wrong")).unwrap();
    let mut cmd = Command::new("kubectl");
    cmd.args(["get", "ns", "--kubeconfig"])
        .arg(&bad)
        .env("KUBECACHEDIR", sim.cache.path())
        .env("HOME", sim.cache.path());
    let denied = support::run(cmd, None, support::COMMAND_DEADLINE);
    assert_eq!(denied.code, Some(1), "{denied:?}");
    assert!(
        denied
            .stderr
            .trim_end()
            .ends_with("error: You must be logged in to the server (Unauthorized)"),
        "{denied:?}"
    );

    let out = sim.terminate();
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains("host")
            && printed.contains("member-1")
            && printed.contains("https://127.0.0.1:")
    );
}

#[test]
fn an_unknown_scenario_is_refused_with_the_known_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ksmc-sim"))
        .args(["serve", "--scenario", "nope", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown scenario \"nope\"") && err.contains("fresh"),
        "{err}"
    );
    assert!(!dir.path().join("estate.json").exists());
}

/// §d 1–3, 6 and the CRD / OpenAPI surface kubectl relies on.
#[test]
fn discovery_crds_and_openapi_v3_as_kubectl_uses_them() {
    let sim = Sim::start("fresh");
    let version = json(sim.kubectl("host", &["get", "--raw", "/version"]).ok());
    assert_eq!(version["gitVersion"], "v1.32.4");
    assert_eq!(version["minor"], "32");

    assert_eq!(
        sim.kubectl(
            "host",
            &[
                "api-resources",
                "--api-group=tenant.kubesphere.io",
                "-o",
                "name"
            ]
        )
        .lines(),
        [
            "workspaces.tenant.kubesphere.io",
            "workspacetemplates.tenant.kubesphere.io"
        ]
    );
    let installer = rows(
        sim.kubectl(
            "host",
            &["api-resources", "--api-group=installer.kubesphere.io"],
        )
        .ok(),
    );
    assert_eq!(
        installer[1],
        [
            "clusterconfigurations",
            "cc",
            "installer.kubesphere.io/v1alpha1",
            "true",
            "ClusterConfiguration"
        ]
    );
    let apiext = rows(
        sim.kubectl(
            "host",
            &["api-resources", "--api-group=apiextensions.k8s.io"],
        )
        .ok(),
    );
    assert_eq!(
        apiext[1],
        [
            "customresourcedefinitions",
            "crd,crds",
            "apiextensions.k8s.io/v1",
            "false",
            "CustomResourceDefinition"
        ]
    );

    // The `tenant` category of the KubeSphere CRDs.
    let tenant = sim
        .kubectl("host", &["get", "tenant", "-o", "name"])
        .lines();
    assert!(
        tenant.contains(&"workspace.tenant.kubesphere.io/system-workspace".to_owned()),
        "{tenant:?}"
    );
    assert!(
        tenant
            .iter()
            .all(|l| l.starts_with("workspace.tenant.kubesphere.io/")
                || l.starts_with("workspacetemplate.tenant.kubesphere.io/")),
        "{tenant:?}"
    );

    // `kubectl get crd`: one row per KubeSphere CRD, `NAME  CREATED AT` with RFC 3339 times.
    let crds = rows(sim.kubectl("host", &["get", "crd"]).ok());
    assert_eq!(crds[0], ["NAME", "CREATED", "AT"]);
    let names: Vec<&str> = crds[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "clusterconfigurations.installer.kubesphere.io",
            "clusters.cluster.kubesphere.io",
            "globalrolebindings.iam.kubesphere.io",
            "globalroles.iam.kubesphere.io",
            "users.iam.kubesphere.io",
            "workspacerolebindings.iam.kubesphere.io",
            "workspaceroles.iam.kubesphere.io",
            "workspaces.tenant.kubesphere.io",
            "workspacetemplates.tenant.kubesphere.io",
        ]
    );
    assert!(
        crds[1..]
            .iter()
            .all(|r| r[1].len() == 20 && r[1].ends_with('Z')),
        "{crds:?}"
    );
    assert_eq!(
        sim.kubectl(
            "host",
            &[
                "get",
                "crd",
                "workspacetemplates.tenant.kubesphere.io",
                "-o",
                "jsonpath={.spec.names.kind} {.spec.scope} {.status.conditions[?(@.type==\"Established\")].status}",
            ],
        )
        .ok(),
        "WorkspaceTemplate Cluster True"
    );
    assert_eq!(
        sim.kubectl("host", &["get", "crd", "nope.example.com"])
            .err(),
        "Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io \"nope.example.com\" not found"
    );
    // Read-only: CRDs come from the simulator's registry.
    assert_eq!(
        sim.kubectl(
            "host",
            &["delete", "crd", "workspaces.tenant.kubesphere.io"]
        )
        .err(),
        "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource"
    );

    // Leases are a built-in kind: `kubectl get leases` prints NAME, HOLDER, AGE.
    let leases = rows(
        sim.kubectl("host", &["get", "leases", "-n", "kube-system"])
            .ok(),
    );
    assert_eq!(leases[0], ["NAME", "HOLDER", "AGE"]);
    assert_eq!(leases[1][0], "kube-controller-manager");
    assert!(leases[1][1].starts_with("host-node-1_"), "{leases:?}");
    assert_eq!(leases[2][0], "kube-scheduler");
    assert_eq!(
        rows(
            sim.kubectl(
                "host",
                &["api-resources", "--api-group=coordination.k8s.io"]
            )
            .ok()
        )[1],
        ["leases", "coordination.k8s.io/v1", "true", "Lease"]
    );

    // OpenAPI v3: the index, then a group version's document by its hashed URL.
    let index = json(sim.kubectl("host", &["get", "--raw", "/openapi/v3"]).ok());
    let url = index["paths"]["apis/tenant.kubesphere.io/v1alpha2"]["serverRelativeURL"]
        .as_str()
        .unwrap_or_else(|| panic!("no tenant v1alpha2 in {index}"));
    assert!(index["paths"]["api/v1"]["serverRelativeURL"].is_string());
    let doc = json(sim.kubectl("host", &["get", "--raw", url]).ok());
    let patch =
        &doc["paths"]["/apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/{name}"]["patch"];
    assert_eq!(
        patch["x-kubernetes-group-version-kind"]["kind"],
        "WorkspaceTemplate"
    );
    assert!(
        patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation")
    );
    // v2 is an empty document: enough for kubectl 1.27/1.28, which insist on fetching it.
    assert_eq!(
        sim.kubectl("host", &["get", "--raw", "/openapi/v2"]).ok(),
        ""
    );
    // kubectl explain reads the CRD schema from the v3 document.
    let explain = sim
        .kubectl("host", &["explain", "workspacetemplates.spec.placement"])
        .ok()
        .to_owned();
    assert!(
        explain.contains("KIND:       WorkspaceTemplate")
            && explain.contains("clusterSelector\t<Object>")
            && explain.contains("clusters\t<[]Object>"),
        "{explain}"
    );
}

/// §d 7–24: lists, selectors, output formats, columns.
#[test]
fn get_with_selectors_output_formats_and_columns() {
    let sim = Sim::start("fresh");
    assert_eq!(
        sim.kubectl("host", &["create", "ns", "demo"]).ok(),
        "namespace/demo created\n"
    );
    sim.kubectl(
        "host",
        &["label", "ns", "demo", "kubesphere.io/workspace=ws1"],
    )
    .ok();
    sim.settle("host", &["ns", "demo"]);

    let table = rows(sim.kubectl("host", &["get", "ns"]).ok());
    let demo = table.iter().find(|r| r[0] == "demo").expect("demo listed");
    assert_eq!(demo[1], "Active");
    assert!(like(&demo[2], "*s"), "{demo:?}");

    // Every namespace and its labels, to check each selector against.
    let all = json(sim.kubectl("host", &["get", "ns", "-o", "json"]).ok());
    assert_eq!(all["kind"], "List");
    let label_of = |ns: &Value| {
        ns["metadata"]["labels"]["kubesphere.io/workspace"]
            .as_str()
            .map(str::to_owned)
    };
    let items = all["items"].as_array().unwrap();
    let names_where = |pred: &dyn Fn(Option<String>) -> bool| -> BTreeSet<String> {
        items
            .iter()
            .filter(|ns| pred(label_of(ns)))
            .map(|ns| format!("namespace/{}", ns["metadata"]["name"].as_str().unwrap()))
            .collect()
    };
    let selected = |selector: &str| {
        set(&sim
            .kubectl("host", &["get", "ns", "-l", selector, "-o", "name"])
            .lines())
    };
    assert_eq!(
        selected("kubesphere.io/workspace=ws1"),
        BTreeSet::from(["namespace/demo".to_owned()])
    );
    let unlabelled = names_where(&|l| l.is_none());
    assert!(unlabelled.contains("namespace/default") && unlabelled.len() > 2);
    assert_eq!(selected("!kubesphere.io/workspace"), unlabelled);
    assert_eq!(
        selected("kubesphere.io/workspace in (ws1,ws2)"),
        BTreeSet::from(["namespace/demo".to_owned()])
    );
    assert_eq!(
        selected("kubesphere.io/workspace notin (ws2)"),
        names_where(&|_| true)
    );
    assert_eq!(
        selected("kubesphere.io/workspace!=ws1"),
        names_where(&|l| l.as_deref() != Some("ws1"))
    );
    assert_eq!(
        set(&sim
            .kubectl(
                "host",
                &[
                    "get",
                    "ns",
                    "--field-selector",
                    "metadata.name=demo",
                    "-o",
                    "name"
                ]
            )
            .lines()),
        BTreeSet::from(["namespace/demo".to_owned()])
    );
    assert_eq!(
        set(&sim
            .kubectl(
                "host",
                &[
                    "get",
                    "ns",
                    "--field-selector",
                    "status.phase=Active",
                    "-o",
                    "name"
                ]
            )
            .lines()),
        names_where(&|_| true)
    );
    assert_eq!(
        sim.kubectl("host", &["get", "ns", "--chunk-size=2", "-o", "name"])
            .lines()
            .len(),
        items.len()
    );

    // Nothing found is not an error.
    let none = sim.kubectl("host", &["get", "ns", "-l", "nope=1"]);
    assert_eq!((none.ok(), none.stderr.trim()), ("", "No resources found"));
    let empty = sim.kubectl("host", &["get", "configmaps", "-n", "demo"]);
    assert_eq!(
        (empty.ok(), empty.stderr.trim()),
        ("", "No resources found in demo namespace.")
    );

    // Labels from the Table rows' object metadata.
    let shown = rows(
        sim.kubectl(
            "host",
            &[
                "get",
                "ns",
                "--show-labels",
                "-l",
                "kubesphere.io/workspace=ws1",
            ],
        )
        .ok(),
    );
    assert_eq!(shown[0], ["NAME", "STATUS", "AGE", "LABELS"]);
    assert_eq!(
        (shown[1][0].as_str(), shown[1][1].as_str()),
        ("demo", "Active")
    );
    let labels: Vec<&str> = shown[1][3].split(',').collect();
    assert!(
        labels.contains(&"kubernetes.io/metadata.name=demo")
            && labels.contains(&"kubesphere.io/workspace=ws1"),
        "{labels:?}"
    );
    let columns = rows(
        sim.kubectl(
            "host",
            &[
                "get",
                "ns",
                "-L",
                "kubesphere.io/workspace",
                "-l",
                "kubesphere.io/workspace",
            ],
        )
        .ok(),
    );
    assert_eq!(columns[0], ["NAME", "STATUS", "AGE", "WORKSPACE"]);
    let by_name: Vec<(&str, &str)> = columns[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[3].as_str()))
        .collect();
    assert!(by_name.contains(&("demo", "ws1")), "{by_name:?}");
    assert!(
        by_name.contains(&("kubesphere-system", "system-workspace")),
        "{by_name:?}"
    );

    assert_eq!(
        sim.kubectl(
            "host",
            &[
                "get",
                "ns",
                "demo",
                "-o",
                "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name} {.status.phase}",
            ],
        )
        .ok(),
        "demo Active"
    );

    // A CR without printer columns shows a humanised AGE.
    let wst = "apiVersion: tenant.kubesphere.io/v1alpha2\nkind: WorkspaceTemplate\nmetadata:\n  name: ws1\nspec:\n  template:\n    spec:\n      manager: admin\n  placement:\n    clusters:\n    - name: member-1\n";
    assert_eq!(
        sim.kubectl_in("host", &["create", "-f", "-"], wst).ok(),
        "workspacetemplate.tenant.kubesphere.io/ws1 created\n"
    );
    let templates = rows(sim.kubectl("host", &["get", "workspacetemplates"]).ok());
    assert_eq!(templates[0], ["NAME", "AGE"]);
    let ws1 = templates.iter().find(|r| r[0] == "ws1").unwrap();
    assert!(
        ws1[1].ends_with('s') && ws1[1][..ws1[1].len() - 1].parse::<u32>().is_ok(),
        "{ws1:?}"
    );

    assert_eq!(
        sim.kubectl(
            "host",
            &["get", "cc", "-n", "kubesphere-system", "-o", "name"]
        )
        .ok(),
        "clusterconfiguration.installer.kubesphere.io/ks-installer\n"
    );
    let no_cc = sim.kubectl("host", &["get", "clusterconfigurations", "-n", "default"]);
    assert_eq!(
        (no_cc.ok(), no_cc.stderr.trim()),
        ("", "No resources found in default namespace.")
    );

    // describe: empty quota and limit range lists print their "none" lines.
    let described = sim
        .kubectl("host", &["describe", "ns", "demo"])
        .ok()
        .to_owned();
    assert!(
        described.starts_with("Name:         demo\n")
            && described.contains("Status:       Active")
            && described.contains("No resource quota.")
            && described.contains("No LimitRange resource."),
        "{described}"
    );
}

const PROXY: &str = "/api/v1/namespaces/kubesphere-system/services";

/// ks-apiserver's version and configz through the Kubernetes service proxy, as the host's
/// cluster controller (3.4: `:ks-apiserver:` + `/kapis/version`; 4.1: `http:ks-apiserver:80`
/// + `/version`) and ksmc read them.
#[test]
fn ks_apiserver_version_and_configz_through_the_service_proxy() {
    let sim = Sim::start("fresh");
    let v = json(
        sim.kubectl(
            "host",
            &[
                "get",
                "--raw",
                &format!("{PROXY}/:ks-apiserver:/proxy/kapis/version"),
            ],
        )
        .ok(),
    );
    assert_eq!(
        (&v["gitVersion"], &v["gitMajor"], &v["gitMinor"]),
        (&Value::from("v3.4.1"), &Value::from("3"), &Value::from("4"))
    );
    assert_eq!(v["kubernetes"]["gitVersion"], "v1.32.4");
    let v41 = json(
        sim.kubectl(
            "member-1",
            &[
                "get",
                "--raw",
                &format!("{PROXY}/http:ks-apiserver:80/proxy/version"),
            ],
        )
        .ok(),
    );
    assert_eq!(v41["gitVersion"], "v3.4.1");
    assert_eq!(v41["kubernetes"]["gitVersion"], "v1.31.6");

    let configz = |cluster: &str| {
        json(
            sim.kubectl(
                cluster,
                &[
                    "get",
                    "--raw",
                    &format!(
                        "{PROXY}/:ks-apiserver:/proxy/kapis/config.kubesphere.io/v1alpha2/configs/configz"
                    ),
                ],
            )
            .ok(),
        )
    };
    let host = configz("host");
    assert!(host.as_object().unwrap().values().all(Value::is_boolean));
    assert_eq!(host["multicluster"], true);
    assert_eq!(host["monitoring"], true);
    assert_eq!(host["devops"], false);
    let member = configz("member-1");
    assert_eq!(member["multicluster"], false);

    // The installer reports DevOps enabled: configz follows.
    sim.kubectl(
        "member-1",
        &[
            "-n",
            "kubesphere-system",
            "patch",
            "cc",
            "ks-installer",
            "--type=merge",
            "-p",
            r#"{"status":{"devops":{"status":"enabled","enabledTime":"2026-01-01T10:00:00CST"}}}"#,
        ],
    )
    .ok();
    assert_eq!(configz("member-1")["devops"], true);

    // Paths ks-apiserver does not serve, and a port the Service does not have.
    assert_eq!(
        sim.kubectl(
            "member-1",
            &[
                "get",
                "--raw",
                &format!("{PROXY}/:ks-apiserver:/proxy/kapis/nope")
            ]
        )
        .err(),
        "Error from server (NotFound): the server could not find the requested resource"
    );
    assert_eq!(
        sim.kubectl(
            "member-1",
            &[
                "get",
                "--raw",
                &format!("{PROXY}/ks-apiserver:8080/proxy/version")
            ]
        )
        .err(),
        "Error from server (ServiceUnavailable): no service port 8080 found for service \"ks-apiserver\""
    );

    // Without KubeSphere there is no ks-apiserver Service.
    assert_eq!(
        sim.kubectl(
            "member-1",
            &["-n", "kubesphere-system", "delete", "cc", "ks-installer"]
        )
        .ok(),
        "clusterconfiguration.installer.kubesphere.io \"ks-installer\" deleted\n"
    );
    assert_eq!(
        sim.kubectl(
            "member-1",
            &[
                "get",
                "--raw",
                &format!("{PROXY}/:ks-apiserver:/proxy/kapis/version")
            ]
        )
        .err(),
        "Error from server (NotFound): services \"ks-apiserver\" not found"
    );
    assert_eq!(
        sim.kubectl(
            "host",
            &[
                "get",
                "--raw",
                "/api/v1/namespaces/default/services/:ks-apiserver:/proxy/kapis/version"
            ]
        )
        .err(),
        "Error from server (NotFound): services \"ks-apiserver\" not found"
    );
}
