//! The GPU context: adapter, device, queue, limits, compiled pipelines and
//! reusable buffers, opened once and used for every call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use hetero_kernel::gpu::GpuCaps;

use crate::adapter::{self, AdapterSummary};
use crate::config::GpuConfig;
use crate::error::{GpuError, GpuResult};
use crate::memory::{Bounds, BufferCache};
use crate::pipeline::Pipeline;
use crate::timing::PassTimer;

/// Compiled programs by (label, inputs, source).
type Programs = HashMap<(&'static str, usize, String), Arc<Pipeline>>;

/// An open GPU: create one and reuse it. It knows no problem by name: a
/// kernel's program is compiled on its first call and cached.
///
/// A context can be shared between threads: their calls take turns tile
/// by tile. After a device loss or an error outside any call, every call
/// returns that error: open a new context.
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    summary: AdapterSummary,
    pub(crate) bounds: Bounds,
    pub(crate) max_workgroups: u32,
    pub(crate) uniform_alignment: u32,
    fault: Arc<Mutex<Option<GpuError>>>,
    pub(crate) programs: Mutex<Programs>,
    buffers: Mutex<BufferCache>,
    pub(crate) timer: Option<PassTimer>,
    /// Compiled pipelines kept on disk, where the device has a cache and
    /// the config a folder.
    pub(crate) pipeline_cache: Option<crate::pipeline_cache::DiskPipelineCache>,
    /// Held for one tile (upload, dispatches, read-back): the labelled
    /// buffers and the pass timer are reused by every tile of a program.
    pub(crate) tile: crate::turns::Turns,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind
    // (a cache or a unit), so the poison carries no broken invariant.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GpuContext {
    /// Opens the adapter `config` asks for and requests the device with the
    /// adapter's limits and whichever of TIMESTAMP_QUERY, SHADER_F64 and
    /// SUBGROUP it has.
    ///
    /// # Errors
    /// [`GpuError::NoAdapter`], [`GpuError::AdapterNotFound`],
    /// [`GpuError::RequestDevice`].
    pub fn open(config: &GpuConfig) -> GpuResult<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = adapter::choose(&instance, config)?;
        let info = adapter.get_info();
        let optional = wgpu::Features::TIMESTAMP_QUERY
            | wgpu::Features::SHADER_F64
            | wgpu::Features::SUBGROUP
            | wgpu::Features::PIPELINE_CACHE;
        let features = adapter.features() & optional;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hetero:device"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::RequestDevice {
            adapter: info.name.clone(),
            reason: e.to_string(),
        })?;

        // Errors outside an error scope and device loss must never panic in
        // the caller: record them, and fail the next call with them.
        let fault = Arc::new(Mutex::new(None));
        let on_error = Arc::clone(&fault);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            lock(&on_error).get_or_insert(GpuError::Uncaptured {
                message: e.to_string(),
            });
        }));
        let on_lost = Arc::clone(&fault);
        device.set_device_lost_callback(move |reason, message| {
            lock(&on_lost).get_or_insert(GpuError::DeviceLost {
                reason: format!("{reason:?}: {message}"),
            });
        });

        let bounds = Bounds {
            max_buffer: limits.max_buffer_size,
            max_storage_binding: limits.max_storage_buffer_binding_size,
            budget: config.memory_budget,
        };
        let timer = PassTimer::new(&device, &queue);
        let pipeline_cache = config
            .pipeline_cache_dir
            .as_deref()
            .and_then(|dir| crate::pipeline_cache::DiskPipelineCache::open(&device, &info, dir));
        Ok(Self {
            pipeline_cache,
            summary: AdapterSummary::new(&info, features),
            max_workgroups: config
                .max_workgroups_per_dimension
                .map_or(limits.max_compute_workgroups_per_dimension, |cap| {
                    cap.clamp(1, limits.max_compute_workgroups_per_dimension)
                }),
            uniform_alignment: limits.min_uniform_buffer_offset_alignment,
            bounds,
            fault,
            programs: Mutex::new(HashMap::new()),
            buffers: Mutex::new(BufferCache::default()),
            timer,
            tile: crate::turns::Turns::default(),
            device,
            queue,
        })
    }

    /// [`GpuContext::open`] with [`GpuConfig::from_env`].
    ///
    /// # Errors
    /// [`GpuError::BadSetting`] for a `HETERO_GPU_*` variable set to
    /// something not accepted; then as [`GpuContext::open`].
    pub fn from_env() -> GpuResult<Self> {
        Self::open(&GpuConfig::from_env()?)
    }

    /// The adapter this context runs on.
    pub fn describe(&self) -> &AdapterSummary {
        &self.summary
    }

    /// The file compiled pipelines are kept in, and what this context
    /// loaded from it (`None`: no folder configured, or a device without
    /// a pipeline cache).
    pub fn pipeline_cache(&self) -> Option<&crate::PipelineCacheFile> {
        self.pipeline_cache.as_ref().map(|c| &c.file)
    }

    /// Whether the device has SHADER_F64 (f64 arithmetic in shaders).
    pub fn has_f64(&self) -> bool {
        self.device.features().contains(wgpu::Features::SHADER_F64)
    }

    /// What a kernel may adapt its GPU side to.
    pub fn caps(&self) -> GpuCaps {
        GpuCaps {
            f64: self.has_f64(),
        }
    }

    /// Destroys the device, as a driver reset would. wgpu then runs the
    /// device-lost callback set in [`GpuContext::open`] — the same path a
    /// real loss takes — which records the fault, so every later call
    /// returns [`GpuError::DeviceLost`]. For exercising the error paths.
    pub fn lose_device(&self) {
        self.device.destroy();
    }

    /// The memory budget one call may use, in bytes.
    pub fn memory_budget(&self) -> u64 {
        self.bounds.budget
    }

    /// Lets wgpu run its maintenance (which is where a lost device's
    /// callback fires), then fails with any fault recorded so far.
    fn check_device(&self) -> GpuResult<()> {
        // An error here means the device is gone; the callback has then
        // recorded why, and check_fault reports it.
        let _ = self.device.poll(wgpu::PollType::Poll);
        self.check_fault()
    }

    pub(crate) fn check_fault(&self) -> GpuResult<()> {
        match lock(&self.fault).as_ref() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Runs one GPU call inside validation and out-of-memory error scopes,
    /// failing if the device has faulted before or during it. Whatever `f`
    /// returned is discarded when an error was captured. The scopes are
    /// the calling thread's own (wgpu keeps them per thread), so calls
    /// from several threads run at once and take turns tile by tile
    /// (`run_tile`): a small call is not held up for the whole of a large
    /// one.
    pub(crate) fn call<T>(
        &self,
        label: &'static str,
        f: impl FnOnce() -> GpuResult<T>,
    ) -> GpuResult<T> {
        self.check_device()?;
        let scope = Scope::push(&self.device);
        let result = f();
        let popped = scope.pop(label);
        // A loss during the call shows up as validation errors on a dead
        // device: report the loss, the cause, rather than its symptoms.
        self.check_device()?;
        popped?;
        result
    }

    pub(crate) fn buffer(
        &self,
        label: &str,
        size: u64,
        usage: wgpu::BufferUsages,
    ) -> GpuResult<wgpu::Buffer> {
        lock(&self.buffers).get(&self.device, &self.bounds, label, size, usage)
    }

    /// Submits `encoder`, waits, maps `staging[..size]` and hands the bytes to `read`.
    pub(crate) fn submit_and_read<R>(
        &self,
        label: &'static str,
        encoder: wgpu::CommandEncoder,
        staging: &wgpu::Buffer,
        size: u64,
        read: impl FnOnce(&[u8]) -> R,
    ) -> GpuResult<R> {
        self.queue.submit([encoder.finish()]);
        self.map_read(label, staging, size, read)
    }

    /// Maps `buffer[..size]` for reading, waits for it, hands the bytes to `read`.
    pub(crate) fn map_read<R>(
        &self,
        label: &'static str,
        buffer: &wgpu::Buffer,
        size: u64,
        read: impl FnOnce(&[u8]) -> R,
    ) -> GpuResult<R> {
        let slice = buffer.slice(..size);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            // The receiver waits below; a send can only fail if it is gone.
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Poll {
                label,
                reason: e.to_string(),
            })?;
        let mapped = rx.recv().map_err(|_| GpuError::Readback {
            label,
            reason: "the map callback never ran".into(),
        })?;
        mapped.map_err(|e| GpuError::Readback {
            label,
            reason: e.to_string(),
        })?;
        let result = {
            let view = slice.get_mapped_range().map_err(|e| GpuError::Readback {
                label,
                reason: e.to_string(),
            })?;
            read(&view)
        };
        buffer.unmap();
        Ok(result)
    }
}

