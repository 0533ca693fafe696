//! One tile of a GPU call: its inputs uploaded, its dispatches recorded in
//! one compute pass (each with its dispatch block and parameter block at
//! its own uniform offset), its output read back. Both drivers run tiles.

use std::borrow::Cow;
use std::time::Instant;

use hetero_kernel::gpu::{Dispatch, Grid};
use hetero_kernel::observe::{GpuTile, Observer};

use crate::context::GpuContext;
use crate::error::GpuResult;
use crate::pipeline::{INPUT, OUTPUT, Pipeline, STAGING, UNIFORM, grid};
use crate::timing::GpuTimings;

/// One dispatch of a tile: its block, the kernel's parameters for it, and
/// its workgroups.
pub(crate) struct Step {
    pub dispatch: Dispatch,
    pub params: Vec<u8>,
    pub grid: Grid,
}

/// What a tile runs.
pub(crate) struct Tile<'a> {
    pub label: &'static str,
    pub pipeline: &'a Pipeline,
    pub inputs: Vec<Cow<'a, [u8]>>,
    pub steps: Vec<Step>,
    /// Bytes of output the tile reads back.
    pub output_bytes: u64,
    /// The call's items it covers (for its observer).
    pub items: u64,
}

/// `bytes` grown to a multiple of 4, as buffer writes and copies require.
fn padded(bytes: &[u8]) -> Cow<'_, [u8]> {
    if bytes.len().is_multiple_of(4) {
        Cow::Borrowed(bytes)
    } else {
        let mut v = bytes.to_vec();
        v.resize(bytes.len().next_multiple_of(4), 0);
        Cow::Owned(v)
    }
}

impl GpuContext {
    /// Runs `tile` and hands its output bytes to `read`; tells `observer`
    /// where its time went.
    pub(crate) fn run_tile<R>(
        &self,
        tile: Tile<'_>,
        timings: &mut GpuTimings,
        observer: &dyn Observer,
        read: impl FnOnce(&[u8]) -> R,
    ) -> GpuResult<R> {
        let label = tile.label;
        let _turn = self.tile.take();
        let (started, before) = (Instant::now(), *timings);
        let items = tile.items;
        let align = u64::from(self.uniform_alignment.max(1));
        let dispatch_block = size_of::<Dispatch>() as u64;
        let params_block = tile
            .steps
            .iter()
            .map(|s| s.params.len() as u64)
            .max()
            .unwrap_or(0)
            .max(16)
            .next_multiple_of(16);
        let (dispatch_stride, params_stride) = (
            dispatch_block.next_multiple_of(align),
            params_block.next_multiple_of(align),
        );
        let steps = tile.steps.len() as u64;
        let output_size = tile.output_bytes.next_multiple_of(4).max(4);

        let upload = Instant::now();
        let mut inputs = Vec::with_capacity(tile.inputs.len());
        for (i, bytes) in tile.inputs.iter().enumerate() {
            let bytes = padded(bytes);
            let buffer = self.buffer(&format!("{label}:input{i}"), bytes.len() as u64, INPUT)?;
            self.queue.write_buffer(&buffer, 0, &bytes);
            inputs.push(buffer);
        }
        let dispatches = self.buffer(
            &format!("{label}:dispatch"),
            steps * dispatch_stride,
            UNIFORM,
        )?;
        let params = self.buffer(&format!("{label}:params"), steps * params_stride, UNIFORM)?;
        let mut dispatch_bytes = vec![0u8; (steps * dispatch_stride) as usize];
        let mut params_bytes = vec![0u8; (steps * params_stride) as usize];
        for (k, step) in tile.steps.iter().enumerate() {
            let at = k * dispatch_stride as usize;
            dispatch_bytes[at..at + dispatch_block as usize]
                .copy_from_slice(bytemuck::bytes_of(&step.dispatch));
            let at = k * params_stride as usize;
            params_bytes[at..at + step.params.len()].copy_from_slice(&step.params);
        }
        self.queue.write_buffer(&dispatches, 0, &dispatch_bytes);
        self.queue.write_buffer(&params, 0, &params_bytes);
        let output = self.buffer(&format!("{label}:output"), output_size, OUTPUT)?;
        let staging = self.buffer(&format!("{label}:staging"), output_size, STAGING)?;
        timings.upload += upload.elapsed();

        let bind_group = tile.pipeline.bind(
            &self.device,
            [(&dispatches, dispatch_block), (&params, params_block)],
            &inputs,
            &output,
        );
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some(&format!("{label}:encoder")),
            });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(&format!("{label}:pass")),
                timestamp_writes: self.timer.as_ref().map(crate::timing::PassTimer::writes),
            });
            pass.set_pipeline(&tile.pipeline.pipeline);
            for (k, step) in tile.steps.iter().enumerate() {
                let k = k as u64;
                let offsets = [(k * dispatch_stride) as u32, (k * params_stride) as u32];
                pass.set_bind_group(0, &bind_group, &offsets);
                let [x, y] = match step.grid {
                    Grid::Linear(groups) => grid(groups, self.max_workgroups),
                    // The plan checked both against the per-dimension limit.
                    Grid::Xy([x, y]) => [x as u32, y as u32],
                };
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        if let Some(timer) = &self.timer {
            timer.resolve(&mut encoder);
        }
        encoder.copy_buffer_to_buffer(&output, 0, &staging, 0, output_size);
        let result = self.submit_and_read(label, encoder, &staging, output_size, |data| {
            let started = Instant::now();
            let result = read(&data[..tile.output_bytes as usize]);
            timings.readback += started.elapsed();
            result
        })?;
        timings.add_kernel(self.read_timer()?);
        timings.dispatches += steps as u32;
        observer.gpu_tile(&GpuTile {
            started,
            ended: Instant::now(),
            items,
            upload: timings.upload - before.upload,
            readback: timings.readback - before.readback,
            kernel: timings
                .kernel
                .map(|k| k - before.kernel.unwrap_or_default()),
            dispatches: steps as u32,
        });
        Ok(result)
    }
}

/// `items` cut into dispatches of at most `dispatch_items`, each with its
/// dispatch block relative to the tile starting at `tile_start`.
pub(crate) fn dispatches(
    items: core::ops::Range<u64>,
    dispatch_items: u64,
    tile_start: u64,
    group_items: u64,
) -> impl Iterator<Item = (core::ops::Range<u64>, Dispatch)> {
    let count = (items.end - items.start).div_ceil(dispatch_items);
    (0..count).map(move |k| {
        let start = items.start + k * dispatch_items;
        let range = start..(start + dispatch_items).min(items.end);
        let offset = start - tile_start;
        let dispatch = Dispatch {
            first_lo: start as u32,
            first_hi: (start >> 32) as u32,
            count: (range.end - range.start) as u32,
            tile_item: offset as u32,
            tile_group: (offset / group_items.max(1)) as u32,
            _pad: [0; 3],
        };
        (range, dispatch)
    })
}
