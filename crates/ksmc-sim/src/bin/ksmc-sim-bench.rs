//! `ksmc-sim-bench`: how fast the simulator serves, next to a trivial server, on loopback.
//!
//! Starts an estate in-process, seeds namespaces into `host`, then measures over HTTPS:
//! LIST of every namespace (JSON and Table, whole and in pages of 500), and the throughput of
//! GET of one namespace with concurrent keep-alive clients. Each figure comes with a baseline:
//! the same bytes served by a bare hyper + rustls server returning a fixed body, so the ratio
//! is the simulator's own cost. A breakdown of the LIST path in-process follows.
//!
//! ```text
//! cargo run --release -p ksmc-sim --bin ksmc-sim-bench -- --namespaces 10000 --clients 8 --seconds 3
//! ```

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use clap::Parser;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use jiff::Timestamp;
use ksmc_sim::{Estate, EstateOptions, Scenario};
use rustls::ClientConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

#[derive(Parser)]
#[command(
    name = "ksmc-sim-bench",
    about = "Measure the simulator against a trivial server on loopback"
)]
struct Args {
    /// Namespaces to seed into the `host` cluster.
    #[arg(long, default_value_t = 10_000)]
    namespaces: usize,
    /// Timed LIST requests per measurement (bounded to 200).
    #[arg(long, default_value_t = 30)]
    iterations: usize,
    /// Concurrent keep-alive clients for the small-request throughput (bounded to 64).
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds per throughput measurement (bounded to 30).
    #[arg(long, default_value_t = 3)]
    seconds: u64,
}

const JSON: &str = "application/json";
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("KSMC_SIM_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let iterations = args.iterations.clamp(1, 200);
    let clients = args.clients.clamp(1, 64);
    let seconds = Duration::from_secs(args.seconds.clamp(1, 30));
    if cfg!(debug_assertions) {
        println!("warning: a debug build; measure with --release");
    }

    let estate = Estate::start(&Scenario::fresh(), &EstateOptions::default()).await?;
    let host = estate.cluster("host").ok_or("no host cluster")?;
    let seeding = Instant::now();
    for i in 0..args.namespaces {
        host.cluster
            .seed_namespace(
                &format!("bench-{i:05}"),
                json!({"kubesphere.io/workspace": format!("ws-{}", i % 50)}),
            )
            .map_err(|e| e.to_string())?;
    }
    let total = host
        .cluster
        .store
        .list(&ksmc_sim::ops::namespaces_key(), None)
        .0
        .len();
    println!(
        "ksmc-sim bench: {total} namespaces in host (seeded in {:.1} s), {} worker threads",
        seeding.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
    );

    settle().await;

    let sim = Target::simulator(&estate)?;
    let list_json = sim.fetch("/api/v1/namespaces", JSON).await?;
    let list_table = sim.fetch("/api/v1/namespaces", TABLE).await?;
    let one = sim.fetch("/api/v1/namespaces/bench-00042", JSON).await?;
    let baseline = Target::baseline(vec![
        ("/api/v1/namespaces|json", list_json.clone()),
        ("/api/v1/namespaces|table", list_table.clone()),
        ("/api/v1/namespaces/bench-00042|json", one.clone()),
    ])
    .await?;

    println!();
    println!(
        "{:<40} {:>9} {:>9} {:>9} | {:>9} {:>9} | {:>6} {:>6}",
        "HTTPS, one keep-alive connection",
        "median",
        "p95",
        "CPU/req",
        "base med",
        "base CPU",
        "wall x",
        "CPU x"
    );
    let mut list_median = Duration::ZERO;
    for (label, accept, bytes) in [
        ("LIST all namespaces, JSON", JSON, list_json.len()),
        ("LIST all namespaces, Table", TABLE, list_table.len()),
    ] {
        let s = sim
            .timed_gets("/api/v1/namespaces", accept, iterations)
            .await?;
        let b = baseline
            .timed_gets("/api/v1/namespaces", accept, iterations.max(100))
            .await?;
        if accept == JSON {
            list_median = s.median;
        }
        row(&format!("{label} ({})", size(bytes)), &s, &b);
    }
    let (paged, pages) = sim.paged_list(iterations.min(10)).await?;
    println!(
        "{:<40} {:>9} {:>9} {:>9} | (ksmc-core reads in pages of 500)",
        format!("LIST in pages of 500 ({pages} requests)"),
        ms(paged.median),
        ms(paged.p95),
        ms(paged.cpu),
    );

    println!();
    println!(
        "{:<40} {:>9} {:>9} {:>9} | {:>9} {:>9} | {:>6} {:>6}",
        format!(
            "GET one namespace, {clients} clients, {}s",
            seconds.as_secs()
        ),
        "req/s",
        "median",
        "CPU/req",
        "base r/s",
        "base CPU",
        "r/s x",
        "CPU x"
    );
    let path = "/api/v1/namespaces/bench-00042";
    let s = sim.throughput(path, clients, seconds).await?;
    let b = baseline.throughput(path, clients, seconds).await?;
    println!(
        "{:<40} {:>9.0} {:>9} {:>9} | {:>9.0} {:>9} | {:>5.2}x {:>5.1}x",
        format!("  ({} bytes each)", one.len()),
        s.rate,
        ms(s.latency.median),
        us(s.latency.cpu),
        b.rate,
        us(b.latency.cpu),
        s.rate / b.rate,
        s.latency.cpu.as_secs_f64() / b.latency.cpu.as_secs_f64(),
    );

    let faults = estate.faults("host")?;
    let method = hyper::Method::GET;
    let layer = per_call(
        5,
        || (),
        |()| {
            for _ in 0..100_000 {
                std::hint::black_box(faults.decide(&method, path, true));
                poll_once(faults.partition_change(None));
            }
        },
    ) / 100_000;
    let armed = ksmc_sim::FaultPlan::default()
        .rule(ksmc_sim::FaultRule::new(ksmc_sim::Fault::Reset).probability(0.0));
    faults.set_plan(armed);
    let armed_layer = per_call(
        5,
        || (),
        |()| {
            for _ in 0..100_000 {
                std::hint::black_box(faults.decide(&method, path, true));
                poll_once(faults.partition_change(None));
            }
        },
    ) / 100_000;
    faults.clear();
    println!(
        "  fault layer per request (decide + body partition watch): {:.2} us with no plan, \
         {:.2} us with a rule armed",
        layer.as_secs_f64() * 1e6,
        armed_layer.as_secs_f64() * 1e6
    );

    println!();
    println!("where the LIST time goes, in-process, CPU time of one thread per call:");
    breakdown(&estate, iterations);

    println!();
    let list_ok = list_median < Duration::from_millis(50);
    let rate_ok = s.rate >= 2000.0;
    println!(
        "targets: LIST {total} namespaces < 50 ms: {} ({}); >= 2000 small requests/s: {} ({:.0}/s)",
        if list_ok { "met" } else { "MISSED" },
        ms(list_median),
        if rate_ok { "met" } else { "MISSED" },
        s.rate,
    );
    println!(
        "(CPU/req counts the whole process, client included, and is robust to other load on the machine; \
         wall-clock figures are not)"
    );
    drop(baseline);
    estate.shutdown().await;
    Ok(())
}

