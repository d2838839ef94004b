//! Fault injection: per cluster, a plan of latency, injected errors and partitions, applied by
//! [`crate::server`] around the handlers. Every random choice comes from a seeded generator, so a
//! failing seed reproduces the same sequence of faults for the same sequence of requests.
//!
//! A plan in JSON (as `PUT /clusters/<name>/faults` of the control endpoint takes it):
//!
//! ```json
//! {
//!   "latencyMs": 20, "jitterMs": 5, "seed": 7, "partition": "hang",
//!   "rules": [
//!     {"fault": "serviceUnavailable", "probability": 0.25},
//!     {"fault": "tooManyRequests", "retryAfterSeconds": 2, "methods": ["GET"], "count": 3},
//!     {"fault": "appliedButLost", "pathPrefix": "/api/v1/namespaces", "after": 1, "count": 1}
//!   ],
//!   "reAddOwners": {"delayMs": 200, "namespaces": ["demo"], "count": 1},
//!   "deleteNamespace": {"namespace": "demo", "afterWrites": 3}
//! }
//! ```
//!
//! `reAddOwners` and `deleteNamespace` act on the cluster's objects, not on requests: see
//! [`crate::hazards`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::{Method, Response, header};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::watch;

use crate::estate::{Estate, EstateOptions};
use crate::hazards::{Hazards, NamespaceDeletion, OwnerReAdd};
use crate::http::{ApiError, Body};

/// What to do to the requests of one cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultPlan {
    /// Added to every request before it is handled.
    #[serde(default)]
    pub latency_ms: u64,
    /// A further uniformly random delay of 0..=`jitter_ms` per request.
    #[serde(default)]
    pub jitter_ms: u64,
    /// Overrides the estate's seed for this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The cluster is cut off from its clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
    /// Injected errors; for each request the first rule that fires wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FaultRule>,
    /// Put back Workspace ownerReferences a client removed from a namespace
    /// (see [`crate::hazards`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re_add_owners: Option<OwnerReAdd>,
    /// Delete a namespace after some applied writes (see [`crate::hazards`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_namespace: Option<NamespaceDeletion>,
}

/// How a partitioned cluster looks to its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Partition {
    /// Packets are dropped: new connections never finish their TLS handshake and requests on
    /// open connections (watches included) get no answer, until the partition is lifted — a
    /// client sees its connect or read deadline expire.
    Hang,
    /// Connections are reset: new ones right after the TCP handshake, open ones at their next
    /// request or watch event — a client sees a transport error at once.
    Reset,
}

/// One kind of injected error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// `500 InternalError` Status.
    InternalError,
    /// `503 ServiceUnavailable` Status.
    ServiceUnavailable,
    /// `429 TooManyRequests` Status with a `Retry-After` header, as API priority and fairness
    /// answers.
    TooManyRequests,
    /// The connection is reset without a response.
    Reset,
    /// Writes only: the request is handled (the write persists), then the connection is reset
    /// before the response is sent.
    AppliedButLost,
    /// Writes only: `409 Conflict` ("the object has been modified"), nothing written.
    Conflict,
}

impl Fault {
    /// Whether the fault applies to mutating requests only.
    #[must_use]
    pub fn writes_only(self) -> bool {
        matches!(self, Self::AppliedButLost | Self::Conflict)
    }
}

/// When an injected error fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    pub fault: Fault,
    /// HTTP methods the rule matches (any when empty), case-insensitive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Only requests whose path starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Chance of firing for a matching request, 0.0..=1.0.
    #[serde(default = "always", skip_serializing_if = "is_always")]
    pub probability: f64,
    /// Matching requests let through before the rule may fire.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u64,
    /// The most times the rule fires (unlimited when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The `Retry-After` of a `tooManyRequests` fault, in seconds.
    #[serde(default = "one_second", skip_serializing_if = "is_one")]
    pub retry_after_seconds: u64,
}

