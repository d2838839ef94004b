//! Crash and resume, end to end: `ksmc apply` is aborted (like `kill -9`) right after its n-th
//! journal record, for every boundary of a clean run (sampled past the first dozen), then
//! `ksmc resume` finishes it. Every kept namespace survives, and the simulator's write log
//! shows the same writes as a run that never crashed: nothing sent twice, nothing missing.

mod workflow_support;

use std::os::unix::process::ExitStatusExt as _;
use std::time::Instant;

use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;
use workflow_support::{Env, assert_kept_and_unbound, locks, namespace, stdout, text};

const SIGABRT: i32 = 6;
const CRASH_ENV: &str = "KSMC_CRASH_AFTER_RECORDS";

#[derive(Clone, Copy, Debug)]
enum Workflow {
    Unbind,
    Migrate,
}

impl Workflow {
    fn plan_args(self, kdir: &str) -> Vec<String> {
        let common = [
            "--member",
            "prod-1",
            "--old-host",
            "old-host",
            "--settle",
            "1",
        ];
        let mut args: Vec<String> = match self {
            Self::Unbind => vec!["plan".into(), "unbind".into()],
            Self::Migrate => vec![
                "plan".into(),
                "migrate".into(),
                "--new-host".into(),
                "new-host".into(),
            ],
        };
        args.extend(common.iter().map(|s| (*s).to_owned()));
        args.extend(["--kubeconfig-dir".into(), kdir.to_owned(), "--json".into()]);
        args
    }

    async fn check(self, env: &Env, uids: &[(String, String)]) {
        match self {
            Self::Unbind => assert_kept_and_unbound(env, uids).await,
            Self::Migrate => assert_migrated(env, uids).await,
        }
    }
}

/// Every project of prod-1 is bound to the same-named workspace, now propagated from
/// new-host, with its other owners intact.
async fn assert_migrated(env: &Env, uids: &[(String, String)]) {
    let member = env.client("prod-1").await;
    let workspaces: Api<DynamicObject> = Api::all_with(
        member.clone(),
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "tenant.kubesphere.io",
            "v1alpha1",
            "Workspace",
        )),
    );
    for (name, uid) in uids {
        let ns = namespace(&member, name)
            .await
            .unwrap_or_else(|| panic!("{name} was lost"));
        assert_eq!(
            ns.metadata.uid.as_ref(),
            Some(uid),
            "{name} is the same namespace"
        );
        assert!(
            ns.metadata.deletion_timestamp.is_none(),
            "{name} is terminating"
        );
        let ws = match name.as_str() {
            "scratch" => continue,
            "data-warehouse" => "ws-data",
            _ => "ws-apps",
        };
        assert_eq!(
            ns.metadata.labels.clone().unwrap_or_default()["kubesphere.io/workspace"],
            ws,
            "{name}"
        );
        let w = workspaces.get(ws).await.unwrap();
        let owners = ns.metadata.owner_references.clone().unwrap_or_default();
        assert!(
            owners
                .iter()
                .any(|r| r.kind == "Workspace" && Some(&r.uid) == w.metadata.uid.as_ref()),
            "{name} is owned by the new {ws}: {owners:?}"
        );
        if name == "apps-gitops" {
            assert!(owners.iter().any(|r| r.kind == "Application"), "{owners:?}");
        }
    }
    let clusters: Api<DynamicObject> = Api::all_with(
        env.client("new-host").await,
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "cluster.kubesphere.io",
            "v1alpha1",
            "Cluster",
        )),
    );
    assert!(clusters.get_opt("prod-1").await.unwrap().is_some());
}

async fn plan(env: &Env, workflow: Workflow) -> String {
    let args = workflow.plan_args(&env.kdir());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan --json");
    plan["id"].as_str().unwrap().to_owned()
}

/// Runs `workflow` cleanly, then crashes it after journal record n for each sampled n and
/// resumes it; returns how many boundaries were tried.
async fn crash_everywhere(workflow: Workflow, sample: impl Fn(usize, usize) -> bool) -> usize {
    let clock = Instant::now();
    let env = Env::start().await;
    let id = plan(&env, workflow).await;
    env.clear_writes();
    let out = env
        .ksmc(&["apply", &id, "--yes", "--kubeconfig-dir", &env.kdir()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let records = env.journal(&id).lines().count();
    let baseline = env.workflow_writes();
    assert!(
        baseline.iter().any(|(_, w)| !w.is_empty()),
        "the clean run wrote something"
    );
    eprintln!(
        "{workflow:?}: a clean run writes {records} journal records ({} ms)",
        clock.elapsed().as_millis()
    );
    drop(env);

    let mut tried = 0;
    for n in (1..=records).filter(|n| sample(*n, records)) {
        let env = Env::start().await;
        let uids = workflow_support::kept_uids(&env).await;
        let id = plan(&env, workflow).await;
        env.clear_writes();
        let kdir = env.kdir();
        let crashed = env
            .ksmc_crashing(
                &["apply", &id, "--yes", "--kubeconfig-dir", &kdir],
                &[(CRASH_ENV, &n.to_string())],
            )
            .await;
        assert_eq!(
            crashed.status.signal(),
            Some(SIGABRT),
            "n={n}: the process dies after journal record {n}\n{}",
            text(&crashed)
        );
        // Concurrent steps may land a few records of their own before the abort.
        let written = env.journal(&id).lines().count();
        assert!(
            written >= n,
            "n={n}: the journal holds the first {n} records ({written})"
        );
        let status = env.run_status(&id).await;
        let last = n == records;
        assert_eq!(
            status,
            if last { "succeeded" } else { "interrupted" },
            "n={n}"
        );

        let resumed = env
            .ksmc(&["resume", &id[..8], "--yes", "--kubeconfig-dir", &kdir])
            .await;
        assert_eq!(resumed.status.code(), Some(0), "n={n}: {}", text(&resumed));
        if last {
            assert!(
                stdout(&resumed).contains("already succeeded"),
                "{}",
                text(&resumed)
            );
        }
        assert_eq!(env.run_status(&id).await, "succeeded", "n={n}");
        assert_eq!(locks(&env).await, [], "n={n}: no ksmc lock is left behind");
        workflow.check(&env, &uids).await;
        assert_eq!(
            env.workflow_writes(),
            baseline,
            "n={n}: the crashed and resumed run wrote exactly what a clean run writes"
        );
        tried += 1;
    }
    eprintln!(
        "{workflow:?}: {tried} crash boundaries of {records} in {} ms",
        clock.elapsed().as_millis()
    );
    tried
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbind_killed_after_any_journal_record_resumes_losing_nothing_and_writing_nothing_twice() {
    // Every boundary for the first dozen records, then every third, and the very last.
    let tried = crash_everywhere(Workflow::Unbind, |n, last| {
        n <= 12 || n % 3 == 0 || n == last
    })
    .await;
    assert!(tried >= 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_killed_at_sampled_journal_records_resumes_losing_nothing_and_writing_nothing_twice()
 {
    let tried = crash_everywhere(Workflow::Migrate, |n, last| n % 4 == 1 || n == last).await;
    assert!(tried >= 5);
}