/// Waits (at most 60 s) until the estate's controllers have digested the seeding: less than
/// 5% of a core busy over half a second.
async fn settle() {
    let began = Instant::now();
    let mut last = 0.0;
    while began.elapsed() < Duration::from_secs(60) {
        let window = Instant::now();
        let Some(before) = cpu_seconds() else { return };
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(after) = cpu_seconds() else { return };
        last = (after - before) / window.elapsed().as_secs_f64();
        if last < 0.05 {
            println!(
                "controllers settled after {:.1} s",
                began.elapsed().as_secs_f64()
            );
            return;
        }
    }
    println!(
        "warning: controllers still use {:.0}% of a core; figures include their load",
        last * 100.0
    );
}

/// User + system CPU time of this process (Linux), in seconds.
fn cpu_seconds() -> Option<f64> {
    proc_cpu("/proc/self/stat")
}

/// User + system CPU time of this thread (Linux; zero elsewhere).
fn thread_cpu() -> Duration {
    Duration::from_secs_f64(proc_cpu("/proc/thread-self/stat").unwrap_or_default())
}

/// Process CPU time spent since `since` (a [`cpu_seconds`] reading), per call of `n`.
fn cpu_per(since: Option<f64>, n: usize) -> Duration {
    match (since, cpu_seconds()) {
        #[allow(clippy::cast_precision_loss)]
        (Some(before), Some(after)) => {
            Duration::from_secs_f64((after - before).max(0.0) / n.max(1) as f64)
        }
        _ => Duration::ZERO,
    }
}

