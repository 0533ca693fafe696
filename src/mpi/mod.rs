//! hetero across the ranks of an MPI job (feature `mpi`): every problem and
//! every user kernel, each rank on its own local backend, with the same bits
//! as one process.
//!
//! ```no_run
//! use hetero::mpi::Cluster;
//! use hetero::{Backend, Engine, Pi, problems::pi::PiKernel};
//!
//! let cluster = Cluster::init()?;
//! let engine = Engine::with_threads(cluster.threads_per_rank())?;
//! let estimate = cluster.reduce(&engine, &PiKernel::new(&Pi::new(10_000_000, 7)?), Backend::SimdThreads)?;
//! if cluster.is_root() {
//!     println!("{} hits", estimate.hits);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - **Reductions** ([`Cluster::reduce`]; over data that starts on rank 0,
//!   [`Cluster::scatter_reduction`] then [`Cluster::reduce_part`]):
//!   each rank takes a contiguous run of whole subtrees of the kernel's
//!   fixed chunk tree ([`hetero_core::shares`]) and computes their partials
//!   on its backend; the partials travel to rank 0 as bytes (never as lossy
//!   floats), are combined there along the same tree, and the total is
//!   broadcast, so every rank returns the single-process result bit for bit
//!   whatever the rank count.
//! - **Maps** ([`Cluster::map`]): contiguous blocks of items, or blocks dealt
//!   round-robin ([`Distribution::Cyclic`]) where items cost unevenly; the
//!   outputs are gathered on rank 0.
//! - **Data** that starts on rank 0 is cut with [`Cluster::scatter`] and put
//!   back with [`Cluster::gather`].
//! - **Messages** between two ranks ([`Cluster::send`], [`Cluster::recv`],
//!   [`Cluster::sendrecv`]): `Pod` slices as bytes, in order, a receive of
//!   the wrong length or tag an error rather than a hang (the ping-pong
//!   example times them).
//! - **Failure**: every call agrees on success before it communicates
//!   results ([`Cluster::agree`]), so a rank whose input or device fails
//!   makes every rank return the same [`MpiError::RankFailed`], naming the
//!   rank and the cause. Every wait is bounded ([`Cluster::set_timeout`]):
//!   a rank that never answers (killed, hung) ends the job with
//!   `MPI_Abort` and one line on stderr, never a hang.
//!
//! Only the calling thread talks to MPI (the rayon pools do not), so MPI is
//! initialised with `MPI_THREAD_FUNNELED`.

mod agree;
mod bounded;
mod error;
mod map;
mod messages;
mod pingpong;
mod reduce;
mod report;
mod timeline;
mod wire;

use std::cell::Cell;
use std::time::{Duration, Instant};

use mpi::environment::Universe;
use mpi::topology::{Communicator, SimpleCommunicator};

pub use agree::RankFailure;
pub use error::MpiError;
pub use map::Distribution;
pub use messages::MAX_TAG;
pub use reduce::ReducePart;
pub use report::RankReport;

/// `#(local_rank mod adapters)`, or `None` (the default choice) when the
/// machine shows no adapter.
#[cfg(feature = "gpu")]
fn adapter_for_local_rank(local_rank: usize, adapters: usize) -> Option<String> {
    (adapters > 0).then(|| format!("#{}", local_rank % adapters))
}

/// How long a rank waits for the others at one collective before it ends
/// the job, unless told otherwise: long enough for any imbalance in a
/// problem's share, short enough that a lost rank is noticed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The environment variable that sets the timeout, in seconds.
pub const TIMEOUT_VARIABLE: &str = "HETERO_MPI_TIMEOUT_SECONDS";

/// One rank's view of the MPI job: its rank, the job's size, how long it
/// waits for the others, and where its time went (computing or in MPI). Every rank makes the same calls in the same order.
pub struct Cluster {
    world: SimpleCommunicator,
    /// Ranks on this rank's machine (shared-memory node).
    local_ranks: usize,
    /// This rank's index among them, from 0.
    local_rank: usize,
    timeout: Duration,
    /// When [`Cluster::reset_timing`] was last called.
    since: Cell<Instant>,
    /// Time spent in [`Cluster::wait`] since then.
    comm_spent: Cell<Duration>,
    // Dropped last: finalises MPI.
    _universe: Universe,
}

/// Where this rank's time went since [`Cluster::reset_timing`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Seconds not spent in MPI: this rank's own work.
    pub compute_seconds: f64,
    /// Seconds in MPI collectives, waiting for slower ranks included.
    pub comm_seconds: f64,
}

impl Cluster {
    /// Initialises MPI (once per process) and this rank's view of the job.
    /// The timeout is [`DEFAULT_TIMEOUT`], or `HETERO_MPI_TIMEOUT_SECONDS`.
    ///
    /// # Errors
    /// [`MpiError::Init`] when MPI cannot be initialised (it already was, or
    /// the MPI library refuses); [`MpiError::BadTimeout`] for a timeout
    /// variable that is not a positive number of seconds.
    pub fn init() -> Result<Self, MpiError> {
        let timeout = timeout_from_env()?;
        let (universe, _) =
            mpi::initialize_with_threading(mpi::Threading::Funneled).ok_or(MpiError::Init {
                reason: "MPI is already initialised in this process".into(),
            })?;
        let world = universe.world();
        let node = world.split_shared(world.rank());
        let (local_ranks, local_rank) = (node.size().max(1) as usize, node.rank().max(0) as usize);
        Ok(Self {
            world,
            local_ranks,
            local_rank,
            timeout,
            since: Cell::new(Instant::now()),
            comm_spent: Cell::new(Duration::ZERO),
            _universe: universe,
        })
    }

