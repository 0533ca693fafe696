//! Running a tape over a block of vectors at a time (numexpr's design):
//! each operation loops over the whole block before the next one starts,
//! so the dispatch on the operation is paid once per block instead of once
//! per vector, and the block's values stay in L1. Every element goes
//! through the same `Real` calls as [`Tape::eval`] gives it, so the bits
//! are the same.

use super::{Id, Op, Tape};
use crate::real::Real;

/// Vectors per block: the operations' values of a block stay in L1 for
/// tapes of a few dozen operations (AVX-512 f64: 16 vectors = 1 KiB per
/// value). Measured (`cargo bench --bench tape`, AVX-512 Xeon, `simd`,
/// 10⁶, time ÷ the built-in kernel's): 4 vectors 1.66× (Gaussian) / 1.83×
/// (midpoint), 8: 1.64 / 1.59, **16: 1.44 / 1.42**, 32: 1.63, 64: 1.74 /
/// 1.57 — smaller blocks pay the dispatch on each operation more often,
/// larger ones push the block's values out of L1.
pub const BLOCK_VECTORS: usize = 16;

/// The values of one block: one run of `vectors` per operation.
pub struct BlockScratch<R: Real> {
    reals: Vec<R>,
    masks: Vec<R::Mask>,
}

impl<R: Real> BlockScratch<R> {
    /// Room for `tape` over blocks of up to [`BLOCK_VECTORS`] vectors.
    pub fn new(tape: &Tape) -> Self {
        let n = tape.ops.len() * BLOCK_VECTORS;
        let zero = R::splat(<R::Scalar as Real>::from_f64(0.0));
        Self {
            reals: vec![zero; n],
            masks: vec![zero.simd_eq(zero); n],
        }
    }
}

