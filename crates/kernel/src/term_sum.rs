//! [`TermSumGpu`]: the GPU side of any reduction Σ term(i) with
//! compensated-sum partials, its term traced from the same [`IndexTerm`]
//! body the CPU leaf sums (`shaders/term_sum.wgsl`).

use core::ops::Range;
use std::borrow::Cow;

use hetero_core::Neumaier;

use crate::error::KernelError;
use crate::function::IndexTerm;
use crate::gpu::{EXP_F64, GpuCaps, GpuProgram, GpuReduce, sum_partials};
use crate::trace::trace;

/// The template; its `Real` alias and its term are replaced per kernel.
pub const TEMPLATE: &str = include_str!("../shaders/term_sum.wgsl");

const REAL_F32: &str = "alias Real = f32; // REAL";
const REAL_F64: &str = "alias Real = f64;";
const BEGIN: &str = "// BEGIN TERM";
const END: &str = "// END TERM";
/// Terms per workgroup: 256 invocations × 16 (the shader's constants).
pub const GROUP_ITEMS: u64 = 256 * 16;
/// Items per dispatch: the local index is turned into a `Real`, exact
/// below 2^24 in f32.
const MAX_DISPATCH_ITEMS: u64 = 1 << 24;
/// Indices past this are not exact in f32.
const F32_EXACT_INDICES: u64 = 1 << 24;

/// A reduction Σ term(i) on the GPU: f64 where the device has SHADER_F64
/// and the term has an f64 form in WGSL (no sin/cos), else f32.
#[derive(Debug, Clone)]
pub struct TermSumGpu {
    source: String,
    f64: bool,
}

impl TermSumGpu {
    /// The GPU side of Σ term(i) over `0..len` for `term`.
    ///
    /// # Errors
    /// [`KernelError::Untraceable`] when the term is not straight-line
    /// arithmetic; [`KernelError::Unsupported`] for an f32 side past 2^24
    /// items (its indices would not be exact).
    pub fn new(
        kernel: &'static str,
        term: &(impl IndexTerm + ?Sized),
        len: u64,
        caps: &GpuCaps,
    ) -> Result<Self, KernelError> {
        let f64_body = caps
            .f64
            .then(|| trace::<f64, 1>(["i"], |[i]| term.term(i)).ok())
            .flatten();
        let (body, f64) = match f64_body {
            Some(body) => (body, true),
            None => {
                if len > F32_EXACT_INDICES {
                    return Err(KernelError::Unsupported {
                        what: "a traced f32 sum past 2^24 items (its indices would not be exact in f32)",
                        backend: "gpu",
                        hint: "use a device with SHADER_F64 and a term with an f64 form, fewer items, or a CPU backend",
                    });
                }
                let body = trace::<f32, 1>(["i"], |[i]| term.term(i))
                    .map_err(|reason| KernelError::Untraceable { kernel, reason })?;
                (body, false)
            }
        };
        Ok(Self {
            source: splice_term(&body, f64),
            f64,
        })
    }
}

/// The template with `fn term(i: Real) -> Real { body }`, in f64 (after
/// `exp_f64`) or f32.
pub fn splice_term(body: &str, f64: bool) -> String {
    let template = if f64 {
        format!("{EXP_F64}{}", TEMPLATE.replace(REAL_F32, REAL_F64))
    } else {
        TEMPLATE.to_owned()
    };
    // Both markers are in the shipped template (a test checks it).
    let start = template.find(BEGIN).unwrap_or(0);
    let end = template.find(END).map_or(template.len(), |e| e + END.len());
    format!(
        "{}// traced term\nfn term(i: Real) -> Real {{\n{body}\n}}{}",
        &template[..start],
        &template[end..]
    )
}

impl GpuReduce<Neumaier> for TermSumGpu {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "term-sum",
            source: Cow::Owned(self.source.clone()),
            needs_f64: self.f64,
            inputs: 0,
            workgroup_size: 256,
        }
    }

    fn group_items(&self) -> u64 {
        GROUP_ITEMS
    }

    fn partial_bytes(&self) -> u64 {
        if self.f64 { 8 } else { 4 }
    }

    fn max_dispatch_items(&self) -> u64 {
        MAX_DISPATCH_ITEMS
    }

    fn params(&self, items: Range<u64>) -> Vec<u8> {
        if self.f64 {
            bytemuck::bytes_of(&(items.start as f64)).to_vec()
        } else {
            bytemuck::bytes_of(&(items.start as f32)).to_vec()
        }
    }

    fn chunk_partial(&self, _: Range<u64>, groups: &[u8]) -> Neumaier {
        sum_partials(groups, self.partial_bytes())
    }
}

/// Items per chunk of a [`TermSum`]: a few microseconds of terms, as
/// `midpoint`'s chunk.
pub const TERM_SUM_CHUNK: u64 = 1 << 14;

/// The reduction Σ term(i) for i in `0..len`, from the term alone: leaves
/// sum the terms with compensation ([`crate::fold::sum_terms`]) at every
/// lane width, partials combine along the fixed tree, and the GPU side is
/// the same term traced to WGSL ([`TermSumGpu`]). A user's sum is its
/// `term` and `engine.reduce(&TermSum::new("Σ 1/i²", &Basel, n), backend)`.
pub struct TermSum<'a, F: IndexTerm + ?Sized> {
    name: &'static str,
    term: &'a F,
    len: u64,
    scale: f64,
}

impl<'a, F: IndexTerm + ?Sized> TermSum<'a, F> {
    /// Σ `term`(i) over the first `len` indices, reported as `name`.
    pub fn new(name: &'static str, term: &'a F, len: u64) -> Self {
        Self {
            name,
            term,
            len,
            scale: 1.0,
        }
    }

    /// The sum multiplied by `scale` once, at the end: a quadrature's
    /// weight h times Σ f(xᵢ), without a multiply per term.
    #[must_use]
    pub fn scaled(self, scale: f64) -> Self {
        Self { scale, ..self }
    }
}

impl<F: IndexTerm + ?Sized> crate::kernel::Reduction for TermSum<'_, F> {
    type Partial = Neumaier;
    type Output = f64;

    fn name(&self) -> &'static str {
        self.name
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn chunk(&self) -> u64 {
        TERM_SUM_CHUNK
    }
    fn combine(&self, left: Neumaier, right: Neumaier) -> Neumaier {
        left.merge(right)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        self.scale * total.value()
    }
}

impl<F: IndexTerm + ?Sized> crate::kernel::ReduceKernel for TermSum<'_, F> {
    #[inline(always)]
    fn leaf<L: crate::lanes::Lanes>(&self, items: Range<u64>) -> Neumaier {
        crate::fold::sum_terms::<L::F64>(items, self.term)
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<Neumaier> + '_>, KernelError> {
        Ok(Box::new(TermSumGpu::new(
            self.name, self.term, self.len, caps,
        )?))
    }
}
