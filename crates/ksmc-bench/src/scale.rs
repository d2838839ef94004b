//! `scale`: how inspect and unbind time and peak memory grow with namespaces per member (and
//! members). Each point starts its own estate in this process and runs ksmc in a child process
//! (`ksmc-bench worker`), so the peak memory read from the child's `/proc` is ksmc's alone.

use std::fmt::Write as _;
use std::path::PathBuf;

use ksmc_sim::Scenario;
use ksmc_sim::scenario::BigSize;
use serde::Serialize;
use serde_json::json;

use crate::common::{Env, Ratio, Result, Table, median, secs, write_json};
use crate::ops::{APPLY_CONCURRENCY, INSPECT_CONCURRENCY};
use crate::worker;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Namespaces per member, one point each.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
    namespaces: Vec<usize>,
    /// Member counts, one point each (with every namespace count).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    members: Vec<usize>,
    #[arg(long, default_value_t = 10)]
    workspaces: usize,
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Latency added to every request, in ms.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Runs per point (inspect: in one child; unbind: a fresh estate and child each).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Skip unbind (inspect only).
    #[arg(long)]
    no_unbind: bool,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a plot (SVG, log-log) of time and peak memory against namespaces here.
    #[arg(long)]
    svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Point {
    members: usize,
    namespaces: usize,
    estate_start_seconds: f64,
    inspect_seconds: f64,
    inspect_samples: Vec<f64>,
    inspect_floor_seconds: f64,
    /// The floor with ksmc's own limit of clusters read at once.
    inspect_floor_bounded_seconds: f64,
    inspect_requests: f64,
    inspect_peak_rss_mib: f64,
    inspect_cpu_seconds: f64,
    unbind_seconds: Option<f64>,
    unbind_plan_seconds: Option<f64>,
    unbind_apply_seconds: Option<f64>,
    unbind_samples: Vec<f64>,
    unbind_floor_seconds: Option<f64>,
    unbind_requests: Option<u64>,
    unbind_peak_rss_mib: Option<f64>,
    unbind_kept: Option<u32>,
    /// (phase, seconds) of the first unbind run.
    unbind_phases: Vec<(String, f64)>,
}

fn scenario(args: &Args, members: usize, namespaces: usize) -> Scenario {
    Scenario::big(&BigSize {
        members,
        namespaces,
        users: args.users,
        workspaces: args.workspaces,
    })
}

