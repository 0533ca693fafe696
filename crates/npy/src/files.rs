//! Many files through a pool of reader threads.
//!
//! Reading from the page cache or a disk is bound by the kernel's copy and
//! the device's queue, not by arithmetic, so the pool's size is its own
//! knob — not the compute thread count. Each reader keeps one
//! [`NpyBuffer`] for all its files and computes a file's statistics right
//! after reading it, while the data is still in its core's cache (the
//! statistics cost a fraction of the read). Memory is O(readers × largest
//! file), whatever the number of files. Results stream to the caller as
//! files complete, tagged with their index in the input list.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use hetero_kernel::Real;

use crate::error::NpyError;
use crate::read::NpyBuffer;
use crate::stats::{Stats, StatsAccumulator};

/// Whether a folder's entry named `name` is one of its `.npy` files as
/// Python's `glob("*.npy")` sees them: the suffix, and not hidden (`*`
/// does not match a leading dot).
fn is_listed_npy(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with(".npy") && !name.starts_with('.')
}

/// The `.npy` files of the folder `dir`, sorted — what
/// `sorted(glob("dir/*.npy"))` lists — and how many other files it holds
/// (the caller says they were skipped). Sub-folders are neither.
///
/// # Errors
/// Why the folder cannot be listed.
pub fn npy_files_in(dir: &Path) -> std::io::Result<(Vec<PathBuf>, usize)> {
    let (mut found, others): (Vec<PathBuf>, Vec<PathBuf>) = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.is_dir())
        .partition(|p| p.file_name().is_some_and(is_listed_npy));
    found.sort();
    Ok((found, others.len()))
}

/// One file's outcome: its index in the list given, and its statistics or
/// why it could not be read.
#[derive(Debug)]
pub struct FileResult<T = Stats> {
    pub index: usize,
    pub result: Result<T, NpyError>,
}

/// Runs `work` on every file of `paths` with `readers` threads (at least
/// one, at most one per file), each with its own reused buffer, and hands
/// each outcome to `on_result` on the calling thread as it completes.
pub fn for_each_file<T: Send>(
    paths: &[PathBuf],
    readers: usize,
    work: impl Fn(&mut NpyBuffer, &Path) -> Result<T, NpyError> + Sync,
    mut on_result: impl FnMut(FileResult<T>),
) {
    let readers = readers.clamp(1, paths.len().max(1));
    let next = AtomicUsize::new(0);
    let read_all = |tx: &mut dyn FnMut(FileResult<T>) -> bool| {
        let mut buffer = NpyBuffer::default();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(index) else {
                break;
            };
            let result = work(&mut buffer, path);
            if !tx(FileResult { index, result }) {
                break;
            }
        }
    };
    // A bounded queue: readers wait rather than pile up results.
    let (tx, rx) = mpsc::sync_channel::<FileResult<T>>(4 * readers);
    std::thread::scope(|scope| {
        let mut started = 0;
        for k in 0..readers {
            let tx = tx.clone();
            let read_all = &read_all;
            let spawned = std::thread::Builder::new()
                .name(format!("hetero-npy-{k}"))
                .spawn_scoped(scope, move || read_all(&mut |r| tx.send(r).is_ok()));
            if spawned.is_err() {
                break; // the OS refused a thread: the others share the work
            }
            started += 1;
        }
        drop(tx);
        if started == 0 {
            read_all(&mut |r| {
                on_result(r);
                true
            });
            return;
        }
        for r in rx {
            on_result(r);
        }
    });
}

/// [`Stats`] of every file in lanes of `R` (see [`Stats::of`]), with
/// `readers` reader threads; outcomes as they complete.
pub fn stats_of_files<R: Real<Scalar = f64>>(
    paths: &[PathBuf],
    readers: usize,
    on_result: impl FnMut(FileResult<Stats>),
) {
    for_each_file(
        paths,
        readers,
        |buffer, path| {
            let mut acc = StatsAccumulator::<R>::new();
            buffer.for_each_chunk(path, |values| acc.add(values))?;
            Ok(acc.finish())
        },
        on_result,
    );
}

/// The floor under [`stats_of_files`]: the same pool reading the same files
/// in the same chunks into the same buffers, with no statistics. Returns
/// the values read.
pub fn read_only(paths: &[PathBuf], readers: usize) -> u64 {
    let mut values = 0;
    for_each_file(
        paths,
        readers,
        |buffer, path| {
            let mut seen = 0u64;
            buffer.for_each_chunk(path, |chunk| seen += chunk.len() as u64)?;
            Ok(seen)
        },
        |r| values += r.result.unwrap_or(0),
    );
    values
}
