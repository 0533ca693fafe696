//! How a call is cut to fit the device: tiles (what is uploaded and read
//! back at once, within the memory budget and the binding limits) made of
//! dispatches (what one dispatch covers, within the workgroup grid and the
//! shader's index width). Nothing is allocated before this plan says it
//! fits: on lavapipe an allocation the driver cannot satisfy aborts.

use hetero_kernel::ChunkPlan;
use hetero_kernel::KernelError;
use hetero_kernel::gpu::{GpuMap, GpuProgram, GpuReduce, Grid};

use crate::context::GpuContext;
use crate::error::{GpuError, GpuResult};

/// Dispatches recorded into one submission (one compute pass).
pub(crate) const DISPATCHES_PER_TILE: u64 = 64;
/// Bytes one dispatch's two uniform blocks may take at the widest
/// alignment devices ask for.
const UNIFORM_BLOCKS_BYTES: u64 = 2 * 256;

/// Items per tile and per dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tiling {
    pub tile_items: u64,
    pub dispatch_items: u64,
}

/// The device memory a tile of some items needs.
struct TileBytes {
    inputs: Vec<u64>,
    /// The output buffer; its staging copy is as large.
    output: u64,
    uniforms: u64,
}

impl TileBytes {
    fn total(&self) -> u64 {
        self.inputs.iter().sum::<u64>() + 2 * self.output + self.uniforms
    }
}

impl GpuContext {
    /// Whether a tile of these sizes fits the budget and the binding limit.
    fn fits(&self, bytes: &TileBytes) -> bool {
        let cap = self.bounds.storage_cap();
        bytes.inputs.iter().all(|&b| b <= cap)
            && bytes.output <= cap
            && bytes.total() <= self.bounds.budget
    }

    /// The error for a tile of one unit that does not fit.
    fn too_big(&self, label: &str, bytes: &TileBytes) -> GpuError {
        let cap = self.bounds.storage_cap();
        let largest = bytes.inputs.iter().copied().fold(bytes.output, u64::max);
        if largest > cap {
            return GpuError::LimitExceeded {
                label: label.to_owned(),
                needed: largest,
                limit: cap,
                limit_name: "the largest storage binding (device limit or memory budget)",
                hint: "use a smaller problem (a narrower image), or raise HETERO_GPU_BUDGET_MIB",
            };
        }
        GpuError::LimitExceeded {
            label: label.to_owned(),
            needed: bytes.total(),
            limit: self.bounds.budget,
            limit_name: "the memory budget",
            hint: "raise HETERO_GPU_BUDGET_MIB (GpuConfig::memory_budget) or use a smaller problem",
        }
    }

    /// Workgroups one dispatch may launch (an x × y grid).
    fn max_groups_per_dispatch(&self) -> u64 {
        u64::from(self.max_workgroups).pow(2)
    }

    /// Whether one dispatch can launch `grid`.
    fn grid_fits(&self, grid: Grid) -> bool {
        let max = u64::from(self.max_workgroups);
        match grid {
            Grid::Linear(n) => n <= self.max_groups_per_dispatch(),
            Grid::Xy([x, y]) => x <= max && y <= max,
        }
    }