/// utime + stime of a `/proc/.../stat` file, in seconds (clock ticks of 1/100 s).
fn proc_cpu(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Polls a future once, as a response body does with its partition watch.
fn poll_once(mut future: ksmc_sim::faults::PartitionChange) {
    let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
    let _ = std::hint::black_box(future.as_mut().poll(&mut cx));
}

fn row(label: &str, s: &Stats, b: &Stats) {
    println!(
        "{label:<40} {:>9} {:>9} {:>9} | {:>9} {:>9} | {:>5.1}x {:>5.1}x",
        ms(s.median),
        ms(s.p95),
        ms(s.cpu),
        ms(b.median),
        ms(b.cpu),
        s.median.as_secs_f64() / b.median.as_secs_f64(),
        s.cpu.as_secs_f64() / b.cpu.as_secs_f64().max(1e-9),
    );
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.0} us", d.as_secs_f64() * 1e6)
}

#[allow(clippy::cast_precision_loss)]
fn size(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Times the steps of a JSON and a Table LIST, as `handlers/read.rs` runs them now and as it
/// used to (cloning the page into one `Value`), without HTTP.
fn breakdown(estate: &Estate, iterations: usize) {
    let Some(host) = estate.cluster("host") else {
        return;
    };
    let cluster = &host.cluster;
    let key = ksmc_sim::ops::namespaces_key();
    let Some(ty) = cluster.registry.find("", "v1", "namespaces") else {
        return;
    };
    let (items, _) = cluster.store.list(&key, None);
    let list_body = |items: Vec<Value>| json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {}, "items": items});
    let labels = ksmc_sim::selectors::LabelSelector::parse("").ok();
    let body = list_body(items.clone());
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let table = ksmc_sim::table::render(ty, &items, "v1", json!({}), Timestamp::now());
    let shared = |()| {
        cluster
            .store
            .select_shared(&key, None, None, None, |_| true)
            .0
    };
    let page = shared(());
    let steps: Vec<(&str, Duration)> = vec![
        (
            "read.rs: store.select_shared, the page shared",
            per_call(iterations, || (), shared),
        ),
        (
            "read.rs: the list from each object's cached JSON",
            per_call(
                iterations,
                || (),
                |()| {
                    let mut out = Vec::new();
                    for o in &page {
                        out.extend_from_slice(o.json());
                        out.push(b',');
                    }
                    out
                },
            ),
        ),
        (
            "  (without the cache: serde_json each object)",
            per_call(
                iterations,
                || (),
                |()| {
                    page.iter()
                        .map(|o| serde_json::to_vec(o.value()).unwrap_or_default())
                        .collect::<Vec<_>>()
                },
            ),
        ),
        (
            "store.list: clone every object under the lock",
            per_call(iterations, || (), |()| cluster.store.list(&key, None)),
        ),
        (
            "selectors + apiVersion (moves, no clone)",
            per_call(
                iterations,
                || items.clone(),
                |owned| {
                    owned
                        .into_iter()
                        .filter(|o| labels.as_ref().is_none_or(|l| l.matches(o)))
                        .map(|mut o| {
                            o["apiVersion"] = json!("v1");
                            o
                        })
                        .collect::<Vec<_>>()
                },
            ),
        ),
        (
            "json!({\"items\": page}): json! deep-copies page",
            per_call(
                iterations,
                || items.clone(),
                |page| {
                    let list = json!({"kind": "NamespaceList", "items": page});
                    (list, page)
                },
            ),
        ),
        (
            "  (the same list built by moving page: cost)",
            per_call(
                iterations,
                || items.clone(),
                |page| {
                    let mut list = json!({"kind": "NamespaceList"});
                    list["items"] = Value::Array(page);
                    list
                },
            ),
        ),
        (
            "serde_json::to_vec of the list",
            per_call(iterations, || (), |()| serde_json::to_vec(&body)),
        ),
        (
            "dropping one copy of the list",
            per_call(iterations, || body.clone(), drop),
        ),
        (
            "read.rs: the Table written from the metadata",
            per_call(
                iterations,
                || (),
                |()| {
                    ksmc_sim::table::Table::new(ty, &items, "v1", json!({}), Timestamp::now())
                        .to_json()
                },
            ),
        ),
        (
            "table::render (clones each metadata)",
            per_call(
                iterations,
                || (),
                |()| ksmc_sim::table::render(ty, &items, "v1", json!({}), Timestamp::now()),
            ),
        ),
        (
            "serde_json::to_vec of the Table",
            per_call(iterations, || (), |()| serde_json::to_vec(&table)),
        ),
        (
            "dropping the Table",
            per_call(iterations, || table.clone(), drop),
        ),
        (
            "(for scale: serde_json::from_slice, a client)",
            per_call(
                iterations,
                || (),
                |()| serde_json::from_slice::<Value>(&bytes).ok(),
            ),
        ),
    ];
    for (label, cpu) in steps {
        println!("  {label:<48} {:>9}", ms(cpu));
    }
}

