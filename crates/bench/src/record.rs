//! `results.json`: one environment header, one record per measurement.

use serde::Serialize;

use crate::ceilings::Ceilings;
use crate::measure::Stats;
use crate::workloads::Agreement;

/// Where the figures come from.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub hetero_version: &'static str,
    pub cpu: String,
    pub cores: usize,
    pub simd_compiled: Vec<&'static str>,
    /// The instruction-set level the vector backends ran at (`baseline`,
    /// `v3`, `v4`) and its lanes.
    pub isa: &'static str,
    pub simd_lanes: &'static str,
    pub threads: usize,
    pub gpu: Option<String>,
    pub gpu_unavailable: Option<String>,
    pub gpu_is_software: bool,
    pub adapters: Vec<String>,
    pub ceilings: Ceilings,
    pub command: String,
    pub quick: bool,
}

/// One measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// `matrix`, `threads`, `sizes`, `granularity` or `gpu-split`.
    pub experiment: &'static str,
    pub problem: &'static str,
    pub backend: &'static str,
    pub size: u64,
    pub threads: usize,
    pub seconds_median: Option<f64>,
    pub seconds_min: Option<f64>,
    pub seconds_max: Option<f64>,
    pub repeats: u32,
    pub error_metric: Option<&'static str>,
    pub error_value: Option<f64>,
    pub error_tolerance: Option<f64>,
    pub valid: bool,
    pub first_mismatch: Option<String>,
    /// Why the measurement could not be made (a GPU failure, say).
    pub failure: Option<String>,
    pub throughput: Option<f64>,
    pub throughput_unit: Option<&'static str>,
    pub speedup_vs_scalar: Option<f64>,
    pub speedup_vs_python: Option<f64>,
    pub python_reference: Option<&'static str>,
    /// The fraction of the bounding ceiling reached, and which ceiling.
    pub ceiling_fraction: Option<f64>,
    pub ceiling: Option<String>,
    /// Experiment-specific details (task size, GPU phases, …).
    pub detail: Option<serde_json::Value>,
}

impl Record {
    pub fn new(
        experiment: &'static str,
        problem: &'static str,
        backend: &'static str,
        size: u64,
        threads: usize,
    ) -> Self {
        Self {
            experiment,
            problem,
            backend,
            size,
            threads,
            seconds_median: None,
            seconds_min: None,
            seconds_max: None,
            repeats: 0,
            error_metric: None,
            error_value: None,
            error_tolerance: None,
            valid: true,
            first_mismatch: None,
            failure: None,
            throughput: None,
            throughput_unit: None,
            speedup_vs_scalar: None,
            speedup_vs_python: None,
            python_reference: None,
            ceiling_fraction: None,
            ceiling: None,
            detail: None,
        }
    }

    pub fn with_stats(mut self, s: &Stats) -> Self {
        self.seconds_median = Some(s.median);
        self.seconds_min = Some(s.min);
        self.seconds_max = Some(s.max);
        self.repeats = s.repeats;
        self
    }

    pub fn with_validation(mut self, v: &Agreement) -> Self {
        self.error_metric = Some(v.metric);
        self.error_value = Some(v.value).filter(|x| x.is_finite());
        self.error_tolerance = Some(v.tolerance);
        self.valid = v.valid;
        self.first_mismatch = v.first_mismatch.clone();
        self
    }

    pub fn failed(mut self, reason: impl Into<String>) -> Self {
        self.failure = Some(reason.into());
        self.valid = false;
        self
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub environment: Environment,
    pub records: Vec<Record>,
}

impl Results {
    /// Whether every record validated (records that failed to run count).
    pub fn all_valid(&self) -> bool {
        self.records.iter().all(|r| r.valid)
    }
}
