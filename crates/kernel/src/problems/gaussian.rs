//! `gaussian`: z\[i\] = exp(−γ·(x\[i\] − y\[i\])²), an element-wise map over two
//! arrays, in f64 or f32. GPU twin (f32): `shaders/gaussian.wgsl`.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::{Pod, Zeroable};
use hetero_core::chunks::GAUSSIAN_CHUNK;
use hetero_core::{Gaussian, ProblemError};

use crate::error::KernelError;
use crate::fold::map_elements;
use crate::function::ElementWise;
use crate::gpu::{GpuCaps, GpuMap, GpuProgram};
use crate::kernel::{MapKernel, Mapping};
use crate::lanes::{Element, Lanes};
use crate::problem::Problem;
use crate::real::{Float, Real};

pub const SHADER: &str = include_str!("../../shaders/gaussian.wgsl");

/// Mirrors `Params` in `shaders/gaussian.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct GaussianParams {
    pub gamma: f32,
    pub _pad: [u32; 3],
}

/// The kernel on one element (or one vector of them), evaluated left to
/// right as `(−γ·d)·d`: NaN in gives NaN out, an infinite or huge
/// |x − y| gives 0 (for γ > 0; γ = 0 is [`ZeroGammaBody`]).
#[derive(Debug, Clone, Copy)]
pub struct GaussianBody {
    gamma: f64,
}

impl ElementWise<2> for GaussianBody {
    #[inline(always)]
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        let d = x - y;
        // −γ is rounded to the lane type once, as the notebook's f32 path
        // rounds γ: the same arithmetic on every backend.
        (R::from_f64(-self.gamma) * d * d).exp()
    }
}

/// The kernel at γ = 0: 1 wherever d = x − y is a number (an infinite d
/// included), NaN where it is NaN — where the plain formula would give
/// 0·∞ = NaN for an infinite d. (`hetero_core::gaussian::kernel_f64` is
/// the reference.) A separate body, so γ > 0 runs no test per element.
#[derive(Debug, Clone, Copy)]
pub struct ZeroGammaBody;

impl ElementWise<2> for ZeroGammaBody {
    #[inline(always)]
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        let d = x - y;
        R::select(d.is_nan(), d, R::from_f64(1.0))
    }
}

/// The Gaussian kernel over `x` and `y`, in `T` arithmetic throughout.
#[derive(Debug, Clone, Copy)]
pub struct GaussianKernel<'a, T> {
    body: GaussianBody,
    x: &'a [T],
    y: &'a [T],
}

impl<'a, T: Element> GaussianKernel<'a, T> {
    /// # Errors
    /// [`ProblemError::LengthMismatch`] unless `x` and `y` have one length;
    /// [`ProblemError::GammaOutOfRange`] when γ does not fit `T` (γ above
    /// f32::MAX for f32 would become ∞ and give NaN where x = y).
    pub fn new(spec: &Gaussian, x: &'a [T], y: &'a [T]) -> Result<Self, ProblemError> {
        Gaussian::check_lengths(x.len(), y.len(), x.len())?;
        if !T::from_f64(spec.gamma()).to_f64().is_finite() {
            return Err(ProblemError::GammaOutOfRange {
                gamma: spec.gamma(),
                precision: T::WGSL,
                max: T::MAX.to_f64(),
            });
        }
        Ok(Self {
            body: GaussianBody {
                gamma: spec.gamma(),
            },
            x,
            y,
        })
    }

    pub fn gamma(&self) -> f64 {
        self.body.gamma
    }

    pub fn inputs(&self) -> [&'a [T]; 2] {
        [self.x, self.y]
    }
}

impl<T: Element> Mapping for GaussianKernel<'_, T> {
    type Out = T;

    fn name(&self) -> &'static str {
        "gaussian"
    }
    fn len(&self) -> usize {
        self.x.len()
    }
    fn chunk(&self) -> usize {
        GAUSSIAN_CHUNK
    }
}

impl<T: Element> MapKernel for GaussianKernel<'_, T> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [T]) {
        let inputs = [&self.x[items.clone()], &self.y[items]];
        if self.body.gamma == 0.0 {
            map_elements::<T::Vector<L>, 2>(&ZeroGammaBody, inputs, out);
        } else {
            map_elements::<T::Vector<L>, 2>(&self.body, inputs, out);
        }
    }

    /// f32 only: the shader computes in f32.
    fn gpu(&self, _: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        if T::WGSL != f32::WGSL {
            return Err(KernelError::Unsupported {
                what: "the f64 Gaussian kernel",
                backend: "gpu",
                hint: "the GPU computes it in f32: use gaussian_f32",
            });
        }
        Ok(Box::new(*self))
    }
}

impl<T: Element> GpuMap for GaussianKernel<'_, T> {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "gaussian",
            source: Cow::Borrowed(SHADER),
            needs_f64: false,
            inputs: 2,
            workgroup_size: 256,
        }
    }

    fn params(&self, _: Range<u64>) -> Vec<u8> {
        bytemuck::bytes_of(&GaussianParams {
            gamma: self.body.gamma as f32,
            _pad: [0; 3],
        })
        .to_vec()
    }

    fn input_bytes(&self, _: usize, items: u64) -> u64 {
        items * size_of::<T>() as u64
    }

    fn input(&self, input: usize, items: Range<u64>) -> Cow<'_, [u8]> {
        let source = if input == 0 { self.x } else { self.y };
        Cow::Borrowed(bytemuck::cast_slice(
            &source[items.start as usize..items.end as usize],
        ))
    }
}

/// The registry entry of `gaussian`.
pub const PROBLEM: &dyn Problem = &Registered;

struct Registered;

impl Problem for Registered {
    fn name(&self) -> &'static str {
        "gaussian"
    }
    fn summary(&self) -> &'static str {
        "z = exp(−γ(x − y)²) element-wise over two arrays"
    }
    fn gpu_programs(&self, _: &GpuCaps) -> Vec<GpuProgram> {
        let none: &[f32] = &[];
        GaussianKernel::new(&Gaussian::notebook(), none, none)
            .map(|kernel| vec![kernel.program()])
            .unwrap_or_default()
    }
}
