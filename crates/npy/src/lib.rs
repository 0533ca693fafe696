//! # hetero-npy
//!
//! The I/O-bound job of the reference notebooks: statistics over thousands
//! of NumPy `.npy` files. A reader and a writer of the format (no ndarray:
//! the data lands in a buffer the caller reuses), per-file statistics in
//! SIMD at any lane width, and a pool of reader threads sized for I/O, not
//! for cores.
//!
//! ```
//! use hetero_npy::{NpyBuffer, Stats, Widest, to_npy_bytes};
//!
//! let path = std::env::temp_dir().join(format!("doc-{}.npy", std::process::id()));
//! std::fs::write(&path, to_npy_bytes(&[1.0f64, 2.0, 3.0, 4.0], &[4])?)?;
//! let mut buffer = NpyBuffer::default(); // reused from file to file
//! let array = buffer.read(&path)?;
//! let stats = Stats::of::<Widest>(array.values());
//! assert_eq!((stats.count, stats.mean, stats.min, stats.max), (4, 2.5, 1.0, 4.0));
//! # std::fs::remove_file(path).ok();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// No unsafe code: a new `unsafe` here is a decision to make visibly,
// by lifting this.
#![forbid(unsafe_code)]

mod dtype;
mod error;
mod files;
mod header;
mod read;
mod stats;
mod write;

pub use dtype::{Dtype, Kind};
pub use error::NpyError;
pub use files::{FileResult, for_each_file, npy_files_in, read_only, stats_of_files};
pub use header::{Header, MAX_HEADER_LEN};
pub use read::{NpyArray, NpyBuffer};
pub use stats::{Stats, StatsAccumulator, Widest};
pub use write::{NpyElement, to_npy_bytes};
