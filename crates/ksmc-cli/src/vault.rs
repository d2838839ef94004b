//! `ksmc vault …` and `ksmc cluster list --vault`: the vault from a terminal. Argument
//! parsing and formatting only; every rule lives in `ksmc_core::vault`.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use comfy_table::{Table, presets::NOTHING};
use ksmc_core::AppError;
use ksmc_core::vault::import::{ImportSource, LoadedKubeconfig};
use ksmc_core::vault::{
    Acknowledgement, AddOptions, CheckStatus, ClusterRecord, ClusterState, ClusterTestReport,
    KeyState, Vault, VaultError, VaultStatus,
};
use ksmc_core::{ClusterRole, kubeconfig::MAX_KUBECONFIG_BYTES};
use serde_json::json;

#[derive(Args)]
pub struct VaultArgs {
    /// Keep the vault key in memory only, never in the OS keyring: for trying ksmc out.
    /// What is added this way is unreadable once the command ends.
    #[arg(long, global = true)]
    session_only: bool,
    #[command(subcommand)]
    command: VaultCommand,
}

#[derive(Subcommand)]
enum VaultCommand {
    /// Import kubeconfig contexts into the vault (sealed; files it references are inlined).
    Add(AddArgs),
    /// The contexts of a kubeconfig, to choose from with `add --context`.
    Contexts {
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long)]
        json: bool,
    },
    /// The clusters in the vault (no secret is shown).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a cluster's sealed kubeconfig and metadata.
    Remove {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Everything stored about a cluster (metadata, acknowledgements, the exec plugin as it
    /// resolves now); never a secret, and the cluster is not contacted.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Connect to a cluster and check reachability, TLS, authentication and authorisation
    /// (list namespaces, read kubesphere-system). Exit status 1 when a check fails.
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Rename a cluster.
    Rename {
        old: String,
        new: String,
        #[arg(long)]
        json: bool,
    },
    /// Where the vault key is and whether the OS keyring can be used.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Review a cluster's exec credential plugin, or approve it with the fingerprint shown.
    ApproveExec {
        name: String,
        /// The fingerprint shown by the review; approves exactly what was reviewed.
        #[arg(long)]
        fingerprint: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete the vault key from the OS keyring (only when the vault is empty).
    ForgetKey {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct SourceArgs {
    /// A kubeconfig file.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Your kubeconfig: the files of KUBECONFIG, else ~/.kube/config, merged as kubectl does.
    #[arg(long)]
    from_kubeconfig: bool,
    /// Kubeconfig text on standard input (pasted).
    #[arg(long)]
    stdin: bool,
}

#[derive(Args)]
struct AddArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The context to import (repeat for several); by default the current context.
    #[arg(long, value_name = "CONTEXT")]
    context: Vec<String>,
    /// The cluster's name in ksmc (one context only); by default the context's name.
    #[arg(long)]
    name: Option<String>,
    /// A free-text display name (one context only).
    #[arg(long)]
    display_name: Option<String>,
    /// Accept risky fields: insecure-skip-tls-verify, impersonation, proxy-url, tls-server-name.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,…")]
    ack: Vec<Acknowledgement>,
    #[arg(long)]
    json: bool,
}

/// An error to print: text on stderr, and as JSON on stdout for `--json`.
#[derive(Debug)]
struct Failure {
    reason: &'static str,
    error: AppError,
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        Self {
            reason: e.reason(),
            error: AppError::from(&e),
        }
    }
}

impl From<ksmc_core::vault::ImportError> for Failure {
    fn from(e: ksmc_core::vault::ImportError) -> Self {
        VaultError::from(e).into()
    }
}

fn fail(json: bool, f: &Failure) -> ExitCode {
    eprintln!("ksmc: {}", f.error.message);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"reason": f.reason, "error": f.error}))
                .unwrap_or_default()
        );
    }
    ExitCode::FAILURE
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn open(session_only: bool) -> Result<Vault, Failure> {
    Vault::open_default(session_only).map_err(Failure::from)
}

