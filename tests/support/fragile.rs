//! A reduction whose combine is not associative in f64: a plain running
//! sum of values of wildly different magnitude. Only a fixed tree gives
//! the same bits for every thread count and every schedule.

use core::ops::Range;

use hetero::{Lanes, ReduceKernel, Reduction};

pub struct Fragile {
    pub len: u64,
    pub chunk: u64,
}

/// 1031 chunks of 97 items, the last short.
pub const FRAGILE: Fragile = Fragile {
    len: 100_003,
    chunk: 97,
};

impl Reduction for Fragile {
    type Partial = f64;
    type Output = f64;
    fn len(&self) -> u64 {
        self.len
    }
    fn chunk(&self) -> u64 {
        self.chunk
    }
    fn combine(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    fn finish(&self, total: f64) -> f64 {
        total
    }
}

impl ReduceKernel for Fragile {
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> f64 {
        items
            .map(|i| {
                let scale = [1e16, 1.0, -1e16, 3.0, 1e-3][(i % 5) as usize];
                scale * (1.0 + (i % 7) as f64 / 7.0)
            })
            .sum()
    }
}

/// The sum of the chunks' leaves from left to right: what a combine in
/// any order but the tree's gives, to check the tree's order shows.
pub fn left_to_right(kernel: &Fragile) -> f64 {
    (0..kernel.len.div_ceil(kernel.chunk))
        .map(|c| {
            let start = c * kernel.chunk;
            kernel.leaf::<hetero::lanes::Scalar>(start..(start + kernel.chunk).min(kernel.len))
        })
        .sum()
}
