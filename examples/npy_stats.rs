//! The threading notebook's I/O-bound job: the mean and standard deviation
//! of every `.npy` file in a folder, read by a pool of threads sized for
//! I/O, the statistics in SIMD while each file is still in cache.
//!
//! ```sh
//! cargo run --release --example npy_stats -- data --make-fake 2000 --size 100000 --seed 1
//! cargo run --release --example npy_stats -- data                  # a table, one row per file
//! cargo run --release --example npy_stats -- 'data/*.npy' --json --csv stats.csv
//! ```
//!
//! Backends: `scalar` and `simd` read the files one after another on one
//! thread; `threads` and `simd-threads` (the default) use `--threads`
//! readers (default: two per logical core). A file that cannot be read is
//! reported with the reason and the others are still computed; the exit
//! code is 1 if any failed, 2 for a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use hetero::npy::{
    FileResult, NpyError, Stats, Widest, npy_files_in, read_only, stats_of_files, to_npy_bytes,
};
use hetero::{Backend, Width};
use serde_json::{Value, json};

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure};

/// Statistics of many .npy files.
#[derive(Debug, Parser)]
#[command(name = "npy_stats", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Folders, files, or quoted globs such as 'data/*.npy'
    paths: Vec<String>,

    /// Write N fake files of normal f64 (the notebook's) into the folder given, then stop
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = cli::parse_positive)]
    make_fake: Option<u64>,

    /// Values per fake file
    #[arg(long, default_value = "100000", allow_hyphen_values = true, value_parser = cli::parse_positive)]
    size: u64,

    /// Seed of the fake files (file i uses seed + i)
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Also write the table as CSV to FILE
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,

    /// Also time the bare read loop over the same files with the same
    /// readers (no statistics): the floor the statistics sit on
    #[arg(long)]
    floor: bool,
}

/// The files `paths` name — a folder's `.npy` files (sorted; as
/// `glob("*.npy")` in it), a file, or a glob's matches — and how many
/// other files the folders held (skipped, and said so in the summary).
fn expand(paths: &[String]) -> Result<(Vec<PathBuf>, usize), Failure> {
    if paths.is_empty() {
        return Err(Failure::usage(
            "give a folder, files or a quoted glob of .npy files (or --make-fake N into a folder)",
        ));
    }
    let mut files = Vec::new();
    let mut skipped = 0;
    for given in paths {
        let path = Path::new(given);
        if path.is_dir() {
            let (found, others) = npy_files_in(path)
                .map_err(|e| Failure::usage(format!("{given}: cannot list the folder: {e}")))?;
            skipped += others;
            if found.is_empty() {
                return Err(Failure::usage(format!(
                    "{given}: the folder holds no .npy files ({others} other files); give a folder of .npy files or make some with --make-fake N"
                )));
            }
            files.extend(found);
        } else if path.exists() {
            files.push(path.to_path_buf());
        } else if given.contains(['*', '?', '[']) {
            let matches = glob::glob(given)
                .map_err(|e| Failure::usage(format!("{given}: not a valid glob: {e}")))?;
            let before = files.len();
            files.extend(matches.filter_map(Result::ok).filter(|p| !p.is_dir()));
            if files.len() == before {
                return Err(Failure::usage(format!("{given}: the glob matches no file")));
            }
        } else {
            return Err(Failure::usage(format!("{given}: no such file or folder")));
        }
    }
    Ok((files, skipped))
}

/// Writes `count` fake files into `dir`, each whole or not at all, never
/// over an existing file.
fn make_fake(dir: &Path, count: u64, size: u64, seed: u64, json: bool) -> Result<(), Failure> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::runtime(format!("{}: cannot create: {e}", dir.display())))?;
    }
    let name = |i: u64| dir.join(format!("fake_{i:05}.npy"));
    if let Some(taken) = (0..count).map(name).find(|p| p.exists()) {
        return Err(Failure::usage(format!(
            "{} exists; --make-fake never replaces files: choose an empty folder",
            taken.display()
        )));
    }
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s <= 1 << 28)
        .ok_or_else(|| Failure::usage("--size: at most 2^28 values (2 GiB) a file"))?;
    let started = Instant::now();
    for i in 0..count {
        let (values, _) = hetero::standard_normal_inputs(size, seed.wrapping_add(i))?;
        let bytes = to_npy_bytes(&values, &[size])?;
        hetero::output::write_file(&name(i), &bytes)
            .map_err(|e| Failure::runtime(format!("--make-fake: {e}")))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    if json {
        cli::print_json(
            &json!({ "wrote": count, "size": size, "folder": dir, "seconds": seconds }),
        );
    } else {
        println!(
            "wrote {count} files of {size} normal f64 into {} in {seconds:.2} s",
            dir.display()
        );
    }
    Ok(())
}

