//! File handling of the vault: private directories, atomic writes (temp file, fsync, rename,
//! fsync of the directory; mode 0600), and an advisory lock serialising writers across
//! processes (the CLI and the desktop app may run at once).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Suffix of temp files; a leftover one is an interrupted write and is removed at open.
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// Creates `dir` (and parents) and makes it private to the user (0700 on Unix).
pub(crate) fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut nonce = [0u8; 6];
    getrandom::fill(&mut nonce).map_err(|_| io::Error::other("no randomness"))?;
    let suffix: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Ok(path.with_file_name(format!(".{}.{suffix}{TEMP_SUFFIX}", name.to_string_lossy())))
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes the temp file and syncs it; returns its path. The first half of [`write_atomic`].
pub(crate) fn write_temp(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let temp = temp_path(path)?;
    let result = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(temp)
}

/// Replaces `path` with `bytes` atomically: a reader sees the old content or the new, never
/// a mix, and a crash leaves the previous file intact. The file is created with mode 0600.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = write_temp(path, bytes)?;
    if let Err(e) = std::fs::rename(&temp, path) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(path.parent());
    Ok(())
}

/// Makes a rename or unlink durable (Unix; a no-op elsewhere).
pub(crate) fn sync_dir(dir: Option<&Path>) {
    #[cfg(unix)]
    if let Some(dir) = dir
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes temp files left by interrupted writes.
pub(crate) fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An exclusive advisory lock on `<dir>/.lock`, held until dropped.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    pub(crate) fn acquire(dir: &Path) -> io::Result<Self> {
        let path = dir.join(".lock");
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path)?;
        file.lock()?;
        Ok(Self { _file: file })
    }
}
