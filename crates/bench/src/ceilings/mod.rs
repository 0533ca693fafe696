//! The machine's own limits, measured once per run, so each result can be
//! shown as a fraction of the ceiling that bounds it: the floating-point peak at the
//! build's full vector width, and the memory bandwidth of the level (L1,
//! L2, L3 or DRAM) the result's working set lives in.

pub mod caches;
pub mod flops;
pub mod fp_peak;
pub mod memory;

pub use caches::CacheLevel;
pub use fp_peak::FpPeak;
pub use memory::{Access, MemoryLevel};

/// Measured limits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ceilings {
    /// Threads of the all-cores figures (one per logical core).
    pub threads: usize,
    pub fp: FpPeak,
    /// Smallest level first, DRAM last.
    pub memory: Vec<MemoryLevel>,
    /// Whether [`Ceilings::memory_share`] also probes the bandwidth at the
    /// result's own working set and cores, right then (set by [`measure`];
    /// off where ceilings are made up, as in tests).
    #[serde(skip)]
    pub probe_beside: bool,
}

/// Measures the ceilings on `threads` threads; `quick` uses shorter runs
/// and smaller DRAM arrays.
///
/// # Errors
/// The probe's thread pool could not be started.
pub fn measure(threads: usize, quick: bool) -> anyhow::Result<Ceilings> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("hetero-bench-ceiling-{i}"))
        .build()?;
    Ok(Ceilings {
        threads: pool.current_num_threads(),
        fp: FpPeak::measure(&pool, quick),
        memory: memory::measure_levels(&caches::detect(), &pool, quick),
        probe_beside: true,
    })
}

/// One core's figure for one core; else the all-core figure scaled to the
/// cores used (never below one core's).
pub(crate) fn share_of_cores(one: f64, every: f64, cores: usize, all: usize) -> f64 {
    if cores <= 1 {
        one
    } else {
        (every * cores.min(all) as f64 / all.max(1) as f64).max(one)
    }
}

impl Ceilings {
    /// The share of the floating-point peak of `cores` cores that `flops`
    /// floating-point operations in `seconds` reach.
    pub fn fp_share(&self, flops: f64, seconds: f64, cores: usize, f32: bool) -> f64 {
        flops / seconds / (self.fp.gflops(cores, self.threads, f32) * 1e9)
    }

    /// The level a working set of `bytes` spread over `cores` cores lives
    /// in: the first cache whose share per core holds it, else the last
    /// level (DRAM, which `measure` always adds); `None` with no levels.
    pub fn level_for(&self, bytes: f64, cores: usize) -> Option<&MemoryLevel> {
        let per_core = bytes / cores.max(1) as f64;
        self.memory
            .iter()
            .find(|level| {
                level
                    .cache
                    .as_ref()
                    .is_some_and(|c| per_core <= c.bytes_per_core(cores) as f64)
            })
            .or(self.memory.last())
    }

