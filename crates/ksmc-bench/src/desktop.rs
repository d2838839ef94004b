//! `desktop`: the release desktop app beside a bare Tauri window (`crates/ksmc-bench-bare`),
//! launched in turn in the same run: time from launch to the first screen painted with its
//! data (the estate overview; the bare window's empty page), and idle memory (PSS and RSS of
//! the app and its WebKit processes). Then the 20,000-row projects table in the real window:
//! first render and filter times (`table.rs`). Needs a display and a session bus:
//!
//! ```text
//! xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- cargo run --release -p ksmc-bench -- desktop
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Env, Result, Table, median, secs, timed, write_json};
use crate::launch::{App, Launch, launch};
use crate::procmem::totals;

/// The issue's targets: within 150 ms and 40 MB of the bare window; filter under 50 ms.
const PAINT_TARGET_S: f64 = 0.150;
const MEMORY_TARGET_MB: f64 = 40.0;
const FILTER_TARGET_MS: f64 = 50.0;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Timed launches of each app (after one untimed warm-up launch each).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds each app idles after its first paint before its memory is read.
    #[arg(long, default_value_t = 5)]
    settle: u64,
    /// Seconds a launch may take to paint.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// The demo scenario ksmc opens (`KSMC_DEMO_SCENARIO`).
    #[arg(long, default_value = "fresh")]
    scenario: String,
    /// Rows of the table benchmark (projects of one member).
    #[arg(long, default_value_t = 20_000)]
    rows: usize,
    /// First renders of the table (each followed by 4 filters).
    #[arg(long, default_value_t = 5)]
    table_runs: usize,
    /// Skip the table benchmark.
    #[arg(long)]
    no_table: bool,
    /// Do not build the UI and the release apps first (use what is in target/release).
    #[arg(long)]
    no_build: bool,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also launch this build of ksmc-desktop (e.g. a copy of an earlier release build), in
    /// the same rounds, as "ksmc (compared)": before/after figures from one session.
    #[arg(long)]
    compare: Option<PathBuf>,
}

/// Environment variables that change how WebKit starts and paints, recorded with the figures.
const RECORDED_ENV: [&str; 5] = [
    "DISPLAY",
    "NO_AT_BRIDGE",
    "WEBKIT_DISABLE_DMABUF_RENDERER",
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "LIBGL_ALWAYS_SOFTWARE",
];

pub async fn run(args: Args) -> Result<()> {
    crate::common::warn_debug();
    if std::env::var_os("DISPLAY").is_none() {
        return Err(
            "no display: run it as `xvfb-run -a -s \"-screen 0 1280x800x24\" \
                    dbus-run-session -- cargo run --release -p ksmc-bench -- desktop`"
                .into(),
        );
    }
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        println!(
            "note: no D-Bus session (run under dbus-run-session); WebKit starts slower without one"
        );
    }
    let repo = crate::table::repo();
    if !args.no_build {
        build(&repo)?;
    }
    let bin_dir = std::env::current_exe()?
        .parent()
        .ok_or("no directory for this executable")?
        .to_owned();
    let mut apps = vec![
        App {
            label: "bare Tauri window",
            bin: existing(&bin_dir.join("ksmc-bench-bare"))?,
            envs: Vec::new(),
            env_remove: Vec::new(),
        },
        App {
            label: "ksmc",
            bin: existing(&bin_dir.join("ksmc-desktop"))?,
            envs: vec![("KSMC_DEMO_SCENARIO".into(), args.scenario.clone())],
            env_remove: vec!["KSMC_KUBECONFIG_DIR".into()],
        },
    ];
    if let Some(bin) = &args.compare {
        apps.push(App {
            label: "ksmc (compared)",
            bin: existing(bin)?,
            ..apps[1].clone()
        });
    }
    let settle = Duration::from_secs(args.settle);
    let timeout = Duration::from_secs(args.timeout);

    println!("desktop: one warm-up launch of each app (untimed)");
    for app in &apps {
        launch(app, Duration::ZERO, timeout)?;
    }
    let mut launches: Vec<Vec<Launch>> = vec![Vec::new(); apps.len()];
    for run in 0..args.runs.max(1) {
        // Rotate which goes first, so none always follows the same one's teardown.
        let order: Vec<usize> = (0..apps.len()).map(|k| (k + run) % apps.len()).collect();
        for i in order {
            let l = launch(&apps[i], settle, timeout)?;
            let (pss, rss) = totals(&l.processes);
            println!(
                "  run {} {:<18} painted after {:>7}, idle PSS {:>6.1} MB, RSS {:>6.1} MB ({} processes)",
                run + 1,
                apps[i].label,
                secs(l.painted_s),
                mb(pss),
                mb(rss),
                l.processes.len()
            );
            launches[i].push(l);
        }
    }

    let parts = startup_parts(&args.scenario, args.runs.max(1)).await?;
    let table = if args.no_table {
        None
    } else {
        Some(crate::table::measure(&repo, &apps[1].bin, args.rows, args.table_runs.max(1)).await?)
    };
    let mut results = summarize(&apps, &launches, table.as_ref(), &args);
    results.text(
        "of ksmc's launch: demo estate start, in setup before the window (median)",
        secs(parts.0),
        "—".into(),
        "—".into(),
    );
    results.text(
        "of ksmc's launch: first fleet inspection of the demo estate (median)",
        secs(parts.1),
        "—".into(),
        "—".into(),
    );
    results.print(&format!(
        "desktop: launch to first paint and idle memory (medians of {} launches, idle {} s), \
         ksmc (demo `{}`) vs a bare Tauri window",
        args.runs.max(1),
        args.settle,
        args.scenario
    ));
    print_processes(&apps, &launches);
    print_phases(&apps, &launches);
    let env: serde_json::Map<String, Value> = RECORDED_ENV
        .iter()
        .map(|k| ((*k).to_owned(), json!(std::env::var(k).ok())))
        .collect();
    write_json(
        args.json.as_deref(),
        "desktop",
        &results,
        json!({
            "scenario": args.scenario,
            "settleSeconds": args.settle,
            "environment": env,
            "bare": launches[0],
            "ksmc": launches[1],
            "compared": launches.get(2),
            "comparedBin": args.compare,
            "table": table,
            "demoEstateStartS": parts.0,
            "firstInspectionS": parts.1,
        }),
    )
}