fn source(args: &SourceArgs) -> Result<ImportSource, Failure> {
    if let Some(file) = &args.file {
        return Ok(ImportSource::File(file.clone()));
    }
    if args.from_kubeconfig {
        return Ok(ImportSource::user_kubeconfig()?);
    }
    let mut text = String::new();
    let limit = MAX_KUBECONFIG_BYTES as u64;
    std::io::stdin()
        .take(limit + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure {
            reason: "unreadable",
            error: AppError::new(
                ksmc_core::ErrorKind::Invalid,
                format!("cannot read standard input: {e}"),
            ),
        })?;
    // Over the limit: the core refuses it unparsed.
    Ok(ImportSource::Text(text))
}

/// Runs a `ksmc vault` command.
pub async fn run(args: VaultArgs) -> ExitCode {
    if let VaultCommand::Test { name, json } = &args.command {
        let (name, json, session_only) = (name.clone(), *json, args.session_only);
        let vault = match tokio::task::spawn_blocking(move || open(session_only)).await {
            Ok(Ok(v)) => v,
            Ok(Err(f)) => return fail(json, &f),
            Err(_) => return ExitCode::FAILURE,
        };
        return match test_output(&vault, &name, json).await {
            Ok((text, ok)) => {
                println!("{text}");
                if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(f) => fail(json, &f),
        };
    }
    tokio::task::spawn_blocking(move || run_blocking(args))
        .await
        .unwrap_or(ExitCode::FAILURE)
}

/// `vault test`: the report as text or JSON, and whether every check passed.
async fn test_output(vault: &Vault, name: &str, json: bool) -> Result<(String, bool), Failure> {
    let report = ksmc_core::vault::test_cluster(vault, name).await?;
    let text = if json {
        serde_json::to_string_pretty(&report).unwrap_or_default()
    } else {
        render_test(&report)
    };
    Ok((text, report.ok))
}

fn render_test(report: &ClusterTestReport) -> String {
    let mut out = format!("{} ({})\n", report.cluster, report.server);
    if let Some(v) = &report.kubernetes_version {
        out.push_str(&format!("Kubernetes {v}\n"));
    }
    let width = report
        .checks
        .iter()
        .map(|c| c.name.as_str().len())
        .max()
        .unwrap_or(0);
    for c in &report.checks {
        let mark = match c.status {
            CheckStatus::Passed => "ok  ",
            CheckStatus::Warning => "warn",
            CheckStatus::Failed => "FAIL",
            CheckStatus::Skipped => "skip",
        };
        out.push_str(&format!(
            "{mark}  {:<width$}  {}\n",
            c.name.as_str(),
            c.detail
        ));
        if let Some(fix) = &c.fix {
            out.push_str(&format!("      {:<width$}  fix: {fix}\n", ""));
        }
    }
    out.push_str(if report.ok {
        "the cluster works with ksmc"
    } else {
        "the cluster does not work with ksmc yet: see the failed check"
    });
    out
}

/// `vault show`: the cluster's details as text or JSON.
fn show_output(vault: &Vault, name: &str, json: bool) -> Result<String, Failure> {
    let details = vault.show(name)?;
    if json {
        return Ok(serde_json::to_string_pretty(&details).unwrap_or_default());
    }
    let r = &details.entry.record;
    let mut rows: Vec<(&str, String)> = vec![
        ("name", r.name.clone()),
        ("display name", r.display_name.clone()),
        ("state", state(details.entry.state).into()),
        ("server", r.server.clone()),
        ("context", r.context_name.clone()),
        ("auth", auth(r).into()),
        (
            "CA",
            r.ca_fingerprint
                .clone()
                .unwrap_or_else(|| "- (none in the kubeconfig)".into()),
        ),
        (
            "acknowledged",
            if r.acknowledgements.is_empty() {
                "-".into()
            } else {
                acks(&r.acknowledgements)
            },
        ),
        ("role", role(r.role_hint).into()),
        ("imported from", r.imported_from.clone()),
        ("added", r.added_at.clone()),
        (
            "last seen",
            r.last_seen_at.clone().unwrap_or_else(|| "-".into()),
        ),
        ("id", r.id.clone()),
    ];
    if let Some(exec) = &r.exec {
        rows.push(("plugin", exec.command.clone()));
        rows.push(("api version", exec.api_version.clone()));
        rows.push(("arguments", format!("{} (not shown)", exec.arg_count)));
        rows.push((
            "environment",
            if exec.env_names.is_empty() {
                "-".into()
            } else {
                format!("{} (values not shown)", exec.env_names.join(", "))
            },
        ));
        if let Some(review) = &details.exec_review {
            rows.push((
                "resolves to",
                review
                    .resolved_path
                    .clone()
                    .unwrap_or_else(|| "(not found)".into()),
            ));
        }
        let approval = match (&exec.approval, &details.exec_review) {
            (None, _) => format!("no: review it with `ksmc vault approve-exec {}`", r.name),
            (Some(a), Some(review)) if review.approved => {
                format!("yes, {} at {}", a.resolved_path, a.approved_at)
            }
            (Some(a), Some(_)) => format!(
                "no longer: approved {} at {}, which is not what runs now; review it again with `ksmc vault approve-exec {}`",
                a.resolved_path, a.approved_at, r.name
            ),
            (Some(a), None) => format!(
                "{} at {} (not checked: the plugin cannot be reviewed now)",
                a.resolved_path, a.approved_at
            ),
        };
        rows.push(("approved", approval));
        if let Some(c) = &details.cached_credential {
            rows.push(("credential", format!("cached, expires {c}")));
        }
        if let Some(e) = &details.exec_review_error {
            rows.push(("problem", e.message.clone()));
        }
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    Ok(rows
        .iter()
        .map(|(k, v)| format!("{k:<width$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn run_blocking(args: VaultArgs) -> ExitCode {
    let session_only = args.session_only;
    match args.command {
        VaultCommand::Add(add) => {
            let json = add.json;
            match run_add(&add, session_only) {
                Ok(code) => code,
                Err(f) => fail(json, &f),
            }
        }
        VaultCommand::Contexts { source: s, json } => {
            let result = source(&s).and_then(|src| {
                LoadedKubeconfig::load(&src)
                    .map(|l| l.contexts())
                    .map_err(Failure::from)
            });
            match result {
                Ok(contexts) if json => {
                    print_json(&json!(contexts));
                    ExitCode::SUCCESS
                }
                Ok(contexts) => {
                    let mut table = Table::new();
                    table
                        .load_preset(NOTHING)
                        .set_header(["CURRENT", "NAME", "CLUSTER", "USER", "SERVER"]);
                    for c in contexts {
                        table.add_row([
                            if c.current { "*" } else { "" }.to_owned(),
                            c.name,
                            c.cluster,
                            c.user.unwrap_or_else(|| "-".into()),
                            c.server.unwrap_or_else(|| "-".into()),
                        ]);
                    }
                    println!("{table}");
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
        VaultCommand::List { json } => {
            match open(session_only).and_then(|v| v.list().map_err(Failure::from)) {
                Ok(listing) => {
                    if json {
                        print_json(&json!(listing));
                    } else {
                        println!("{}", render_list(&listing.clusters));
                        if let Some(e) = &listing.status.error {
                            eprintln!("ksmc: {}", e.message);
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
        VaultCommand::Remove { name, json } => {
            match open(session_only).and_then(|v| v.remove(&name).map_err(Failure::from)) {
                Ok(record) => {
                    if json {
                        print_json(&json!({"removed": record}));
                    } else {
                        println!(
                            "removed {}: its sealed kubeconfig and metadata are deleted",
                            record.name
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
        VaultCommand::Show { name, json } => {
            match open(session_only).and_then(|v| show_output(&v, &name, json)) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
        // Handled in `run` (it is async).
        VaultCommand::Test { .. } => ExitCode::FAILURE,
        VaultCommand::Rename { old, new, json } => {
            match open(session_only).and_then(|v| v.rename(&old, &new).map_err(Failure::from)) {
                Ok(record) => {
                    if json {
                        print_json(&json!({"renamed": record}));
                    } else {
                        println!("renamed {old} to {}", record.name);
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
        VaultCommand::Status { json } => match open(session_only) {
            Ok(vault) => {
                let status = vault.status();
                if json {
                    print_json(&json!(status));
                } else {
                    println!("{}", render_status(&status));
                }
                if let Some(e) = &status.error {
                    eprintln!("ksmc: {}", e.message);
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(f) => fail(json, &f),
        },
        VaultCommand::ApproveExec {
            name,
            fingerprint,
            json,
        } => match run_approve(&name, fingerprint.as_deref(), session_only, json) {
            Ok(code) => code,
            Err(f) => fail(json, &f),
        },
        VaultCommand::ForgetKey { json } => {
            match open(session_only).and_then(|v| v.forget_key().map_err(Failure::from)) {
                Ok(()) => {
                    if json {
                        print_json(&json!({"forgotten": true}));
                    } else {
                        println!("the vault key is deleted from the keyring");
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => fail(json, &f),
            }
        }
    }
}

fn run_add(add: &AddArgs, session_only: bool) -> Result<ExitCode, Failure> {
    if add.context.len() > 1 && (add.name.is_some() || add.display_name.is_some()) {
        return Err(Failure {
            reason: "invalid-arguments",
            error: AppError::new(
                ksmc_core::ErrorKind::Invalid,
                "--name and --display-name apply to one context; import several contexts under their own names, then rename",
            ),
        });
    }
    let src = source(&add.source)?;
    let loaded = LoadedKubeconfig::load(&src)?;
    let vault = open(session_only)?;
    let contexts: Vec<Option<&str>> = if add.context.is_empty() {
        vec![None]
    } else {
        add.context.iter().map(|c| Some(c.as_str())).collect()
    };
    let mut added: Vec<ClusterRecord> = Vec::new();
    let mut failed = Vec::new();
    for context in contexts {
        let result = loaded
            .prepare(context)
            .map_err(VaultError::from)
            .and_then(|prepared| {
                let options = AddOptions {
                    name: add.name.clone(),
                    display_name: add.display_name.clone(),
                    acknowledgements: add.ack.clone(),
                };
                let record = vault.add(&prepared, &options)?;
                Ok((record, prepared.files_read))
            });
        match result {
            Ok((record, files)) => {
                if !add.json {
                    println!(
                        "added {} (context {}, {}, {}) to the vault; key in {}",
                        record.name,
                        record.context_name,
                        record.server,
                        auth(&record),
                        vault.store_description()
                    );
                    for f in files {
                        println!("  inlined {}", f.display());
                    }
                    if !record.acknowledgements.is_empty() {
                        println!("  acknowledged: {}", acks(&record.acknowledgements));
                    }
                    if let Some(exec) = &record.exec {
                        println!(
                            "  runs the credential plugin {} only after `ksmc vault approve-exec {}`",
                            exec.command, record.name
                        );
                    }
                }
                added.push(record);
            }
            Err(e) => {
                eprintln!("ksmc: context {}: {e}", context.unwrap_or("(current)"));
                if let VaultError::NeedsAcknowledgement { missing, .. } = &e {
                    eprintln!("  to accept the risk, add: --ack {}", acks(missing));
                }
                failed.push(json!({
                    "context": context,
                    "reason": e.reason(),
                    "error": AppError::from(&e),
                }));
            }
        }
    }
    if session_only && !add.json && !added.is_empty() {
        println!(
            "session-only: the key is in memory and is gone when this command ends; these clusters will show as locked"
        );
    }
    if add.json {
        print_json(&json!({"added": added, "failed": failed}));
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_approve(
    name: &str,
    fingerprint: Option<&str>,
    session_only: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let vault = open(session_only)?;
    let Some(fingerprint) = fingerprint else {
        let review = vault.exec_review(name)?;
        if json {
            print_json(&json!(review));
        } else {
            println!("cluster       {}", review.cluster);
            println!("command       {}", review.command);
            println!(
                "resolves to   {}",
                review.resolved_path.as_deref().unwrap_or("(not found)")
            );
            println!("api version   {}", review.api_version);
            println!("arguments     {} (not shown)", review.arg_count);
            println!(
                "environment   {}",
                if review.env_names.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{} (values not shown)", review.env_names.join(", "))
                }
            );
            println!(
                "approved      {}",
                if review.approved { "yes" } else { "no" }
            );
            match &review.fingerprint {
                Some(f) if !review.approved => println!(
                    "to approve exactly this, run: ksmc vault approve-exec {name} --fingerprint {f}"
                ),
                Some(_) => {}
                None => println!("the command does not resolve to an executable file"),
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let record = vault.approve_exec(name, fingerprint)?;
    if json {
        print_json(&json!({"approved": record}));
    } else {
        println!(
            "approved the credential plugin of {}: ksmc runs exactly this when it connects (check it with `ksmc vault test {}`)",
            record.name, record.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `ksmc cluster list --vault`: the facts of the vault's clusters.
pub async fn cluster_list(json: bool, session_only: bool) -> ExitCode {
    let vault = match tokio::task::spawn_blocking(move || open(session_only)).await {
        Ok(Ok(v)) => v,
        Ok(Err(f)) => return fail(json, &f),
        Err(_) => return ExitCode::FAILURE,
    };
    match ksmc_core::vault::inspect(&vault).await {
        Ok(view) => {
            if json {
                print_json(&json!(view));
            } else {
                println!("{}", super::render(&view));
            }
            if view.clusters.iter().any(|c| c.error.is_some()) {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => fail(
            json,
            &Failure {
                reason: "inspect",
                error,
            },
        ),
    }
}

fn auth(record: &ClusterRecord) -> &'static str {
    use ksmc_core::vault::AuthKind;
    match record.auth_kind {
        AuthKind::Token => "token",
        AuthKind::ClientCertificate => "client certificate",
        AuthKind::Exec => "exec plugin",
        AuthKind::None => "no credentials",
    }
}

fn acks(list: &[Acknowledgement]) -> String {
    list.iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn state(s: ClusterState) -> &'static str {
    match s {
        ClusterState::Ready => "ready",
        ClusterState::Locked => "locked",
        ClusterState::ApprovalRequired => "approval-required",
        ClusterState::Unknown => "unknown",
    }
}

fn role(r: Option<ClusterRole>) -> &'static str {
    match r {
        Some(ClusterRole::Host) => "host",
        Some(ClusterRole::Member) => "member",
        Some(ClusterRole::None) => "none",
        Some(ClusterRole::Unknown) | None => "-",
    }
}

fn render_list(entries: &[ksmc_core::vault::VaultEntry]) -> String {
    let mut table = Table::new();
    table.load_preset(NOTHING).set_header([
        "NAME",
        "STATE",
        "ROLE",
        "AUTH",
        "SERVER",
        "ACKS",
        "LAST SEEN",
    ]);
    for e in entries {
        let r = &e.record;
        table.add_row([
            r.name.clone(),
            state(e.state).into(),
            role(r.role_hint).into(),
            auth(r).into(),
            r.server.clone(),
            if r.acknowledgements.is_empty() {
                "-".into()
            } else {
                acks(&r.acknowledgements)
            },
            r.last_seen_at.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    table.to_string()
}

fn render_status(s: &VaultStatus) -> String {
    let key = match s.key {
        KeyState::Present => "present",
        KeyState::NotCreated => "not created yet (the first import creates it)",
        KeyState::Missing => "missing (sealed clusters are locked)",
        KeyState::Unavailable => "unavailable",
    };
    let mut out = format!(
        "vault      {}\nkey store  {}{}\nkey        {key}\nclusters   {} ({} locked)",
        s.dir,
        s.store,
        if s.session_only {
            " — nothing outlives this command"
        } else {
            ""
        },
        s.clusters,
        s.locked
    );
    if let Some(e) = &s.error {
        out.push_str(&format!("\nproblem    {}", e.message));
    }
    out
}

#[cfg(test)]
mod tests {
    //! `vault show` and `vault test` as they print, against the simulated estate over HTTPS,
    //! with an in-memory key (the end-to-end form runs in `tests/vault_cli.rs` with the
    //! Secret Service).

    use std::sync::Arc;

    use ksmc_core::vault::MemoryKeyStore;
    use ksmc_core::vault::import::{self, ImportSource};
    use ksmc_sim::{Estate, EstateOptions, Scenario};
    use serde_json::Value;

    use super::*;

    const WRONG: &str = "CANARY-CLI-WRONG-TOKEN-0f0f";

    fn add(vault: &Vault, name: &str, text: &str) {
        let prepared = import::prepare(&ImportSource::Text(text.to_owned()), None).unwrap();
        let options = AddOptions {
            name: Some(name.into()),
            ..AddOptions::default()
        };
        vault.add(&prepared, &options).unwrap();
    }

    fn admin_token(kubeconfig: &str) -> String {
        kubeconfig
            .lines()
            .find_map(|l| l.trim().strip_prefix("token: "))
            .unwrap()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_owned()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn show_and_test_print_what_works_and_what_to_fix() {
        let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default())
            .await
            .unwrap();
        let kubeconfig = estate.kubeconfig(estate.cluster("host").unwrap()).unwrap();
        let token = admin_token(&kubeconfig);
        assert!(token.len() > 8);
        let root = tempfile::tempdir().unwrap();
        let vault = Vault::open(root.path(), Arc::new(MemoryKeyStore::new())).unwrap();
        add(&vault, "host", &kubeconfig);
        add(&vault, "bad", &kubeconfig.replace(&token, WRONG));
        add(
            &vault,
            "plugin",
            &kubeconfig.replace(
                &format!("token: {token}"),
                "exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ksmc-no-such-plugin\n      args: [\"--secret\", \"CANARY-CLI-ARG\"]",
            ),
        );

        let text = show_output(&vault, "host", false).unwrap();
        assert!(text.contains("state          ready"), "{text}");
        assert!(text.contains("auth           token"), "{text}");
        assert!(text.contains("CA             sha256:"), "{text}");
        let json: Value =
            serde_json::from_str(&show_output(&vault, "host", true).unwrap()).unwrap();
        assert_eq!(json["name"], "host");
        assert_eq!(json["state"], "ready");
        assert_eq!(json["authKind"], "token");

        let text = show_output(&vault, "plugin", false).unwrap();
        assert!(text.contains("state          approval-required"), "{text}");
        assert!(
            text.contains("plugin         ksmc-no-such-plugin"),
            "{text}"
        );
        assert!(text.contains("arguments      2 (not shown)"), "{text}");
        assert!(text.contains("resolves to    (not found)"), "{text}");
        assert!(
            text.contains("approved       no: review it with `ksmc vault approve-exec plugin`"),
            "{text}"
        );
        let json: Value =
            serde_json::from_str(&show_output(&vault, "plugin", true).unwrap()).unwrap();
        assert_eq!(json["exec"]["argCount"], 2);
        assert!(json["exec"]["approval"].is_null());
        assert_eq!(json["execReview"]["argCount"], 2);
        assert_eq!(json["execReview"]["approved"], false);
        assert_eq!(json["execReview"]["resolvedPath"], Value::Null);

        let (text, ok) = test_output(&vault, "host", false).await.unwrap();
        assert!(ok, "{text}");
        for check in [
            "credentials",
            "reachability",
            "tls",
            "authentication",
            "authorization",
            "kubesphere",
        ] {
            assert!(
                text.lines()
                    .any(|l| l.starts_with("ok  ") && l.contains(check)),
                "{check}: {text}"
            );
        }
        assert!(text.ends_with("the cluster works with ksmc"), "{text}");
        let (json, ok) = test_output(&vault, "host", true).await.unwrap();
        assert!(ok);
        let json: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["ok"], true);
        assert_eq!(json["checks"][3]["name"], "authentication");
        assert_eq!(json["checks"][3]["status"], "passed");

        let (text, ok) = test_output(&vault, "bad", false).await.unwrap();
        assert!(!ok);
        let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
        assert_eq!(failed.len(), 1, "{text}");
        assert!(
            failed[0].contains("authentication") && failed[0].contains("401"),
            "{text}"
        );
        assert!(text.contains("fix: the token is expired"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("skip") && l.contains("authorization"))
        );

        let (text, ok) = test_output(&vault, "plugin", false).await.unwrap();
        assert!(!ok);
        assert!(
            text.lines()
                .any(|l| l.starts_with("FAIL") && l.contains("credentials")),
            "{text}"
        );
        assert!(text.contains("approve-exec plugin"), "{text}");

        let f = test_output(&vault, "nope", false).await.unwrap_err();
        assert_eq!(f.reason, "not-found");

        for name in ["host", "bad", "plugin"] {
            let texts = [
                show_output(&vault, name, false).unwrap(),
                show_output(&vault, name, true).unwrap(),
                test_output(&vault, name, false).await.unwrap().0,
                test_output(&vault, name, true).await.unwrap().0,
            ];
            for t in texts {
                for secret in [token.as_str(), WRONG, "CANARY-CLI-ARG"] {
                    assert!(!t.contains(secret), "{name}: {t}");
                }
            }
        }

        estate.shutdown().await;
        let (text, ok) = test_output(&vault, "host", false).await.unwrap();
        assert!(!ok);
        assert!(
            text.lines().any(|l| l.starts_with("FAIL")
                && l.contains("reachability")
                && l.contains("refused")),
            "{text}"
        );
    }
}
