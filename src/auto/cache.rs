//! Where `auto`'s measurements live between processes: one small text file
//! per machine key (CPU model, the build's SIMD width, threads, GPU adapter
//! and driver, hetero's version and build — a hash of its kernel sources,
//! profile and target features, from `build.rs`) in the user's cache
//! directory, so a second process on the same machine and build measures
//! nothing, and a rebuilt hetero whose kernels changed measures again.
//!
//! The file is `calibration-<hash of the key>.tsv`; its first line is the
//! whole key (a file whose key differs is ignored), then one line per
//! (kernel, backend): `kernel<TAB>backend<TAB>overhead<TAB>per_item<TAB>valid_from<TAB>valid_to`
//! (a line without `valid_to`, as earlier versions wrote, holds for any
//! size). Lines that do not parse are skipped (and measured again). It is
//! replaced whole through [`crate::output::write_file`].

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::model::CostModel;
use crate::Backend;

/// Models by (kernel key, backend).
pub(crate) type Models = HashMap<(String, Backend), CostModel>;

/// The environment variable that moves the cache (an empty value turns the
/// file off: measurements then last as long as the engine).
pub const CACHE_DIR_VARIABLE: &str = "HETERO_CACHE_DIR";

/// The cache directory: `$HETERO_CACHE_DIR`, else `$XDG_CACHE_HOME/hetero`,
/// else `$HOME/.cache/hetero`; `None` when none is set (or the first is
/// set empty).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_VARIABLE) {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let non_empty = |v: &str| std::env::var_os(v).filter(|d| !d.is_empty());
    non_empty("XDG_CACHE_HOME")
        .map(|d| PathBuf::from(d).join("hetero"))
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".cache").join("hetero")))
}

/// The CPU's model name, from /proc/cpuinfo where there is one.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// FNV-1a, for a file name from the key (stable across builds, unlike
/// std's hasher).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The file of `key` in `dir`.
pub(crate) fn file_for(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("calibration-{:016x}.tsv", fnv1a(key)))
}

/// The models stored for `key` at `path` (none if the file is missing,
/// another key's, or unreadable).
pub(crate) fn load(path: &Path, key: &str) -> Models {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Models::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(key) {
        return Models::new();
    }
    lines
        .filter_map(|line| {
            let mut f = line.split('\t');
            let (kernel, backend) = (f.next()?, f.next()?.parse::<Backend>().ok()?);
            let overhead = f
                .next()?
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)?;
            let per_item = f
                .next()?
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)?;
            let valid_from = f.next()?.parse::<u64>().ok()?;
            let valid_to = match f.next() {
                None => u64::MAX,
                Some(to) => to.parse::<u64>().ok().filter(|&to| to >= valid_from)?,
            };
            f.next().is_none().then(|| {
                let model = CostModel {
                    overhead,
                    per_item,
                    valid_from,
                    valid_to,
                };
                ((kernel.to_owned(), backend), model)
            })
        })
        .collect()
}

/// Writes `models` for `key` to `path` (creating its directory).
///
/// # Errors
/// Why the directory or the file could not be written.
pub(crate) fn store(path: &Path, key: &str, models: &Models) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut rows: Vec<_> = models.iter().collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let mut text = format!("{key}\n");
    for ((kernel, backend), m) in rows {
        // Kernel keys are names: keep the format's tabs and lines intact.
        let kernel = kernel.replace(['\t', '\n'], " ");
        let _ = writeln!(
            text,
            "{kernel}\t{backend}\t{:e}\t{:e}\t{}\t{}",
            m.overhead, m.per_item, m.valid_from, m.valid_to
        );
    }
    crate::output::write_file(path, text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_survive_a_round_trip_and_another_keys_file_is_ignored() {
        let dir = std::env::temp_dir().join(format!("hetero-cache-test-{}", std::process::id()));
        let path = file_for(&dir, "key A");
        let mut models = Models::new();
        let model = CostModel {
            overhead: 1.5e-5,
            per_item: 3.25e-9,
            valid_from: 65_536,
            valid_to: 1 << 20,
        };
        models.insert(("pi\tkernel".into(), Backend::SimdThreads), model);
        store(&path, "key A", &models).unwrap();
        let back = load(&path, "key A");
        assert_eq!(
            back.get(&("pi kernel".to_owned(), Backend::SimdThreads)),
            Some(&model)
        );
        assert!(load(&path, "key B").is_empty());
        std::fs::write(&path, "key A\npi\tsimd\tnot-a-number\t1\t1\ngarbage\n").unwrap();
        assert!(load(&path, "key A").is_empty());
        // An earlier version's line (no valid_to) holds for any size; a
        // range that ends before it starts is damage.
        std::fs::write(
            &path,
            "key A\npi\tsimd\t1e-6\t1e-9\t100\npi\tgpu\t1\t1\t100\t99\n",
        )
        .unwrap();
        let back = load(&path, "key A");
        assert_eq!(back.len(), 1);
        assert_eq!(back[&("pi".to_owned(), Backend::Simd)].valid_to, u64::MAX);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
