//! Result files: regular files replaced whole, everything else written
//! through — never a device node, FIFO or symlink replaced by a file.

#![cfg(unix)]

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use hetero::output::{write_file, write_files};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-output-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn a_regular_file_is_replaced_whole_and_keeps_its_permissions() {
    let dir = scratch("regular");
    let path = dir.join("out.bin");
    std::fs::write(&path, b"old contents, longer than the new").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_file(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(names(&dir), ["out.bin"], "no temporary file is left");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_symlink_is_kept_and_its_target_written() {
    let dir = scratch("symlink");
    let target = dir.join("target.png");
    let link = dir.join("link.png");
    std::fs::write(&target, b"old").unwrap();
    symlink(&target, &link).unwrap();
    write_file(&link, b"new").unwrap();
    assert!(is_symlink(&link), "the link is still a link");
    assert_eq!(std::fs::read(&target).unwrap(), b"new");

    // A dangling link: its target is created, the link kept.
    let dangling = dir.join("dangling.png");
    let missing = dir.join("created.png");
    symlink(&missing, &dangling).unwrap();
    write_file(&dangling, b"made").unwrap();
    assert!(is_symlink(&dangling), "the dangling link is still a link");
    assert_eq!(std::fs::read(&missing).unwrap(), b"made");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_full_device_is_an_error_and_stays_a_device() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("no /dev/full here: skipped");
        return;
    }
    let err = write_file(full, &[7u8; 4096]).unwrap_err();
    assert!(err.to_string().contains("/dev/full"), "{err}");
    assert_eq!(err.source.raw_os_error(), Some(28), "ENOSPC: {err}");
    assert!(
        std::fs::symlink_metadata(full)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_fifo_is_written_through_not_replaced() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    write_file(&fifo, b"through the pipe").unwrap();
    assert_eq!(reader.join().unwrap(), b"through the pipe");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn failures_leave_regular_files_as_they_were_and_no_temporaries() {
    let dir = scratch("failures");
    // A missing folder.
    let err = write_file(&dir.join("no-such-dir").join("x"), b"x").unwrap_err();
    assert_eq!(err.source.kind(), std::io::ErrorKind::NotFound, "{err}");
    // A directory in the way.
    std::fs::create_dir(dir.join("a-dir")).unwrap();
    assert!(write_file(&dir.join("a-dir"), b"x").is_err());
    assert!(dir.join("a-dir").is_dir());
    // Two files, the second impossible: the first keeps its old contents.
    let first = dir.join("first");
    std::fs::write(&first, b"old").unwrap();
    let missing = dir.join("no-such-dir").join("second");
    let err = write_files(&[(&first, b"new"), (&missing, b"new")]).unwrap_err();
    assert_eq!(err.path, missing);
    assert_eq!(std::fs::read(&first).unwrap(), b"old");
    assert_eq!(names(&dir), ["a-dir", "first"], "no temporary file is left");
    std::fs::remove_dir_all(dir).ok();
}

/// A folder that takes no new entry, even from root: `chmod 0555`, and
/// where that does not stop this process (root) the immutable attribute
/// (`chattr +i`, ext4/XFS). Undone on drop. `None` (with the reason) when
/// neither holds here.
struct ClosedFolder(PathBuf, bool);

impl ClosedFolder {
    fn new(dir: &Path) -> Result<Self, String> {
        let refuses = || std::fs::File::create(dir.join(".probe")).is_err();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if refuses() {
            return Ok(Self(dir.to_path_buf(), false));
        }
        let _ = std::fs::remove_file(dir.join(".probe"));
        let chattr = Command::new("chattr").arg("+i").arg(dir).status();
        if chattr.is_ok_and(|s| s.success()) {
            let closed = Self(dir.to_path_buf(), true);
            if refuses() {
                return Ok(closed);
            }
        }
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
        Err("this process may create files in a 0555 folder and chattr +i is not available".into())
    }
}

impl Drop for ClosedFolder {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_writable_file_in_a_folder_that_takes_no_new_file_is_written_in_place() {
    let dir = scratch("closed");
    let path = dir.join("out.csv");
    std::fs::write(&path, b"old contents, longer than the new").unwrap();
    let closed = match ClosedFolder::new(&dir) {
        Ok(closed) => closed,
        Err(why) => {
            assert!(!support_ci(), "CI must run this test: {why}");
            eprintln!("skipped: {why}");
            return;
        }
    };
    write_file(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    // A file that does not exist yet still needs the folder: a clear error.
    let e = write_file(&dir.join("new.csv"), b"x").unwrap_err();
    assert!(e.to_string().contains("new.csv"), "{e}");
    drop(closed);
    assert_eq!(names(&dir), ["out.csv"], "no temporary file is left");
    std::fs::remove_dir_all(dir).ok();
}

fn support_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}
