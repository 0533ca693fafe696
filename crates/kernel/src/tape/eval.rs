//! Running a tape: one pass over its operations with the lanes `R`, each
//! operation the `Real` call a Rust body would make.

// The values live in uninitialised stack arrays (a tape runs once per
// vector of lanes; zeroing 2 × MAX_OPS vectors each time would cost more
// than most bodies). Every read is of an earlier operation of the right
// kind, which `TapeBuilder::push` checked.
#![allow(unsafe_code)]

use core::mem::MaybeUninit;

use super::{Id, MAX_OPS, Op, Tape};
use crate::real::Real;

/// The value of operation `id`, written earlier in the pass.
///
/// # Safety
/// `values[id]` was written (the operation ran before the caller's).
#[inline(always)]
unsafe fn read<T: Copy>(values: &[MaybeUninit<T>; MAX_OPS], id: Id) -> T {
    // SAFETY: the caller's promise: `id` is an earlier operation, in range
    // (a tape holds at most MAX_OPS), whose value the pass wrote.
    unsafe { values.get_unchecked(id as usize).assume_init() }
}

impl Tape {
    /// The body's value for `inputs` (at least [`Tape::inputs`] of them),
    /// lane by lane.
    ///
    /// # Panics
    /// If `inputs` is shorter than the tape's inputs (the kernels pass
    /// exactly that many).
    #[inline(always)]
    pub fn eval<R: Real>(&self, inputs: &[R]) -> R {
        assert!(
            inputs.len() >= self.inputs,
            "a tape of {} inputs given {}",
            self.inputs,
            inputs.len()
        );
        let mut reals: [MaybeUninit<R>; MAX_OPS] = [const { MaybeUninit::uninit() }; MAX_OPS];
        let mut masks: [MaybeUninit<R::Mask>; MAX_OPS] = [const { MaybeUninit::uninit() }; MAX_OPS];
        for (i, op) in self.ops.iter().enumerate() {
            // SAFETY: for every `read` below, `TapeBuilder::push` accepted each
            // operand only as an earlier operation of the kind read, and this
            // loop writes every operation's value, in order, before a later
            // one reads it.
            let value = unsafe {
                match *op {
                    Op::Input(k) => inputs[usize::from(k)],
                    Op::Const(c) => R::from_f64(c),
                    Op::Add(a, b) => read(&reals, a) + read(&reals, b),
                    Op::Sub(a, b) => read(&reals, a) - read(&reals, b),
                    Op::Mul(a, b) => read(&reals, a) * read(&reals, b),
                    Op::Div(a, b) => read(&reals, a) / read(&reals, b),
                    Op::Neg(a) => -read(&reals, a),
                    Op::Exp(a) => read(&reals, a).exp(),
                    Op::Ln(a) => read(&reals, a).ln(),
                    Op::Sqrt(a) => read(&reals, a).sqrt(),
                    Op::Sin(a) => read(&reals, a).sin(),
                    Op::Cos(a) => read(&reals, a).cos(),
                    Op::Abs(a) => read(&reals, a).abs(),
                    Op::Min(a, b) => read(&reals, a).min(read(&reals, b)),
                    Op::Max(a, b) => read(&reals, a).max(read(&reals, b)),
                    Op::Select(m, a, b) => {
                        R::select(read(&masks, m), read(&reals, a), read(&reals, b))
                    }
                    Op::Lt(a, b) | Op::Le(a, b) | Op::Gt(a, b) | Op::Ge(a, b) | Op::Eq(a, b) => {
                        let (x, y) = (read(&reals, a), read(&reals, b));
                        masks[i] = MaybeUninit::new(match op {
                            Op::Lt(..) => x.simd_lt(y),
                            Op::Le(..) => x.simd_le(y),
                            Op::Gt(..) => x.simd_gt(y),
                            Op::Ge(..) => x.simd_ge(y),
                            _ => x.simd_eq(y),
                        });
                        continue;
                    }
                }
            };
            reals[i] = MaybeUninit::new(value);
        }
        // SAFETY: as above; the output is one of the tape's operations, a real.
        unsafe { read(&reals, self.output) }
    }
}
