//! KubeSphere 4.x: "enable a component on the host and its members" is one InstallPlan on the
//! host whose `spec.clusterScheduling.placement.clusters` lists the members
//! (`kubesphere-multicluster.md` §7.3). The plan adds the clusters with one JSON merge patch
//! of the InstallPlan (the same as `kubectl patch installplan … --type merge`), then waits
//! until `status.clusterSchedulingStatuses.<cluster>.state` is `Installed` on each of them.
//! Only an installed extension (one with an InstallPlan on the host) can be scheduled.

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, ListParams};
use serde_json::{Value, json};

use super::access::{CallError, Clusters, V4_TENANT, call, json as to_json, kubesphere_clusters};
use super::admin::ResourceRef;
use super::plan::{Action, Phase, Step};
use super::steps::{StepCtx, Stop, app, get_opt, note};
use super::unbind::{Parts, read_error, step};
use super::{RunEvent, admin};
use crate::error::{AppError, ErrorKind};
use crate::fleet::findings::kubectl;
use crate::names::check_label;

/// The scheduling state of a cluster whose agent part is installed.
pub const INSTALLED: &str = "Installed";
/// How long the plan waits for the agents by default before it pauses the run (a Helm
/// install on a member can take minutes; KubeSphere itself waits 5 minutes for ks-core).
pub const WAIT_SECONDS: u32 = 600;
const POLL: Duration = Duration::from_millis(250);

/// `kubesphere.io/v1alpha1` InstallPlan (cluster-scoped).
#[must_use]
pub fn install_plans() -> ResourceRef {
    ResourceRef {
        api_version: "kubesphere.io/v1alpha1".into(),
        kind: "InstallPlan".into(),
        plural: "installplans".into(),
        namespace: None,
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The host's InstallPlan of an extension: named after it, or whose `spec.extension.name`
/// is it.
async fn find_plan(
    clusters: &Clusters,
    host: &str,
    extension: &str,
) -> Result<Option<Value>, AppError> {
    let api = install_plans().api(clusters.client(host).await?);
    let list = match call(api.list(&ListParams::default())).await {
        Ok(l) => l,
        Err(CallError::NotFound) => return Ok(None),
        Err(e) => return Err(read_error(host, &e)),
    };
    let plans: Vec<Value> = list.items.iter().map(to_json).collect();
    Ok(plans
        .iter()
        .find(|p| str_at(p, "/metadata/name") == Some(extension))
        .or_else(|| {
            plans
                .iter()
                .find(|p| str_at(p, "/spec/extension/name") == Some(extension))
        })
        .cloned())
}

/// Schedules an installed extension's agent part on `targets` (Cluster names on `host`).
///
/// # Errors
/// Invalid names; a host that is not KubeSphere 4.x; an extension without an InstallPlan on
/// the host (not installed), disabled, being deleted or placed by a cluster selector; an
/// unknown Cluster name.
pub async fn plan_extension(
    clusters: &Clusters,
    host: &str,
    targets: &[String],
    extension: &str,
) -> Result<Parts, AppError> {
    check_label("extension", extension)?;
    if targets.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "give at least one cluster to schedule the extension on",
        ));
    }
    for c in targets {
        check_label("cluster", c)?;
    }
    if clusters.tenant_version(host).await? != V4_TENANT {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!(
                "{host} is not KubeSphere 4.x: its components are enabled in each cluster's ClusterConfiguration (leave out the host)"
            ),
        ));
    }
    let Some(plan) = find_plan(clusters, host, extension).await? else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!(
                "extension {extension} is not installed on {host} (it has no InstallPlan there): install it from the host's Extension Center first; only installed extensions can be scheduled to member clusters"
            ),
        ));
    };
    let name = str_at(&plan, "/metadata/name")
        .unwrap_or(extension)
        .to_owned();
    if plan.pointer("/metadata/deletionTimestamp").is_some() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "extension {extension} is being uninstalled from {host} (InstallPlan {name} is being deleted)"
            ),
        ));
    }
    if plan.pointer("/spec/enabled").and_then(Value::as_bool) != Some(true) {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "extension {extension} is disabled on {host} (InstallPlan {name} has spec.enabled false): enable it in the Extension Center first"
            ),
        ));
    }
    let placement = plan.pointer("/spec/clusterScheduling/placement");
    let mut list: Vec<String> = placement
        .and_then(|p| p.get("clusters"))
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty()
        && placement
            .and_then(|p| p.get("clusterSelector"))
            .is_some_and(|s| !s.is_null())
    {
        return Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "InstallPlan {name} on {host} schedules {extension} by a cluster selector: change its labels or the selector in the Extension Center rather than list clusters"
            ),
        ));
    }
    let capi: Api<DynamicObject> =
        Api::all_with(clusters.client(host).await?, &kubesphere_clusters());
    let mut warnings = Vec::new();
    for c in targets {
        let Some(cluster) = get_opt(&capi, c).await.map_err(|e| read_error(host, &e))? else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                format!("{host} manages no cluster named {c}"),
            ));
        };
        let ready = to_json(&cluster)
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|l| {
                l.iter()
                    .any(|x| x["type"] == "Ready" && x["status"] == "True")
            });
        if !ready {
            warnings.push(format!(
                "Cluster {c} is not Ready on {host}: KubeSphere installs the agent once it is, and the run pauses until then"
            ));
        }
    }
    if let Some(state) = str_at(&plan, "/status/state").filter(|s| *s != INSTALLED) {
        warnings.push(format!(
            "{extension} is {state} on {host}: its agents are installed on members after the host part"
        ));
    }
    let added: Vec<String> = targets
        .iter()
        .filter(|c| !list.contains(c))
        .cloned()
        .collect();
    let pending: Vec<String> = targets
        .iter()
        .filter(|c| {
            str_at(
                &plan,
                &format!("/status/clusterSchedulingStatuses/{c}/state"),
            ) != Some(INSTALLED)
        })
        .cloned()
        .collect();
    if added.is_empty() && pending.is_empty() {
        warnings.push(format!(
            "{extension} is already installed on every cluster given"
        ));
        return Ok(Parts {
            warnings,
            ..Parts::default()
        });
    }
    let mut steps = Vec::new();
    if !added.is_empty() {
        list.extend(added.iter().cloned());
        steps.push(admin::merge_patch(
            host,
            install_plans(),
            &name,
            json!({"spec": {"clusterScheduling": {"placement": {"clusters": list}}}}),
            format!(
                "~ spec.clusterScheduling.placement.clusters + {}",
                added.join(", ")
            ),
            "Only clusters are added to the placement; none is removed (removing one would uninstall the agent there) and the host's part is untouched.",
        ));
    }
    steps.push(wait_step(host, &name, extension, targets));
    Ok(Parts {
        warnings,
        phases: vec![Phase {
            title: format!("Schedule {extension} on {}", targets.join(", ")),
            concurrent: false,
            steps,
        }],
        ..Parts::default()
    })
}