fn always() -> f64 {
    1.0
}

#[allow(clippy::float_cmp, clippy::trivially_copy_pass_by_ref)]
fn is_always(p: &f64) -> bool {
    *p == 1.0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn one_second() -> u64 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_one(n: &u64) -> bool {
    *n == 1
}

impl FaultRule {
    /// A rule that fires on every request it applies to.
    #[must_use]
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            methods: Vec::new(),
            path_prefix: None,
            probability: 1.0,
            after: 0,
            count: None,
            retry_after_seconds: 1,
        }
    }

    #[must_use]
    pub fn probability(mut self, probability: f64) -> Self {
        self.probability = probability;
        self
    }

    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    #[must_use]
    pub fn after(mut self, after: u64) -> Self {
        self.after = after;
        self
    }

    #[must_use]
    pub fn methods(mut self, methods: &[&str]) -> Self {
        self.methods = methods.iter().map(|m| (*m).to_owned()).collect();
        self
    }

    #[must_use]
    pub fn path_prefix(mut self, prefix: &str) -> Self {
        self.path_prefix = Some(prefix.to_owned());
        self
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = seconds;
        self
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        (self.methods.is_empty()
            || self
                .methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method.as_str())))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
            && (!self.fault.writes_only() || is_write(method))
    }
}

/// The longest delay a plan may ask for: a wedge in the simulator, not a fault.
pub const MAX_DELAY_MS: u64 = 10 * 60 * 1000;

impl FaultPlan {
    /// Fixed latency and jitter, nothing else.
    #[must_use]
    pub fn latency(latency_ms: u64, jitter_ms: u64) -> Self {
        Self {
            latency_ms,
            jitter_ms,
            ..Self::default()
        }
    }

    /// Adds a rule.
    #[must_use]
    pub fn rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Whether the plan changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.latency_ms == 0
            && self.jitter_ms == 0
            && self.partition.is_none()
            && self.rules.is_empty()
            && self.re_add_owners.is_none()
            && self.delete_namespace.is_none()
    }

    /// Checks probabilities, methods and delays.
    ///
    /// # Errors
    /// A message naming the first thing wrong.
    pub fn validate(&self) -> Result<(), InvalidPlan> {
        let invalid = |m: String| Err(InvalidPlan(m));
        if self.latency_ms.saturating_add(self.jitter_ms) > MAX_DELAY_MS {
            return invalid(format!(
                "latencyMs + jitterMs must be at most {MAX_DELAY_MS}"
            ));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if !(0.0..=1.0).contains(&rule.probability) {
                return invalid(format!("rules[{i}].probability must be within 0..=1"));
            }
            let known = |m: &String| {
                let upper = m.to_ascii_uppercase();
                WRITE_METHODS.contains(&upper.as_str()) || READ_METHODS.contains(&upper.as_str())
            };
            if let Some(m) = rule.methods.iter().find(|m| !known(m)) {
                return invalid(format!("rules[{i}].methods: unknown method {m:?}"));
            }
            if rule
                .path_prefix
                .as_deref()
                .is_some_and(|p| !p.starts_with('/'))
            {
                return invalid(format!("rules[{i}].pathPrefix must start with '/'"));
            }
            if rule.retry_after_seconds > 3600 {
                return invalid(format!("rules[{i}].retryAfterSeconds must be at most 3600"));
            }
        }
        if self
            .re_add_owners
            .as_ref()
            .is_some_and(|r| r.delay_ms > MAX_DELAY_MS)
        {
            return invalid(format!(
                "reAddOwners.delayMs must be at most {MAX_DELAY_MS}"
            ));
        }
        if self
            .delete_namespace
            .as_ref()
            .is_some_and(|d| !crate::validate::is_dns_label(&d.namespace))
        {
            return invalid("deleteNamespace.namespace must be a namespace name".into());
        }
        Ok(())
    }
}