impl Tape {
    /// The tape over the vectors of `inputs[k]` (each as long as `out`, at
    /// most [`BLOCK_VECTORS`]) into `out`.
    ///
    /// # Panics
    /// If an input is shorter than `out`, `out` is longer than
    /// [`BLOCK_VECTORS`], or `scratch` was made for a shorter tape.
    #[inline(always)]
    pub fn eval_block<'i, R: Real>(
        &self,
        inputs: &[&'i [R]],
        out: &mut [R],
        scratch: &'i mut BlockScratch<R>,
    ) {
        let v = out.len();
        assert!(v <= BLOCK_VECTORS && scratch.reals.len() >= self.ops.len() * BLOCK_VECTORS);
        let (reals, masks) = (&mut scratch.reals, &mut scratch.masks);
        // PERF: only plain loops, `#[inline(always)]` helpers and
        // `#[inline(always)]` closures below — no function items (`R::exp`
        // passed as a value goes through an `Fn::call` shim that stays out
        // of line), iterator adaptors or slice helpers: whatever stays out
        // of line inside a level's trampoline is compiled for the baseline
        // and calls each intrinsic. The first version ran 30× slower at
        // v3/v4 than at the baseline for it (perf: `_mm512_fmadd_pd` as a
        // function under `Fn::call`).
        for (i, op) in self.ops.iter().enumerate() {
            let (done, rest) = reals.split_at_mut(i * BLOCK_VECTORS);
            // The result, when it is the last operation (as traced bodies
            // end), is written straight into `out`: nothing reads it after.
            let dst = match i + 1 == self.ops.len() && i == self.output as usize {
                true => &mut out[..v],
                false => &mut rest[..v],
            };
            match *op {
                // Read where they are (below): nothing to copy.
                Op::Input(_) => {}
                Op::Const(c) => {
                    let c = R::from_f64(c);
                    for d in dst.iter_mut() {
                        *d = c;
                    }
                }
                Op::Add(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x + y,
                ),
                Op::Sub(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x - y,
                ),
                Op::Mul(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x * y,
                ),
                Op::Div(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x / y,
                ),
                Op::Min(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x.min(y),
                ),
                Op::Max(a, b) => zip2(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    arg(done, inputs, &self.ops, b, v),
                    #[inline(always)]
                    |x, y| x.max(y),
                ),
                Op::Neg(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| -x,
                ),
                Op::Exp(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.exp(),
                ),
                Op::Ln(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.ln(),
                ),
                Op::Sqrt(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.sqrt(),
                ),
                Op::Sin(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.sin(),
                ),
                Op::Cos(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.cos(),
                ),
                Op::Abs(a) => zip1(
                    dst,
                    arg(done, inputs, &self.ops, a, v),
                    #[inline(always)]
                    |x| x.abs(),
                ),
                Op::Select(m, a, b) => {
                    let m = run(masks, m, v);
                    let (a, b) = (
                        arg(done, inputs, &self.ops, a, v),
                        arg(done, inputs, &self.ops, b, v),
                    );
                    for j in 0..v {
                        dst[j] = R::select(m[j], a[j], b[j]);
                    }
                }
                Op::Lt(a, b) | Op::Le(a, b) | Op::Gt(a, b) | Op::Ge(a, b) | Op::Eq(a, b) => {
                    let (a, b) = (
                        arg(done, inputs, &self.ops, a, v),
                        arg(done, inputs, &self.ops, b, v),
                    );
                    let dst = &mut masks[i * BLOCK_VECTORS..i * BLOCK_VECTORS + v];
                    // One loop per comparison: a function pointer would not
                    // inline into a level's trampoline.
                    match op {
                        Op::Lt(..) => {
                            for j in 0..v {
                                dst[j] = a[j].simd_lt(b[j]);
                            }
                        }
                        Op::Le(..) => {
                            for j in 0..v {
                                dst[j] = a[j].simd_le(b[j]);
                            }
                        }
                        Op::Gt(..) => {
                            for j in 0..v {
                                dst[j] = a[j].simd_gt(b[j]);
                            }
                        }
                        Op::Ge(..) => {
                            for j in 0..v {
                                dst[j] = a[j].simd_ge(b[j]);
                            }
                        }
                        _ => {
                            for j in 0..v {
                                dst[j] = a[j].simd_eq(b[j]);
                            }
                        }
                    }
                }
            }
        }
        if self.output as usize + 1 != self.ops.len()
            || matches!(self.ops[self.output as usize], Op::Input(_))
        {
            copy(out, arg(reals, inputs, &self.ops, self.output, v));
        }
    }
}

/// Operation `id`'s first `v` values: an input's own vectors, or its run.
#[inline(always)]
fn arg<'a, R>(done: &'a [R], inputs: &[&'a [R]], ops: &[Op], id: Id, v: usize) -> &'a [R] {
    match ops[id as usize] {
        Op::Input(k) => &inputs[usize::from(k)][..v],
        _ => run(done, id, v),
    }
}

/// The first `v` values of operation `id`'s run.
#[inline(always)]
fn run<T>(values: &[T], id: Id, v: usize) -> &[T] {
    let at = id as usize * BLOCK_VECTORS;
    &values[at..at + v]
}

#[inline(always)]
fn copy<R: Copy>(dst: &mut [R], src: &[R]) {
    // A memcpy: no vector intrinsic to keep in line.
    dst.copy_from_slice(&src[..dst.len()]);
}

// Plain index loops, not iterator adaptors: inside a level's trampoline
// an adaptor's `next` that stays out of line is compiled for the baseline
// (ARCHITECTURE.md, "Instruction-set levels"). The slices are cut to one
// length first, so the bounds checks fold away.
#[inline(always)]
fn zip1<R: Copy>(dst: &mut [R], a: &[R], f: impl Fn(R) -> R) {
    let a = &a[..dst.len()];
    for j in 0..dst.len() {
        dst[j] = f(a[j]);
    }
}

#[inline(always)]
fn zip2<R: Copy>(dst: &mut [R], a: &[R], b: &[R], f: impl Fn(R, R) -> R) {
    let (a, b) = (&a[..dst.len()], &b[..dst.len()]);
    for j in 0..dst.len() {
        dst[j] = f(a[j], b[j]);
    }
}
