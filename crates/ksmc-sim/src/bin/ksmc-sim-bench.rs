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
        "{:<44} {:>10} {:>10}   {:>22} {:>7}",
        "over HTTPS, one keep-alive connection", "median", "p95", "baseline median / p95", "ratio"
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
            .timed_gets("/api/v1/namespaces", accept, iterations)
            .await?;
        if accept == JSON {
            list_median = s.median;
        }
        row(&format!("{label} ({})", size(bytes)), &s, &b);
    }
    let paged = sim.paged_list(iterations.min(10)).await?;
    println!(
        "{:<44} {:>10} {:>10}   (ksmc-core reads in pages of 500)",
        format!("LIST in pages of 500 ({} requests)", paged.1),
        ms(paged.0.median),
        ms(paged.0.p95)
    );

    println!();
    println!(
        "{:<44} {:>10} {:>10}   {:>22} {:>7}",
        format!(
            "GET one namespace, {clients} clients, {}s",
            seconds.as_secs()
        ),
        "req/s",
        "median",
        "baseline req/s",
        "ratio"
    );
    let s = sim
        .throughput("/api/v1/namespaces/bench-00042", clients, seconds)
        .await?;
    let b = baseline
        .throughput("/api/v1/namespaces/bench-00042", clients, seconds)
        .await?;
    #[allow(clippy::cast_precision_loss)]
    let (s_rate, b_rate) = (
        s.0 as f64 / seconds.as_secs_f64(),
        b.0 as f64 / seconds.as_secs_f64(),
    );
    println!(
        "{:<44} {:>10.0} {:>10}   {:>22.0} {:>6.2}x",
        format!("  ({} bytes each)", one.len()),
        s_rate,
        ms(s.1),
        b_rate,
        s_rate / b_rate
    );

    println!();
    println!("where a JSON LIST spends its time, in-process (median of {iterations}):");
    breakdown(&estate, iterations);

    println!();
    let list_ok = list_median < Duration::from_millis(50);
    let rate_ok = s_rate >= 2000.0;
    println!(
        "targets: LIST {total} namespaces < 50 ms: {} ({}); >= 2000 small requests/s: {} ({s_rate:.0}/s)",
        if list_ok { "met" } else { "MISSED" },
        ms(list_median),
        if rate_ok { "met" } else { "MISSED" },
    );
    drop(baseline);
    estate.shutdown().await;
    Ok(())
}

fn row(label: &str, s: &Stats, b: &Stats) {
    println!(
        "{label:<44} {:>10} {:>10}   {:>10} / {:>9} {:>6.1}x",
        ms(s.median),
        ms(s.p95),
        ms(b.median),
        ms(b.p95),
        s.median.as_secs_f64() / b.median.as_secs_f64()
    );
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[allow(clippy::cast_precision_loss)]
fn size(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Times the steps of a JSON and a Table LIST without HTTP.
fn breakdown(estate: &Estate, iterations: usize) {
    let Some(host) = estate.cluster("host") else {
        return;
    };
    let cluster = &host.cluster;
    let key = ksmc_sim::ops::namespaces_key();
    let Some(ty) = cluster.registry.find("", "v1", "namespaces") else {
        return;
    };
    let time = |f: &mut dyn FnMut()| {
        let mut samples: Vec<Duration> = (0..iterations)
            .map(|_| {
                let began = Instant::now();
                f();
                began.elapsed()
            })
            .collect();
        stats(&mut samples).median
    };
    let (items, _) = cluster.store.list(&key, None);
    let list = time(&mut || {
        std::hint::black_box(cluster.store.list(&key, None));
    });
    let labels = ksmc_sim::selectors::LabelSelector::parse("").ok();
    let filter = time(&mut || {
        let kept: Vec<Value> = items
            .iter()
            .filter(|o| labels.as_ref().is_none_or(|l| l.matches(o)))
            .cloned()
            .map(|mut o| {
                o["apiVersion"] = json!("v1");
                o
            })
            .collect();
        std::hint::black_box(kept);
    });
    let body = json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {}, "items": items});
    let encode = time(&mut || {
        std::hint::black_box(serde_json::to_vec(&body).unwrap_or_default());
    });
    let mut table = Value::Null;
    let render = time(&mut || {
        table = ksmc_sim::table::render(ty, &items, "v1", json!({}), Timestamp::now());
    });
    let encode_table = time(&mut || {
        std::hint::black_box(serde_json::to_vec(&table).unwrap_or_default());
    });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let decode = time(&mut || {
        std::hint::black_box(serde_json::from_slice::<Value>(&bytes).ok());
    });
    println!(
        "  store.list (clone every object under the lock)   {}",
        ms(list)
    );
    println!(
        "  selector filter + apiVersion (a second clone)    {}",
        ms(filter)
    );
    println!(
        "  serde_json::to_vec of the list                   {}",
        ms(encode)
    );
    println!(
        "  table::render                                    {}",
        ms(render)
    );
    println!(
        "  serde_json::to_vec of the Table                  {}",
        ms(encode_table)
    );
    println!(
        "  (for scale: a client's serde_json::from_slice    {})",
        ms(decode)
    );
}

struct Stats {
    median: Duration,
    p95: Duration,
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
        for _ in 0..n {
            let began = Instant::now();
            let (status, _) = conn.get(path, accept).await?;
            samples.push(began.elapsed());
            if status != 200 {
                return Err(format!("GET {path}: status {status}").into());
            }
        }
        Ok(stats(&mut samples))
    }

    /// A whole LIST read in pages of 500 as ksmc-core does: (latency of the whole walk, pages).
    async fn paged_list(&self, n: usize) -> Result<(Stats, usize), Box<dyn std::error::Error>> {
        let mut conn = self.connect().await?;
        let mut samples = Vec::with_capacity(n);
        let mut pages = 0;
        for _ in 0..=n {
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
        Ok((stats(&mut samples), pages))
    }

    /// (requests completed, median latency) of `clients` connections GETting for `duration`.
    async fn throughput(
        &self,
        path: &str,
        clients: usize,
        duration: Duration,
    ) -> Result<(u64, Duration), Box<dyn std::error::Error>> {
        let mut conns = Vec::with_capacity(clients);
        for _ in 0..clients {
            let mut conn = self.connect().await?;
            conn.get(path, JSON).await?;
            conns.push(conn);
        }
        let deadline = Instant::now() + duration;
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
        Ok((samples.len() as u64, stats(&mut samples).median))
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