const WRITE_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];
const READ_METHODS: &[&str] = &["GET", "HEAD", "OPTIONS"];

fn is_write(method: &Method) -> bool {
    WRITE_METHODS.contains(&method.as_str())
}

/// A plan that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault plan: {0}")]
pub struct InvalidPlan(pub String);

/// Errors changing the faults of an estate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("no cluster named {0:?}")]
    UnknownCluster(String),
    #[error(transparent)]
    Invalid(#[from] InvalidPlan),
}

/// Counters of one cluster's faults since its plan was last set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultStats {
    /// Requests seen.
    pub requests: u64,
    /// Requests given an injected error.
    pub injected: u64,
    /// Times each rule fired, in plan order.
    pub fired: Vec<u64>,
}

/// What happens to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Wait this long before anything else.
    pub delay: Duration,
    /// The injected error, if any.
    pub fault: Option<Fault>,
    /// The `Retry-After` of a 429.
    pub retry_after_seconds: u64,
}

impl Decision {
    /// The Status response of a fault answered with one (not for resets).
    #[must_use]
    pub fn response(&self, path: &str) -> Option<Response<Body>> {
        let error = match self.fault? {
            Fault::InternalError => ApiError {
                code: 500,
                reason: "InternalError",
                message: "Internal error occurred: fault injected by ksmc-sim".into(),
                details: json!({"causes": [{"message": "fault injected by ksmc-sim"}]}),
            },
            Fault::ServiceUnavailable => ApiError {
                code: 503,
                reason: "ServiceUnavailable",
                message: "the server is currently unable to handle the request".into(),
                details: json!({}),
            },
            Fault::TooManyRequests => ApiError {
                code: 429,
                reason: "TooManyRequests",
                message: "Too many requests, please try again later.".into(),
                details: json!({"retryAfterSeconds": self.retry_after_seconds}),
            },
            Fault::Conflict => {
                let (group, plural, name) = resource_of(path);
                ApiError::stale(group, plural, name)
            }
            Fault::Reset | Fault::AppliedButLost => return None,
        };
        let mut response = error.into_response();
        if self.fault == Some(Fault::TooManyRequests) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, self.retry_after_seconds.into());
        }
        Some(response)
    }
}

/// Group, plural and name addressed by a resource path (best effort, for Status details).
fn resource_of(path: &str) -> (&str, &str, &str) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, rest) = match segments.as_slice() {
        ["api", _, rest @ ..] => ("", rest),
        ["apis", group, _, rest @ ..] => (*group, rest),
        _ => ("", &[][..]),
    };
    let (plural, name) = match rest {
        ["namespaces", _, plural, tail @ ..] => (*plural, tail.first().copied()),
        [plural, tail @ ..] => (*plural, tail.first().copied()),
        [] => ("", None),
    };
    (group, plural, name.unwrap_or_default())
}

/// Completes when a cluster's partition changes (see [`ClusterFaults::partition_change`]).
pub type PartitionChange = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The live faults of one cluster, shared by its server, the estate and the control endpoint.
#[derive(Debug)]
pub struct ClusterFaults {
    cluster: String,
    /// The estate's seed; a plan may override it.
    estate_seed: u64,
    state: Mutex<State>,
    partition: watch::Sender<Option<Partition>>,
    /// Where `reAddOwners` and `deleteNamespace` live (the cluster's, in a running estate).
    hazards: Arc<Hazards>,
    /// TLS handshakes completed by the cluster's server since it started (never reset).
    handshakes: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    /// The plan without its partition (kept in the watch channel).
    plan: FaultPlan,
    /// The seed in use, already mixed with the cluster name.
    seed: u64,
    requests: u64,
    injected: u64,
    matched: Vec<u64>,
    fired: Vec<u64>,
}

