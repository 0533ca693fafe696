//! Cross-validation of any kernel: every available backend against
//! `scalar`, with the error and the time of each, in one call.

use core::fmt;
use std::time::Instant;

use hetero_kernel::kernel::try_alloc_output;
use hetero_kernel::{Compare, MapKernel, ReduceKernel};

use crate::{Backend, Engine, Result};

/// Timed runs per backend; the median is reported.
const RUNS: usize = 3;

/// One backend's line of a [`Validation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub backend: Backend,
    /// The error against `scalar` ([`Compare::error_vs`]); `None` when the
    /// backend did not run.
    pub error: Option<f64>,
    /// The median of the timed runs, in seconds.
    pub seconds: Option<f64>,
    /// Why the backend did not run (unavailable, unsupported, failed).
    pub failure: Option<String>,
}

/// Every available backend on one kernel, against `scalar`.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub kernel: &'static str,
    /// One row per backend, `scalar` first.
    pub checks: Vec<Check>,
}

impl Validation {
    /// The largest error of the backends that ran.
    pub fn max_error(&self) -> f64 {
        self.checks
            .iter()
            .filter_map(|c| c.error)
            .fold(0.0, f64::max)
    }

    /// The row of `backend`.
    pub fn check(&self, backend: Backend) -> Option<&Check> {
        self.checks.iter().find(|c| c.backend == backend)
    }
}

impl fmt::Display for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: every backend against scalar", self.kernel)?;
        writeln!(f, "{:<13} {:>12} {:>12}", "backend", "time", "error")?;
        for c in &self.checks {
            match (&c.failure, c.seconds, c.error) {
                (Some(why), ..) => writeln!(f, "{:<13} did not run: {why}", c.backend.name())?,
                (None, Some(s), Some(e)) => {
                    writeln!(f, "{:<13} {:>9.3} ms {e:>12.2e}", c.backend.name(), s * 1e3)?
                }
                _ => writeln!(f, "{:<13} —", c.backend.name())?,
            }
        }
        Ok(())
    }
}

impl Engine {
    /// Runs `kernel` on every available backend, compares each output with
    /// `scalar`'s and times each (median of 3 runs).
    ///
    /// A backend that cannot run the kernel (no GPU, no GPU side) is a row
    /// with the reason, not an error.
    ///
    /// # Errors
    /// Only when `scalar`, the reference, fails (an invalid kernel).
    pub fn validate_reduce<K>(&self, kernel: &K) -> Result<Validation>
    where
        K: ReduceKernel,
        K::Output: Compare,
    {
        self.validate_with(kernel.name(), |backend| self.reduce(kernel, backend))
    }

    /// [`Engine::validate_reduce`] for a map: the error is the largest
    /// element error over the whole output.
    ///
    /// # Errors
    /// Only when `scalar`, the reference, fails (an invalid kernel).
    pub fn validate_map<K>(&self, kernel: &K) -> Result<Validation>
    where
        K: MapKernel,
        K::Out: Compare,
    {
        let mut out = try_alloc_output(kernel)?;
        self.validate_with(kernel.name(), |backend| {
            self.map(kernel, &mut out, backend)?;
            Ok(out.clone())
        })
    }

    fn validate_with<T: Compare>(
        &self,
        kernel: &'static str,
        mut run: impl FnMut(Backend) -> Result<T>,
    ) -> Result<Validation> {
        let mut timed = |backend| -> Result<(T, f64)> {
            let started = Instant::now();
            let output = run(backend)?;
            let mut seconds = vec![started.elapsed().as_secs_f64()];
            for _ in 1..RUNS {
                let started = Instant::now();
                run(backend)?;
                seconds.push(started.elapsed().as_secs_f64());
            }
            seconds.sort_by(f64::total_cmp);
            Ok((output, seconds[seconds.len() / 2]))
        };
        let (reference, scalar_seconds) = timed(Backend::Scalar)?;
        let mut checks = vec![Check {
            backend: Backend::Scalar,
            error: Some(0.0),
            seconds: Some(scalar_seconds),
            failure: None,
        }];
        for backend in Backend::SPACES
            .into_iter()
            .filter(|&b| b != Backend::Scalar)
        {
            let outcome = if self.is_available(backend) {
                timed(backend).map_err(|e| e.to_string())
            } else {
                Err("not available in this build or on this machine".to_owned())
            };
            checks.push(match outcome {
                Ok((output, seconds)) => Check {
                    backend,
                    error: Some(output.error_vs(&reference)),
                    seconds: Some(seconds),
                    failure: None,
                },
                Err(why) => Check {
                    backend,
                    error: None,
                    seconds: None,
                    failure: Some(why),
                },
            });
        }
        Ok(Validation { kernel, checks })
    }
}
