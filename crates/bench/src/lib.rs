//! # hetero-bench
//!
//! Cross-validates every hetero backend against the scalar reference, times
//! it, and writes a report a person wants to read: `results.json` (one
//! record per measurement), `report.md` (tables) and SVG plots. All logic is
//! here; `src/main.rs` is the command line on top.
//!
//! The experiments are the reference notebooks' lessons made measurable:
//! serial vs vectorised vs threads vs GPU (the matrix), scaling with cores,
//! scaling with size (where threads and the GPU start to pay), the cost of
//! tiny tasks (granularity), scheduling policies on balanced and uneven
//! work (schedule), what a message costs (latency, the ping-pong exercise),
//! and where a GPU call's time goes. Each figure is
//! shown beside the machine's own ceiling (floating-point peak, memory bandwidth).

// No unsafe code: a new `unsafe` here is a decision to make visibly,
// by lifting this.
#![forbid(unsafe_code)]

pub mod ceilings;
pub mod experiments;
pub mod gpu_check;
pub mod latency;
pub mod machine;
pub mod measure;
pub mod plots;
pub mod record;
pub mod report;
pub mod schedules;
pub mod workloads;

pub use record::{Environment, Record, Results};