/// Validation and out-of-memory error scopes around a piece of work.
pub(crate) struct Scope {
    oom: wgpu::ErrorScopeGuard,
    validation: wgpu::ErrorScopeGuard,
}

impl Scope {
    pub(crate) fn push(device: &wgpu::Device) -> Self {
        Self {
            oom: device.push_error_scope(wgpu::ErrorFilter::OutOfMemory),
            validation: device.push_error_scope(wgpu::ErrorFilter::Validation),
        }
    }

    pub(crate) fn pop(self, label: &str) -> GpuResult<()> {
        let validation = pollster::block_on(self.validation.pop());
        let oom = pollster::block_on(self.oom.pop());
        if oom.is_some() {
            return Err(GpuError::OutOfMemory {
                label: label.into(),
            });
        }
        match validation {
            Some(e) => Err(GpuError::Validation {
                label: label.into(),
                message: e.to_string(),
            }),
            None => Ok(()),
        }
    }
}

impl GpuContext {
    /// The last pass's GPU time, when the device has timestamp queries.
    pub(crate) fn read_timer(&self) -> GpuResult<Option<std::time::Duration>> {
        match &self.timer {
            Some(timer) => self.map_read("timing", timer.staging(), 16, |b| timer.elapsed(b)),
            None => Ok(None),
        }
    }
}