    /// This process's rank, from 0.
    pub fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    /// The number of ranks in the job.
    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// Whether this is rank 0, the rank that gathers, writes files and prints.
    pub fn is_root(&self) -> bool {
        self.rank() == 0
    }

    /// Ranks started on this rank's machine.
    pub fn local_ranks(&self) -> usize {
        self.local_ranks
    }

    /// This rank's index among the ranks on its machine, from 0.
    pub fn local_rank(&self) -> usize {
        self.local_rank
    }

    /// The GPU configuration for this rank: the environment's
    /// (`GpuConfig::from_env`), and where `HETERO_GPU_ADAPTER` is unset and
    /// several ranks share this machine, adapter `#(local_rank mod
    /// adapters)` — so the ranks of a node spread over its GPUs instead of
    /// all opening the first. Give it to the rank's engine
    /// (`Engine::with_gpu_config`).
    ///
    /// # Errors
    /// [`hetero_gpu::GpuError::BadSetting`] for a `HETERO_GPU_*` variable
    /// that is not accepted.
    #[cfg(feature = "gpu")]
    pub fn gpu_config(&self) -> Result<hetero_gpu::GpuConfig, hetero_gpu::GpuError> {
        let mut config = hetero_gpu::GpuConfig::from_env()?;
        config.pipeline_cache_dir = crate::auto::cache::cache_dir();
        if config.adapter.is_none() && self.local_ranks > 1 {
            let adapters = hetero_gpu::list_adapters().len();
            config.adapter = adapter_for_local_rank(self.local_rank, adapters);
        }
        Ok(config)
    }

    /// Threads each rank should use so that the ranks on one machine share
    /// its cores instead of oversubscribing them. Where the launcher bound
    /// each rank to its own cores (Open MPI binds to a core by default for
    /// small jobs; `--bind-to none` lifts it), those cores; where every rank
    /// sees them all, an even share of them. At least 1.
    pub fn threads_per_rank(&self) -> usize {
        let visible = std::thread::available_parallelism().map_or(1, |n| n.get());
        let online = online_cpus().unwrap_or(visible);
        if visible.saturating_mul(self.local_ranks) <= online {
            visible
        } else {
            (visible / self.local_ranks).max(1)
        }
    }

    /// How long this rank waits for the others at one collective.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets how long this rank waits for the others at one collective
    /// before it ends the whole job (`MPI_Abort`). Give every rank the
    /// same value; it must cover the slowest rank's share of a problem.
    /// `Duration::MAX` waits without bound.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Starts counting this rank's time afresh (see [`Cluster::timing`]).
    pub fn reset_timing(&self) {
        self.since.set(Instant::now());
        self.comm_spent.set(Duration::ZERO);
    }

    /// Where this rank's time went since the cluster was made or
    /// [`Cluster::reset_timing`] was last called: time in MPI collectives
    /// (waiting for slower ranks included) and the rest.
    pub fn timing(&self) -> Timing {
        let comm = self.comm_spent.get();
        Timing {
            compute_seconds: self
                .since
                .get()
                .elapsed()
                .saturating_sub(comm)
                .as_secs_f64(),
            comm_seconds: comm.as_secs_f64(),
        }
    }

    /// Ends the whole job now with `code`, after one line on stderr.
    pub fn abort(&self, code: i32, message: &str) -> ! {
        eprintln!("hetero-mpi: rank {}: {message}", self.rank());
        self.world.abort(code)
    }
}

/// The CPUs online on this machine (Linux: `/sys/devices/system/cpu/online`,
/// e.g. "0-3,8-11"), whatever this process's affinity.
fn online_cpus() -> Option<usize> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/online").ok()?;
    text.trim().split(',').try_fold(0usize, |n, part| {
        let count = match part.split_once('-') {
            Some((a, b)) => b.parse::<usize>().ok()?.checked_sub(a.parse().ok()?)? + 1,
            None => part.parse::<usize>().map(|_| 1).ok()?,
        };
        Some(n + count)
    })
}

fn timeout_from_env() -> Result<Duration, MpiError> {
    match std::env::var(TIMEOUT_VARIABLE) {
        Err(_) => Ok(DEFAULT_TIMEOUT),
        Ok(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
            .map(Duration::from_secs_f64)
            .ok_or(MpiError::BadTimeout { given: text }),
    }
}

#[cfg(all(test, feature = "gpu"))]
mod tests {
    use super::adapter_for_local_rank;

    #[test]
    fn the_ranks_of_a_node_spread_over_its_adapters() {
        let picked: Vec<_> = (0..5).map(|r| adapter_for_local_rank(r, 2)).collect();
        let want = ["#0", "#1", "#0", "#1", "#0"].map(|s| Some(s.to_owned()));
        assert_eq!(picked, want);
        assert_eq!(adapter_for_local_rank(3, 1).as_deref(), Some("#0"));
        assert_eq!(adapter_for_local_rank(0, 0), None);
    }
}
