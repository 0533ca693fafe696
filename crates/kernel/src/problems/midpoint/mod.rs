//! `midpoint`: h·Σ f(a + (i+½)h) over i in 0..n, a reduction whose leaves
//! are compensated chunk sums combined along the fixed tree.
//! GPU twin: `shaders/midpoint.wgsl` (f32) and `shaders/midpoint_f64.wgsl`.

use core::ops::Range;

use hetero_core::chunks::MIDPOINT_CHUNK;
use hetero_core::{Midpoint, Neumaier};

use crate::error::KernelError;
use crate::fold::sum_terms_at;
use crate::function::IndexTerm;
use crate::gpu::{GpuCaps, GpuProgram, GpuReduce};
use crate::kernel::{ReduceKernel, Reduction};
use crate::lanes::Lanes;
use crate::problem::Problem;
use crate::real::Real;
use crate::trace::trace;

pub mod gpu;

pub use gpu::{MidpointGpu, ParamsF32, ParamsF64, Precision, WgslIntegrand, splice_integrand};

/// A real function of one variable, written once for every lane type.
///
/// Implement `eval` generically and the function runs at full vector
/// width on the `simd` backends:
///
/// ```
/// use hetero_kernel::{Real, problems::midpoint::Integrand};
///
/// struct XSinX;
/// impl Integrand for XSinX {
///     fn eval<R: Real>(&self, x: R) -> R {
///         x * x.sin()
///     }
/// }
/// ```
///
/// Closures `Fn(f64) -> f64` are integrands too, evaluated lane by lane.
pub trait Integrand: Sync {
    /// f(x) on every lane of `x`.
    fn eval<R: Real>(&self, x: R) -> R;

    /// Whether `eval` is a closure evaluated lane by lane (so it has no
    /// vector form and cannot be translated to WGSL).
    fn is_lanewise(&self) -> bool {
        false
    }

    /// f as WGSL function bodies, for the GPU: by default translated from
    /// `eval` itself ([`crate::trace`]), in f32 and, where `eval` has an
    /// f64 form in WGSL, f64.
    ///
    /// # Errors
    /// [`KernelError::Unsupported`] for a closure (its body cannot be
    /// seen), [`KernelError::Untraceable`] for a body that is not
    /// straight-line arithmetic.
    fn wgsl(&self) -> Result<WgslIntegrand, KernelError> {
        if self.is_lanewise() {
            return Err(KernelError::Unsupported {
                what: "a Rust closure integrand",
                backend: "gpu",
                hint: "implement Integrand with a generic eval so hetero can translate it, or give WGSL with Engine::midpoint_wgsl",
            });
        }
        let f32_body = trace::<f32, 1>(["x"], |[x]| self.eval(x)).map_err(|reason| {
            KernelError::Untraceable {
                kernel: "midpoint",
                reason,
            }
        })?;
        let f64_body = trace::<f64, 1>(["x"], |[x]| self.eval(x)).ok();
        Ok(WgslIntegrand { f32_body, f64_body })
    }
}

impl<F: Fn(f64) -> f64 + Sync> Integrand for F {
    #[inline(always)]
    fn eval<R: Real>(&self, x: R) -> R {
        crate::function::ElementWise::<1>::eval(self, [x])
    }

    fn is_lanewise(&self) -> bool {
        true
    }
}

/// f(x) = exp(−x²), the notebook's integrand.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExpNegSquare;

impl Integrand for ExpNegSquare {
    #[inline(always)]
    fn eval<R: Real>(&self, x: R) -> R {
        // −x² as x·(−x) + 0: one negated multiply-add where the target has
        // FMA (`vfnmadd`) instead of a sign flip and a multiply. The same
        // value either way — one rounding of −x², as −x·x — but for the
        // sign of a zero, and e^±0 = 1.
        x.mul_add(-x, R::splat(R::Scalar::default())).exp()
    }

    fn wgsl(&self) -> Result<WgslIntegrand, KernelError> {
        Ok(WgslIntegrand::exp_neg_square())
    }
}