/// Where ksmc's launch goes before its UI can paint, measured here the way the app does it:
/// the in-process demo estate starting (`AppState::open` blocks the setup hook on it, so the
/// window opens after it), and the first `inspect_fleet` of it that the overview waits for.
async fn startup_parts(scenario: &str, runs: usize) -> Result<(f64, f64)> {
    let scenario = ksmc_sim::Scenario::by_name(scenario)?;
    let (mut start, mut inspect) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let env = Env::start(&scenario, 0).await?;
        start.push(env.started_in);
        let (_, took) = timed(ksmc_core::fleet::inspect_sources(&env.sources)).await;
        inspect.push(took);
        env.shutdown().await;
    }
    Ok((median(&start), median(&inspect)))
}

fn existing(path: &Path) -> Result<PathBuf> {
    if path.exists() {
        Ok(path.to_owned())
    } else {
        Err(format!("{} is missing: run without --no-build", path.display()).into())
    }
}

/// The UI, then both apps in release with the page embedded, as `tauri build` builds the app.
fn build(repo: &Path) -> Result<()> {
    let run = |what: &str, command: &mut Command| -> Result<()> {
        println!("desktop: {what}");
        let status = command.current_dir(repo).status()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what} failed ({status})").into())
        }
    };
    run(
        "npm --prefix ui run build",
        Command::new("npm").args(["--prefix", "ui", "run", "build"]),
    )?;
    run(
        "cargo build --release -p ksmc-desktop -p ksmc-bench-bare (custom-protocol)",
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).args([
            "build",
            "--release",
            "-p",
            "ksmc-desktop",
            "-p",
            "ksmc-bench-bare",
            "--features",
            "ksmc-desktop/custom-protocol,ksmc-bench-bare/custom-protocol",
        ]),
    )
}

#[allow(clippy::cast_precision_loss)]
fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