impl ClusterFaults {
    /// Faults of `cluster`, starting with `plan`, with hazards of their own (that act on no
    /// cluster; see [`ClusterFaults::with_hazards`]).
    #[must_use]
    pub fn new(cluster: &str, estate_seed: u64, plan: FaultPlan) -> Self {
        Self::with_hazards(cluster, estate_seed, plan, Arc::default())
    }

    /// Faults of `cluster`, starting with `plan`, setting `reAddOwners` and `deleteNamespace`
    /// on `hazards` (a [`crate::SimCluster`]'s).
    #[must_use]
    pub fn with_hazards(
        cluster: &str,
        estate_seed: u64,
        plan: FaultPlan,
        hazards: Arc<Hazards>,
    ) -> Self {
        let faults = Self {
            cluster: cluster.to_owned(),
            estate_seed,
            state: Mutex::new(State::default()),
            partition: watch::Sender::new(None),
            hazards,
            handshakes: std::sync::atomic::AtomicU64::new(0),
        };
        faults.set_plan(plan);
        faults
    }

    /// The cluster's hazards.
    #[must_use]
    pub fn hazards(&self) -> &Arc<Hazards> {
        &self.hazards
    }

    /// The cluster's name.
    #[must_use]
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// TLS handshakes the cluster's server completed since it started: one per new HTTPS
    /// connection.
    #[must_use]
    pub fn tls_handshakes(&self) -> u64 {
        self.handshakes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts a completed TLS handshake.
    pub(crate) fn count_handshake(&self) {
        self.handshakes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The plan in force, partition included.
    #[must_use]
    pub fn plan(&self) -> FaultPlan {
        let mut plan = self.lock().plan.clone();
        plan.partition = self.partition();
        plan.re_add_owners = self.hazards.owner_re_add();
        plan.delete_namespace = self.hazards.namespace_deletion();
        plan
    }

    /// Replaces the plan (not validated; see [`FaultPlan::validate`]) and restarts its random
    /// sequence and counters, so the same plan and seed replay the same faults. The hazards
    /// restart too: pending re-adds are forgotten, writes are counted from now.
    pub fn set_plan(&self, mut plan: FaultPlan) {
        let partition = plan.partition.take();
        self.hazards.set_owner_re_add(plan.re_add_owners.take());
        self.hazards
            .set_namespace_deletion(plan.delete_namespace.take());
        {
            let mut state = self.lock();
            let seed = plan.seed.unwrap_or(self.estate_seed);
            *state = State {
                seed: mix(seed ^ fnv1a(self.cluster.as_bytes())),
                matched: vec![0; plan.rules.len()],
                fired: vec![0; plan.rules.len()],
                plan,
                ..State::default()
            };
        }
        self.partition.send_replace(partition);
    }

    /// Removes every fault, partition included.
    pub fn clear(&self) {
        self.set_plan(FaultPlan::default());
    }

    /// The partition in force.
    #[must_use]
    pub fn partition(&self) -> Option<Partition> {
        *self.partition.borrow()
    }

    /// Starts or (with `None`) lifts a partition, leaving the rest of the plan alone.
    pub fn set_partition(&self, partition: Option<Partition>) {
        self.partition.send_replace(partition);
    }

    /// Counters since the plan was set.
    #[must_use]
    pub fn stats(&self) -> FaultStats {
        let state = self.lock();
        FaultStats {
            requests: state.requests,
            injected: state.injected,
            fired: state.fired.clone(),
        }
    }

    /// Waits while a hanging partition lasts. `false` when the connection must be reset.
    pub async fn pass_partition(&self) -> bool {
        match self.partition() {
            None => return true,
            Some(Partition::Reset) => return false,
            Some(Partition::Hang) => {}
        }
        let mut rx = self.partition.subscribe();
        match rx.wait_for(|p| *p != Some(Partition::Hang)).await {
            Ok(p) => *p != Some(Partition::Reset),
            Err(_) => true,
        }
    }

    /// A future that completes once the partition is no longer `seen`.
    #[must_use]
    pub fn partition_change(&self, seen: Option<Partition>) -> PartitionChange {
        let mut rx = self.partition.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|p| *p != seen).await;
        })
    }

    /// Decides the delay and the fault of the next request. Unauthenticated requests are only
    /// delayed; their answer is the 401.
    pub fn decide(&self, method: &Method, path: &str, authenticated: bool) -> Decision {
        let mut state = self.lock();
        let mut decision = Decision {
            delay: Duration::ZERO,
            fault: None,
            retry_after_seconds: 1,
        };
        if state.plan.latency_ms == 0 && state.plan.jitter_ms == 0 && state.plan.rules.is_empty() {
            return decision;
        }
        let index = state.requests;
        state.requests += 1;
        let mut rng = Rng(mix(state.seed ^ mix(index)));
        let jitter = rng.below(state.plan.jitter_ms.saturating_add(1));
        decision.delay = Duration::from_millis(state.plan.latency_ms.saturating_add(jitter));
        if !authenticated {
            return decision;
        }
        let State {
            plan,
            matched,
            fired,
            ..
        } = &mut *state;
        for (i, rule) in plan.rules.iter().enumerate() {
            // One draw per rule and request, so one rule's matches never shift another's.
            let draw = rng.unit();
            if !rule.matches(method, path) {
                continue;
            }
            matched[i] += 1;
            if matched[i] <= rule.after || rule.count.is_some_and(|c| fired[i] >= c) {
                continue;
            }
            if draw < rule.probability {
                fired[i] += 1;
                decision.fault = Some(rule.fault);
                decision.retry_after_seconds = rule.retry_after_seconds;
                break;
            }
        }
        if decision.fault.is_some() {
            state.injected += 1;
        }
        decision
    }
}

