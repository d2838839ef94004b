//! Applying one step. Each action reads the live object, decides whether its post-condition
//! already holds (then it is done, which is what makes resume and retries safe), and
//! otherwise computes its write from what it read and sends it with a precondition
//! (resourceVersion or uid), journalled before and after.

use std::sync::atomic::{AtomicU32, Ordering};

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::access::{ATTEMPTS, CallError, Clusters, backoff, call, json as to_json};
use super::journal::{Journal, Record};
use super::member;
use super::plan::{Action, Plan, Step};
use super::projects::{
    Expect, bind_namespace, delete_workspace, ensure_placement, strip_owner, unbind_namespace,
    verify, verify_bound,
};
pub use super::projects::{is_workspace_owner, list_namespaces};
use super::{Progress, RunEvent};
use crate::error::{AppError, ErrorKind};

/// Why a step stopped the run.
#[derive(Debug, Clone)]
pub enum Stop {
    /// Nothing unsafe was done; a human must look (a controller reverted a change, a
    /// finalizer is stuck, a conflict kept coming back).
    Blocked(String),
    /// A transient failure outlasted the retries; resume tries again.
    Paused(String),
    /// Something needs a human and the run cannot simply go on: a namespace was lost, a
    /// write was refused.
    Failed(String),
}

/// How long waits for controllers last before the run is blocked.
pub const WAIT_LIMIT: Duration = Duration::from_secs(180);
const POLL: Duration = Duration::from_millis(250);

/// What a step needs around it.
#[allow(missing_debug_implementations)]
pub struct StepCtx<'a> {
    pub clusters: &'a Clusters,
    pub journal: &'a Journal,
    pub plan: &'a Plan,
    pub progress: &'a dyn Progress,
    pub writes: AtomicU32,
}

/// A core error met mid-step: a cluster that cannot be reached or answered "not now" pauses
/// the run (resume asks again); anything else needs a human.
pub(crate) fn app(e: &AppError) -> Stop {
    match e.kind {
        ErrorKind::Unreachable | ErrorKind::Timeout => Stop::Paused(e.message.clone()),
        _ => Stop::Failed(e.message.clone()),
    }
}

impl StepCtx<'_> {
    pub(crate) async fn client(&self, cluster: &str) -> Result<kube::Client, Stop> {
        self.clusters.client(cluster).await.map_err(|e| app(&e))
    }

    fn waiting(&self, step: &Step, message: String) {
        self.progress.event(RunEvent::StepWaiting {
            step: step.id,
            message,
        });
    }

    /// Records something the step found and left alone (a journal note, shown in the run's
    /// report) and shows it as the step's progress message.
    pub(crate) async fn report(&self, step: &Step, text: String) {
        // A note the disk refused is still shown; the step's outcome does not depend on it.
        let _ = self
            .journal
            .append(&[Record::Note {
                step: step.id,
                text: text.clone(),
            }])
            .await;
        self.waiting(step, text);
    }

    /// Sends one write between an INTENT and a RESULT record.
    pub(crate) async fn write<T: serde::Serialize>(
        &self,
        step: &Step,
        request: String,
        precondition: Option<String>,
        fut: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, CallError> {
        self.journal
            .append(&[Record::Intent {
                step: step.id,
                request,
                precondition,
            }])
            .await
            .map_err(CallError::Fatal)?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        let outcome = call(fut).await;
        let record = match &outcome {
            Ok(v) => Record::Result {
                step: step.id,
                status: 200,
                resource_version: serde_json::to_value(v).ok().and_then(|v| {
                    v.pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }),
                error: None,
            },
            Err(e) => Record::Result {
                step: step.id,
                status: e.status(),
                resource_version: None,
                error: Some(e.describe()),
            },
        };
        // The write happened or not; a failed RESULT append only means resume re-reads.
        let _ = self.journal.append(&[record]).await;
        outcome
    }
}

