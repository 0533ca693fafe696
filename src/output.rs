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
//!
//! Durability, as atomic-write crates and `tempfile::persist` users do it:
//! the temporary file is flushed to disk (`fsync`) before the rename — on
//! ext4 and XFS a crash right after a rename of unsynced data can leave an
//! empty file — and the folder is synced after it, so the rename itself
//! survives. The temporary file is created with the replaced file's
//! permissions (never readable by more users than the file was, not even
//! for a moment). Where the folder cannot take a new entry but the file is
//! writable (a read-only folder holding a writable file), the file is
//! written through in place: what the user asked for, not atomically.

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
                // The folder refuses a new entry but the file is there and
                // may be writable: write it in place (or fail with the
                // file's own reason).
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied && target.is_file() => {
                    through.push((target, bytes, path));
                }
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
    for (_, target, path) in &staged {
        sync_folder_of(target).map_err(fail(path))?;
    }
    Ok(())
}

/// Makes a rename in `target`'s folder durable (`fsync` of the folder).
/// Elsewhere than Unix a folder cannot be opened to sync it; the rename is
/// then as durable as the platform makes it.
fn sync_folder_of(target: &Path) -> io::Result<()> {
    if !cfg!(unix) {
        return Ok(());
    }
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::File::open(dir)?.sync_all()
}

/// Creates the new file `tmp` (never an existing one) with `mode`'s
/// permission bits where the platform has them: the replaced file's, so a
/// private file's replacement is never readable by others, even before its
/// permissions are set.
fn create_new_with_mode(tmp: &Path, mode: Option<u32>) -> io::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode & 0o7777);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(tmp)
}

/// The permission bits of the file at `target`, if there is one.
fn mode_of(target: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(target).ok().map(|m| m.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = target;
        None
    }
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
        let mut file = match create_new_with_mode(&tmp, mode_of(target)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| {
                // Exactly the replaced file's permissions (the umask may
                // have narrowed them at creation).
                match fs::metadata(target) {
                    Ok(old) => file.set_permissions(old.permissions()),
                    Err(_) => Ok(()),
                }
            })
            // On disk before the rename makes it the file.
            .and_then(|()| file.sync_all());
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
    file.flush()?;
    // A regular file written in place (its folder took no new entry) is
    // synced like a staged one; devices and FIFOs have nothing to sync.
    if file.metadata()?.is_file() {
        file.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_temporary_file_is_born_with_the_replaced_files_mode() {
        let dir = std::env::temp_dir().join(format!("hetero-output-mode-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let tmp = dir.join("born");
        let _ = fs::remove_file(&tmp);
        // Before any write or set_permissions: the mode it was created with.
        let file = create_new_with_mode(&tmp, Some(0o100600)).unwrap();
        let mode = file.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a private file's replacement starts private");
        fs::remove_dir_all(dir).ok();
    }
}