/// SplitMix64's output function: a well-mixed 64-bit value from any input. Hand-written so the
/// sequence for a seed never changes with a dependency's version.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    #[allow(clippy::cast_precision_loss)]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The fault flags of `ksmc-sim serve`, applying to every cluster.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FaultFlags {
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// A further random delay of up to this many milliseconds per request.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Seed of every random fault choice (when absent, one is picked and printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Loopback port of the control endpoint that changes faults at runtime (0 picks one).
    #[arg(long, default_value_t = 0)]
    pub control_port: u16,
    /// Serve no control endpoint.
    #[arg(long)]
    pub no_control: bool,
    /// Put back Workspace ownerReferences a client removes from a namespace.
    #[arg(long)]
    pub re_add_owners: bool,
    /// How long after the client's write the reference comes back, in milliseconds.
    #[arg(long, default_value_t = 200, requires = "re_add_owners")]
    pub re_add_owners_delay_ms: u64,
    /// Only in these namespaces (comma-separated; `prefix*` matches a prefix).
    #[arg(long, value_delimiter = ',', requires = "re_add_owners")]
    pub re_add_owners_namespaces: Vec<String>,
    /// At most this many times.
    #[arg(long, requires = "re_add_owners")]
    pub re_add_owners_count: Option<u64>,
    /// Delete this namespace (as someone else would) once the cluster applied some writes.
    #[arg(long, value_name = "NAMESPACE")]
    pub delete_namespace: Option<String>,
    /// How many applied mutating requests `--delete-namespace` waits for.
    #[arg(long, default_value_t = 0, requires = "delete_namespace")]
    pub delete_namespace_after_writes: u64,
}