fn wait_step(host: &str, plan: &str, extension: &str, targets: &[String]) -> Step {
    step(
        format!(
            "Wait until {extension} is installed on {}",
            targets.join(", ")
        ),
        Action::WaitExtension {
            host: host.to_owned(),
            install_plan: plan.to_owned(),
            clusters: targets.to_vec(),
            timeout_seconds: WAIT_SECONDS,
        },
        format!("GET {}/{plan} (poll)", install_plans().path()),
        targets
            .iter()
            .map(|c| format!("= status.clusterSchedulingStatuses.{c}.state {INSTALLED}"))
            .collect(),
        targets
            .iter()
            .map(|c| {
                format!(
                    "{} wait installplan.kubesphere.io/{plan} --for=jsonpath='{{.status.clusterSchedulingStatuses.{c}.state}}'={INSTALLED} --timeout={WAIT_SECONDS}s",
                    kubectl(host)
                )
            })
            .collect(),
        "Waits for KubeSphere's Helm install of the agent on each cluster; a timeout pauses the run (resume waits again), a failed install blocks it with KubeSphere's message.",
    )
}

/// What one cluster's scheduling state says: installed, still going, or failed.
fn cluster_state(plan: &Value, cluster: &str) -> Result<bool, String> {
    let status = plan
        .pointer("/status/clusterSchedulingStatuses")
        .and_then(|m| m.get(cluster));
    let state = status.and_then(|s| s.get("state")).and_then(Value::as_str);
    match state {
        Some(INSTALLED) => Ok(true),
        Some(s) if s.ends_with("Failed") => {
            let message = status
                .and_then(|s| s.get("conditions"))
                .and_then(Value::as_array)
                .and_then(|l| {
                    l.iter()
                        .rev()
                        .find(|c| c["status"] != "True")
                        .and_then(|c| c["message"].as_str())
                })
                .unwrap_or_default();
            Err(format!(
                "{s} on {cluster}{}",
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ))
        }
        _ => Ok(false),
    }
}

/// Waits until every cluster's scheduling state is `Installed`; a failed install blocks the
/// run, a timeout pauses it.
pub(crate) async fn wait_extension(
    ctx: &StepCtx<'_>,
    step: &Step,
    host: &str,
    install_plan: &str,
    targets: &[String],
    timeout_seconds: u32,
) -> Result<(), Stop> {
    let api = install_plans().api(ctx.clusters.client(host).await.map_err(|e| app(&e))?);
    let start = Instant::now();
    let limit = Duration::from_secs(u64::from(timeout_seconds));
    let mut last = String::new();
    loop {
        let note_text = match get_opt(&api, install_plan).await {
            Ok(Some(p)) => {
                let p = to_json(&p);
                let mut waiting = Vec::new();
                for c in targets {
                    match cluster_state(&p, c) {
                        Ok(true) => {}
                        Ok(false) => waiting.push(format!(
                            "{c} ({})",
                            str_at(&p, &format!("/status/clusterSchedulingStatuses/{c}/state"))
                                .unwrap_or("not scheduled yet")
                        )),
                        Err(why) => {
                            return Err(Stop::Blocked(format!(
                                "InstallPlan {install_plan} on {host}: {why}. Read `kubectl get installplan {install_plan} -o yaml` and the Helm job's log, fix the cause, then resume"
                            )));
                        }
                    }
                }
                if waiting.is_empty() {
                    return Ok(());
                }
                format!("waiting for the agent on {}", waiting.join(", "))
            }
            Ok(None) => {
                return Err(Stop::Blocked(format!(
                    "InstallPlan {install_plan} is gone from {host} (the extension was uninstalled)"
                )));
            }
            Err(e) => match note(e)? {
                Ok(()) => String::new(),
                Err(n) => n,
            },
        };
        if note_text != last {
            ctx.progress.event(RunEvent::StepWaiting {
                step: step.id,
                message: note_text.clone(),
            });
            last = note_text;
        }
        if start.elapsed() > limit {
            return Err(Stop::Paused(format!(
                "{}: not done after {timeout_seconds} s: {last}; resume to wait again",
                step.title
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}
