//! What every suite shares: an in-process estate with its kubeconfig directory, medians,
//! `/proc` readings, the real kubectl as a process, the result table and the JSON file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use ksmc_core::ClusterSource;
use ksmc_core::kubeconfig::sources_in_dir;
use ksmc_sim::{Estate, EstateOptions, FaultPlan, Scenario};
use serde::Serialize;
use serde_json::{Value, json};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// A ksmc-sim estate served from this process, its kubeconfigs in a temporary directory.
pub struct Env {
    pub estate: Estate,
    pub dir: tempfile::TempDir,
    pub sources: Vec<ClusterSource>,
    /// Seconds it took to start (seeding included).
    pub started_in: f64,
}

impl Env {
    /// Starts `scenario` with `latency_ms` added to every request of every cluster.
    pub async fn start(scenario: &Scenario, latency_ms: u64) -> Result<Self> {
        let began = Instant::now();
        let options = EstateOptions {
            faults: FaultPlan::latency(latency_ms, 0),
            ..EstateOptions::default()
        };
        let estate = Estate::start(scenario, &options).await?;
        let dir = tempfile::tempdir()?;
        estate.write_dir(dir.path())?;
        let sources = load_sources(dir.path())?;
        Ok(Self {
            estate,
            dir,
            sources,
            started_in: began.elapsed().as_secs_f64(),
        })
    }

    /// Requests the estate's servers have seen (all clusters), as counted by the fault layer.
    pub fn requests(&self) -> u64 {
        self.estate
            .clusters()
            .iter()
            .map(|c| c.faults.stats().requests)
            .sum()
    }

    /// TLS handshakes the estate's servers have completed (all clusters): new connections.
    pub fn tls_handshakes(&self) -> u64 {
        self.estate
            .clusters()
            .iter()
            .map(|c| c.faults.tls_handshakes())
            .sum()
    }

    /// Requests one cluster has seen.
    pub fn requests_of(&self, cluster: &str) -> u64 {
        self.estate
            .cluster(cluster)
            .map_or(0, |c| c.faults.stats().requests)
    }

    pub fn kubeconfig(&self, cluster: &str) -> PathBuf {
        self.dir.path().join(format!("{cluster}.kubeconfig"))
    }

    /// Names of the namespaces of `cluster` that carry a workspace label other than
    /// `system-workspace`: the projects the seed's procedure would keep, sorted.
    pub fn projects(&self, cluster: &str) -> Vec<String> {
        let Some(c) = self.estate.cluster(cluster) else {
            return Vec::new();
        };
        let (items, _) = c.cluster.store.list(&ksmc_sim::ops::namespaces_key(), None);
        let mut names: Vec<String> = items
            .iter()
            .filter(|ns| {
                ns.pointer("/metadata/labels/kubesphere.io~1workspace")
                    .and_then(Value::as_str)
                    .is_some_and(|w| w != "system-workspace")
            })
            .filter_map(|ns| ns.pointer("/metadata/name").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    pub async fn shutdown(self) {
        self.estate.shutdown().await;
    }
}

/// Parses every kubeconfig of a directory.
pub fn load_sources(dir: &Path) -> Result<Vec<ClusterSource>> {
    let mut sources = Vec::new();
    for (path, source) in sources_in_dir(dir)? {
        sources.push(source.map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(sources)
}

/// The median of samples (the mean of the middle two for an even count).
pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), Linux only.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Peak resident memory of this process so far, in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    proc_status_kib("VmHWM").map(|k| k as f64 / 1024.0)
}

/// Resident memory of this process now, in MiB.
pub fn rss_mib() -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    proc_status_kib("VmRSS").map(|k| k as f64 / 1024.0)
}

/// User + system CPU seconds of this process (Linux; clock ticks of 1/100 s).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The real kubectl, run as a process per command like a user's shell does, with one
/// discovery cache shared by every call (`KUBECACHEDIR`).
pub struct Kubectl {
    pub bin: PathBuf,
    cache: tempfile::TempDir,
}

/// One kubectl command's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct KubectlCall {
    pub args: Vec<String>,
    pub seconds: f64,
    pub ok: bool,
}

impl Kubectl {
    pub fn new(bin: &Path) -> Result<Self> {
        let this = Self {
            bin: bin.to_owned(),
            cache: tempfile::tempdir()?,
        };
        let out = Command::new(&this.bin)
            .args(["version", "--client"])
            .env("KUBECACHEDIR", this.cache.path())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        if !out.status.success() {
            return Err(format!("{} version --client failed", bin.display()).into());
        }
        Ok(this)
    }

    /// `kubectl version --client`, first line.
    pub fn version(&self) -> String {
        Command::new(&self.bin)
            .args(["version", "--client"])
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    }

    /// The cost of starting kubectl alone: median of 5 `kubectl version --client`.
    pub fn startup(&self) -> f64 {
        let samples: Vec<f64> = (0..5)
            .map(|_| {
                let began = Instant::now();
                let _ = Command::new(&self.bin)
                    .args(["version", "--client"])
                    .env("KUBECACHEDIR", self.cache.path())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                began.elapsed().as_secs_f64()
            })
            .collect();
        median(&samples)
    }

