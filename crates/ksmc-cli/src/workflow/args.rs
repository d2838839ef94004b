//! The arguments of the workflow commands, validated into a [`WorkflowInput`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use ksmc_core::workflow::{self, Clusters, WorkflowInput};
use ksmc_core::{AppError, ClusterSource, ErrorKind};

/// Where the estate's kubeconfigs come from.
#[derive(Args, Clone, Debug)]
pub struct EstateArgs {
    /// Directory holding one kubeconfig per cluster (*.kubeconfig, *.yaml); the file name is
    /// the cluster's name.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "vault",
        conflicts_with = "vault"
    )]
    pub kubeconfig_dir: Option<PathBuf>,
    /// The clusters in the vault instead of a directory.
    #[arg(long)]
    pub vault: bool,
    /// With --vault: a session-only vault (key in memory, never the OS keyring).
    #[arg(long, requires = "vault")]
    pub session_only: bool,
}

impl EstateArgs {
    /// The flags to repeat in hints (`--kubeconfig-dir DIR` or `--vault`).
    pub fn hint(&self) -> String {
        match &self.kubeconfig_dir {
            Some(dir) => format!("--kubeconfig-dir {}", dir.display()),
            None if self.session_only => "--vault --session-only".to_owned(),
            None => "--vault".to_owned(),
        }
    }

    /// The estate's clusters. Kubeconfigs that cannot be used are skipped with a note on
    /// stderr (a workflow that needs one then says that cluster is unknown).
    pub async fn clusters(&self) -> Result<Clusters, AppError> {
        let (sources, unusable) = self.sources().await?;
        for (name, e) in unusable {
            eprintln!("ksmc: note: skipping cluster {name}: {e}");
        }
        Ok(Clusters::new(sources))
    }

    /// The estate's parsed kubeconfigs, and the name and error of each one that cannot be
    /// used (a file that does not parse, a vault cluster that is locked or refused).
    pub async fn sources(&self) -> Result<(Vec<ClusterSource>, Vec<(String, AppError)>), AppError> {
        let mut sources = Vec::new();
        let mut unusable = Vec::new();
        if let Some(dir) = &self.kubeconfig_dir {
            let entries =
                ksmc_core::kubeconfig::sources_in_dir(dir).map_err(|e| AppError::from(&e))?;
            for (path, source) in entries {
                match source {
                    Ok(s) => sources.push(s),
                    Err(e) => unusable.push((
                        path.file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        AppError {
                            kind: ErrorKind::Invalid,
                            ..AppError::from(&e)
                        },
                    )),
                }
            }
        } else {
            let session_only = self.session_only;
            let (usable, refused) = tokio::task::spawn_blocking(move || {
                ksmc_core::vault::Vault::open_default(session_only)?.open_usable()
            })
            .await
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?
            .map_err(|e| AppError::from(&e))?;
            sources = usable;
            unusable.extend(
                refused
                    .into_iter()
                    .map(|(name, e)| (name, AppError::from(&e))),
            );
        }
        Ok((sources, unusable))
    }
}

#[derive(Args, Clone, Debug)]
pub struct UnbindArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The member cluster to unbind (its name in the estate).
    #[arg(long, value_name = "M")]
    pub member: String,
    /// The host it is bound to; omit only when that host is gone.
    #[arg(long, value_name = "H")]
    pub old_host: Option<String>,
    /// The member's Cluster name on the host (default: the name the member recorded).
    #[arg(long, value_name = "N")]
    pub cluster_name: Option<String>,
    /// A project (namespace) to keep; repeat for several (default: every non-system one).
    #[arg(long = "project", value_name = "P")]
    pub projects: Vec<String>,
    /// Seconds to wait after unbinding, re-checking that no controller put a workspace label
    /// or owner back, before anything is deleted.
    #[arg(long = "settle", value_name = "SECONDS", default_value_t = workflow::DEFAULT_SETTLE_SECONDS)]
    pub settle_seconds: u32,
}

#[derive(Args, Clone, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The host cluster to import into.
    #[arg(long, value_name = "H")]
    pub host: String,
    /// The cluster to import as a member.
    #[arg(long, value_name = "M")]
    pub member: String,
    /// The Cluster name on the host (default: the name the member recorded, else M).
    #[arg(long, value_name = "N")]
    pub cluster_name: Option<String>,
    /// Apply the member fix-its the preflight asks for (clusterRole member, the host's
    /// jwtSecret).
    #[arg(long)]
    pub fix: bool,
}

#[derive(Args, Clone, Debug)]
pub struct RebindArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The host whose workspaces the projects join.
    #[arg(long, value_name = "H")]
    pub host: String,
    /// The member cluster holding the projects.
    #[arg(long, value_name = "M")]
    pub member: String,
    /// The member's Cluster name on the host (default: the name the member recorded).
    #[arg(long, value_name = "N")]
    pub cluster_name: Option<String>,
    /// A project and the workspace it joins; repeat for several.
    #[arg(long = "bind", value_name = "NS=WS", required = true, value_parser = pair)]
    pub bindings: Vec<(String, String)>,
}