impl FaultFlags {
    /// The estate options with these flags applied.
    #[must_use]
    pub fn apply(&self, options: EstateOptions) -> EstateOptions {
        let seed = self.seed.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            mix(now.as_secs() ^ u64::from(now.subsec_nanos()) ^ u64::from(std::process::id()))
                % 1_000_000
        });
        let faults = FaultPlan {
            re_add_owners: self.re_add_owners.then(|| OwnerReAdd {
                delay_ms: self.re_add_owners_delay_ms,
                namespaces: self.re_add_owners_namespaces.clone(),
                count: self.re_add_owners_count,
                ..OwnerReAdd::default()
            }),
            delete_namespace: self
                .delete_namespace
                .as_deref()
                .map(|ns| NamespaceDeletion::new(ns, self.delete_namespace_after_writes)),
            ..FaultPlan::latency(self.latency_ms, self.jitter_ms)
        };
        EstateOptions {
            faults,
            seed,
            control_port: (!self.no_control).then_some(self.control_port),
            ..options
        }
    }
}

impl Estate {
    /// The live faults of a cluster.
    ///
    /// # Errors
    /// [`FaultError::UnknownCluster`].
    pub fn faults(&self, cluster: &str) -> Result<&Arc<ClusterFaults>, FaultError> {
        self.cluster(cluster)
            .map(|c| &c.faults)
            .ok_or_else(|| FaultError::UnknownCluster(cluster.to_owned()))
    }

    /// Replaces a cluster's fault plan (partition included) and restarts its random sequence.
    ///
    /// # Errors
    /// An unknown cluster or an invalid plan.
    pub fn set_faults(&self, cluster: &str, plan: FaultPlan) -> Result<(), FaultError> {
        let faults = self.faults(cluster)?;
        plan.validate()?;
        faults.set_plan(plan);
        Ok(())
    }

    /// Removes every fault of a cluster.
    ///
    /// # Errors
    /// An unknown cluster.
    pub fn clear_faults(&self, cluster: &str) -> Result<(), FaultError> {
        self.faults(cluster)?.clear();
        Ok(())
    }

