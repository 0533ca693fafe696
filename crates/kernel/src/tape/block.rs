//! Running a tape over a block of vectors at a time (numexpr's design):
//! each step loops over the whole block before the next one starts, so the
//! dispatch on the operation is paid once per block instead of once per
//! vector, and the block's values stay in L1. Every element goes through
//! the same `Real` calls as [`Tape::eval`] gives it, so the bits are the
//! same.

use super::fuse::Step;
use super::{Id, Op, Tape};
use crate::real::Real;

/// Vectors per block: the operations' values of a block stay in L1 for
/// tapes of a few dozen operations (AVX-512 f64: 16 vectors = 1 KiB per
/// value). Measured (AVX-512 Xeon, `simd`, 10⁶, tape time ÷ the built-in
/// kernel's, median of 6 interleaved runs): 8 vectors 1.47× (Gaussian) /
/// 1.47× (midpoint), **16: 1.29 / 1.26**, 32: 1.29 / 1.27 — smaller
/// blocks pay the dispatch on each step more often; in the first design
/// (inputs copied in) 64 pushed the block's values out of L1 (1.74×).
pub const BLOCK_VECTORS: usize = 16;

/// The values of one block: one run of `vectors × LANES` scalars per
/// operation, and one run of masks per comparison.
pub struct BlockScratch<R: Real> {
    reals: Vec<R::Scalar>,
    /// Where the first run starts in `reals`: at a cache-line boundary, so
    /// that no vector load or store of a run is split across two lines
    /// (measured: the Gaussian's tape took 1.7× the built-in kernel's time
    /// with split runs, 1.5× without).
    start: usize,
    masks: Vec<R::Mask>,
}

/// The alignment runs start at: a cache line, which is also the widest
/// vector (AVX-512).
const RUN_ALIGN: usize = 64;

impl<R: Real> BlockScratch<R> {
    /// Room for `tape` over blocks of up to [`BLOCK_VECTORS`] vectors.
    pub fn new(tape: &Tape) -> Self {
        let n = tape.ops.len() * BLOCK_VECTORS;
        let zero = <R::Scalar as Real>::from_f64(0.0);
        let mask = R::splat(zero).simd_eq(R::splat(zero));
        let pad = RUN_ALIGN / core::mem::size_of::<R::Scalar>();
        let reals = vec![zero; n * R::LANES + pad];
        // Stays within the padding: the allocation is at least
        // scalar-aligned, so a line boundary is at most `pad` scalars on.
        let start = reals.as_ptr().align_offset(RUN_ALIGN).min(pad);
        Self {
            reals,
            start,
            masks: vec![mask; n],
        }
    }
}

