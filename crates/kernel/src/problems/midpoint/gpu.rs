//! The GPU side of `midpoint`: workgroup tree sums in f32 (or f64 where the
//! device has SHADER_F64) of an integrand given as WGSL
//! (`shaders/midpoint.wgsl`, `shaders/midpoint_f64.wgsl`).

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::{Pod, Zeroable};
use hetero_core::{Midpoint, Neumaier};

use crate::error::KernelError;
use crate::gpu::{EXP_F64, GpuProgram, GpuReduce, sum_partials};

/// The f32 template; its integrand sits between the markers.
pub const TEMPLATE_F32: &str = include_str!("../../../shaders/midpoint.wgsl");
/// The f64 template; it is compiled after [`EXP_F64`].
pub const TEMPLATE_F64: &str = include_str!("../../../shaders/midpoint_f64.wgsl");

const BEGIN: &str = "// BEGIN INTEGRAND";
const END: &str = "// END INTEGRAND";
/// Terms per workgroup: 256 invocations × 16 terms (the shader's constants).
const GROUP_ITEMS: u64 = 256 * 16;
/// Terms per dispatch: the shader turns its local index into an f32, which
/// is exact below 2^24.
const MAX_DISPATCH_ITEMS: u64 = 1 << 24;

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
/// `fn f(x: f64) -> f64`, in which `exp_f64(x)` is available. Each is
/// validated with naga and compiled once per context.
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

/// The midpoint template with its integrand replaced by
/// `fn f(x: T) -> T { body }` (T = f32, or f64 when `f64`, after
/// `exp_f64`).
pub fn splice_integrand(body: &str, f64: bool) -> String {
    let (template, ty, before) = if f64 {
        (TEMPLATE_F64, "f64", EXP_F64)
    } else {
        (TEMPLATE_F32, "f32", "")
    };
    // Both markers are in the shipped templates (a test checks it).
    let start = template.find(BEGIN).unwrap_or(0);
    let end = template.find(END).map_or(template.len(), |e| e + END.len());
    format!(
        "{before}{}// user integrand\nfn f(x: {ty}) -> {ty} {{\n{body}\n}}{}",
        &template[..start],
        &template[end..]
    )
}

/// Mirrors `Params` in `shaders/midpoint.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct ParamsF32 {
    pub x0: f32,
    pub h: f32,
    pub _pad: [u32; 2],
}

/// Mirrors `Params` in `shaders/midpoint_f64.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct ParamsF64 {
    pub x0: f64,
    pub h: f64,
}

/// The midpoint rule's GPU side for one integrand and precision.
#[derive(Debug, Clone)]
pub struct MidpointGpu {
    spec: Midpoint,
    source: String,
    precision: Precision,
}

impl MidpointGpu {
    /// # Errors
    /// [`KernelError::Unsupported`] for f64 without an f64 body.
    pub fn new(
        spec: &Midpoint,
        integrand: &WgslIntegrand,
        precision: Precision,
    ) -> Result<Self, KernelError> {
        let source = match precision {
            Precision::F32 => splice_integrand(&integrand.f32_body, false),
            Precision::F64 => match &integrand.f64_body {
                Some(body) => splice_integrand(body, true),
                None => {
                    return Err(KernelError::Unsupported {
                        what: "f64 precision for an integrand without an f64 body",
                        backend: "gpu",
                        hint: "add one with WgslIntegrand::with_f64, or use Precision::F32",
                    });
                }
            },
        };
        Ok(Self {
            spec: *spec,
            source,
            precision,
        })
    }
}

impl GpuReduce<Neumaier> for MidpointGpu {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "midpoint",
            source: Cow::Owned(self.source.clone()),
            needs_f64: self.precision == Precision::F64,
            inputs: 0,
            workgroup_size: 256,
        }
    }

    fn group_items(&self) -> u64 {
        GROUP_ITEMS
    }

    fn partial_bytes(&self) -> u64 {
        match self.precision {
            Precision::F32 => 4,
            Precision::F64 => 8,
        }
    }

    fn max_dispatch_items(&self) -> u64 {
        MAX_DISPATCH_ITEMS
    }

    fn params(&self, items: Range<u64>) -> Vec<u8> {
        // The dispatch's origin in f64 on the host: the shader only adds
        // (i + ½)·h for i below 2^24.
        let (h, x0) = (
            self.spec.h(),
            self.spec.a() + items.start as f64 * self.spec.h(),
        );
        match self.precision {
            Precision::F32 => bytemuck::bytes_of(&ParamsF32 {
                x0: x0 as f32,
                h: h as f32,
                _pad: [0; 2],
            })
            .to_vec(),
            Precision::F64 => bytemuck::bytes_of(&ParamsF64 { x0, h }).to_vec(),
        }
    }

    fn chunk_partial(&self, _chunk: Range<u64>, groups: &[u8]) -> Neumaier {
        sum_partials(groups, self.partial_bytes())
    }
}
