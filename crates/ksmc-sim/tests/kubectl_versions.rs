//! The same short command set under every kubectl the gcloud SDK ships beside the dispatcher
//! (`kubectl.1.27` … `kubectl.1.33`): discovery negotiation (v2beta1 for ≤ 1.29, v2 after),
//! Tables, protobuf request bodies (≥ 1.32), OpenAPI v3 for `apply`, patches, watches.
//! A version is skipped only when its binary is absent; the versions run are printed.

#[path = "kubectl_support.rs"]
mod support;

use std::path::{Path, PathBuf};

use support::{Out, Sim, rows, versioned_kubectls};

const WST: &str = "apiVersion: tenant.kubesphere.io/v1alpha2
kind: WorkspaceTemplate
metadata:
  name: NAME
spec:
  template:
    spec:
      manager: admin
  placement:
    clusters:
    - name: member-1
";

/// kubectl 1.27 and 1.28 build their validator from `/openapi/v2` (the simulator serves an
/// empty document there; see `apply_validates_with_kubectl_1_27_and_1_28`).
fn needs_openapi_v2(minor: u32) -> bool {
    minor <= 28
}

fn run_set(sim: &Sim, label: &str, bin: &Path) {
    let cache = tempfile::tempdir().unwrap();
    let k = |args: &[&str]| -> Out {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(args)
            .arg("--kubeconfig")
            .arg(sim.kubeconfig("host"))
            .env("KUBECACHEDIR", cache.path())
            .env("HOME", cache.path());
        support::run(cmd, None, support::COMMAND_DEADLINE)
    };
    let k_in = |args: &[&str], stdin: &str| -> Out {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(args)
            .arg("--kubeconfig")
            .arg(sim.kubeconfig("host"))
            .env("KUBECACHEDIR", cache.path())
            .env("HOME", cache.path());
        support::run(cmd, Some(stdin), support::COMMAND_DEADLINE)
    };
    let ns = format!("v-{label}").replace('.', "-");
    let ws = format!("ws-{ns}");

    // Discovery (v2beta1 or v2 aggregated) and a Table with CRD printer columns.
    assert!(
        k(&["get", "ns", "-o", "name"])
            .lines()
            .contains(&"namespace/kube-system".to_owned()),
        "{label}"
    );
    let clusters = rows(k(&["get", "clusters.cluster.kubesphere.io"]).ok());
    assert_eq!(
        clusters,
        [
            vec!["NAME", "FEDERATED", "PROVIDER", "ACTIVE", "VERSION"],
            vec!["host", "true", "kubesphere", "true", "v1.32.4"]
        ],
        "{label}"
    );
    // Protobuf bodies from 1.32 on, JSON before.
    assert_eq!(
        k(&["create", "ns", &ns]).ok(),
        format!("namespace/{ns} created\n"),
        "{label}"
    );
    assert_eq!(
        k(&["create", "configmap", "c1", "-n", &ns, "--from-literal=a=b"]).ok(),
        "configmap/c1 created\n",
        "{label}"
    );
    assert_eq!(
        k(&["label", "ns", &ns, "kubesphere.io/workspace=ws1"]).ok(),
        format!("namespace/{ns} labeled\n"),
        "{label}"
    );
    assert_eq!(
        k(&[
            "patch",
            "ns",
            &ns,
            "--type=merge",
            "-p",
            r#"{"metadata":{"annotations":{"v":"1"}}}"#
        ])
        .ok(),
        format!("namespace/{ns} patched\n"),
        "{label}"
    );
    // OpenAPI v3 lets kubectl apply (and send fieldValidation=Strict).
    let apply = vec!["apply", "-f", "-"];
    assert_eq!(
        k_in(&apply, &WST.replace("NAME", &ws)).ok(),
        format!("workspacetemplate.tenant.kubesphere.io/{ws} created\n"),
        "{label}"
    );
    assert_eq!(
        k(&[
            "patch",
            "workspacetemplate",
            &ws,
            "-p",
            r#"{"metadata":{"labels":{"a":"b"}}}"#
        ])
        .err(),
        "error: application/strategic-merge-patch+json is not supported by tenant.kubesphere.io/v1alpha2, Kind=WorkspaceTemplate: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        "{label}"
    );
    assert_eq!(
        k(&["delete", "workspacetemplate", &ws]).ok(),
        format!("workspacetemplate.tenant.kubesphere.io \"{ws}\" deleted\n"),
        "{label}"
    );
    // ks-apiserver through the service proxy.
    let version: serde_json::Value = serde_json::from_str(
        k(&[
            "get",
            "--raw",
            "/api/v1/namespaces/kubesphere-system/services/:ks-apiserver:/proxy/kapis/version",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(version["gitVersion"], "v3.4.1", "{label}");
    // Deleting a namespace waits on a watch for its removal.
    assert_eq!(
        k(&["delete", "ns", &ns]).ok(),
        format!("namespace \"{ns}\" deleted\n"),
        "{label}"
    );
    assert_eq!(
        k(&["get", "ns", &ns]).err(),
        format!("Error from server (NotFound): namespaces \"{ns}\" not found"),
        "{label}"
    );
}

#[test]
fn every_installed_kubectl_version_works_against_the_simulator() {
    let sim = Sim::start("fresh");
    let versions = versioned_kubectls();
    let mut ran = Vec::new();
    for (minor, bin) in &versions {
        let label = format!("1.{minor}");
        run_set(&sim, &label, bin);
        ran.push(label);
    }
    if ran.is_empty() {
        // No gcloud SDK: at least the kubectl on PATH runs the set.
        run_set(&sim, "path", &PathBuf::from("kubectl"));
        ran.push("kubectl on PATH (no versioned binaries found)".into());
    }
    let absent: Vec<String> = (27..=33)
        .filter(|m| !versions.iter().any(|(v, _)| v == m))
        .map(|m| format!("1.{m}"))
        .collect();
    println!("kubectl versions run: {}", ran.join(", "));
    if !absent.is_empty() {
        println!(
            "kubectl versions skipped (binary absent): {}",
            absent.join(", ")
        );
    }
}

/// kubectl 1.27 and 1.28 fetch `/openapi/v2` to build the validator of `apply`, `create -f`
/// and `replace` and give up on its 404 with `Error from server (NotFound): the server could
/// not find the requested resource`. Serving `/openapi/v2` as an empty protobuf document
/// (200, empty body, `Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf`)
/// was checked to make both work, with `fieldValidation=Strict` from OpenAPI v3, and to
/// change nothing for 1.29 and 1.32.
#[test]
fn apply_validates_with_kubectl_1_27_and_1_28() {
    let sim = Sim::start("fresh");
    let old: Vec<(u32, PathBuf)> = versioned_kubectls()
        .into_iter()
        .filter(|(m, _)| needs_openapi_v2(*m))
        .collect();
    assert!(!old.is_empty(), "kubectl.1.27 / kubectl.1.28 not installed");
    for (minor, bin) in old {
        let ws = format!("ws-old-{minor}");
        let out = sim.kubectl_with(
            &bin,
            "host",
            &["apply", "-f", "-"],
            Some(&WST.replace("NAME", &ws)),
        );
        assert_eq!(
            out.ok(),
            format!("workspacetemplate.tenant.kubesphere.io/{ws} created\n"),
            "kubectl 1.{minor}"
        );
        let typo = WST
            .replace("NAME", "typo")
            .replacen("spec:\n", "spec:\n  bogus: 1\n", 1);
        let rejected = sim.kubectl_with(&bin, "host", &["create", "-f", "-"], Some(&typo));
        assert!(
            rejected
                .err()
                .ends_with("strict decoding error: unknown field \"spec.bogus\""),
            "kubectl 1.{minor}: {rejected:?}"
        );
    }
}
