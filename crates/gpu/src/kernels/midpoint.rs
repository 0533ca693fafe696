//! `midpoint` on the GPU: workgroup tree sums in f32 (or f64 where the
//! device has SHADER_F64), partials combined in f64 on the host
//! (`shaders/midpoint.wgsl`, `shaders/midpoint_f64.wgsl`).
//!
//! n beyond one dispatch runs as several dispatches of at most 2^24
//! subintervals, each with its own x0 (computed in f64 on the host): the
//! index inside a dispatch stays exact in f32, and n up to 10^10 and beyond
//! works with the same kernel. Up to 64 dispatches share one submission,
//! their parameters at dynamic uniform offsets.

use std::sync::Arc;
use std::time::Instant;

use bytemuck::{Pod, Zeroable};
use hetero_core::{Midpoint, Neumaier};

use super::{Kernel, OUTPUT, STAGING, Slot, UNIFORM, encoder, record_pass};
use crate::context::Scope;
use crate::error::{GpuError, GpuResult};
use crate::{GpuContext, GpuTimings, shaders};

pub(crate) const LAYOUT: [Slot; 2] = [Slot::UniformDynamic, Slot::ReadWrite];
const ITEMS_PER_GROUP: u64 = 256 * 16;
const ITEMS_PER_DISPATCH: u64 = 1 << 24;
const GROUPS_PER_DISPATCH: u64 = ITEMS_PER_DISPATCH / ITEMS_PER_GROUP;
const DISPATCHES_PER_SUBMIT: u64 = 64;

/// Which arithmetic the GPU sums in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    /// f32 terms and workgroup sums (relative error ~1e-7): every GPU.
    #[default]
    F32,
    /// f64 throughout with hetero's own f64 exp (~1e-15): needs SHADER_F64.
    F64,
}

/// A user integrand for the GPU, as WGSL function bodies.
///
/// `f32_body` becomes the body of `fn f(x: f32) -> f32`, `f64_body` that of
/// `fn f(x: f64) -> f64`, in which `exp_f64(x)` is available (WGSL's `exp`
/// is not defined for f64 on Vulkan). Each is validated with naga and
/// compiled once per context.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WgslIntegrand {
    pub f32_body: String,
    pub f64_body: Option<String>,
}

impl WgslIntegrand {
    pub fn new(f32_body: impl Into<String>) -> Self {
        Self {
            f32_body: f32_body.into(),
            f64_body: None,
        }
    }

    #[must_use]
    pub fn with_f64(mut self, f64_body: impl Into<String>) -> Self {
        self.f64_body = Some(f64_body.into());
        self
    }

    /// exp(−x²), the notebook's integrand.
    pub fn exp_neg_square() -> Self {
        Self::new("return exp(-x * x);").with_f64("return exp_f64(-x * x);")
    }
}

/// Mirrors `Params` in `shaders/midpoint.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MidpointParams {
    pub x0: f32,
    pub h: f32,
    pub count: u32,
    pub partial_offset: u32,
}

/// Mirrors `Params` in `shaders/midpoint_f64.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MidpointParamsF64 {
    pub x0: f64,
    pub h: f64,
    pub count: u32,
    pub partial_offset: u32,
    pub _pad: [u32; 2],
}

impl GpuContext {
    /// The pipeline for `body`, compiled on first use and cached.
    pub(crate) fn integrand_kernel(&self, body: &str, f64: bool) -> GpuResult<Arc<Kernel>> {
        let key = (f64, body.to_owned());
        if let Some(k) = self
            .integrands
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(k);
        }
        let source = shaders::splice_integrand(body, f64);
        shaders::validate("the midpoint integrand", &source, f64)?;
        let scope = Scope::push(&self.device);
        let kernel = Kernel::build(&self.device, "midpoint", &source, &LAYOUT)?;
        scope.pop("midpoint:pipeline")?;
        let kernel = Arc::new(kernel);
        if let Ok(mut m) = self.integrands.lock() {
            m.insert(key, Arc::clone(&kernel));
        }
        Ok(kernel)
    }
}

