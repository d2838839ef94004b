//! The memory of a process and of every process it started, from `/proc` (Linux): PSS and RSS
//! of each from `smaps_rollup`. The desktop app's WebKit processes (`WebKitWebProcess`,
//! `WebKitNetworkProcess`) are its children, so its tree is the app as a user pays for it.

use serde::Serialize;

/// One process of a tree and its memory, in KiB.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcMem {
    pub pid: u32,
    /// `comm`: the executable's name, at most 15 bytes (`WebKitWebProces`).
    pub name: String,
    /// Proportional set size: shared pages divided among the processes sharing them.
    pub pss_kib: u64,
    pub rss_kib: u64,
}

/// The name and parent of a process, from the text of `/proc/PID/stat`.
fn name_and_parent(stat: &str) -> Option<(String, u32)> {
    // `PID (comm) state PPID …`; comm may hold spaces and parentheses: split at the last ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let ppid = stat
        .get(close + 1..)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((name, ppid))
}

/// `Pss:` and `Rss:` of a `smaps_rollup` text, in KiB.
pub fn parse_rollup(text: &str) -> (Option<u64>, Option<u64>) {
    let field = |name: &str| {
        text.lines().find_map(|l| {
            let rest = l.strip_prefix(name)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse().ok()
        })
    };
    (field("Pss"), field("Rss"))
}

/// `root` and all its descendants that are alive now, with their names, parents first.
pub fn tree(root: u32) -> Vec<(u32, String)> {
    let mut all: Vec<(u32, String, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some((name, ppid)) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .as_deref()
                .and_then(name_and_parent)
            {
                all.push((pid, name, ppid));
            }
        }
    }
    let mut found: Vec<(u32, String)> = all
        .iter()
        .filter(|(pid, ..)| *pid == root)
        .map(|(pid, name, _)| (*pid, name.clone()))
        .collect();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i].0;
        found.extend(
            all.iter()
                .filter(|(_, _, ppid)| *ppid == parent)
                .map(|(pid, name, _)| (*pid, name.clone())),
        );
        i += 1;
    }
    found
}

/// The memory of every process of `root`'s tree (those whose `smaps_rollup` can be read).
pub fn tree_memory(root: u32) -> Vec<ProcMem> {
    tree(root)
        .into_iter()
        .filter_map(|(pid, name)| {
            let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            let (pss, rss) = parse_rollup(&text);
            Some(ProcMem {
                pid,
                name,
                pss_kib: pss?,
                rss_kib: rss?,
            })
        })
        .collect()
}

/// Total PSS and RSS of a tree, in KiB.
pub fn totals(procs: &[ProcMem]) -> (u64, u64) {
    procs
        .iter()
        .fold((0, 0), |(p, r), m| (p + m.pss_kib, r + m.rss_kib))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pss_and_rss_of_a_rollup() {
        let text = "55d0c0a00000-7ffd1b5f3000 ---p 00000000 00:00 0 [rollup]\n\
                    Rss:              148212 kB\nPss:               97321 kB\n\
                    Pss_Dirty:         60000 kB\nPss_Anon:          50000 kB\n";
        assert_eq!(parse_rollup(text), (Some(97_321), Some(148_212)));
        assert_eq!(parse_rollup("nothing here"), (None, None));
    }

    #[test]
    fn reads_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (Web Content (x)) S 4241 4242 4242 0 -1 4194560 1 0 0 0";
        assert_eq!(
            name_and_parent(stat),
            Some(("Web Content (x)".to_owned(), 4241))
        );
    }

    #[test]
    fn finds_the_children_of_a_process_and_their_memory() {
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & exec sleep 31"])
            .spawn()
            .unwrap();
        let root = shell.id();
        // The shell forks one sleep and becomes the other: a root with one child.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut procs = tree_memory(root);
        while procs.iter().filter(|p| p.name == "sleep").count() < 2
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
            procs = tree_memory(root);
        }
        for (pid, _) in tree(root).into_iter().rev() {
            let _ = std::process::Command::new("kill")
                .arg(pid.to_string())
                .status();
        }
        let _ = shell.kill();
        let _ = shell.wait();

        assert_eq!(procs[0].pid, root, "the root first: {procs:?}");
        assert_eq!(
            procs.iter().filter(|p| p.name == "sleep").count(),
            2,
            "{procs:?}"
        );
        assert!(
            procs.iter().all(|p| p.rss_kib > 0 && p.pss_kib > 0),
            "{procs:?}"
        );
        let (pss, rss) = totals(&procs);
        assert!(pss <= rss && pss > 0, "PSS {pss} ≤ RSS {rss}");
        // This test process is not part of the shell's tree.
        assert!(procs.iter().all(|p| p.pid != std::process::id()));
    }
}
