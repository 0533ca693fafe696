//! Writing result files (images, `.npy` arrays, reports) the way a user
//! expects: a regular file is replaced whole or not at all, anything else
//! is written through.
//!
//! Atomic replacement (a temporary file beside the target, then a rename)
//! is right for a regular file: a reader never sees half of it, and a
//! failure leaves the old contents. It is wrong for everything else: renamed
//! over a symlink it replaces the link instead of its target, and over
//! `/dev/stdout`, a FIFO or a device node it replaces the node with a
//! regular file. So those are opened and written through, and an error
//! such as ENOSPC (`/dev/full`) or EPIPE is reported, never swallowed.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

/// A file that could not be written, with the path it was for.
#[derive(Debug, Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The path the caller asked for.
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// How one target is written.
enum Target {
    /// A regular file (or none yet) at this path, after following symlinks:
    /// replaced by a rename.
    Replace(PathBuf),
    /// A device, FIFO, socket or dangling symlink: opened and written.
    Through(PathBuf),
}

/// Writes `bytes` to `path`: a regular file (or a new one) is replaced
/// whole or not at all; a symlink's target is written, the link kept; a
/// device, FIFO or `/dev/stdout` is written through.
///
/// # Errors
/// [`WriteError`] with the OS's reason (no such folder, permission denied,
/// no space left, a directory in the way, ...). A regular file is then left
/// as it was.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_files(&[(path, bytes)])
}

/// Writes several files so that the regular ones change together: every
/// one is written to a temporary file first, and only when all succeeded
/// are they renamed into place (a reader never sees a report whose files
/// disagree). Non-regular targets are written through between the two
/// steps.
///
/// # Errors
/// The first [`WriteError`]; if it happens before the renames, no regular
/// target has changed.
pub fn write_files(files: &[(&Path, &[u8])]) -> Result<(), WriteError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut staged: Vec<(PathBuf, PathBuf, &Path)> = Vec::new();
    let mut through: Vec<(PathBuf, &[u8], &Path)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf, &Path)]| {
        for (tmp, _, _) in staged {
            let _ = fs::remove_file(tmp);
        }
    };
    for &(path, bytes) in files {
        match classify(path) {
            Target::Replace(target) => match stage(&target, bytes) {
                Ok(tmp) => staged.push((tmp, target, path)),
                Err(e) => {
                    cleanup(&staged);
                    return Err(fail(path)(e));
                }
            },
            Target::Through(target) => through.push((target, bytes, path)),
        }
    }
    for (target, bytes, path) in through {
        if let Err(e) = write_through(&target, bytes) {
            cleanup(&staged);
            return Err(fail(path)(e));
        }
    }
    for (k, (tmp, target, path)) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, target) {
            cleanup(&staged[k..]);
            return Err(fail(path)(e));
        }
    }
    Ok(())
}

/// What `path` is, following symlinks to the file they name.
fn classify(path: &Path) -> Target {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => classify(&target),
            // A dangling link: opening it for writing creates its target.
            Err(_) => Target::Through(path.to_path_buf()),
        },
        Ok(meta) if !meta.is_file() => Target::Through(path.to_path_buf()),
        // A regular file, or nothing yet (a missing folder fails in stage).
        _ => Target::Replace(path.to_path_buf()),
    }
}

/// Writes `bytes` to a new temporary file beside `target` and returns its
/// path. The name is fresh (never an existing file) and hidden.
fn stage(target: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = target.parent().unwrap_or(Path::new(""));
    loop {
        let tmp = dir.join(format!(
            ".{}.tmp-{}-{}",
            name.to_string_lossy(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = file.write_all(bytes).and_then(|()| {
            // Keep the permissions of the file being replaced.
            match fs::metadata(target) {
                Ok(old) => file.set_permissions(old.permissions()),
                Err(_) => Ok(()),
            }
        });
        if let Err(e) = written {
            drop(file);
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        return Ok(tmp);
    }
}

/// Opens `target` for writing (creating it behind a dangling link) and
/// writes all of `bytes`.
fn write_through(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(target)?;
    file.write_all(bytes)?;
    file.flush()
}
