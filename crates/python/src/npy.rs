//! `hetero.npy_stats`: the statistics of many `.npy` files through the
//! Rust reader pool (each reader streams its files in cache-sized chunks
//! and reuses one buffer), the notebooks' threads-for-I/O lesson.

use std::path::PathBuf;

use hetero::npy::{FileResult, NpyError, Stats, Widest, npy_files_in, stats_of_files};
use pyo3::exceptions::{PyFileNotFoundError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// The files `given` names: a folder (its `.npy` files, sorted, as
/// `sorted(glob("*.npy"))`), one file, or an iterable of paths (kept as
/// given, in order; one that cannot be read gets an error row).
fn files_of(given: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    let one_path = given.is_instance_of::<PyString>() || given.hasattr("__fspath__")?;
    if !one_path {
        let Ok(items) = given.try_iter() else {
            return Err(PyTypeError::new_err(format!(
                "npy_stats takes a folder, a file or a list of paths, not {}",
                given.get_type().name()?
            )));
        };
        return items
            .map(|item| {
                item?
                    .extract::<PathBuf>()
                    .map_err(|_| PyTypeError::new_err("every path must be a str or an os.PathLike"))
            })
            .collect();
    }
    let path: PathBuf = given.extract()?;
    if path.is_dir() {
        let (files, others) = npy_files_in(&path).map_err(|e| {
            PyValueError::new_err(format!("{}: cannot list the folder: {e}", path.display()))
        })?;
        if files.is_empty() {
            return Err(PyValueError::new_err(format!(
                "{}: the folder holds no .npy files ({others} other files); give a folder of .npy files",
                path.display()
            )));
        }
        Ok(files)
    } else if path.exists() {
        Ok(vec![path])
    } else {
        Err(PyFileNotFoundError::new_err(format!(
            "{}: no such file or folder",
            path.display()
        )))
    }
}

/// The statistics of every `.npy` file in `folder_or_paths`: a folder (its
/// `.npy` files, sorted; other files are skipped), one file, or a list of
/// paths. One dict per file, in order: `file, count, mean, std,
/// std_sample, min, max` (std: numpy's `std`, ddof=0; std_sample: ddof=1)
/// or `file, error` for a file that cannot be read (missing, not `.npy`,
/// truncated, an unsupported dtype — f8, f4, i8, i4 and u4 are read).
/// `threads` reader threads (default: two per logical core; reading is
/// I/O, so more readers than cores pay); memory is one buffer per reader,
/// whatever the number of files. The GIL is released while they read.
#[pyfunction]
#[pyo3(signature = (folder_or_paths, threads=None))]
pub fn npy_stats<'py>(
    py: Python<'py>,
    folder_or_paths: &Bound<'py, PyAny>,
    threads: Option<usize>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let files = files_of(folder_or_paths)?;
    let readers = match threads {
        Some(0) => {
            return Err(PyValueError::new_err(
                "threads must be at least 1 (or None: two per logical core)",
            ));
        }
        Some(t) if t > hetero::Engine::max_threads() => {
            return Err(PyValueError::new_err(format!(
                "threads={t}: at most {} readers",
                hetero::Engine::max_threads()
            )));
        }
        Some(t) => t,
        None => 2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let results = py.detach(|| {
        let mut results: Vec<Option<Result<Stats, NpyError>>> = Vec::new();
        results.resize_with(files.len(), || None);
        stats_of_files::<Widest>(&files, readers, |r: FileResult| {
            results[r.index] = Some(r.result);
        });
        results
    });
    files
        .iter()
        .zip(results)
        .map(|(file, result)| {
            let row = PyDict::new(py);
            row.set_item("file", file.display().to_string())?;
            match result {
                Some(Ok(s)) => {
                    row.set_item("count", s.count)?;
                    row.set_item("mean", s.mean)?;
                    row.set_item("std", s.std)?;
                    row.set_item("std_sample", s.std_sample)?;
                    row.set_item("min", s.min)?;
                    row.set_item("max", s.max)?;
                }
                Some(Err(e)) => row.set_item("error", e.to_string())?,
                // Every index is reported once; a missing one is a bug
                // that must not look like data.
                None => row.set_item("error", "not read (an internal error)")?,
            }
            Ok(row)
        })
        .collect()
}