/// CPU time of this thread per call of `f`, its input prepared by `setup` outside the timing
/// and its output dropped outside it too.
fn per_call<I, O>(
    iterations: usize,
    mut setup: impl FnMut() -> I,
    mut f: impl FnMut(I) -> O,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut outputs = Vec::with_capacity(1);
    for _ in 0..iterations {
        let input = setup();
        let before = thread_cpu();
        let output = std::hint::black_box(f(input));
        total += thread_cpu().saturating_sub(before);
        outputs.clear();
        outputs.push(output);
    }
    total / u32::try_from(iterations).unwrap_or(u32::MAX)
}

struct Stats {
    median: Duration,
    p95: Duration,
    /// Process CPU time per request (server and client).
    cpu: Duration,
}

struct Throughput {
    rate: f64,
    latency: Stats,
}

fn stats(samples: &mut [Duration]) -> Stats {
    samples.sort();
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((samples.len() - 1) as f64 * q).round() as usize;
        samples[i]
    };
    Stats {
        median: at(0.5),
        p95: at(0.95),
        cpu: Duration::ZERO,
    }
}

/// A server to measure: its address, how to trust it, and the token to present.
struct Target {
    addr: SocketAddr,
    tls: Arc<ClientConfig>,
    token: String,
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Target {
    fn simulator(estate: &Estate) -> Result<Self, Box<dyn std::error::Error>> {
        let host = estate.cluster("host").ok_or("no host cluster")?;
        let kubeconfig: Value = serde_saphyr::from_str(&estate.kubeconfig(host)?)?;
        let ca = kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"]
            .as_str()
            .ok_or("the kubeconfig has no CA")?;
        let ca = base64::engine::general_purpose::STANDARD.decode(ca)?;
        Ok(Self {
            addr: host.addr,
            tls: client_config(&ca)?,
            token: host.cluster.admin_token.clone(),
            _server: None,
        })
    }

    /// A bare hyper + rustls server answering each path and Accept with a fixed body.
    async fn baseline(
        bodies: Vec<(&'static str, Bytes)>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let material = ksmc_sim::tls::TlsMaterial::generate(&[IpAddr::V4(Ipv4Addr::LOCALHOST)])?;
        let acceptor = TlsAcceptor::from(material.server_config.clone());
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let bodies = Arc::new(bodies);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let bodies = bodies.clone();
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let table = req.headers().get(hyper::header::ACCEPT).is_some_and(|a| {
                            a.as_bytes().starts_with(b"application/json;as=Table")
                        });
                        let key = format!(
                            "{}|{}",
                            req.uri().path(),
                            if table { "table" } else { "json" }
                        );
                        let body = bodies
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, b)| b.clone())
                            .unwrap_or_default();
                        async move {
                            let mut response = Response::new(Full::new(body));
                            response.headers_mut().insert(
                                hyper::header::CONTENT_TYPE,
                                hyper::header::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            tls: client_config(material.ca_pem.as_bytes())?,
            token: "baseline".into(),
            _server: Some(server),
        })
    }

    async fn connect(&self) -> Result<Conn, Box<dyn std::error::Error>> {
        let tcp = TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        let stream = TlsConnector::from(self.tls.clone())
            .connect(ServerName::from(self.addr.ip()), tcp)
            .await?;
        Ok(Conn {
            stream: Box::new(stream),
            buf: Vec::new(),
            host: self.addr.to_string(),
            token: self.token.clone(),
        })
    }

    /// One GET's body (checked to be 200).
    async fn fetch(&self, path: &str, accept: &str) -> Result<Bytes, Box<dyn std::error::Error>> {
        let mut conn = self.connect().await?;
        let (status, body) = conn.get(path, accept).await?;
        if status != 200 {
            return Err(format!("GET {path}: status {status}").into());
        }
        Ok(Bytes::from(body))
    }

    /// Latencies of `n` GETs on one connection, after one warm-up.
    async fn timed_gets(
        &self,
        path: &str,
        accept: &str,
        n: usize,
    ) -> Result<Stats, Box<dyn std::error::Error>> {
        let mut conn = self.connect().await?;
        conn.get(path, accept).await?;
        let mut samples = Vec::with_capacity(n);
        let cpu = cpu_seconds();
        for _ in 0..n {
            let began = Instant::now();
            let (status, _) = conn.get(path, accept).await?;
            samples.push(began.elapsed());
            if status != 200 {
                return Err(format!("GET {path}: status {status}").into());
            }
        }
        let cpu = cpu_per(cpu, n);
        Ok(Stats {
            cpu,
            ..stats(&mut samples)
        })
    }

