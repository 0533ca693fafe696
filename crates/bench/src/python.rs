//! The reference notebooks' own timings, measured on the 2-core machine
//! hetero's CI runs on (median, seed sizes). They are shown beside hetero's
//! figures as a reference column: measured elsewhere, not re-run here.

use crate::Problem;

/// (what ran, seconds) for `problem` at its seed size; the fastest first.
pub fn figures(problem: Problem) -> &'static [(&'static str, f64)] {
    match problem {
        Problem::Midpoint => &[
            ("numba prange", 5.8e-3),
            ("numpy", 20e-3),
            ("multiprocessing Pool(2)", 0.15),
            ("pure Python loop", 0.26),
        ],
        Problem::Gaussian => &[("Cython+OpenMP(2)", 4.7e-3), ("numpy", 11.5e-3)],
        Problem::Julia => &[("Cython+OpenMP(2)", 34e-3), ("Cython serial", 67e-3)],
        Problem::Pi => &[("numpy", 0.17), ("multiprocessing Pool(2)", 1.27)],
    }
}

/// The fastest notebook figure: what a hetero speed-up "vs Python" is against.
pub fn best(problem: Problem) -> (&'static str, f64) {
    figures(problem)[0]
}