    /// The share of the bandwidth of its working set's level that `bytes`
    /// moved in `seconds` reach, and that ceiling's name ("L2 triad
    /// bandwidth"); `None` with no memory levels.
    ///
    /// With `probe_beside`, the ceiling is the better of the level's figure
    /// and a probe of the same access over the result's own working set on
    /// its cores, run now. A shared VM's memory bandwidth drifts by a third
    /// within minutes, and a working set near a shared cache's size may or
    /// may not stay in it: the level's figure, measured once at the start of
    /// a run and at the level's own probe size, can sit below what a kernel
    /// reaches minutes later (`sum` at 133 % of it, measured on an AMD EPYC).
    pub fn memory_share(
        &self,
        access: Access,
        bytes_moved: f64,
        working_set: f64,
        seconds: f64,
        cores: usize,
    ) -> Option<(f64, String)> {
        let level = self.level_for(working_set, cores)?;
        let kind = match access {
            Access::Read => "read",
            Access::Triad => "triad",
        };
        let short = level.name.split(' ').next().unwrap_or("memory");
        let mut gbs = level.gbs(access, cores, self.threads);
        let mut name = format!("{short} {kind} bandwidth");
        if self.probe_beside
            && let Some(now) = memory::gbs_now(access, working_set as u64, cores)
            && now > gbs
        {
            gbs = now;
            name = format!("{short} {kind} bandwidth, probed beside");
        }
        Some((bytes_moved / seconds / (gbs * 1e9), name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(name: &str, cache: Option<CacheLevel>, read: f64) -> MemoryLevel {
        MemoryLevel {
            name: name.into(),
            cache,
            probe_bytes_one_core: 0,
            probe_bytes_per_thread_all_cores: 0,
            read_gbs_one_core: read,
            read_gbs_all_cores: 2.0 * read,
            triad_gbs_one_core: read / 2.0,
            triad_gbs_all_cores: read,
        }
    }

    fn ceilings() -> Ceilings {
        let cache = |level, bytes, private| {
            Some(CacheLevel {
                level,
                bytes,
                private,
            })
        };
        Ceilings {
            threads: 2,
            fp: FpPeak {
                width: "test",
                f64_gflops_per_core: 10.0,
                f64_gflops_all_cores: 20.0,
                f32_gflops_per_core: 20.0,
                f32_gflops_all_cores: 40.0,
                f64_fma_only_gflops_per_core: 10.0,
                f32_fma_only_gflops_per_core: 20.0,
            },
            memory: vec![
                level("L1 (32 KiB per core)", cache(1, 32 << 10, true), 200.0),
                level("L2 (1 MiB per core)", cache(2, 1 << 20, true), 100.0),
                level("L3 (32 MiB shared)", cache(3, 32 << 20, false), 50.0),
                level("DRAM (128 MiB arrays)", None, 10.0),
            ],
            probe_beside: false,
        }
    }

    #[test]
    fn a_working_set_is_charged_to_the_level_that_holds_it() {
        let c = ceilings();
        let name = |bytes: f64, cores| c.level_for(bytes, cores).unwrap().name.clone();
        assert!(name(16e3, 1).starts_with("L1"));
        assert!(name(60e3, 1).starts_with("L2"));
        // Two cores: each holds half, so 60 KB is two L1s' worth.
        assert!(name(60e3, 2).starts_with("L1"));
        assert!(name(20e6, 1).starts_with("L3"));
        // The shared L3 is split between the cores that use it.
        assert!(name(40e6, 2).starts_with("DRAM"));
        assert!(name(1e9, 2).starts_with("DRAM"));
    }

    #[test]
    fn shares_use_the_level_access_and_cores() {
        let c = ceilings();
        // 100 GB/s read from L2 on one core: 1e11 bytes in 1 s is 100 %.
        let (share, name) = c.memory_share(Access::Read, 1e11, 500e3, 1.0, 1).unwrap();
        assert!((share - 1.0).abs() < 1e-12, "{share}");
        assert_eq!(name, "L2 read bandwidth");
        // Triad on both cores from DRAM: 10 GB/s all cores.
        let (share, name) = c.memory_share(Access::Triad, 5e9, 1e9, 1.0, 2).unwrap();
        assert!((share - 0.5).abs() < 1e-12, "{share}");
        assert_eq!(name, "DRAM triad bandwidth");
        // f32 peak of both cores is 40 GFLOP/s.
        assert!((c.fp_share(40e9, 1.0, 2, true) - 1.0).abs() < 1e-12);
        assert!((c.fp_share(10e9, 1.0, 1, false) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_probe_beside_lifts_a_ceiling_below_what_the_machine_does() {
        let mut c = ceilings();
        // A made-up L2 figure far below any machine: 1 MB/s.
        c.memory[1].read_gbs_one_core = 1e-3;
        let (share, name) = c.memory_share(Access::Read, 1e6, 500e3, 1e-3, 1).unwrap();
        assert_eq!(name, "L2 read bandwidth");
        assert!((share - 1000.0).abs() < 1e-9, "{share}");
        c.probe_beside = true;
        let (share, name) = c.memory_share(Access::Read, 1e6, 500e3, 1e-3, 1).unwrap();
        assert_eq!(name, "L2 read bandwidth, probed beside");
        // 1 GB/s moved against a real probe of a 500 KB read: any core of
        // this century reads its L2 faster than that.
        assert!(share < 1.0, "{share}");
        // A level figure no probe reaches stays the ceiling.
        c.memory[1].read_gbs_one_core = 1e6;
        let (_, name) = c.memory_share(Access::Read, 1e6, 500e3, 1e-3, 1).unwrap();
        assert_eq!(name, "L2 read bandwidth");
    }
}