impl Tape {
    /// The tape over whole vectors: `out`'s length is a multiple of
    /// `R::LANES`, at most [`BLOCK_VECTORS`] vectors, and each of `inputs`
    /// at least as long. Inputs are read where they lie and the result is
    /// written straight into `out` — a copy in or out would be a pass of
    /// loads and stores that overlaps no arithmetic (measured: with the
    /// copies the Gaussian's tape took 2.0× the built-in kernel's time,
    /// without them 1.7×).
    ///
    /// # Panics
    /// If `out` is not a whole number of vectors or longer than
    /// [`BLOCK_VECTORS`] of them, an input is shorter than `out`, or
    /// `scratch` was made for a shorter tape.
    #[inline(always)]
    pub fn eval_block<R: Real>(
        &self,
        inputs: &[&[R::Scalar]],
        out: &mut [R::Scalar],
        scratch: &mut BlockScratch<R>,
    ) {
        let lanes = R::LANES;
        let v = out.len() / lanes;
        let n = v * lanes;
        let run_len = BLOCK_VECTORS * lanes;
        assert!(
            n == out.len()
                && v <= BLOCK_VECTORS
                && scratch.masks.len() >= self.ops.len() * BLOCK_VECTORS
        );
        let (reals, masks) = (&mut scratch.reals[scratch.start..], &mut scratch.masks);
        // PERF: only plain loops, `#[inline(always)]` helpers and
        // `#[inline(always)]` closures below — no function items (`R::exp`
        // passed as a value goes through an `Fn::call` shim that stays out
        // of line), iterator adaptors or slice helpers: whatever stays out
        // of line inside a level's trampoline is compiled for the baseline
        // and calls each intrinsic. The first version ran 30× slower at
        // v3/v4 than at the baseline for it (perf: `_mm512_fmadd_pd` as a
        // function under `Fn::call`).
        for (i, step) in self.steps.iter().enumerate() {
            let (done, rest) = reals.split_at_mut(i * run_len);
            // The result, when it is the last operation (as traced bodies
            // end), is written straight into `out`: nothing reads it after.
            let dst = match i + 1 == self.ops.len() && i == self.output as usize {
                true => &mut out[..n],
                false => &mut rest[..n],
            };
            let arg = |id: Id| operand(&self.ops, inputs, done, run_len, id, n);
            let op = match *step {
                Step::Run(op) => op,
                Step::Folded => continue,
                Step::SquaredDifference(a, b) => {
                    zip2::<R>(
                        dst,
                        arg(a),
                        arg(b),
                        #[inline(always)]
                        |x, y| {
                            let d = x - y;
                            d * d
                        },
                    );
                    continue;
                }
                Step::ExpOfNeg(a) => {
                    zip1::<R>(
                        dst,
                        arg(a),
                        #[inline(always)]
                        |x| (-x).exp(),
                    );
                    continue;
                }
                Step::MulNegLeft(a, b) => {
                    zip2::<R>(
                        dst,
                        arg(a),
                        arg(b),
                        #[inline(always)]
                        |x, y| -x * y,
                    );
                    continue;
                }
                Step::MulNegRight(a, b) => {
                    zip2::<R>(
                        dst,
                        arg(a),
                        arg(b),
                        #[inline(always)]
                        |x, y| x * -y,
                    );
                    continue;
                }
            };
            match op {
                // Read where they lie: nothing to copy.
                Op::Input(_) => {}
                Op::Const(c) => {
                    let c = <R::Scalar as Real>::from_f64(c);
                    for d in dst.iter_mut() {
                        *d = c;
                    }
                }
                Op::Add(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x + y,
                ),
                Op::Sub(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x - y,
                ),
                Op::Mul(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x * y,
                ),
                Op::Div(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x / y,
                ),
                Op::Min(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x.min(y),
                ),
                Op::Max(a, b) => zip2::<R>(
                    dst,
                    arg(a),
                    arg(b),
                    #[inline(always)]
                    |x, y| x.max(y),
                ),
                Op::Neg(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| -x,
                ),
                Op::Exp(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.exp(),
                ),
                Op::Ln(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.ln(),
                ),
                Op::Sqrt(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.sqrt(),
                ),
                Op::Sin(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.sin(),
                ),
                Op::Cos(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.cos(),
                ),
                Op::Abs(a) => zip1::<R>(
                    dst,
                    arg(a),
                    #[inline(always)]
                    |x| x.abs(),
                ),
                Op::Select(m, a, b) => {
                    let m = &masks[m as usize * BLOCK_VECTORS..][..v];
                    let (a, b) = (arg(a), arg(b));
                    let mut j = 0;
                    for &m in m {
                        let (x, y) = (R::load(&a[j..j + lanes]), R::load(&b[j..j + lanes]));
                        R::select(m, x, y).write_to(&mut dst[j..j + lanes]);
                        j += lanes;
                    }
                }
                Op::Lt(a, b) | Op::Le(a, b) | Op::Gt(a, b) | Op::Ge(a, b) | Op::Eq(a, b) => {
                    let (a, b) = (arg(a), arg(b));
                    let dst = &mut masks[i * BLOCK_VECTORS..i * BLOCK_VECTORS + v];
                    // One loop per comparison: a function pointer would not
                    // inline into a level's trampoline.
                    match op {
                        Op::Lt(..) => compare::<R>(
                            dst,
                            a,
                            b,
                            #[inline(always)]
                            |x, y| x.simd_lt(y),
                        ),
                        Op::Le(..) => compare::<R>(
                            dst,
                            a,
                            b,
                            #[inline(always)]
                            |x, y| x.simd_le(y),
                        ),
                        Op::Gt(..) => compare::<R>(
                            dst,
                            a,
                            b,
                            #[inline(always)]
                            |x, y| x.simd_gt(y),
                        ),
                        Op::Ge(..) => compare::<R>(
                            dst,
                            a,
                            b,
                            #[inline(always)]
                            |x, y| x.simd_ge(y),
                        ),
                        _ => compare::<R>(
                            dst,
                            a,
                            b,
                            #[inline(always)]
                            |x, y| x.simd_eq(y),
                        ),
                    }
                }
            }
        }
        if self.output as usize + 1 != self.ops.len()
            || matches!(self.ops[self.output as usize], Op::Input(_))
        {
            let src = operand(&self.ops, inputs, reals, run_len, self.output, n);
            out[..n].copy_from_slice(src);
        }
    }
}

/// Operation `id`'s first `n` values: an input where it lies, or its run
/// (`run_len` scalars per operation).
#[inline(always)]
fn operand<'a, S>(
    ops: &[Op],
    inputs: &[&'a [S]],
    runs: &'a [S],
    run_len: usize,
    id: Id,
    n: usize,
) -> &'a [S] {
    match ops[id as usize] {
        Op::Input(k) => &inputs[usize::from(k)][..n],
        _ => {
            let at = id as usize * run_len;
            &runs[at..at + n]
        }
    }
}

// Plain loops over whole vectors, not iterator adaptors: inside a level's
// trampoline an adaptor's `next` that stays out of line is compiled for
// the baseline (ARCHITECTURE.md, "Instruction-set levels"). The slices are
// cut to one length first, so `j + lanes <= n` folds the bounds checks
// away.
#[inline(always)]
fn zip1<R: Real>(dst: &mut [R::Scalar], a: &[R::Scalar], f: impl Fn(R) -> R) {
    let (n, lanes) = (dst.len(), R::LANES);
    let a = &a[..n];
    let mut j = 0;
    while j + lanes <= n {
        f(R::load(&a[j..j + lanes])).write_to(&mut dst[j..j + lanes]);
        j += lanes;
    }
}

#[inline(always)]
fn zip2<R: Real>(dst: &mut [R::Scalar], a: &[R::Scalar], b: &[R::Scalar], f: impl Fn(R, R) -> R) {
    let (n, lanes) = (dst.len(), R::LANES);
    let (a, b) = (&a[..n], &b[..n]);
    let mut j = 0;
    while j + lanes <= n {
        let (x, y) = (R::load(&a[j..j + lanes]), R::load(&b[j..j + lanes]));
        f(x, y).write_to(&mut dst[j..j + lanes]);
        j += lanes;
    }
}

#[inline(always)]
fn compare<R: Real>(
    dst: &mut [R::Mask],
    a: &[R::Scalar],
    b: &[R::Scalar],
    f: impl Fn(R, R) -> R::Mask,
) {
    let lanes = R::LANES;
    let (a, b) = (&a[..dst.len() * lanes], &b[..dst.len() * lanes]);
    let mut j = 0;
    for d in dst.iter_mut() {
        *d = f(R::load(&a[j..j + lanes]), R::load(&b[j..j + lanes]));
        j += lanes;
    }
}