#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
pub async fn run(args: Args) -> Result<()> {
    crate::common::warn_debug();
    let latency = args.latency_ms as f64 / 1000.0;
    let runs = args.runs.max(1);
    println!(
        "scale: namespaces per member {:?} × members {:?}, {} workspaces, {} users, {} ms per \
         request, {runs} run(s) per point; ksmc runs in a child process",
        args.namespaces, args.members, args.workspaces, args.users, args.latency_ms
    );
    let mut points = Vec::new();
    for &m in &args.members {
        for &n in &args.namespaces {
            let env = Env::start(&scenario(&args, m, n), args.latency_ms).await?;
            let started = env.started_in;
            let r0 = env.requests();
            let runs_arg = runs.to_string();
            let inspect = worker::spawn(&["inspect", "--runs", &runs_arg], env.dir.path()).await?;
            let inspect_requests = (env.requests() - r0) as f64 / runs as f64;
            let facts = inspect.inspected.clone().ok_or("no inspection")?;
            if !facts.unreadable.is_empty() || facts.projects < m * n {
                return Err(format!("inspection incomplete at {m} × {n}: {facts:?}").into());
            }
            let inspect_floor = facts.chain as f64 * latency;
            let inspect_floor_bounded =
                inspect_floor * facts.clusters.div_ceil(INSPECT_CONCURRENCY) as f64;
            println!(
                "  {m} × {n}: estate {started:.1} s; inspect {} (peak RSS {:.0} MiB, {inspect_requests:.0} requests)",
                secs(inspect.seconds),
                inspect.peak_rss_mib
            );
            let mut point = Point {
                members: m,
                namespaces: n,
                estate_start_seconds: started,
                inspect_seconds: inspect.seconds,
                inspect_samples: inspect.samples.clone(),
                inspect_floor_seconds: inspect_floor,
                inspect_floor_bounded_seconds: inspect_floor_bounded,
                inspect_requests,
                inspect_peak_rss_mib: inspect.peak_rss_mib,
                inspect_cpu_seconds: inspect.cpu_seconds,
                unbind_seconds: None,
                unbind_plan_seconds: None,
                unbind_apply_seconds: None,
                unbind_samples: Vec::new(),
                unbind_floor_seconds: None,
                unbind_requests: None,
                unbind_peak_rss_mib: None,
                unbind_kept: None,
                unbind_phases: Vec::new(),
            };
            if !args.no_unbind {
                let mut env = Some(env);
                let mut outs = Vec::new();
                let mut floors = Vec::new();
                let mut requests = Vec::new();
                for _ in 0..runs {
                    let e = match env.take() {
                        Some(e) => e,
                        None => Env::start(&scenario(&args, m, n), args.latency_ms).await?,
                    };
                    let r0 = e.requests();
                    let out = worker::spawn(&["unbind"], e.dir.path()).await?;
                    let reqs = e.requests() - r0;
                    e.shutdown().await;
                    let u = out.unbound.clone().ok_or("no unbind")?;
                    if !u.succeeded || (u.kept as usize) < n {
                        return Err(format!(
                            "unbind at {m} × {n} did not succeed: {} ({:?})",
                            u.status, u.reason
                        )
                        .into());
                    }
                    let pairs = u.unbind_steps as u64;
                    let rt = reqs.saturating_sub(2 * pairs)
                        + 2 * pairs.div_ceil(APPLY_CONCURRENCY as u64);
                    floors.push(rt as f64 * latency);
                    requests.push(reqs);
                    outs.push(out);
                }
                let pick = |f: &dyn Fn(&worker::Output) -> f64| {
                    median(&outs.iter().map(f).collect::<Vec<_>>())
                };
                point.unbind_seconds = Some(pick(&|o| o.seconds));
                point.unbind_plan_seconds = Some(pick(&|o| {
                    o.unbound.as_ref().map_or(f64::NAN, |u| u.plan_seconds)
                }));
                point.unbind_apply_seconds = Some(pick(&|o| {
                    o.unbound.as_ref().map_or(f64::NAN, |u| u.apply_seconds)
                }));
                point.unbind_samples = outs.iter().map(|o| o.seconds).collect();
                point.unbind_peak_rss_mib = Some(pick(&|o| o.peak_rss_mib));
                point.unbind_floor_seconds = Some(median(&floors));
                point.unbind_requests = requests.first().copied();
                point.unbind_phases = outs
                    .first()
                    .and_then(|o| o.unbound.as_ref())
                    .map(|u| u.phases.clone())
                    .unwrap_or_default();
                point.unbind_kept = outs
                    .first()
                    .and_then(|o| o.unbound.as_ref())
                    .map(|u| u.kept);
                println!(
                    "  {m} × {n}: unbind {} (plan {}, apply {}; peak RSS {:.0} MiB, {} requests)",
                    secs(point.unbind_seconds.unwrap_or(f64::NAN)),
                    secs(point.unbind_plan_seconds.unwrap_or(f64::NAN)),
                    secs(point.unbind_apply_seconds.unwrap_or(f64::NAN)),
                    point.unbind_peak_rss_mib.unwrap_or(f64::NAN),
                    point.unbind_requests.unwrap_or(0),
                );
            } else {
                env.shutdown().await;
            }
            points.push(point);
        }
    }

    let mut table = Table::default();
    for p in &points {
        let at = format!("{} member(s) × {} ns", p.members, p.namespaces);
        let bounded = if p.inspect_floor_bounded_seconds > p.inspect_floor_seconds {
            format!(
                "floor ({} at {INSPECT_CONCURRENCY} clusters at a time)",
                secs(p.inspect_floor_bounded_seconds)
            )
        } else {
            "floor".to_owned()
        };
        table.seconds(
            &format!("inspect, {at}"),
            p.inspect_seconds,
            p.inspect_floor_seconds,
            &bounded,
            Ratio::OfFloor,
        );
        if let (Some(u), Some(f)) = (p.unbind_seconds, p.unbind_floor_seconds) {
            table.seconds(
                &format!("unbind member-01, {at}"),
                u,
                f,
                "floor",
                Ratio::OfFloor,
            );
        }
    }
    let mut memory = Table::default();
    for (i, p) in points.iter().enumerate() {
        // The previous point of the same series (same members when namespaces vary, else
        // the previous member count).
        let prev = i.checked_sub(1).map(|j| &points[j]).filter(|q| {
            q.members == p.members || (q.namespaces == p.namespaces && q.members < p.members)
        });
        let at = format!("{} member(s) × {} ns", p.members, p.namespaces);
        let per = |now: f64, before: Option<f64>| match (prev, before) {
            (Some(q), Some(b)) => {
                let added = (p.members * p.namespaces).saturating_sub(q.members * q.namespaces);
                let kib = (now - b) * 1024.0 / added.max(1) as f64;
                if kib.abs() < 0.05 {
                    "±0 KiB per added namespace".to_owned()
                } else {
                    format!("{kib:+.1} KiB per added namespace")
                }
            }
            _ => "—".into(),
        };
        memory.text(
            &format!("peak RSS, inspect, {at}"),
            format!("{:.0} MiB", p.inspect_peak_rss_mib),
            prev.map_or("—".into(), |q| {
                format!(
                    "{:.0} MiB at {} × {} ns",
                    q.inspect_peak_rss_mib, q.members, q.namespaces
                )
            }),
            per(p.inspect_peak_rss_mib, prev.map(|q| q.inspect_peak_rss_mib)),
        );
        if let Some(u) = p.unbind_peak_rss_mib {
            memory.text(
                &format!("peak RSS, unbind, {at}"),
                format!("{u:.0} MiB"),
                prev.and_then(|q| q.unbind_peak_rss_mib)
                    .map_or("—".into(), |b| format!("{b:.0} MiB before")),
                per(u, prev.and_then(|q| q.unbind_peak_rss_mib)),
            );
        }
    }
    table.print(&format!(
        "scale: time — medians of {runs} run(s) per point; floor = round trips × {} ms / concurrency \
         (inspect: all clusters at once; unbind: {APPLY_CONCURRENCY} namespaces at a time)",
        args.latency_ms
    ));
    memory.print("scale: peak memory of the ksmc process (VmHWM of the child)");

    if let Some(path) = &args.svg {
        std::fs::write(path, plot(&points))?;
        println!("\nplot written to {}", path.display());
    }
    let mut rows = table.rows.clone();
    rows.extend(memory.rows.clone());
    let all = Table { rows };
    let details = json!({
        "latencyMs": args.latency_ms,
        "workspaces": args.workspaces,
        "users": args.users,
        "runs": runs,
        "points": points,
    });
    write_json(args.json.as_deref(), "scale", &all, details)
}