/// h·Σ f(a + (i+½)h) for the spec's interval, with `integrand` on the GPU.
///
/// # Errors
/// [`GpuError::MissingFeature`] for f64 without SHADER_F64 or without an f64
/// body, [`GpuError::InvalidShader`] for a body naga rejects, or any device error.
pub fn integrate(
    ctx: &GpuContext,
    spec: &Midpoint,
    integrand: &WgslIntegrand,
    precision: Precision,
) -> GpuResult<(f64, GpuTimings)> {
    let f64 = precision == Precision::F64;
    if f64 && !ctx.has_f64() {
        return Err(GpuError::MissingFeature {
            what: "the f64 midpoint kernel",
            feature: "SHADER_F64",
            adapter: ctx.describe().name.clone(),
        });
    }
    let body = if f64 {
        integrand.f64_body.as_deref().ok_or_else(|| GpuError::InvalidShader {
            label: "the midpoint integrand".into(),
            message: "f64 precision was asked for but the integrand has no f64 body; add one with WgslIntegrand::with_f64".into(),
        })?
    } else {
        &integrand.f32_body
    };
    let kernel = ctx.integrand_kernel(body, f64)?;
    let started = Instant::now();
    let (n, h) = (spec.n(), spec.h());
    let dispatches = n.div_ceil(ITEMS_PER_DISPATCH);
    let batch = dispatches.min(DISPATCHES_PER_SUBMIT);
    let param_size = if f64 {
        size_of::<MidpointParamsF64>()
    } else {
        size_of::<MidpointParams>()
    } as u64;
    let stride = param_size.next_multiple_of(u64::from(ctx.uniform_alignment.max(1)));
    let elem = if f64 { 8 } else { 4 };
    let partial_bytes = batch * GROUPS_PER_DISPATCH * elem;
    ctx.call("midpoint", || {
        let params = ctx.buffer("midpoint:params", batch * stride, UNIFORM)?;
        let partials = ctx.buffer("midpoint:partials", partial_bytes, OUTPUT)?;
        let staging = ctx.buffer("midpoint:staging", partial_bytes, STAGING)?;
        let bind_group = kernel.bind(
            &ctx.device,
            &[(&params, Some(param_size)), (&partials, None)],
        );
        let mut timings = GpuTimings::default();
        let mut total = Neumaier::ZERO;
        let mut first = 0u64;
        while first < dispatches {
            let count = (dispatches - first).min(batch);
            let mut bytes = vec![0u8; (count * stride) as usize];
            let mut list = Vec::with_capacity(count as usize);
            let mut groups_of = Vec::with_capacity(count as usize);
            for slot in 0..count {
                let base = (first + slot) * ITEMS_PER_DISPATCH;
                let items = (n - base).min(ITEMS_PER_DISPATCH);
                let x0 = spec.a() + base as f64 * h;
                let offset = (slot * GROUPS_PER_DISPATCH) as u32;
                let at = (slot * stride) as usize;
                let p = &mut bytes[at..at + param_size as usize];
                if f64 {
                    p.copy_from_slice(bytemuck::bytes_of(&MidpointParamsF64 {
                        x0,
                        h,
                        count: items as u32,
                        partial_offset: offset,
                        _pad: [0; 2],
                    }));
                } else {
                    p.copy_from_slice(bytemuck::bytes_of(&MidpointParams {
                        x0: x0 as f32,
                        h: h as f32,
                        count: items as u32,
                        partial_offset: offset,
                    }));
                }
                let groups = items.div_ceil(ITEMS_PER_GROUP);
                groups_of.push(groups);
                list.push(([groups as u32, 1], Some((slot * stride) as u32)));
            }
            let upload = Instant::now();
            ctx.queue.write_buffer(&params, 0, &bytes);
            timings.upload += upload.elapsed();
            let mut enc = encoder(ctx, "midpoint:encoder");
            record_pass(ctx, &mut enc, &kernel, &bind_group, &list);
            let used = count * GROUPS_PER_DISPATCH * elem;
            enc.copy_buffer_to_buffer(&partials, 0, &staging, 0, used);
            ctx.submit_and_read("midpoint", enc, &staging, used, |data| {
                let read = Instant::now();
                // Partials are added in dispatch order, then workgroup order:
                // the same sum for the same n on every run.
                for (slot, groups) in groups_of.iter().enumerate() {
                    let start = slot * (GROUPS_PER_DISPATCH * elem) as usize;
                    let words = &data[start..start + (*groups * elem) as usize];
                    if f64 {
                        words
                            .chunks_exact(8)
                            .for_each(|w| total.add(bytemuck::pod_read_unaligned::<f64>(w)));
                    } else {
                        words.chunks_exact(4).for_each(|w| {
                            total.add(f64::from(bytemuck::pod_read_unaligned::<f32>(w)))
                        });
                    }
                }
                timings.readback += read.elapsed();
            })?;
            timings.add_kernel(ctx.read_timer()?);
            timings.dispatches += count as u32;
            first += count;
        }
        timings.end_to_end = started.elapsed();
        Ok((h * total.value(), timings))
    })
}
