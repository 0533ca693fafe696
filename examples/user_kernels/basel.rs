//! Σ 1/i² for i = 1..=n (→ π²/6): a user's reduction, written once for
//! every lane width — its term, and one line that makes it a kernel. The
//! `mpi` example shares it among ranks (`mpi custom`); `tests/mpi.rs`
//! builds this same file to compute the one-process bits it must match.

use hetero::{IndexTerm, Real, TermSum};

/// The terms of Σ 1/i².
pub struct Basel;

impl IndexTerm for Basel {
    /// The term of index i (counting from 0), for any lane type.
    fn term<R: Real>(&self, i: R) -> R {
        let k = i + R::from_f64(1.0);
        R::from_f64(1.0) / (k * k)
    }
}

/// Σ 1/i² over the first `n` terms, on any backend (the GPU's side traced
/// from the same `term`).
pub fn basel(n: u64) -> TermSum<'static, Basel> {
    TermSum::new("Σ 1/i²", &Basel, n)
}
