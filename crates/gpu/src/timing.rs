//! Where a GPU call's time went.

use std::time::Duration;

/// The time split of one GPU call.
///
/// - `end_to_end`: the whole call, from the caller's slices to the caller's
///   output (upload + dispatch + readback).
/// - `resident()`: `end_to_end` less the host-side upload and readback
///   copies: what the call costs when inputs and outputs stay on the device.
/// - `kernel`: GPU time of the compute passes from timestamp queries, when
///   the adapter has `TIMESTAMP_QUERY` (`None` otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GpuTimings {
    pub end_to_end: Duration,
    pub upload: Duration,
    pub readback: Duration,
    pub kernel: Option<Duration>,
    /// Compute dispatches issued (more than one when the work was split).
    pub dispatches: u32,
}

impl GpuTimings {
    pub fn resident(&self) -> Duration {
        self.end_to_end.saturating_sub(self.upload + self.readback)
    }

    pub(crate) fn add_kernel(&mut self, d: Option<Duration>) {
        if let Some(d) = d {
            self.kernel = Some(self.kernel.unwrap_or_default() + d);
        }
    }
}

/// Timestamp queries around one compute pass per submission.
pub(crate) struct PassTimer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    staging: wgpu::Buffer,
    period_ns: f64,
}

impl PassTimer {
    pub(crate) fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Option<Self> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return None;
        }
        let queries = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("timing:queries"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let buffer = |label, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 16,
                usage,
                mapped_at_creation: false,
            })
        };
        Some(Self {
            queries,
            resolve: buffer(
                "timing:resolve",
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            ),
            staging: buffer(
                "timing:staging",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            period_ns: f64::from(queue.get_timestamp_period()),
        })
    }

    pub(crate) fn writes(&self) -> wgpu::ComputePassTimestampWrites<'_> {
        wgpu::ComputePassTimestampWrites {
            query_set: &self.queries,
            beginning_of_pass_write_index: Some(0),
            end_of_pass_write_index: Some(1),
        }
    }

    /// Records the copy of the two timestamps; call after the pass ends.
    pub(crate) fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        encoder.resolve_query_set(&self.queries, 0..2, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.staging, 0, 16);
    }

    pub(crate) fn staging(&self) -> &wgpu::Buffer {
        &self.staging
    }

    /// The pass's GPU time from the two mapped timestamps.
    pub(crate) fn elapsed(&self, bytes: &[u8]) -> Option<Duration> {
        let ticks: [u64; 2] = bytemuck::pod_read_unaligned(bytes.get(..16)?);
        let ns = ticks[1].checked_sub(ticks[0])? as f64 * self.period_ns;
        Some(Duration::from_nanos(ns as u64))
    }
}