/// The midpoint rule for `spec` with integrand `f`.
#[derive(Debug, Clone, Copy)]
pub struct MidpointKernel<'f, F: ?Sized> {
    spec: Midpoint,
    f: &'f F,
    gpu_precision: Precision,
}

impl<'f, F: Integrand + ?Sized> MidpointKernel<'f, F> {
    /// On the GPU it sums in f32 (see [`MidpointKernel::with_gpu_precision`]).
    pub fn new(spec: &Midpoint, f: &'f F) -> Self {
        Self {
            spec: *spec,
            f,
            gpu_precision: Precision::F32,
        }
    }

    /// The arithmetic of the GPU side (the CPU always sums in f64).
    #[must_use]
    pub fn with_gpu_precision(mut self, precision: Precision) -> Self {
        self.gpu_precision = precision;
        self
    }
}

impl MidpointKernel<'static, ()> {
    /// The midpoint reduction without a CPU integrand: its chunk plan and
    /// combine, for a GPU side given as WGSL ([`MidpointGpu`]).
    pub fn gpu_only(spec: &Midpoint) -> Self {
        Self {
            spec: *spec,
            f: &(),
            gpu_precision: Precision::F32,
        }
    }
}

impl<F: ?Sized> MidpointKernel<'_, F> {
    pub fn spec(&self) -> &Midpoint {
        &self.spec
    }
}

/// The term of subinterval i: f(a + (i + ½)·h), handed `i + ½`
/// ([`sum_terms_at`] with offset ½).
struct Node<'k, F: ?Sized> {
    a: f64,
    h: f64,
    f: &'k F,
}

impl<F: Integrand + ?Sized> IndexTerm for Node<'_, F> {
    #[inline(always)]
    fn term<R: Real>(&self, i_and_half: R) -> R {
        // i + ½ is exact, and every backend evaluates exactly this
        // expression (no fused multiply-add): they all sample f at the
        // same points, `Midpoint::node`'s.
        self.f
            .eval(R::from_f64(self.a) + i_and_half * R::from_f64(self.h))
    }
}

impl<F: Sync + ?Sized> Reduction for MidpointKernel<'_, F> {
    type Partial = Neumaier;
    type Output = f64;

    fn name(&self) -> &'static str {
        "midpoint"
    }
    fn len(&self) -> u64 {
        self.spec.n()
    }
    fn chunk(&self) -> u64 {
        MIDPOINT_CHUNK
    }
    fn combine(&self, left: Neumaier, right: Neumaier) -> Neumaier {
        left.merge(right)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        self.spec.h() * total.value()
    }
}

impl<F: Integrand + ?Sized> ReduceKernel for MidpointKernel<'_, F> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Neumaier {
        let node = Node {
            a: self.spec.a(),
            h: self.spec.h(),
            f: self.f,
        };
        // i + ½ is exact for i below 2^51 (2^51 terms are weeks of work).
        sum_terms_at::<L::F64>(items, 0.5, &node)
    }

    fn gpu(&self, _: &GpuCaps) -> Result<Box<dyn GpuReduce<Neumaier> + '_>, KernelError> {
        let integrand = self.f.wgsl()?;
        Ok(Box::new(MidpointGpu::new(
            &self.spec,
            &integrand,
            self.gpu_precision,
        )?))
    }
}

/// The registry entry of `midpoint`.
pub const PROBLEM: &dyn Problem = &Registered;

struct Registered;

impl Problem for Registered {
    fn name(&self) -> &'static str {
        "midpoint"
    }
    fn summary(&self) -> &'static str {
        "∫ f over [a, b] by the midpoint rule (exp(−x²) on [0, 1] in the notebook)"
    }
    fn gpu_programs(&self, caps: &GpuCaps) -> Vec<GpuProgram> {
        let spec = Midpoint::notebook();
        let builtin = WgslIntegrand::exp_neg_square();
        let mut precisions = vec![Precision::F32];
        if caps.f64 {
            precisions.push(Precision::F64);
        }
        precisions
            .into_iter()
            .filter_map(|p| MidpointGpu::new(&spec, &builtin, p).ok())
            .map(|side| side.program())
            .collect()
    }
}