    /// A whole LIST read in pages of 500 as ksmc-core does: (latency of the whole walk, pages).
    async fn paged_list(&self, n: usize) -> Result<(Stats, usize), Box<dyn std::error::Error>> {
        let mut conn = self.connect().await?;
        let mut samples = Vec::with_capacity(n);
        let mut pages = 0;
        let mut cpu = None;
        for i in 0..=n {
            if i == 1 {
                cpu = cpu_seconds();
            }
            let began = Instant::now();
            let mut token = String::new();
            pages = 0;
            loop {
                let path = if token.is_empty() {
                    "/api/v1/namespaces?limit=500".to_owned()
                } else {
                    format!("/api/v1/namespaces?limit=500&continue={token}")
                };
                let (status, body) = conn.get(&path, JSON).await?;
                pages += 1;
                if status != 200 {
                    return Err(format!("GET {path}: status {status}").into());
                }
                let page: Value = serde_json::from_slice(&body)?;
                match page["metadata"]["continue"].as_str() {
                    Some(next) if !next.is_empty() => token = next.to_owned(),
                    _ => break,
                }
            }
            samples.push(began.elapsed());
        }
        samples.remove(0);
        let cpu = cpu_per(cpu, n);
        Ok((
            Stats {
                cpu,
                ..stats(&mut samples)
            },
            pages,
        ))
    }

    /// (requests completed, median latency) of `clients` connections GETting for `duration`.
    async fn throughput(
        &self,
        path: &str,
        clients: usize,
        duration: Duration,
    ) -> Result<Throughput, Box<dyn std::error::Error>> {
        let mut conns = Vec::with_capacity(clients);
        for _ in 0..clients {
            let mut conn = self.connect().await?;
            conn.get(path, JSON).await?;
            conns.push(conn);
        }
        let began = Instant::now();
        let cpu = cpu_seconds();
        let deadline = began + duration;
        let tasks: Vec<_> = conns
            .into_iter()
            .map(|mut conn| {
                let path = path.to_owned();
                tokio::spawn(async move {
                    let mut samples = Vec::new();
                    while Instant::now() < deadline {
                        let began = Instant::now();
                        match conn.get(&path, JSON).await {
                            Ok((200, _)) => samples.push(began.elapsed()),
                            _ => break,
                        }
                    }
                    samples
                })
            })
            .collect();
        let mut samples = Vec::new();
        for task in tasks {
            samples.extend(task.await?);
        }
        if samples.is_empty() {
            return Err("no request succeeded".into());
        }
        let cpu = cpu_per(cpu, samples.len());
        #[allow(clippy::cast_precision_loss)]
        let rate = samples.len() as f64 / began.elapsed().as_secs_f64();
        Ok(Throughput {
            rate,
            latency: Stats {
                cpu,
                ..stats(&mut samples)
            },
        })
    }
}

fn client_config(ca_pem: &[u8]) -> Result<Arc<ClientConfig>, Box<dyn std::error::Error>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(ca_pem)?)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A minimal HTTP/1.1 keep-alive client: GET with Content-Length responses (what both servers
/// send for full bodies). Kept small so the client costs the same against both servers.
struct Conn {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
    host: String,
    token: String,
}

impl Conn {
    async fn get(&mut self, path: &str, accept: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: {accept}\r\nUser-Agent: ksmc-sim-bench\r\n\r\n",
            self.host, self.token
        );
        self.stream.write_all(request.as_bytes()).await?;
        // tokio-rustls accepts the plaintext even when the socket write returns Pending (tokio's
        // cooperative budget runs out after reading a big response): the record stays in rustls
        // until a flush, and without one the request is never sent and both sides wait forever.
        self.stream.flush().await?;
        tracing::debug!(target: "bench", path, "client: request written");
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("no status line"))?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or_else(|| invalid("no Content-Length"))?;
        let total = head_end + length;
        self.buf.reserve(total.saturating_sub(self.buf.len()));
        while self.buf.len() < total {
            self.fill().await?;
        }
        tracing::debug!(target: "bench", path, length, "client: response read");
        let rest = self.buf.split_off(total);
        let mut message = std::mem::replace(&mut self.buf, rest);
        Ok((status, message.split_off(head_end)))
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        self.buf.reserve(64 * 1024);
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        Ok(())
    }
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}