/// A two-panel log-log SVG: seconds and peak MiB against namespaces per member (or against
/// members when there is one namespace count).
#[allow(clippy::cast_precision_loss)]
fn plot(points: &[Point]) -> String {
    const W: f64 = 460.0;
    const H: f64 = 320.0;
    const PAD: f64 = 56.0;
    let mut series: Vec<Line> = Vec::new();
    let mut sizes: Vec<usize> = points.iter().map(|p| p.namespaces).collect();
    sizes.sort_unstable();
    sizes.dedup();
    // Several namespace counts: one line per member count against namespaces per member.
    // One namespace count: one line against members.
    let by_namespaces = sizes.len() > 1;
    let mut groups: Vec<usize> = points.iter().map(|p| p.members).collect();
    groups.dedup();
    if !by_namespaces {
        groups.truncate(1);
    }
    let many = by_namespaces && groups.len() > 1;
    let xlabel = if by_namespaces {
        "namespaces per member".to_owned()
    } else {
        format!("members ({} namespaces each)", sizes.first().unwrap_or(&0))
    };
    let colours = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
    ];
    let mut memory: Vec<Line> = Vec::new();
    for (i, m) in groups.iter().enumerate() {
        let pts: Vec<&Point> = points
            .iter()
            .filter(|p| !by_namespaces || p.members == *m)
            .collect();
        let tag = if many {
            format!(", {m} members")
        } else {
            String::new()
        };
        let c = colours[(2 * i) % colours.len()];
        let c2 = colours[(2 * i + 1) % colours.len()];
        let xy = |f: &dyn Fn(&Point) -> Option<f64>| -> Vec<(f64, f64)> {
            pts.iter()
                .filter_map(|p| {
                    let x = if by_namespaces {
                        p.namespaces
                    } else {
                        p.members
                    };
                    Some((x as f64, f(p)?))
                })
                .collect()
        };
        series.push((
            format!("inspect{tag}"),
            c,
            false,
            xy(&|p| Some(p.inspect_seconds)),
        ));
        series.push((
            format!("inspect floor{tag}"),
            c,
            true,
            xy(&|p| Some(p.inspect_floor_seconds)),
        ));
        series.push((format!("unbind{tag}"), c2, false, xy(&|p| p.unbind_seconds)));
        series.push((
            format!("unbind floor{tag}"),
            c2,
            true,
            xy(&|p| p.unbind_floor_seconds),
        ));
        memory.push((
            format!("inspect{tag}"),
            c,
            false,
            xy(&|p| Some(p.inspect_peak_rss_mib)),
        ));
        memory.push((
            format!("unbind{tag}"),
            c2,
            false,
            xy(&|p| p.unbind_peak_rss_mib),
        ));
    }
    let legend_rows = series.len().div_ceil(4);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="11">"#,
        2.0 * W,
        H + 18.0 * legend_rows as f64 + 10.0
    );
    let _ = write!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    panel(
        &mut svg,
        0.0,
        W,
        H,
        PAD,
        "time (s), log-log",
        &xlabel,
        &series,
    );
    panel(
        &mut svg,
        W,
        W,
        H,
        PAD,
        "peak RSS of ksmc (MiB), log-log",
        &xlabel,
        &memory,
    );
    svg.push_str("</svg>\n");
    svg
}