/// The statistics of every file, in input order, and the seconds taken.
fn compute(
    files: &[PathBuf],
    backend: Backend,
    readers: usize,
) -> (Vec<Option<Result<Stats, NpyError>>>, f64) {
    let mut results: Vec<Option<Result<Stats, NpyError>>> = Vec::new();
    results.resize_with(files.len(), || None);
    // A progress bar on long runs, on stderr, only where it is a terminal.
    let bar = (files.len() >= 500).then(|| indicatif::ProgressBar::new(files.len() as u64));
    let mut store = |r: FileResult| {
        results[r.index] = Some(r.result);
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let started = Instant::now();
    // The backend's width picks the lanes; its threading, the readers
    // (one unless it is a threaded backend).
    if backend.width() == Some(Width::Scalar) {
        stats_of_files::<f64>(files, readers, &mut store);
    } else {
        stats_of_files::<Widest>(files, readers, &mut store);
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    (results, seconds)
}

/// One row of the report: the file's statistics or its error.
fn row(file: &Path, result: &Result<Stats, NpyError>) -> Value {
    match result {
        Ok(s) => json!({
            "file": file, "count": s.count, "mean": s.mean, "std": s.std,
            "std_sample": s.std_sample, "min": s.min, "max": s.max,
        }),
        Err(e) => json!({ "file": file, "error": e.to_string() }),
    }
}

fn csv(files: &[PathBuf], results: &[Result<Stats, NpyError>]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("file,count,mean,std,std_sample,min,max,error\n");
    for (file, result) in files.iter().zip(results) {
        let name = quote(&file.display().to_string());
        match result {
            Ok(s) => out.push_str(&format!(
                "{name},{},{:e},{:e},{:e},{:e},{:e},\n",
                s.count, s.mean, s.std, s.std_sample, s.min, s.max
            )),
            Err(e) => out.push_str(&format!("{name},,,,,,,{}\n", quote(&e.to_string()))),
        }
    }
    out
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    if let Some(count) = args.make_fake {
        let [dir] = args.paths.as_slice() else {
            return Err(Failure::usage(
                "--make-fake N needs exactly one folder to write into",
            ));
        };
        return make_fake(
            Path::new(dir),
            count,
            args.size,
            args.seed,
            args.common.json,
        );
    }
    let backend = match args.common.backend {
        Some(b @ (Backend::Gpu | Backend::Hybrid | Backend::Auto)) => {
            return Err(Failure::usage(format!(
                "--backend {b}: npy_stats runs on the CPU (reading files is I/O); choose scalar, simd, threads or simd-threads"
            )));
        }
        Some(b) => b,
        None => Backend::SimdThreads,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let readers = if backend.is_parallel() {
        match args.common.threads {
            Some(t) if t as usize > hetero::Engine::max_threads() => {
                return Err(Failure::usage(format!(
                    "--threads {t}: at most {} readers",
                    hetero::Engine::max_threads()
                )));
            }
            Some(t) => t as usize,
            None => 2 * cores,
        }
    } else {
        1
    };
    let (files, skipped) = expand(&args.paths)?;
    let mut runs = Vec::with_capacity(args.common.repeat as usize);
    let mut last = Vec::new();
    for _ in 0..args.common.repeat {
        let (results, seconds) = compute(&files, backend, readers);
        runs.push(seconds);
        last = results;
    }
    runs.sort_by(f64::total_cmp);
    let seconds = runs[runs.len() / 2];
    // The floor, timed the same way right after: the same files (now in
    // the page cache either way) through the same readers.
    let floor = args.floor.then(|| {
        let mut times: Vec<f64> = (0..args.common.repeat)
            .map(|_| {
                let started = Instant::now();
                read_only(&files, readers);
                started.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    });
    // Every file is reported once; a gap would be a bug, shown as one.
    let results: Vec<Result<Stats, NpyError>> = last
        .into_iter()
        .zip(&files)
        .map(|(r, path)| {
            r.unwrap_or_else(|| {
                Err(NpyError::Io {
                    path: path.clone(),
                    source: std::io::Error::other("no result was reported for this file"),
                })
            })
        })
        .collect();
    let failed = results.iter().filter(|r| r.is_err()).count();

    if let Some(path) = &args.csv {
        cli::write_outputs(&[(path.as_path(), csv(&files, &results).as_bytes(), "--csv")])?;
    }
    if args.common.json {
        let rows: Vec<Value> = files.iter().zip(&results).map(|(f, r)| row(f, r)).collect();
        cli::print_json(&json!({
            "backend": backend.name(),
            "threads": readers,
            "seconds": seconds,
            "setup_seconds": 0.0,
            "floor_seconds": floor,
            "skipped_files": skipped,
            "files": rows,
        }));
    } else {
        println!(
            "{:<40} {:>9} {:>22} {:>22} {:>12} {:>12}",
            "file", "count", "mean", "std", "min", "max"
        );
        for (file, result) in files.iter().zip(&results) {
            let name = file.display().to_string();
            match result {
                Ok(s) => println!(
                    "{name:<40} {:>9} {:>22.15e} {:>22.15e} {:>12.5e} {:>12.5e}",
                    s.count, s.mean, s.std, s.min, s.max
                ),
                Err(e) => println!("{name:<40} error: {e}"),
            }
        }
        let values: u64 = results.iter().flatten().map(|s| s.count).sum();
        println!(
            "{} files ({failed} failed), {values} values, {readers} reader thread(s), {backend}: {:.3} s ({:.2} GB/s of values)",
            files.len(),
            seconds,
            values as f64 * 8.0 / seconds / 1e9
        );
        if skipped > 0 {
            println!("skipped {skipped} file(s) in the folder(s) that are not *.npy");
        }
        if let Some(floor) = floor {
            println!(
                "reading alone (the floor), same readers: {floor:.3} s; the statistics add {:+.0} %",
                (seconds / floor - 1.0) * 100.0
            );
        }
    }
    if failed > 0 {
        return Err(Failure::runtime(format!(
            "{failed} of {} files could not be read (see their rows)",
            files.len()
        )));
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("npy_stats", run)
}