/// Retries `attempt` on transient errors and conflicts with backoff; each attempt starts
/// from a fresh read.
pub async fn retry<F, Fut>(what: &str, mut attempt: F) -> Result<(), Stop>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Done, CallError>>,
{
    let mut last = String::new();
    for n in 0..ATTEMPTS {
        if n > 0 {
            tokio::time::sleep(backoff(n)).await;
        }
        match attempt().await {
            Ok(Done) => return Ok(()),
            Err(CallError::Conflict | CallError::AlreadyExists) => {
                last = "the object kept changing (409 Conflict)".into();
            }
            Err(CallError::Transient(m)) => last = m,
            // Gone between the read and the write: the next attempt's read says what now.
            Err(CallError::NotFound) => last = "404 NotFound".into(),
            Err(CallError::Fatal(e)) => return Err(Stop::Failed(format!("{what}: {}", e.message))),
        }
    }
    if last.contains("409") {
        Err(Stop::Blocked(format!(
            "{what}: still conflicting after {ATTEMPTS} attempts: {last}"
        )))
    } else {
        Err(Stop::Paused(format!(
            "{what}: gave up after {ATTEMPTS} attempts: {last}"
        )))
    }
}

/// The post-condition holds (or was just made to hold).
#[derive(Debug)]
pub struct Done;