/// One plotted line: label, colour, dashed, points.
type Line = (String, &'static str, bool, Vec<(f64, f64)>);
type Series = [Line];

#[allow(clippy::too_many_arguments)]
fn panel(
    svg: &mut String,
    x0: f64,
    w: f64,
    h: f64,
    pad: f64,
    title: &str,
    xlabel: &str,
    series: &Series,
) {
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.3.iter().copied()).collect();
    if all.is_empty() {
        return;
    }
    let lx = |v: f64| v.max(1e-9).log10();
    let (mut xmin, mut xmax) = (f64::MAX, f64::MIN);
    let (mut ymin, mut ymax) = (f64::MAX, f64::MIN);
    for (x, y) in &all {
        xmin = xmin.min(lx(*x));
        xmax = xmax.max(lx(*x));
        ymin = ymin.min(lx(*y));
        ymax = ymax.max(lx(*y));
    }
    let (xmin, xmax) = (xmin.floor(), xmax.ceil().max(xmin.floor() + 1.0));
    let (ymin, ymax) = (ymin.floor(), ymax.ceil().max(ymin.floor() + 1.0));
    let px = |x: f64| x0 + pad + (lx(x) - xmin) / (xmax - xmin) * (w - 1.6 * pad);
    let py = |y: f64| 20.0 + (ymax - lx(y)) / (ymax - ymin) * (h - pad - 20.0);
    let _ = write!(
        svg,
        r#"<text x="{}" y="14" font-weight="bold">{title}</text>"#,
        x0 + pad
    );
    // Axes with a tick per decade.
    let mut d = xmin;
    while d <= xmax + 1e-9 {
        let x = px(10f64.powf(d));
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="20" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            h - pad,
            h - pad + 14.0,
            decade(d)
        );
        d += 1.0;
    }
    let mut d = ymin;
    while d <= ymax + 1e-9 {
        let y = py(10f64.powf(d));
        let _ = write!(
            svg,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            px(10f64.powf(xmin)),
            px(10f64.powf(xmax)),
            px(10f64.powf(xmin)) - 4.0,
            y + 4.0,
            decade(d)
        );
        d += 1.0;
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{xlabel}</text>"#,
        px(10f64.powf(f64::midpoint(xmin, xmax))),
        h - pad + 30.0
    );
    for (i, (label, colour, dashed, pts)) in series.iter().enumerate() {
        if pts.is_empty() {
            continue;
        }
        let path: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let dash = if *dashed {
            r#" stroke-dasharray="5,4""#
        } else {
            ""
        };
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            path.join(" ")
        );
        for (x, y) in pts {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                px(*x),
                py(*y)
            );
        }
        #[allow(clippy::cast_precision_loss)]
        let ly = h - 6.0 + 18.0 * (i / 4) as f64;
        #[allow(clippy::cast_precision_loss)]
        let lx0 = x0 + pad + ((i % 4) as f64) * 100.0;
        let _ = write!(
            svg,
            r#"<line x1="{lx0:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2"{dash}/><text x="{:.1}" y="{ly:.1}">{label}</text>"#,
            ly - 4.0,
            lx0 + 16.0,
            ly - 4.0,
            lx0 + 20.0
        );
    }
}

fn decade(d: f64) -> String {
    let v = 10f64.powf(d);
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
