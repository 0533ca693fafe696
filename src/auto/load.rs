//! Whether other processes kept the machine busy while `auto` measured.
//!
//! A calibration taken while something else runs on every core measures
//! the threads' share of a crowded machine, not the machine: on a 2-core VM
//! with a busy loop per core it made `auto` choose `simd` where
//! `simd-threads` is 2× faster, and a cache file would have kept that
//! mistake for every later process. So the probes are bracketed by the
//! kernel's CPU counters (Linux's `/proc/stat`, less this process's own
//! time from `/proc/self/stat`): the other processes' CPU time over the
//! wall time is how many cores they held. Models measured while they held
//! a quarter of the cores or more (and at least half a core) are used by
//! the engine that measured them but not stored
//! ([`super::Explanation::busy`]; [`LOAD_CHECK_VARIABLE`] and
//! [`crate::Engine::with_load_check`] turn the check off).
//!
//! The counters tick at the kernel's `USER_HZ` (100 Hz): a window of a
//! calibration (a tenth of a second and up) holds tens of ticks per core.
//! Where `/proc` cannot be read (another OS, a sandbox) the load is
//! unknown and treated as none. The hypervisor's steal time is not
//! counted: a test machine's neighbours would otherwise keep every model
//! out of the cache.

/// The environment variable that turns the check off for a process
/// (`0`, `off` or `false`), as [`crate::Engine::with_load_check`] does for
/// an engine: for a machine that is never quiet.
pub const LOAD_CHECK_VARIABLE: &str = "HETERO_LOAD_CHECK";

/// Whether the environment leaves the check on.
pub(crate) fn checked_by_environment() -> bool {
    check_wanted(std::env::var(LOAD_CHECK_VARIABLE).ok().as_deref())
}

/// Whether the variable's value (`None`: unset) leaves the check on.
fn check_wanted(value: Option<&str>) -> bool {
    value.is_none_or(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "off" | "false"
        )
    })
}

/// The share of the cores, and the least number of them, other processes
/// must hold for a measurement to count as taken on a busy machine.
const BUSY_SHARE: f64 = 0.25;
const BUSY_CORES: f64 = 0.5;

/// Fewer ticks of other processes than this are noise (a daemon waking),
/// whatever the window.
const LEAST_TICKS: u64 = 3;

/// The counters at one moment, in ticks.
#[derive(Debug, Clone, Copy)]
struct Ticks {
    /// Every core's ticks, idle ones included.
    total: u64,
    /// Every core's busy ticks (user, nice, system, interrupts).
    busy: u64,
    /// This process's user and system ticks.
    own: u64,
    cores: usize,
}

impl Ticks {
    fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let (total, busy, cores) = parse_stat(&stat)?;
        let own = parse_own(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
        Some(Self {
            total,
            busy,
            own,
            cores,
        })
    }
}

/// `/proc/stat`'s first line summed: (all ticks, busy ticks), and the
/// number of `cpuN` lines.
fn parse_stat(stat: &str) -> Option<(u64, u64, usize)> {
    let mut lines = stat.lines();
    let first = lines.next()?.strip_prefix("cpu ")?;
    // user nice system idle iowait irq softirq steal (guest time is
    // already in user).
    let fields: Vec<u64> = first
        .split_whitespace()
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let [user, nice, system, idle, iowait, irq, softirq, steal] = fields[..] else {
        return None;
    };
    let total = user + nice + system + idle + iowait + irq + softirq + steal;
    let busy = user + nice + system + irq + softirq;
    let cores = lines
        .filter(|l| {
            l.strip_prefix("cpu")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .count();
    Some((total, busy, cores.max(1)))
}

/// `/proc/self/stat`'s user plus system ticks (fields 14 and 15; the
/// command name before them may hold spaces and parentheses).
fn parse_own(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// The cores other processes held between `start` and `end`, when that
/// makes the window busy.
fn busy_between(start: Ticks, end: Ticks) -> Option<f64> {
    let total = end.total.checked_sub(start.total)?;
    let busy = end.busy.checked_sub(start.busy)?;
    let own = end.own.saturating_sub(start.own);
    let others = busy.saturating_sub(own);
    if total == 0 || others < LEAST_TICKS {
        return None;
    }
    let cores = end.cores as f64;
    let held = others as f64 / total as f64 * cores;
    (held >= BUSY_CORES.max(BUSY_SHARE * cores)).then_some(held)
}

/// Counts other processes' CPU time from its start (see the module).
#[derive(Debug)]
pub(crate) struct LoadMeter {
    start: Option<Ticks>,
}

impl LoadMeter {
    pub(crate) fn start() -> Self {
        Self {
            start: Ticks::now(),
        }
    }

    /// The cores other processes held since [`LoadMeter::start`], if that
    /// is enough to call the machine busy (`None`: quiet, or unknown).
    pub(crate) fn busy(&self) -> Option<f64> {
        busy_between(self.start?, Ticks::now()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  100 5 20 800 10 1 2 7 0 0\n\
                        cpu0 50 2 10 400 5 0 1 3 0 0\n\
                        cpu1 50 3 10 400 5 1 1 4 0 0\n\
                        intr 1 2 3\n\
                        ctxt 99\n";

    #[test]
    fn the_counters_parse_as_the_kernel_writes_them() {
        assert_eq!(parse_stat(STAT), Some((945, 128, 2)));
        assert_eq!(parse_stat("cpu0 1 2 3\n"), None, "no summary line");
        assert_eq!(parse_stat("cpu  1 2 x 4 5 6 7 8\n"), None);
        let own = "1234 (a (strange) name) S 1 1 1 0 -1 4194560 100 0 0 0 37 5 0 0 20 0";
        assert_eq!(parse_own(own), Some(42));
        assert_eq!(parse_own("1234 (cut"), None);
    }

    #[test]
    fn the_variable_turns_the_check_off_only_when_it_says_so() {
        assert!(check_wanted(None) && check_wanted(Some("1")) && check_wanted(Some("")));
        assert!(!check_wanted(Some("off")) && !check_wanted(Some(" OFF ")));
        assert!(!check_wanted(Some("0")) && !check_wanted(Some("false")));
    }

    fn ticks(total: u64, busy: u64, own: u64) -> Ticks {
        Ticks {
            total,
            busy,
            own,
            cores: 2,
        }
    }

    #[test]
    fn only_other_processes_time_makes_a_machine_busy() {
        let start = ticks(1_000, 100, 10);
        // 40 ticks of 2 cores: this process busy on both, nobody else.
        assert_eq!(busy_between(start, ticks(1_040, 140, 50)), None);
        // Others held 30 of 40 ticks: 1.5 cores.
        assert_eq!(busy_between(start, ticks(1_040, 140, 20)), Some(1.5));
        // A daemon's two ticks are noise, and so is a quarter core.
        assert_eq!(busy_between(start, ticks(1_004, 102, 10)), None);
        assert_eq!(busy_between(start, ticks(1_040, 109, 10)), None);
        // Counters that went backwards (a wrapped or reset source) say nothing.
        assert_eq!(busy_between(start, ticks(900, 140, 20)), None);
    }
}
