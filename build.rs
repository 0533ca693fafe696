//! Gives `auto`'s calibration key the identity of the code it measures:
//! a hash of the sources of the crates whose speed its cost models describe,
//! and of the profile and target features they were compiled with. A
//! rebuilt hetero whose kernels got faster (or slower) then measures again
//! rather than choosing from models of the old code — within one version
//! number, which is all the key had.

use std::path::Path;

/// FNV-1a, 64-bit: stable, dependency-free, and enough to tell builds apart.
struct Fnv(u64);

impl Fnv {
    fn mix(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Every file under `dir`, in name order, as (path relative to `root`,
/// contents).
fn mix_dir(root: &Path, dir: &Path, hash: &mut Fnv) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            mix_dir(root, &path, hash);
        } else if let Ok(contents) = std::fs::read(&path) {
            hash.mix(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .as_bytes(),
            );
            hash.mix(&contents);
        }
    }
}

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    // The workspace's kernel, driver and shader sources; a published crate
    // without them hashes what it has (its version then tells builds apart).
    for dir in [
        "src",
        "crates/kernel/shaders",
        "crates/core/src",
        "crates/kernel/src",
        "crates/cpu/src",
        "crates/gpu/src",
    ] {
        let path = root.join(dir);
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            mix_dir(root, &path, &mut hash);
        }
    }
    for var in ["PROFILE", "OPT_LEVEL", "CARGO_CFG_TARGET_FEATURE"] {
        hash.mix(var.as_bytes());
        hash.mix(std::env::var(var).unwrap_or_default().as_bytes());
    }
    println!("cargo:rustc-env=HETERO_BUILD_ID={:016x}", hash.0);
}