    /// The tiling of a reduction: tiles of whole chunks, dispatches of
    /// whole workgroups.
    pub(crate) fn reduce_tiling<P>(
        &self,
        program: &GpuProgram,
        plan: &ChunkPlan,
        side: &dyn GpuReduce<P>,
    ) -> GpuResult<Tiling> {
        let (label, inputs) = (program.label, program.inputs);
        let group = side.group_items();
        if group == 0 || !plan.chunk.is_multiple_of(group) {
            return Err(KernelError::GpuChunk {
                kernel: label,
                group,
                chunk: plan.chunk,
            }
            .into());
        }
        // The dispatch block carries counts and offsets as u32.
        let dispatch_items = side
            .max_dispatch_items()
            .min(self.max_groups_per_dispatch().saturating_mul(group))
            .min(u64::from(u32::MAX))
            / group
            * group;
        if dispatch_items == 0 {
            return Err(GpuError::LimitExceeded {
                label: format!("{label}:dispatch"),
                needed: group,
                limit: side.max_dispatch_items(),
                limit_name: "the items one dispatch of this kernel may cover",
                hint: "the kernel's workgroups are larger than its dispatches: fix its GPU side",
            });
        }
        let bytes = |items: u64| TileBytes {
            inputs: (0..inputs).map(|i| side.input_bytes(i, items)).collect(),
            output: items.div_ceil(group) * side.partial_bytes(),
            uniforms: items.div_ceil(dispatch_items) * UNIFORM_BLOCKS_BYTES,
        };
        let by_dispatches = (DISPATCHES_PER_TILE * dispatch_items / plan.chunk).max(1);
        // Items are offset within a tile by a u32.
        let by_index = (u64::from(u32::MAX) / plan.chunk).max(1);
        let max_chunks = plan.chunks.min(by_dispatches).min(by_index);
        let chunks = largest(max_chunks, |c| self.fits(&bytes(c * plan.chunk)));
        if chunks == 0 {
            return Err(self.too_big(label, &bytes(plan.chunk)));
        }
        Ok(Tiling {
            tile_items: chunks * plan.chunk,
            dispatch_items,
        })
    }

    /// The tiling of a map over `items` items of `out_per_item` output
    /// values (`out_bytes_per_item` bytes) each.
    pub(crate) fn map_tiling(
        &self,
        program: &GpuProgram,
        side: &dyn GpuMap,
        items: u64,
        (out_per_item, out_bytes_per_item): (u64, u64),
    ) -> GpuResult<Tiling> {
        let (label, inputs) = (program.label, program.inputs);
        let max_groups = self.max_groups_per_dispatch();
        let wg = program.workgroup_size;
        // The dispatch block carries counts and offsets as u32.
        let most = side
            .max_dispatch_items()
            .min(u64::from(u32::MAX))
            .min(items);
        let dispatch_items = largest(most, |n| self.grid_fits(side.grid(n, wg)));
        if dispatch_items == 0 {
            return Err(GpuError::LimitExceeded {
                label: format!("{label}:dispatch"),
                needed: side.grid(1, wg).count(),
                limit: max_groups,
                limit_name: "the workgroups one dispatch may launch (per dimension, or in all)",
                hint: "use fewer invocations per item (a narrower image)",
            });
        }
        let bytes = |items: u64| TileBytes {
            inputs: (0..inputs).map(|i| side.input_bytes(i, items)).collect(),
            output: items * out_bytes_per_item,
            uniforms: items.div_ceil(dispatch_items) * UNIFORM_BLOCKS_BYTES,
        };
        // The shader indexes the tile's output with a u32.
        let by_index = u64::from(u32::MAX) / out_per_item.max(1);
        let max_items = items
            .min(DISPATCHES_PER_TILE.saturating_mul(dispatch_items))
            .min(by_index);
        let tile_items = largest(max_items, |n| self.fits(&bytes(n)));
        if tile_items == 0 {
            return Err(self.too_big(label, &bytes(1)));
        }
        Ok(Tiling {
            tile_items,
            dispatch_items,
        })
    }
}

/// The largest `n` in `1..=max` with `fits(n)` (which must be monotone:
/// true up to some n, false after), or 0 when none fits.
fn largest(max: u64, fits: impl Fn(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (0, max); // fits(lo) (or lo = 0); the answer is in lo..=hi
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::largest;

    #[test]
    fn largest_finds_the_edge_of_a_monotone_predicate() {
        for edge in 0..40 {
            assert_eq!(largest(30, |n| n <= edge), edge.min(30), "edge {edge}");
        }
        assert_eq!(largest(0, |_| true), 0);
        assert_eq!(largest(u64::MAX, |n| n <= 1 << 40), 1 << 40);
    }
}
