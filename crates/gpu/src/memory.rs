//! Buffers: checked against the limits and the budget before they exist,
//! and reused across calls of the same role.
//!
//! On lavapipe an allocation the driver cannot satisfy aborts the whole
//! process instead of returning an error, so nothing here allocates first
//! and asks later.

use std::collections::HashMap;

use crate::error::{GpuError, GpuResult};

/// The limits that bound one allocation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub max_buffer: u64,
    pub max_storage_binding: u64,
    pub budget: u64,
}

impl Bounds {
    /// The largest storage binding a call may use.
    pub(crate) fn storage_cap(&self) -> u64 {
        self.max_storage_binding
            .min(self.max_buffer)
            .min(self.budget)
    }

    pub(crate) fn check(&self, label: &str, size: u64, storage: bool) -> GpuResult<()> {
        let exceed = |limit, limit_name, hint| GpuError::LimitExceeded {
            label: label.to_owned(),
            needed: size,
            limit,
            limit_name,
            hint,
        };
        if size > self.budget {
            return Err(exceed(
                self.budget,
                "the memory budget",
                "raise HETERO_GPU_BUDGET_MIB (GpuConfig::memory_budget) or use a smaller problem",
            ));
        }
        if size > self.max_buffer {
            return Err(exceed(
                self.max_buffer,
                "the device's max_buffer_size",
                "use a smaller problem",
            ));
        }
        if storage && size > self.max_storage_binding {
            return Err(exceed(
                self.max_storage_binding,
                "the device's max_storage_buffer_binding_size",
                "use a smaller problem",
            ));
        }
        Ok(())
    }
}

/// Buffers kept between calls, one per role label (`"julia:output"`).
#[derive(Default)]
pub(crate) struct BufferCache {
    buffers: HashMap<String, wgpu::Buffer>,
}

impl BufferCache {
    fn held(&self) -> u64 {
        self.buffers.values().map(wgpu::Buffer::size).sum()
    }

    /// A buffer of at least `size` bytes for `label`: the cached one if big
    /// enough, else a new one (the cache is emptied first if keeping it
    /// would exceed the budget).
    pub(crate) fn get(
        &mut self,
        device: &wgpu::Device,
        bounds: &Bounds,
        label: &str,
        size: u64,
        usage: wgpu::BufferUsages,
    ) -> GpuResult<wgpu::Buffer> {
        let size = size.max(16).next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT);
        bounds.check(label, size, usage.contains(wgpu::BufferUsages::STORAGE))?;
        if let Some(b) = self.buffers.get(label)
            && b.size() >= size
            && b.usage() == usage
        {
            return Ok(b.clone());
        }
        // Dropped, not destroyed: a buffer still used by the call in progress
        // lives on through its clone, and the memory goes when that does.
        self.buffers.remove(label);
        if self.held() + size > bounds.budget {
            self.buffers.clear();
        }
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage,
            mapped_at_creation: false,
        });
        self.buffers.insert(label.to_owned(), buffer.clone());
        Ok(buffer)
    }
}
