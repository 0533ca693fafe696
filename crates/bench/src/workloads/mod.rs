//! One workload per problem, one file each: how the bench sizes it, builds
//! it at a size, runs it on any backend, checks it against `scalar`, and
//! what bounds its speed. The build script lists the files in [`ALL`].

use hetero::{Backend, Engine, GpuContext, GpuTimings, JobScope};

use crate::ceilings::Ceilings;

include!(concat!(env!("OUT_DIR"), "/workloads.rs"));

/// A problem as the bench knows it: its name, its sizes, the notebooks'
/// figures for it, and how to build it at a size.
pub trait Kind: Sync {
    /// The problem's name, as `hetero::problems::ALL` has it.
    fn name(&self) -> &'static str;
    /// The notebook's size (Julia: N rows of an N × 2N image).
    fn seed_size(&self) -> u64;
    /// A size for `--quick` runs: a tenth of the work or less.
    fn quick_size(&self) -> u64;
    /// Sizes over at least four decades of work, for the size-scaling
    /// experiment (`--quick` leaves out the largest).
    fn scaling_sizes(&self) -> &'static [u64];
    /// What the size counts.
    fn size_unit(&self) -> &'static str;
    /// The reference notebooks' own timings at the seed size, fastest
    /// first (measured elsewhere, shown for orientation).
    fn python(&self) -> &'static [(&'static str, f64)] {
        &[]
    }
    /// The workload at `size`.
    ///
    /// # Errors
    /// A size the problem rejects, or inputs that cannot be allocated.
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>>;
}

impl core::fmt::Debug for dyn Kind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq for dyn Kind {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

/// The workload called `name`.
pub fn find(name: &str) -> Option<&'static dyn Kind> {
    let wanted = name.trim().to_ascii_lowercase();
    ALL.into_iter().find(|k| k.name() == wanted)
}

/// Every workload's name, for messages.
pub fn names() -> String {
    ALL.map(|k| k.name()).join(", ")
}

/// What a workload's run returns, for validation.
#[derive(Debug, Clone)]
pub enum Output {
    Scalar(f64),
    Floats(Vec<f32>),
    Doubles(Vec<f64>),
    Counts(Vec<u32>),
    Hits(u64),
}

/// The outcome of comparing a backend's output with the scalar reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    /// What `value` measures, e.g. "relative error" or "differing pixels".
    pub metric: &'static str,
    pub value: f64,
    /// The tolerance the value is held to.
    pub tolerance: f64,
    pub valid: bool,
    /// The first element that broke the tolerance, described.
    pub first_mismatch: Option<String>,
}

/// How fast a run is against the machine limit that bounds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Threads the backend used.
    pub cores: usize,
    /// Elements of work and work units (see [`Workload::work`]).
    pub elements: f64,
    pub work: f64,
    pub seconds: f64,
}

/// A problem at one size, ready to run on any backend.
pub trait Workload: Send + Sync {
    fn size(&self) -> u64;
    /// Elements of work (subintervals, array elements, pixels, samples).
    fn elements(&self) -> u64;
    /// Items (in [`Kind::size_unit`]s) per chunk of the workload's kernel:
    /// the conformance suite cuts its sizes around it.
    fn chunk(&self) -> u64;
    /// Runs once on `backend`, returning the output for validation.
    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output>;
    /// [`Workload::run`] as a job's call, through its scope: the
    /// conformance suite checks that a job's output is the blocking call's.
    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output>;
    /// Runs once for timing. Workloads with large outputs write into a
    /// buffer kept between runs, so the timing is the computation and not
    /// the page faults of a fresh allocation (the criterion benches do the same).
    fn run_timed(&self, engine: &Engine, backend: Backend) -> hetero::Result<()> {
        self.run(engine, backend).map(drop)
    }
    /// Compares `output` (from `backend`) with the scalar `reference`.
    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Agreement;
    /// The throughput unit and work per run in that unit (iterations for
    /// Julia, elements otherwise).
    fn work(&self, reference: &Output) -> (&'static str, f64) {
        let _ = reference;
        ("elem", self.elements() as f64)
    }
    /// The share of the bounding ceiling a CPU run reached, and which
    /// ceiling; `None` where no floating-point or memory limit applies.
    fn ceiling(&self, ceilings: &Ceilings, run: &Run) -> Option<(f64, String)> {
        let _ = (ceilings, run);
        None
    }
    /// One GPU run with its time split.
    ///
    /// # Errors
    /// Why the GPU run failed.
    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String>;
}

/// Relative-error validation of one number.
pub(crate) fn relative(value: f64, reference: f64, tolerance: f64) -> Agreement {
    let err = hetero::tolerance::relative_error(value, reference);
    let valid = err <= tolerance;
    Agreement {
        metric: "relative error",
        value: err,
        tolerance,
        valid,
        first_mismatch: (!valid).then(|| format!("{value} vs {reference}")),
    }
}

/// The validation for an output of the wrong kind: a bug, reported, never hidden.
pub(crate) fn wrong_kind() -> Agreement {
    Agreement {
        metric: "output kind",
        value: f64::NAN,
        tolerance: 0.0,
        valid: false,
        first_mismatch: Some(
            "the backend returned a different kind of output than the reference".into(),
        ),
    }
}
