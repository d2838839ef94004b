//! Run progress: a redrawn bar on a terminal, plain lines otherwise, JSON lines for scripts.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::Mutex;

use ksmc_core::workflow::{Plan, Progress, RunEvent};

/// Each event as one JSON line on stdout.
#[derive(Debug)]
pub struct JsonLines;

impl Progress for JsonLines {
    fn event(&self, event: RunEvent) {
        if let Ok(line) = serde_json::to_string(&event) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

#[derive(Debug, Default)]
struct State {
    total: u32,
    done: u32,
    current: String,
    drawn: bool,
}

/// Progress for people: on a terminal a bar redrawn in place with the step being worked on;
/// otherwise one line per finished step. Phases and waits are lines in both.
#[derive(Debug)]
pub struct Terminal {
    tty: bool,
    titles: BTreeMap<u32, String>,
    phases: usize,
    state: Mutex<State>,
}

const BAR: usize = 28;
const TITLE: usize = 44;

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

impl Terminal {
    pub fn new(tty: bool, plan: &Plan) -> Self {
        Self {
            tty,
            titles: plan.steps().map(|s| (s.id, s.title.clone())).collect(),
            phases: plan.phases.len(),
            state: Mutex::new(State::default()),
        }
    }

    fn title(&self, step: u32) -> &str {
        self.titles.get(&step).map_or("", String::as_str)
    }

    /// Prints a line above the bar.
    fn line(&self, state: &mut State, text: &str) {
        let mut out = std::io::stdout().lock();
        if state.drawn {
            let _ = write!(out, "\r\x1b[2K");
            state.drawn = false;
        }
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
        drop(out);
        self.draw(state);
    }

    fn draw(&self, state: &mut State) {
        if !self.tty || state.total == 0 {
            return;
        }
        let filled = (state.done as usize * BAR)
            .checked_div(state.total as usize)
            .unwrap_or(0)
            .min(BAR);
        let mut out = std::io::stdout().lock();
        let _ = write!(
            out,
            "\r\x1b[2K[{}{}] {}/{} {}",
            "#".repeat(filled),
            "-".repeat(BAR - filled),
            state.done,
            state.total,
            clip(&state.current, TITLE)
        );
        let _ = out.flush();
        state.drawn = true;
    }

    /// Clears the bar.
    pub fn finish(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.drawn {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
            state.drawn = false;
        }
    }
}

impl Progress for Terminal {
    fn event(&self, event: RunEvent) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        match event {
            RunEvent::Started {
                run_id,
                total,
                done,
            } => {
                state.total = total;
                state.done = done;
                let text = if done > 0 {
                    format!("Resuming run {run_id}: {done}/{total} steps already done.")
                } else {
                    format!("Applying run {run_id}: {total} steps.")
                };
                self.line(&mut state, &text);
            }
            RunEvent::PhaseStarted {
                index,
                title,
                steps,
            } => {
                let text = format!(
                    "== Phase {}/{}: {title} ({})",
                    index + 1,
                    self.phases,
                    crate::review::count(steps as usize, "step")
                );
                state.current.clear();
                self.line(&mut state, &text);
            }
            RunEvent::StepStarted { title, .. } => {
                state.current = title;
                self.draw(&mut state);
            }
            RunEvent::StepWaiting { step, message } => {
                let text = format!("   waiting: {}: {message}", self.title(step));
                self.line(&mut state, &text);
            }
            RunEvent::StepDone { step } => {
                state.done += 1;
                if self.tty {
                    self.draw(&mut state);
                } else {
                    let text = format!(
                        "   [{}/{}] done: {}",
                        state.done,
                        state.total,
                        self.title(step)
                    );
                    self.line(&mut state, &text);
                }
            }
            RunEvent::Finished { .. } => {}
        }
    }
}