    /// Starts or (with `None`) lifts a partition of one cluster.
    ///
    /// # Errors
    /// An unknown cluster.
    pub fn set_partition(
        &self,
        cluster: &str,
        partition: Option<Partition>,
    ) -> Result<(), FaultError> {
        self.faults(cluster)?.set_partition(partition);
        // A partitioned cluster is cut off from the other clusters of the estate too.
        self.network().set_reachable(cluster, partition.is_none());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(faults: &ClusterFaults, n: usize) -> Vec<Option<Fault>> {
        (0..n)
            .map(|_| {
                faults
                    .decide(&Method::GET, "/api/v1/namespaces", true)
                    .fault
            })
            .collect()
    }

    #[test]
    fn plan_json_round_trips_and_rejects_typos() {
        let text = r#"{"latencyMs": 5, "partition": "hang", "rules": [
            {"fault": "tooManyRequests", "retryAfterSeconds": 3, "methods": ["get"], "count": 2},
            {"fault": "appliedButLost", "pathPrefix": "/api/v1/namespaces", "after": 1}]}"#;
        let plan: FaultPlan = serde_json::from_str(text).unwrap();
        assert_eq!(plan.partition, Some(Partition::Hang));
        assert_eq!(plan.rules[0].retry_after_seconds, 3);
        assert!((plan.rules[1].probability - 1.0).abs() < f64::EPSILON);
        plan.validate().unwrap();
        let again: FaultPlan =
            serde_json::from_value(serde_json::to_value(&plan).unwrap()).unwrap();
        assert_eq!(again, plan);
        assert!(serde_json::from_str::<FaultPlan>(r#"{"latency": 5}"#).is_err());
        assert!(serde_json::from_str::<FaultPlan>(r#"{"rules": [{"fault": "teapot"}]}"#).is_err());
        let bad = FaultPlan::default().rule(FaultRule::new(Fault::Reset).probability(1.5));
        assert!(bad.validate().is_err());
        let bad = FaultPlan::default().rule(FaultRule::new(Fault::Reset).methods(&["FETCH"]));
        assert!(bad.validate().is_err());
    }

    #[test]
    fn same_seed_same_sequence_other_seed_other_sequence() {
        let plan = |seed| {
            FaultPlan {
                seed: Some(seed),
                ..FaultPlan::default()
            }
            .rule(FaultRule::new(Fault::ServiceUnavailable).probability(0.5))
        };
        let a = outcomes(&ClusterFaults::new("host", 0, plan(42)), 64);
        let b = outcomes(&ClusterFaults::new("host", 0, plan(42)), 64);
        let c = outcomes(&ClusterFaults::new("host", 0, plan(43)), 64);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let fired = a.iter().filter(|o| o.is_some()).count();
        assert!((16..=48).contains(&fired), "{fired} of 64 fired at p=0.5");
        // Setting the plan again replays the sequence.
        let faults = ClusterFaults::new("host", 0, plan(42));
        let first = outcomes(&faults, 64);
        faults.set_plan(plan(42));
        assert_eq!(outcomes(&faults, 64), first);
    }

    #[test]
    fn after_count_methods_and_writes_only() {
        let faults = ClusterFaults::new(
            "host",
            1,
            FaultPlan::default()
                .rule(FaultRule::new(Fault::Conflict))
                .rule(
                    FaultRule::new(Fault::InternalError)
                        .methods(&["get"])
                        .path_prefix("/api/v1/namespaces")
                        .after(1)
                        .count(2),
                ),
        );
        let get = |path| faults.decide(&Method::GET, path, true).fault;
        assert_eq!(get("/api/v1/namespaces"), None);
        assert_eq!(get("/api/v1/namespaces/a"), Some(Fault::InternalError));
        assert_eq!(get("/version"), None);
        assert_eq!(get("/api/v1/namespaces"), Some(Fault::InternalError));
        assert_eq!(get("/api/v1/namespaces"), None);
        let post = faults.decide(&Method::POST, "/api/v1/namespaces", true);
        assert_eq!(post.fault, Some(Fault::Conflict));
        assert_eq!(
            faults
                .decide(&Method::POST, "/api/v1/namespaces", false)
                .fault,
            None
        );
        assert_eq!(faults.stats().fired, vec![1, 2]);
    }

    #[test]
    fn delays_stay_within_latency_and_jitter() {
        let faults = ClusterFaults::new("host", 9, FaultPlan::latency(10, 5));
        let delays: Vec<Duration> = (0..200)
            .map(|_| faults.decide(&Method::GET, "/", true).delay)
            .collect();
        assert!(delays.iter().all(|d| (10..=15).contains(&d.as_millis())));
        assert!(delays.iter().any(|d| d.as_millis() == 10));
        assert!(delays.iter().any(|d| d.as_millis() == 15));
    }

    #[test]
    fn status_bodies_are_kubernetes_statuses() {
        let decision = Decision {
            delay: Duration::ZERO,
            fault: Some(Fault::TooManyRequests),
            retry_after_seconds: 4,
        };
        let response = decision.response("/api/v1/namespaces").unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "4");
        assert_eq!(
            resource_of("/apis/tenant.kubesphere.io/v1alpha2/workspaces/ws"),
            ("tenant.kubesphere.io", "workspaces", "ws")
        );
        assert_eq!(
            resource_of("/api/v1/namespaces/a/configmaps/b"),
            ("", "configmaps", "b")
        );
        assert_eq!(resource_of("/api/v1/namespaces/a"), ("", "namespaces", "a"));
        assert_eq!(resource_of("/api/v1/namespaces"), ("", "namespaces", ""));
    }

    #[tokio::test]
    async fn partition_hangs_until_lifted() {
        let faults = Arc::new(ClusterFaults::new("host", 0, FaultPlan::default()));
        assert!(faults.pass_partition().await);
        faults.set_partition(Some(Partition::Reset));
        assert!(!faults.pass_partition().await);
        faults.set_partition(Some(Partition::Hang));
        let waiting = tokio::spawn({
            let faults = faults.clone();
            async move { faults.pass_partition().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished());
        faults.set_partition(None);
        assert!(waiting.await.unwrap());
    }
}
