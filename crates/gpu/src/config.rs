//! How a [`crate::GpuContext`] is opened.

/// The default cap on device + staging memory one call may hold: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: u64 = 256 << 20;

/// Options for opening the GPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuConfig {
    /// Pick the adapter whose name contains this text (case-insensitive), or
    /// whose backend is named so (`vulkan`, `metal`, `dx12`, `gl`). `None`:
    /// the high-performance adapter wgpu prefers.
    pub adapter: Option<String>,
    /// Device and staging buffers one call may hold. Large problems are
    /// split into chunks or tiles that fit; nothing is allocated before it
    /// is checked against this and the device limits.
    pub memory_budget: u64,
    /// Cap on workgroups per dispatch dimension, below the device's own
    /// limit: shorter dispatches keep a display GPU responsive (and let
    /// tests reach the multi-dispatch paths at small sizes). `None`: the
    /// device limit.
    pub max_workgroups_per_dimension: Option<u32>,
}

impl Default for GpuConfig {
    fn default() -> Self {
        Self {
            adapter: None,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            max_workgroups_per_dimension: None,
        }
    }
}

impl GpuConfig {
    /// The defaults, overridden by `HETERO_GPU_ADAPTER` (name or backend)
    /// and `HETERO_GPU_BUDGET_MIB` (a whole number of MiB, at least 1).
    pub fn from_env() -> Self {
        let mut config = Self::default();
        if let Ok(wanted) = std::env::var("HETERO_GPU_ADAPTER")
            && !wanted.trim().is_empty()
        {
            config.adapter = Some(wanted.trim().to_owned());
        }
        if let Some(mib) = std::env::var("HETERO_GPU_BUDGET_MIB")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|&m| m >= 1)
        {
            config.memory_budget = mib << 20;
        }
        config
    }
}