#[derive(Args, Clone, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// The member cluster to move.
    #[arg(long, value_name = "M")]
    pub member: String,
    /// The host it is bound to now; omit only when that host is gone.
    #[arg(long, value_name = "H")]
    pub old_host: Option<String>,
    /// The host it moves to.
    #[arg(long, value_name = "H")]
    pub new_host: String,
    /// The member's Cluster name (kept on the new host; default: the name it recorded).
    #[arg(long, value_name = "N")]
    pub cluster_name: Option<String>,
    /// A project (namespace) to keep; repeat for several (default: every non-system one).
    #[arg(long = "project", value_name = "P")]
    pub projects: Vec<String>,
    /// Rebind the projects of workspace OLDWS into NEWWS on the new host (default: the same
    /// name); repeat for several.
    #[arg(long = "map", value_name = "OLDWS=NEWWS", value_parser = pair)]
    pub workspace_map: Vec<(String, String)>,
    /// Seconds to wait after unbinding, re-checking that no controller put a workspace label
    /// or owner back, before anything is deleted.
    #[arg(long = "settle", value_name = "SECONDS", default_value_t = workflow::DEFAULT_SETTLE_SECONDS)]
    pub settle_seconds: u32,
}

/// `A=B`, both sides non-empty.
fn pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Ok((a.trim().to_owned(), b.trim().to_owned()))
        }
        _ => Err(format!("expected NAME=NAME, got {s:?}")),
    }
}

fn unique_map(
    what: &str,
    pairs: &[(String, String)],
) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        if let Some(prev) = out.insert(k.clone(), v.clone())
            && prev != *v
        {
            return Err(AppError::new(
                ErrorKind::Invalid,
                format!("{what} {k} is given twice ({prev} and {v})"),
            ));
        }
    }
    Ok(out)
}

fn projects(list: &[String]) -> Option<Vec<String>> {
    (!list.is_empty()).then(|| list.to_vec())
}

/// A workflow and its arguments.
#[derive(Subcommand, Clone, Debug)]
pub enum WorkflowCommand {
    /// Unbind a member from its host, keeping its projects (and their other owners).
    Unbind(UnbindArgs),
    /// Import a member into a host with its own ServiceAccount.
    Import(ImportArgs),
    /// Bind projects of a member to workspaces of its host.
    Rebind(RebindArgs),
    /// Move a member to a new host: unbind keeping projects, import, rebind every project.
    Migrate(MigrateArgs),
}

impl WorkflowCommand {
    pub fn estate(&self) -> &EstateArgs {
        match self {
            Self::Unbind(a) => &a.estate,
            Self::Import(a) => &a.estate,
            Self::Rebind(a) => &a.estate,
            Self::Migrate(a) => &a.estate,
        }
    }

    pub fn input(&self) -> Result<WorkflowInput, AppError> {
        Ok(match self.clone() {
            Self::Unbind(a) => WorkflowInput::Unbind {
                member: a.member,
                old_host: a.old_host,
                cluster_name: a.cluster_name,
                projects: projects(&a.projects),
                settle_seconds: a.settle_seconds,
            },
            Self::Import(a) => WorkflowInput::Import {
                host: a.host,
                member: a.member,
                cluster_name: a.cluster_name,
                fix: a.fix,
            },
            Self::Rebind(a) => WorkflowInput::Rebind {
                host: a.host,
                member: a.member,
                cluster_name: a.cluster_name,
                bindings: unique_map("project", &a.bindings)?,
            },
            Self::Migrate(a) => WorkflowInput::Migrate {
                member: a.member,
                old_host: a.old_host,
                new_host: a.new_host,
                cluster_name: a.cluster_name,
                projects: projects(&a.projects),
                workspace_map: unique_map("workspace", &a.workspace_map)?,
                settle_seconds: a.settle_seconds,
            },
        })
    }
}

/// `ksmc plan …`.
#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub workflow: WorkflowCommand,
    /// Print the plan as JSON (its `id` is the run id).
    #[arg(long, global = true, conflicts_with = "script")]
    pub json: bool,
    /// Print the plan as a reviewable shell script of kubectl commands.
    #[arg(long, global = true)]
    pub script: bool,
    /// Also write the plan (JSON) to this file; `ksmc apply FILE` applies it.
    #[arg(short = 'o', long = "output", value_name = "PLAN_FILE", global = true)]
    pub output: Option<PathBuf>,
}

/// `ksmc import|unbind|rebind|migrate` options: plan, confirm, apply.
#[derive(Args, Debug)]
pub struct GoArgs {
    /// Plan and print the plan (saved as a run), apply nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking to type the member's name.
    #[arg(long)]
    pub yes: bool,
    /// JSON lines: the plan, then the run's progress events.
    #[arg(long)]
    pub json: bool,
}

/// `ksmc apply` and `ksmc resume`.
#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// A run id (or a unique prefix of it), or a plan file written by `ksmc plan -o`.
    #[arg(value_name = "RUN")]
    pub target: String,
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Apply without asking to type the member's name.
    #[arg(long)]
    pub yes: bool,
    /// Progress events as JSON lines on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum RunsCommand {
    /// Every run, newest first, with its status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Break the ksmc lock on a cluster left by a run that died; type its holder id exactly.
    Unlock {
        /// The locked cluster.
        cluster: String,
        /// The lock's holder id, as the "locked" message shows it.
        #[arg(long, value_name = "ID")]
        holder: String,
        #[command(flatten)]
        estate: EstateArgs,
    },
}
