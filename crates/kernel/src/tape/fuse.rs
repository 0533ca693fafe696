//! The steps a block runs: the tape's operations, with the commonest
//! short sequences run as one pass over the block instead of two — a
//! negation folded into its only reader (`exp(−a)`, `(−a)·b`) and a
//! difference into the product that squares it (`(a − b)²`): the
//! Gaussian's `exp(−(x − y)²)` and midpoint's `exp(−x·x)` are made of
//! them. Folding changes no bits: the reader computes the same value with
//! the same instructions before it goes on, as the two passes did — only
//! the store and the reload between them are gone (measured at
//! `BLOCK_VECTORS`).
//!
//! Longer chains are not fused. Running every chain of single-reader
//! operations as one loop, interpreting the chain per vector, was slower
//! (tape ÷ built-in at 10⁶, `simd`, AVX-512 Xeon: Gaussian 1.13–1.16
//! against 1.04–1.10 with these pairs, midpoint 1.32 against 1.09), and
//! even a loop written for the Gaussian's whole chain gained at most 4 %
//! (1.03–1.11 against 1.07–1.14).

use super::{Id, Op};

/// One pass over a block, writing operation `i`'s run for step `i`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// The operation as recorded.
    Run(Op),
    /// An operation (a negation, a difference) its only reader computes
    /// itself: no pass.
    Folded,
    /// exp(−a).
    ExpOfNeg(Id),
    /// (−a)·b.
    MulNegLeft(Id, Id),
    /// a·(−b).
    MulNegRight(Id, Id),
    /// (a − b)·(a − b).
    SquaredDifference(Id, Id),
}

/// The steps for `ops`, whose result is `output`.
pub(crate) fn plan(ops: &[Op], output: Id) -> Vec<Step> {
    let mut uses = vec![0u32; ops.len()];
    for op in ops {
        for (operand, _) in op.operands() {
            uses[operand as usize] += 1;
        }
    }
    // A negation whose value nothing else reads (not the result either).
    let folds = |id: Id| -> Option<Id> {
        match ops[id as usize] {
            Op::Neg(a) if uses[id as usize] == 1 && id != output => Some(a),
            _ => None,
        }
    };
    let mut steps: Vec<Step> = ops.iter().map(|op| Step::Run(*op)).collect();
    // (a − b)², squared by `Mul(d, d)` — the Gaussian's and every
    // distance's — where nothing else reads the difference.
    for (i, op) in ops.iter().enumerate() {
        if let Op::Mul(d, e) = *op
            && d == e
            && uses[d as usize] == 2
            && d != output
            && let Op::Sub(a, b) = ops[d as usize]
        {
            steps[d as usize] = Step::Folded;
            steps[i] = Step::SquaredDifference(a, b);
        }
    }
    for (i, op) in ops.iter().enumerate() {
        let fused = match *op {
            Op::Exp(n) => folds(n).map(|a| (n, Step::ExpOfNeg(a))),
            Op::Mul(l, r) if l != r => folds(l)
                .map(|a| (l, Step::MulNegLeft(a, r)))
                .or_else(|| folds(r).map(|b| (r, Step::MulNegRight(l, b)))),
            _ => None,
        };
        if let Some((negation, step)) = fused {
            steps[negation as usize] = Step::Folded;
            steps[i] = step;
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negation_read_once_folds_into_its_reader() {
        // exp(−(x − y)²)
        let ops = [
            Op::Input(0),
            Op::Input(1),
            Op::Sub(0, 1),
            Op::Mul(2, 2),
            Op::Neg(3),
            Op::Exp(4),
        ];
        let steps = plan(&ops, 5);
        assert_eq!(steps[4], Step::Folded);
        assert_eq!(steps[5], Step::ExpOfNeg(3));
        assert_eq!(steps[2], Step::Folded);
        assert_eq!(steps[3], Step::SquaredDifference(0, 1));
        // exp((−x)·x) and x·(−x)
        let ops = [Op::Input(0), Op::Neg(0), Op::Mul(1, 0), Op::Exp(2)];
        assert_eq!(plan(&ops, 3)[2], Step::MulNegLeft(0, 0));
        let ops = [Op::Input(0), Op::Neg(0), Op::Mul(0, 1)];
        assert_eq!(plan(&ops, 2)[2], Step::MulNegRight(0, 0));
    }

    #[test]
    fn a_negation_read_twice_or_returned_stays_a_pass() {
        let ops = [Op::Input(0), Op::Neg(0), Op::Exp(1), Op::Add(2, 1)];
        assert_eq!(plan(&ops, 3)[1], Step::Run(Op::Neg(0)));
        let ops = [Op::Input(0), Op::Neg(0), Op::Mul(1, 1)];
        assert_eq!(plan(&ops, 2)[1], Step::Run(Op::Neg(0)));
        let ops = [Op::Input(0), Op::Neg(0), Op::Exp(1)];
        assert_eq!(plan(&ops, 1)[1], Step::Run(Op::Neg(0)));
        // A difference read again after it is squared.
        let ops = [
            Op::Input(0),
            Op::Input(1),
            Op::Sub(0, 1),
            Op::Mul(2, 2),
            Op::Add(3, 2),
        ];
        assert_eq!(plan(&ops, 4)[2], Step::Run(Op::Sub(0, 1)));
        assert_eq!(plan(&ops, 4)[3], Step::Run(Op::Mul(2, 2)));
    }
}
