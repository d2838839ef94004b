//! `ksmc unbind`, `ksmc plan`, `ksmc apply`, `ksmc runs` end to end: the real binary against
//! the `migrate` scenario of ksmc-sim over HTTPS.

mod workflow_support;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use workflow_support::{Env, assert_kept_and_unbound, kept_uids, stderr, stdout, text};

fn unbind_args<'a>(kdir: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--member",
        "prod-1",
        "--old-host",
        "old-host",
        "--settle",
        "1",
        "--kubeconfig-dir",
        kdir,
    ];
    args.extend_from_slice(tail);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbind_in_one_go_keeps_every_project_and_lists_the_run_as_succeeded() {
    let env = Env::start().await;
    let uids = kept_uids(&env).await;
    let kdir = env.kdir();
    let mut args = vec!["unbind"];
    args.extend(unbind_args(&kdir, &["--yes"]));
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let printed = stdout(&out);
    // The reviewed plan, then progress (plain lines: stdout is not a terminal), then the end.
    for want in [
        "Unbind prod-1 from old-host, keeping 5 namespaces",
        "prod-1/apps-gitops",
        "$ kubectl --kubeconfig prod-1.kubeconfig",
        "Applying run ",
        "== Phase 1/",
        "done: ",
        "Succeeded: ",
        "5 namespaces kept and verified",
    ] {
        assert!(printed.contains(want), "missing {want:?}\n{}", text(&out));
    }
    assert!(
        !printed.contains("\x1b["),
        "no terminal escapes when not on a terminal"
    );

    let runs = env.runs().await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["workflow"], "unbind");
    assert_eq!(runs[0]["stepsDone"], runs[0]["stepsTotal"]);
    assert_kept_and_unbound(&env, &uids).await;

    // The table form names the run too.
    let table = env.ksmc(&["runs", "list"]).await;
    let id = runs[0]["id"].as_str().unwrap();
    assert!(stdout(&table).contains(&id[..8]), "{}", text(&table));
    assert!(stdout(&table).contains("succeeded"));

    // A finished run is not applied again; resume says there is nothing to do.
    let again = env
        .ksmc(&["apply", id, "--yes", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(
        stderr(&again).contains("already applied"),
        "{}",
        text(&again)
    );
    let resumed = env
        .ksmc(&["resume", id, "--yes", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(stdout(&resumed).contains("already succeeded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_prints_a_script_and_a_reviewed_run_applies_after_typed_confirmation() {
    let env = Env::start().await;
    let uids = kept_uids(&env).await;
    let kdir = env.kdir();
    let plan_file = env.home.path().join("unbind-plan.json");
    let plan_file = plan_file.to_str().unwrap();
    let mut args = vec!["plan", "unbind"];
    args.extend(unbind_args(&kdir, &["--script", "-o", plan_file]));
    env.clear_writes();
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let script = stdout(&out);
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    for want in [
        "set -eu",
        "kubectl --kubeconfig prod-1.kubeconfig",
        "kubectl --kubeconfig old-host.kubeconfig delete cluster prod-1",
        "delete workspace ws-apps --cascade=orphan",
    ] {
        assert!(script.contains(want), "missing {want:?} in\n{script}");
    }
    assert!(stderr(&out).contains("Saved as run "), "{}", text(&out));
    for (cluster, writes) in env.workflow_writes() {
        assert!(writes.is_empty(), "planning wrote to {cluster}: {writes:?}");
    }
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(plan_file).unwrap()).unwrap();
    let id = plan["id"].as_str().unwrap().to_owned();
    assert_eq!(env.run_status(&id).await, "planned");
    assert!(script.contains(&id), "the script names its plan");

    // The text form shows every step with its kubectl equivalent.
    let mut args = vec!["plan", "unbind"];
    args.extend(unbind_args(&kdir, &[]));
    let review = env.ksmc(&args).await;
    assert_eq!(review.status.code(), Some(0), "{}", text(&review));
    let shown = stdout(&review);
    for want in [
        "Phase 1/",
        "request: PATCH /api/v1/namespaces/",
        "$ kubectl",
        "why: ",
        "ksmc apply ",
    ] {
        assert!(shown.contains(want), "missing {want:?}\n{shown}");
    }

    // Typing the wrong name applies nothing.
    let refused = env
        .ksmc_with(
            &["apply", &id[..8], "--kubeconfig-dir", &kdir],
            &[],
            Some("prod-2\n"),
        )
        .await;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(stderr(&refused).contains("the name typed is not prod-1; nothing was written"));
    assert!(
        stdout(&refused).contains("Unbind prod-1 from old-host"),
        "the summary is shown"
    );
    let no_answer = env.ksmc(&["apply", &id, "--kubeconfig-dir", &kdir]).await;
    assert_eq!(no_answer.status.code(), Some(1), "{}", text(&no_answer));
    assert!(stderr(&no_answer).contains("--yes"), "{}", text(&no_answer));
    assert_eq!(env.run_status(&id).await, "planned");
    for (cluster, writes) in env.workflow_writes() {
        assert!(
            writes.is_empty(),
            "an unconfirmed apply wrote to {cluster}: {writes:?}"
        );
    }

    // Confirmed by typing the member's name; progress as JSON lines.
    let out = env
        .ksmc_with(
            &["apply", &id, "--json", "--kubeconfig-dir", &kdir],
            &[],
            Some("prod-1\n"),
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let events: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    assert_eq!(events.first().unwrap()["event"], "started", "{events:?}");
    assert!(events.iter().any(|e| e["event"] == "phaseStarted"));
    assert!(events.iter().any(|e| e["event"] == "stepDone"));
    let last = events.last().unwrap();
    assert_eq!(last["event"], "finished");
    assert_eq!(last["report"]["status"], "succeeded");
    assert_eq!(last["report"]["kept"], 5);
    assert_eq!(env.run_status(&id).await, "succeeded");
    assert_kept_and_unbound(&env, &uids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_plan_is_refused_with_exit_1_and_nothing_written() {
    let env = Env::start().await;
    let kdir = env.kdir();
    let plan_file = env.home.path().join("plan.json");
    let plan_file = plan_file.to_str().unwrap();
    let mut args = vec!["plan", "unbind"];
    args.extend(unbind_args(&kdir, &["--json", "-o", plan_file]));
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan --json");
    let id = plan["id"].as_str().unwrap().to_owned();
    assert_eq!(plan["inventory"].as_array().unwrap().len(), 5);

    // Someone changes the estate after the review.
    let member = env.client("prod-1").await;
    Api::<Namespace>::all(member.clone())
        .patch(
            "scratch",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"kubesphere.io/workspace": "ws-data"}}})),
        )
        .await
        .unwrap();
    env.clear_writes();

    for target in [id.as_str(), plan_file] {
        let out = env
            .ksmc(&["apply", target, "--yes", "--kubeconfig-dir", &kdir])
            .await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let err = stderr(&out);
        assert!(err.contains("the estate changed since plan"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
    }
    for (cluster, writes) in env.workflow_writes() {
        assert!(
            writes.is_empty(),
            "a stale apply wrote to {cluster}: {writes:?}"
        );
    }
    assert!(
        env.estate.cluster("prod-1").unwrap().writes().is_empty(),
        "not even the lock was taken"
    );
    assert_eq!(env.run_status(&id).await, "planned");
    let ns = workflow_support::namespace(&member, "apps-frontend")
        .await
        .unwrap();
    assert_eq!(
        ns.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "ws-apps"
    );

    // --json reports the refusal as a JSON line too.
    let out = env
        .ksmc(&["apply", &id, "--yes", "--json", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["event"], "error");
    assert_eq!(line["error"]["kind"], "StalePlan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_unknown_runs_exit_1_with_a_specific_message() {
    let env = Env::start().await;
    let kdir = env.kdir();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "plan",
                "unbind",
                "--member",
                "prod-1",
                "--project",
                "kube-system",
                "--kubeconfig-dir",
                &kdir,
            ],
            "kube-system is a system namespace",
        ),
        (
            &[
                "unbind",
                "--member",
                "nowhere",
                "--yes",
                "--kubeconfig-dir",
                &kdir,
            ],
            "no cluster named \"nowhere\"",
        ),
        (
            &[
                "rebind",
                "--host",
                "new-host",
                "--member",
                "prod-1",
                "--bind",
                "scratch=ws-a",
                "--bind",
                "scratch=ws-b",
                "--kubeconfig-dir",
                &kdir,
            ],
            "project scratch is given twice",
        ),
        (
            &["apply", "0000dead", "--yes", "--kubeconfig-dir", &kdir],
            "no run \"0000dead\"",
        ),
        (&["cancel", "0000dead"], "no run \"0000dead\""),
    ];
    for (args, want) in cases {
        let out = env.ksmc(args).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            stderr(&out).contains(want),
            "{args:?}: want {want:?}\n{}",
            text(&out)
        );
    }
    // Usage errors are clap's: exit 2.
    let out = env
        .ksmc(&[
            "rebind",
            "--host",
            "h",
            "--member",
            "m",
            "--bind",
            "nope",
            "--kubeconfig-dir",
            &kdir,
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = env.ksmc(&["unbind", "--member", "prod-1"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "an estate is required: {}",
        text(&out)
    );
    assert!(env.runs().await.is_empty(), "nothing was planned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_apply_between_steps_with_exit_4_and_resume_finishes_it() {
    let env = Env::start().await;
    let uids = kept_uids(&env).await;
    let kdir = env.kdir();
    let mut args = vec!["plan", "unbind"];
    args.extend(unbind_args(&kdir, &["--json"]));
    // A settle long enough to cancel during it.
    let settle = args.iter().position(|a| *a == "--settle").unwrap() + 1;
    args[settle] = "4";
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = plan["id"].as_str().unwrap().to_owned();

    let child = env.spawn(&["apply", &id, "--yes", "--kubeconfig-dir", &kdir]);
    // Wait until the namespaces are unbound and the settle step is under way.
    let mut waited = 0;
    while env.journal(&id).matches("\"stepDone\"").count() < 4 {
        assert!(waited < 200, "the run did not start: {}", env.journal(&id));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    // A second ksmc may not apply the same run at the same time.
    let twice = env
        .ksmc(&["resume", &id, "--yes", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(twice.status.code(), Some(1), "{}", text(&twice));
    assert!(
        stderr(&twice).contains("is being applied by another ksmc process"),
        "{}",
        text(&twice)
    );
    let cancel = env.ksmc(&["cancel", &id[..8]]).await;
    assert_eq!(cancel.status.code(), Some(0), "{}", text(&cancel));
    assert!(
        stdout(&cancel).contains("Cancel requested"),
        "{}",
        text(&cancel)
    );
    assert!(
        !stdout(&cancel).contains("No ksmc on this machine"),
        "{}",
        text(&cancel)
    );

    let applied = workflow_support::wait(child).await;
    assert_eq!(applied.status.code(), Some(4), "{}", text(&applied));
    assert!(
        stderr(&applied).contains("Cancelled before step"),
        "{}",
        text(&applied)
    );
    assert!(stderr(&applied).contains(&format!("ksmc resume {}", &id[..8])));
    assert_eq!(env.run_status(&id).await, "cancelled");
    // Cancelled before anything was deleted: the old host still has the Cluster.
    let old = env.client("old-host").await;
    let clusters: Api<kube::api::DynamicObject> = Api::all_with(
        old,
        &kube::core::ApiResource::from_gvk(&kube::core::GroupVersionKind::gvk(
            "cluster.kubesphere.io",
            "v1alpha1",
            "Cluster",
        )),
    );
    assert!(clusters.get_opt("prod-1").await.unwrap().is_some());
    assert_eq!(
        workflow_support::locks(&env).await,
        [],
        "the lock is released"
    );
    let again = env.ksmc(&["cancel", &id]).await;
    assert!(
        stdout(&again).contains("is cancelled, not running"),
        "{}",
        text(&again)
    );

    let resumed = env
        .ksmc(&["resume", &id, "--yes", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    assert!(
        stdout(&resumed).contains("Resuming run "),
        "{}",
        text(&resumed)
    );
    assert_eq!(env.run_status(&id).await, "succeeded");
    assert_kept_and_unbound(&env, &uids).await;
    assert!(clusters.get_opt("prod-1").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_put_back_blocks_the_run_with_exit_3_before_anything_is_deleted() {
    let env = Env::start().await;
    let uids = kept_uids(&env).await;
    let kdir = env.kdir();
    // Something re-binds apps-frontend once after ksmc unbinds it.
    env.estate
        .set_owner_re_add(
            "prod-1",
            Some(ksmc_sim::OwnerReAdd {
                delay_ms: 20,
                namespaces: vec!["apps-frontend".into()],
                count: Some(1),
                restore_label: true,
            }),
        )
        .unwrap();
    let mut args = vec!["unbind"];
    args.extend(unbind_args(&kdir, &["--yes"]));
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("Blocked at step"), "{err}");
    assert!(err.contains("apps-frontend"), "{err}");
    assert!(err.contains("Nothing unsafe was done"), "{err}");
    let runs = env.runs().await;
    assert_eq!(runs[0]["status"], "blocked");
    assert!(
        runs[0]["reason"]
            .as_str()
            .unwrap()
            .contains("apps-frontend")
    );
    // Nothing was deleted: the workspaces and every namespace are still there.
    let member = env.client("prod-1").await;
    let ws = workflow_support::namespace(&member, "apps-frontend")
        .await
        .unwrap();
    assert_eq!(
        ws.metadata.labels.unwrap()["kubesphere.io/workspace"],
        "ws-apps"
    );
    let workspaces: Api<kube::api::DynamicObject> = Api::all_with(
        member,
        &kube::core::ApiResource::from_gvk(&kube::core::GroupVersionKind::gvk(
            "tenant.kubesphere.io",
            "v1alpha1",
            "Workspace",
        )),
    );
    assert!(workspaces.get_opt("ws-apps").await.unwrap().is_some());
    assert_eq!(workflow_support::locks(&env).await, []);

    // Once whatever re-bound it is gone, a fresh plan finishes the job.
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_kept_and_unbound(&env, &uids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_locked_by_another_run_is_refused_until_its_holder_id_is_typed() {
    use k8s_openapi::api::coordination::v1::Lease;
    let env = Env::start().await;
    let kdir = env.kdir();
    let member = env.client("prod-1").await;
    let mut lease: Lease = serde_json::from_value(json!({
        "metadata": {"name": "ksmc-workflow", "namespace": "kube-system"},
        "spec": {"holderIdentity": "ksmc-run-elsewhere", "leaseDurationSeconds": 120},
    }))
    .unwrap();
    lease.spec.as_mut().unwrap().renew_time = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(jiff::Timestamp::now()),
    );
    Api::<Lease>::namespaced(member, "kube-system")
        .create(&Default::default(), &lease)
        .await
        .unwrap();
    let mut args = vec!["unbind"];
    args.extend(unbind_args(&kdir, &["--yes"]));
    let out = env.ksmc(&args).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("prod-1 is locked by another ksmc run (holder ksmc-run-elsewhere)"),
        "{err}"
    );
    assert!(
        err.contains("ksmc runs unlock prod-1 --holder ksmc-run-elsewhere"),
        "{err}"
    );
    assert!(err.contains(&format!("--kubeconfig-dir {kdir}")), "{err}");
    assert_eq!(
        workflow_support::locks(&env).await,
        [("prod-1".to_owned(), "ksmc-run-elsewhere".to_owned())],
        "the lock taken on old-host first was given back"
    );
    assert_eq!(env.runs().await[0]["status"], "planned", "nothing started");

    let wrong = env
        .ksmc(&[
            "runs",
            "unlock",
            "prod-1",
            "--holder",
            "ksmc-run-other",
            "--kubeconfig-dir",
            &kdir,
        ])
        .await;
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(
        stderr(&wrong).contains("does not match"),
        "{}",
        text(&wrong)
    );
    let unlock = env
        .ksmc(&[
            "runs",
            "unlock",
            "prod-1",
            "--holder",
            "ksmc-run-elsewhere",
            "--kubeconfig-dir",
            &kdir,
        ])
        .await;
    assert_eq!(unlock.status.code(), Some(0), "{}", text(&unlock));
    assert_eq!(workflow_support::locks(&env).await, []);
    let id = env.runs().await[0]["id"].as_str().unwrap().to_owned();
    let out = env
        .ksmc(&["apply", &id, "--yes", "--kubeconfig-dir", &kdir])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_needs_fix_then_joins_and_prints_no_secret() {
    let env = Env::start_scenario(&ksmc_sim::Scenario::fresh()).await;
    let kdir = env.kdir();
    let base = [
        "import",
        "--host",
        "host",
        "--member",
        "member-1",
        "--kubeconfig-dir",
        &kdir,
    ];
    let out = env.ksmc(&[&base[..], &["--yes"]].concat()).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stderr(&out).contains("--fix"), "{}", text(&out));

    let dry = env
        .ksmc(&[&base[..], &["--fix", "--dry-run"]].concat())
        .await;
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(
        stdout(&dry).contains("Import member-1 into host"),
        "{}",
        text(&dry)
    );
    let planned = env.runs().await;
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0]["status"], "planned", "a dry run applies nothing");

    // Logs at their most verbose, kube, hyper and rustls included.
    let out = env
        .ksmc_with(
            &[&base[..], &["--fix", "--yes", "--json"]].concat(),
            &[("KSMC_LOG", "trace")],
            None,
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stderr(&out).contains("TRACE"),
        "trace logging is on: {}",
        text(&out)
    );
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    assert_eq!(lines[0]["event"], "planned");
    assert_eq!(lines.last().unwrap()["report"]["status"], "succeeded");

    // Neither the jwtSecret nor any cluster's token shows in what ksmc printed or kept.
    let mut secrets = vec!["hUsPzbBH1fjJ8cA3oTr2qXw0mLe6YvKd".to_owned()];
    for c in ["host", "member-1"] {
        let kubeconfig =
            std::fs::read_to_string(env.kubeconfigs.path().join(format!("{c}.kubeconfig")))
                .unwrap();
        let token = kubeconfig
            .lines()
            .find_map(|l| l.trim().strip_prefix("token: "))
            .unwrap()
            .trim_matches('"')
            .to_owned();
        secrets.push(token);
    }
    // The ServiceAccount token ksmc made for the host, read from the member itself.
    let member = env.client("member-1").await;
    let sa: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(member, "kube-system");
    let token = sa.get("ksmc-host-token").await.unwrap().data.unwrap()["token"]
        .0
        .clone();
    secrets.push(String::from_utf8(token).unwrap());
    let mut kept = String::new();
    for entry in std::fs::read_dir(env.home.path().join("runs")).unwrap() {
        for file in std::fs::read_dir(entry.unwrap().path()).unwrap() {
            kept.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap_or_default());
        }
    }
    for secret in &secrets {
        for (what, text) in [
            ("stdout", stdout(&out)),
            ("stderr", stderr(&out)),
            ("dry run", stdout(&dry)),
            ("runs dir", kept.clone()),
        ] {
            assert!(!text.contains(secret.as_str()), "a secret in the {what}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebind_and_migrate_dry_runs_show_their_plans_and_apply_nothing() {
    let env = Env::start().await;
    let kdir = env.kdir();
    env.clear_writes();
    let out = env
        .ksmc(&[
            "rebind",
            "--host",
            "old-host",
            "--member",
            "prod-1",
            "--bind",
            "scratch=ws-data",
            "--dry-run",
            "--kubeconfig-dir",
            &kdir,
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("Rebind 1 project of prod-1 on old-host"),
        "{}",
        text(&out)
    );
    assert!(stdout(&out).contains("scratch"), "{}", text(&out));
    let out = env
        .ksmc(&[
            "migrate",
            "--member",
            "prod-1",
            "--old-host",
            "old-host",
            "--new-host",
            "new-host",
            "--map",
            "ws-data=ws-analytics",
            "--dry-run",
            "--kubeconfig-dir",
            &kdir,
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains("Migrate prod-1 from old-host to new-host"),
        "{shown}"
    );
    assert!(shown.contains("ws-analytics"), "{shown}");
    assert!(shown.contains("ksmc apply "), "{shown}");
    let runs = env.runs().await;
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["status"] == "planned"));
    for (cluster, writes) in env.workflow_writes() {
        assert!(
            writes.is_empty(),
            "a dry run wrote to {cluster}: {writes:?}"
        );
    }
}