    /// Runs `kubectl --kubeconfig KUBECONFIG ARGS…`, output discarded, and times it.
    pub fn run(&self, kubeconfig: &Path, args: &[&str]) -> KubectlCall {
        let began = Instant::now();
        let status = Command::new(&self.bin)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .env("KUBECACHEDIR", self.cache.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        KubectlCall {
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            seconds: began.elapsed().as_secs_f64(),
            ok: status.is_ok_and(|s| s.success()),
        }
    }
}

/// How a ratio reads.
#[derive(Clone, Copy)]
pub enum Ratio {
    /// baseline / ksmc: "N× faster".
    Faster,
    /// ksmc / baseline: "N× the floor".
    OfFloor,
    /// ksmc / baseline: "N× <what>".
    Of(&'static str),
    /// No ratio (a figure on its own).
    None,
}

/// One row of the result table: `| measure | ksmc | baseline | ratio |`.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub measure: String,
    pub ksmc: String,
    pub baseline: String,
    pub ratio: String,
    /// The ratio as a number (baseline/ksmc for speedups, ksmc/floor for floors).
    pub ratio_value: Option<f64>,
}

#[derive(Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

impl Table {
    /// A row of two durations in seconds.
    pub fn seconds(&mut self, measure: &str, ksmc: f64, baseline: f64, label: &str, ratio: Ratio) {
        let usable = baseline.is_finite() && baseline > 0.0 && ksmc.is_finite() && ksmc > 0.0;
        let value = match ratio {
            Ratio::Faster if usable => Some(baseline / ksmc),
            Ratio::OfFloor | Ratio::Of(_) if usable => Some(ksmc / baseline),
            _ => None,
        };
        self.rows.push(Row {
            measure: measure.to_owned(),
            ksmc: secs(ksmc),
            baseline: if baseline.is_nan() {
                "—".to_owned()
            } else {
                format!("{} {label}", secs(baseline)).trim_end().to_owned()
            },
            ratio: match (ratio, value) {
                (Ratio::Faster, Some(v)) => format!("{v:.1}× faster"),
                (Ratio::OfFloor, Some(v)) => format!("{v:.2}× the floor"),
                (Ratio::Of(what), Some(v)) => format!("{v:.2}× {what}"),
                _ => "—".to_owned(),
            },
            ratio_value: value,
        });
    }

    /// A free-form row.
    pub fn text(&mut self, measure: &str, ksmc: String, baseline: String, ratio: String) {
        self.rows.push(Row {
            measure: measure.to_owned(),
            ksmc,
            baseline,
            ratio,
            ratio_value: None,
        });
    }

    /// Prints a Markdown table (readable as is on a terminal, pasteable into the docs).
    pub fn print(&self, title: &str) {
        let header = ["measure", "ksmc", "baseline", "ratio"];
        let mut widths = header.map(str::len);
        for r in &self.rows {
            for (w, cell) in widths.iter_mut().zip(cells(r)) {
                *w = (*w).max(cell.chars().count());
            }
        }
        println!();
        println!("{title}");
        println!();
        let line = |cells: [&str; 4]| {
            let mut out = String::from("|");
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                if i == 0 {
                    out.push_str(&format!(" {cell}{} |", " ".repeat(pad)));
                } else {
                    out.push_str(&format!(" {}{cell} |", " ".repeat(pad)));
                }
            }
            println!("{out}");
        };
        line(header);
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    "-".repeat(*w)
                } else {
                    format!("{}:", "-".repeat(w - 1))
                }
            })
            .collect();
        println!("| {} |", rule.join(" | "));
        for r in &self.rows {
            line(cells(r));
        }
    }
}

fn cells(r: &Row) -> [&str; 4] {
    [&r.measure, &r.ksmc, &r.baseline, &r.ratio]
}

/// A duration in seconds, as ms below one second.
pub fn secs(s: f64) -> String {
    if s.is_nan() {
        "—".to_owned()
    } else if s < 0.01 {
        format!("{:.2} ms", s * 1000.0)
    } else if s < 0.1 {
        format!("{:.1} ms", s * 1000.0)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 100.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.0} s")
    }
}

/// Writes the suite's JSON (with the machine and the date around it) when asked.
pub fn write_json(path: Option<&Path>, suite: &str, table: &Table, details: Value) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let doc = json!({
        "suite": suite,
        "measuredAt": jiff::Timestamp::now().to_string(),
        "machine": machine(),
        "release": !cfg!(debug_assertions),
        "table": table.rows,
        "details": details,
    });
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("\nJSON written to {}", path.display());
    Ok(())
}

/// Cores, memory and CPU model, for the record.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let mem_gib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kib| (kib / 1024.0 / 1024.0 * 10.0).round() / 10.0)
    });
    json!({
        "loadAverage": load_average(),
        "cores": std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        "cpu": cpu,
        "memoryGiB": mem_gib,
        "os": std::env::consts::OS,
    })
}

/// The 1, 5 and 15 minute load averages (Linux).
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// Warns about what makes figures unreliable: a debug build, a busy machine.
pub fn warn_debug() {
    if cfg!(debug_assertions) {
        println!("warning: a debug build; measure with --release");
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if let Some([one, ..]) = load_average() {
        #[allow(clippy::cast_precision_loss)]
        if one > cores as f64 * 0.5 {
            println!(
                "note: load average {one:.1} on {cores} cores before the run; other work on this \
                 machine slows both sides (they run interleaved, so ratios hold better than times)"
            );
        }
    }
}

/// Elapsed seconds of an async block.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, f64) {
    let began = Instant::now();
    let out = f.await;
    (out, began.elapsed().as_secs_f64())
}