/// A read that maps 404 to `None`.
pub async fn get_opt<T>(api: &Api<T>, name: &str) -> Result<Option<T>, CallError>
where
    T: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match call(api.get(name)).await {
        Ok(v) => Ok(Some(v)),
        Err(CallError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Polls `check` until it returns `Some`, or blocks the run after `limit`.
pub async fn wait<F, Fut>(
    ctx: &StepCtx<'_>,
    step: &Step,
    limit: Duration,
    mut check: F,
) -> Result<(), Stop>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Result<(), String>, Stop>>,
{
    let start = Instant::now();
    let mut last_note = String::new();
    loop {
        match check().await? {
            Ok(()) => return Ok(()),
            Err(note) => {
                if note != last_note {
                    ctx.waiting(step, note.clone());
                    last_note = note;
                }
            }
        }
        if start.elapsed() > limit {
            return Err(Stop::Blocked(format!(
                "{}: not done after {} s: {last_note}",
                step.title,
                limit.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Transient read errors inside a wait become a note, not a failure.
pub fn note(e: CallError) -> Result<Result<(), String>, Stop> {
    match e {
        CallError::Transient(m) => Ok(Err(format!("cannot read yet: {m}"))),
        CallError::Fatal(e) => Err(Stop::Failed(e.message)),
        other => Ok(Err(other.describe())),
    }
}

/// Applies one step.
pub async fn apply(ctx: &StepCtx<'_>, step: &Step) -> Result<(), Stop> {
    match &step.action {
        Action::UnbindNamespace {
            cluster,
            namespace,
            uid,
        } => unbind_namespace(ctx, step, cluster, namespace, uid).await,
        Action::SettleAndVerifyUnbound {
            cluster,
            settle_seconds,
        } => {
            ctx.waiting(
                step,
                format!("letting controllers settle for {settle_seconds} s"),
            );
            tokio::time::sleep(Duration::from_secs(u64::from(*settle_seconds))).await;
            verify(ctx, cluster, Expect::Unbound).await
        }
        Action::VerifyInventory { cluster, unbound } => {
            let expect = if *unbound {
                Expect::Unbound
            } else {
                Expect::Exists
            };
            verify(ctx, cluster, expect).await
        }
        Action::DeleteWorkspace {
            cluster,
            workspace,
            uid,
            template,
        } => delete_workspace(ctx, step, cluster, workspace, uid, *template).await,
        Action::BindNamespace {
            cluster,
            namespace,
            uid,
            workspace,
        } => bind_namespace(ctx, step, cluster, namespace, uid, workspace).await,
        Action::VerifyBound { cluster } => verify_bound(ctx, step, cluster).await,
        Action::WaitWorkspace { cluster, workspace } => {
            let api = ctx
                .clusters
                .workspaces(cluster)
                .await
                .map_err(|e| app(&e))?;
            wait(ctx, step, WAIT_LIMIT, || async {
                match get_opt(&api, workspace).await {
                    Ok(Some(_)) => Ok(Ok(())),
                    Ok(None) => Ok(Err(format!(
                        "workspace {workspace} is not on {cluster} yet (the host places it once the Cluster is Federated)"
                    ))),
                    Err(e) => note(e),
                }
            })
            .await
        }
        Action::EnsureWorkspacePlacement {
            host,
            workspace,
            cluster_name,
            manager,
        } => ensure_placement(ctx, step, host, workspace, cluster_name, manager).await,
        Action::DeleteCluster { host, name, uid } => {
            member::delete_cluster(ctx, step, host, name, uid).await
        }
        Action::ConfigureMember {
            member: m,
            host,
            set_role,
            copy_jwt,
        } => member::configure(ctx, step, m, host, *set_role, *copy_jwt).await,
        Action::WaitMemberConfig { member: m, host } => {
            member::wait_config(ctx, step, m, host).await
        }
        Action::EnsureServiceAccount {
            member: m,
            namespace,
            name,
        } => member::ensure_service_account(ctx, step, m, namespace, name).await,
        Action::CreateCluster {
            host,
            member: m,
            name,
            service_account,
            namespace,
        } => member::create_cluster(ctx, step, host, m, name, namespace, service_account).await,
        Action::WaitClusterReady { host, name } => member::wait_ready(ctx, step, host, name).await,
        Action::StripOwner {
            cluster,
            namespace,
            uid,
            owner_uid,
        } => strip_owner(ctx, step, cluster, namespace, uid, owner_uid).await,
        Action::CreateObject {
            cluster,
            resource,
            body,
        } => create_object(ctx, step, cluster, resource, body).await,
        Action::MergePatch {
            cluster,
            resource,
            name,
            patch,
        } => merge_patch(ctx, step, cluster, resource, name, patch).await,
        Action::WaitExtension {
            host,
            install_plan,
            clusters,
            timeout_seconds,
        } => {
            super::extensions::wait_extension(
                ctx,
                step,
                host,
                install_plan,
                clusters,
                *timeout_seconds,
            )
            .await
        }
        Action::RestoreProjectAccess {
            cluster,
            namespace,
            uid,
            workspace,
        } => super::project_access::restore(ctx, step, cluster, namespace, uid, workspace).await,
    }
}

async fn create_object(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    resource: &super::admin::ResourceRef,
    body: &Value,
) -> Result<(), Stop> {
    let api = resource.api(ctx.client(cluster).await?);
    let name = body["metadata"]["name"].as_str().unwrap_or_default();
    let object: DynamicObject = serde_json::from_value(body.clone())
        .map_err(|e| Stop::Failed(format!("{} {name}: {e}", resource.kind)))?;
    let api = &api;
    let object = &object;
    retry(
        &format!("{} {name} on {cluster}", resource.kind),
        || async move {
            if get_opt(api, name).await?.is_some() {
                return Ok(Done);
            }
            match ctx
                .write(
                    step,
                    format!("POST {}", resource.path()),
                    None,
                    api.create(&kube::api::PostParams::default(), object),
                )
                .await
            {
                Ok(_) => Ok(Done),
                // Made by an earlier attempt whose answer was lost: the next read sees it.
                Err(CallError::AlreadyExists) => Err(CallError::Conflict),
                Err(e) => Err(e),
            }
        },
    )
    .await
}

async fn merge_patch(
    ctx: &StepCtx<'_>,
    step: &Step,
    cluster: &str,
    resource: &super::admin::ResourceRef,
    name: &str,
    patch: &Value,
) -> Result<(), Stop> {
    let api = resource.api(ctx.client(cluster).await?);
    let api = &api;
    retry(
        &format!("{} {name} on {cluster}", resource.kind),
        || async move {
            let Some(current) = get_opt(api, name).await? else {
                return Err(CallError::Fatal(AppError::new(
                    crate::ErrorKind::NotFound,
                    format!("{} {name} does not exist on {cluster}", resource.kind),
                )));
            };
            let now = to_json(&current);
            let mut merged = now.clone();
            json_patch::merge(&mut merged, patch);
            if merged == now {
                return Ok(Done);
            }
            let rv = current.metadata.resource_version.clone();
            let mut body = patch.clone();
            body["metadata"]["resourceVersion"] = json!(rv);
            ctx.write(
                step,
                format!("PATCH {}/{name} (merge, resourceVersion)", resource.path()),
                rv,
                api.patch(name, &PatchParams::default(), &Patch::Merge(&body)),
            )
            .await?;
            Ok(Done)
        },
    )
    .await
}
