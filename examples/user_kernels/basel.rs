//! Σ 1/i² for i = 1..=n (→ π²/6): a user's reduction, written once for
//! every lane width. The `mpi` example shares it among ranks (`mpi
//! custom`); `tests/mpi.rs` builds this same file to compute the
//! one-process bits it must match.

use core::ops::Range;

use hetero::{IndexTerm, Lanes, Neumaier, Real, ReduceKernel, Reduction, fold};

/// Σ 1/i² over the first `n` terms.
pub struct Basel {
    pub n: u64,
}

impl IndexTerm for Basel {
    /// The term of index i (counting from 0), for any lane type.
    fn term<R: Real>(&self, i: R) -> R {
        let k = i + R::from_f64(1.0);
        R::from_f64(1.0) / (k * k)
    }
}

impl Reduction for Basel {
    type Partial = Neumaier;
    type Output = f64;

    fn name(&self) -> &'static str {
        "Σ 1/i²"
    }
    fn len(&self) -> u64 {
        self.n
    }
    fn chunk(&self) -> u64 {
        1 << 14
    }
    fn combine(&self, left: Neumaier, right: Neumaier) -> Neumaier {
        left.merge(right)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        total.value()
    }
}

impl ReduceKernel for Basel {
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Neumaier {
        fold::sum_terms::<L::F64>(items, self)
    }
}