fn summarize(apps: &[App], launches: &[Vec<Launch>], table: Option<&Value>, args: &Args) -> Table {
    let painted = |i: usize| median(&launches[i].iter().map(|l| l.painted_s).collect::<Vec<_>>());
    let memory = |i: usize, pss: bool| {
        median(
            &launches[i]
                .iter()
                .map(|l| {
                    let (p, r) = totals(&l.processes);
                    mb(if pss { p } else { r })
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut t = Table::default();
    let bare = painted(0);
    for (i, app) in apps.iter().enumerate().skip(1) {
        let label = if i == 1 {
            String::new()
        } else {
            format!(" [{}]", app.label)
        };
        let ksmc = painted(i);
        let delta = ksmc - bare;
        t.text(
            &format!("launch → first screen painted{label}"),
            secs(ksmc),
            format!("{} bare window", secs(bare)),
            format!(
                "{:+.0} ms (target ≤ +150 ms: {})",
                delta * 1000.0,
                verdict(delta <= PAINT_TARGET_S),
            ),
        );
    }
    for (pss, name) in [(true, "PSS"), (false, "RSS")] {
        for (i, app) in apps.iter().enumerate().skip(1) {
            let label = if i == 1 {
                String::new()
            } else {
                format!(" [{}]", app.label)
            };
            let (k, b) = (memory(i, pss), memory(0, pss));
            let d = k - b;
            let ratio = if pss {
                format!(
                    "{d:+.1} MB (target ≤ +40 MB: {})",
                    verdict(d <= MEMORY_TARGET_MB)
                )
            } else {
                format!("{d:+.1} MB")
            };
            t.text(
                &format!(
                    "idle {name}, app + WebKit processes ({} s after paint){label}",
                    args.settle
                ),
                format!("{k:.1} MB"),
                format!("{b:.1} MB bare window"),
                ratio,
            );
        }
    }
    if let Some(v) = table {
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        t.text(
            &format!("table of {} rows: first render (median)", args.rows),
            format!("{:.1} ms", f("firstRenderMedianMs")),
            "—".into(),
            "—".into(),
        );
        let filter = f("filterMedianMs");
        t.text(
            &format!(
                "table of {} rows: filter → painted (median; max {:.1} ms)",
                args.rows,
                f("filterMaxMs")
            ),
            format!("{filter:.1} ms"),
            format!("{FILTER_TARGET_MS:.0} ms target"),
            format!(
                "{:.2}× the target ({})",
                filter / FILTER_TARGET_MS,
                verdict(filter < FILTER_TARGET_MS)
            ),
        );
    }
    t
}

/// The median PSS of each process of each app, by name: where the memory is.
fn print_processes(apps: &[App], launches: &[Vec<Launch>]) {
    println!("\nidle PSS by process (median over launches):");
    for (app, runs) in apps.iter().zip(launches) {
        let mut names: Vec<String> = runs
            .iter()
            .flat_map(|l| l.processes.iter().map(|p| p.name.clone()))
            .collect();
        names.sort();
        names.dedup();
        let parts: Vec<String> = names
            .iter()
            .map(|n| {
                let samples: Vec<f64> = runs
                    .iter()
                    .map(|l| {
                        mb(l.processes
                            .iter()
                            .filter(|p| &p.name == n)
                            .map(|p| p.pss_kib)
                            .sum())
                    })
                    .collect();
                format!("{n} {:.1} MB", median(&samples))
            })
            .collect();
        println!("  {:<18} {}", app.label, parts.join(", "));
    }
}

/// The start-up phases of every app side by side: the median time of each mark since the
/// spawn, over the launches that printed it, in the order of the first app that has it.
fn print_phases(apps: &[App], launches: &[Vec<Launch>]) {
    let at = |runs: &[Launch], name: &str| -> Option<f64> {
        let samples: Vec<f64> = runs
            .iter()
            .filter_map(|l| l.phases.iter().find(|p| p.name == name).map(|p| p.ms))
            .collect();
        (!samples.is_empty()).then(|| median(&samples))
    };
    let mut names: Vec<(f64, String)> = Vec::new();
    for runs in launches.iter().rev() {
        for l in runs {
            for p in &l.phases {
                if !names.iter().any(|(_, n)| n == &p.name) {
                    names.push((at(runs, &p.name).unwrap_or(p.ms), p.name.clone()));
                }
            }
        }
    }
    if names.is_empty() {
        return;
    }
    names.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "\nstart-up phases, ms since spawn (median over launches; `page:` marks are the page's):"
    );
    let header: Vec<String> = apps.iter().map(|a| format!("{:>16}", a.label)).collect();
    println!("  {:<30}{}", "phase", header.join(""));
    for (_, name) in &names {
        let cells: Vec<String> = launches
            .iter()
            .map(|runs| {
                at(runs, name).map_or_else(|| format!("{:>16}", "—"), |ms| format!("{ms:>16.0}"))
            })
            .collect();
        println!("  {name:<30}{}", cells.join(""));
    }
}
