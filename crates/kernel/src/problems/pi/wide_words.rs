//! Philox4x32-10 on x86 vector registers, written once for the AVX2 and
//! AVX-512 leaves: each Philox word lives in the low half of a 64-bit lane,
//! so one `vpmuludq` yields the whole 64-bit product — the low word is the
//! lane as it is (the multiply reads only low halves, so the high garbage
//! never matters) and the high word is one shift away. No shuffles at all.
//!
//! PERF: a round waits on its multiply (5 cycles) and the next round on
//! that, so one group of counters alone leaves the multiplier idle most of
//! the time; `philox` iterates `G` independent groups per round. The round
//! keys are broadcast once per leaf, not once per group.

use hetero_core::rng::{PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1};

/// A vector of 64-bit lanes, each holding one 32-bit Philox word in its low
/// half, and the four operations a Philox round needs.
pub(super) trait Words: Copy {
    /// Counters (pairs) per vector.
    const PAIRS: u64;
    /// Whether `philox` writes its ten rounds out rather than looping over
    /// them (LLVM keeps the loop): measured per register width, as the
    /// two leaves' `INTERLEAVE` are.
    const UNROLL_ROUNDS: bool;
    /// `[first, first + 1, …, first + PAIRS − 1]`.
    fn counters(first: u64) -> Self;
    fn splat(word: u32) -> Self;
    fn zero() -> Self;
    /// The full 64-bit products of the low halves.
    fn mul_low_halves(self, other: Self) -> Self;
    /// The high half moved down.
    fn high_half(self) -> Self;
    fn xor3(self, b: Self, c: Self) -> Self;
}

/// The ten rounds' keys, each broadcast to every lane.
pub(super) type RoundKeys<W> = [[W; 2]; PHILOX_ROUNDS];

#[inline(always)]
pub(super) fn round_keys<W: Words>(key: [u32; 2]) -> RoundKeys<W> {
    let [mut k0, mut k1] = key;
    core::array::from_fn(
        #[inline(always)]
        |round| {
            if round > 0 {
                k0 = k0.wrapping_add(PHILOX_W0);
                k1 = k1.wrapping_add(PHILOX_W1);
            }
            [W::splat(k0), W::splat(k1)]
        },
    )
}

/// Philox on `G` groups of counters (pair, 0, 0) — group g holds pairs
/// `first_pair + g·PAIRS ..` — with their words `[x0, y0, x1, y1]`; only
/// the low 32 bits of each lane are meaningful.
#[inline(always)]
pub(super) fn philox<W: Words, const G: usize>(
    first_pair: u64,
    keys: &RoundKeys<W>,
) -> [[W; 4]; G] {
    let (m0, m1) = (W::splat(PHILOX_M0), W::splat(PHILOX_M1));
    let mut state = [[W::zero(); 4]; G];
    for (g, words) in state.iter_mut().enumerate() {
        let pairs = W::counters(first_pair + g as u64 * W::PAIRS);
        *words = [pairs, pairs.high_half(), W::zero(), W::zero()];
    }
    // PERF: plain loops and an `#[inline(always)]` function, no closures:
    // a closure left out of line would be compiled without the level's
    // instructions (`levels/mod.rs`).
    if W::UNROLL_ROUNDS {
        const _: () = assert!(PHILOX_ROUNDS == 10);
        let [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9] = keys;
        philox_round(&mut state, (m0, m1), k0);
        philox_round(&mut state, (m0, m1), k1);
        philox_round(&mut state, (m0, m1), k2);
        philox_round(&mut state, (m0, m1), k3);
        philox_round(&mut state, (m0, m1), k4);
        philox_round(&mut state, (m0, m1), k5);
        philox_round(&mut state, (m0, m1), k6);
        philox_round(&mut state, (m0, m1), k7);
        philox_round(&mut state, (m0, m1), k8);
        philox_round(&mut state, (m0, m1), k9);
    } else {
        for key in keys {
            philox_round(&mut state, (m0, m1), key);
        }
    }
    state
}

/// One Philox round on every group of `state`.
#[inline(always)]
fn philox_round<W: Words, const G: usize>(
    state: &mut [[W; 4]; G],
    (m0, m1): (W, W),
    [key0, key1]: &[W; 2],
) {
    for [c0, c1, c2, c3] in state {
        let prod0 = m0.mul_low_halves(*c0);
        let prod1 = m1.mul_low_halves(*c2);
        (*c0, *c1, *c2, *c3) = (
            prod1.high_half().xor3(*c1, *key0),
            prod1,
            prod0.high_half().xor3(*c3, *key1),
            prod0,
        );
    }
}

/// Folds `count` over the Philox words of `vectors` vectors of counters
/// from `first_pair`: `G` vectors per step (the multiplies' latencies
/// overlap), then the rest one at a time. What each leaf does with the words
/// is `count`; the walk is the same for every register width.
#[inline(always)]
pub(super) fn fold_words<W: Words, const G: usize, A>(
    key: [u32; 2],
    first_pair: u64,
    vectors: u64,
    mut acc: A,
    count: impl Fn(A, [W; 4]) -> A,
) -> A {
    let keys: RoundKeys<W> = round_keys(key);
    let mut v = 0;
    while v + G as u64 <= vectors {
        for words in philox::<W, G>(first_pair + v * W::PAIRS, &keys) {
            acc = count(acc, words);
        }
        v += G as u64;
    }
    for v in v..vectors {
        let [words] = philox::<W, 1>(first_pair + v * W::PAIRS, &keys);
        acc = count(acc, words);
    }
    acc
}

/// Words (x, y) on both sides of the circle's edge — for each of a spread of
/// x, the y just inside and just outside it, with random bits below the
/// coordinates (which the test must drop) — and the corners; for the leaves'
/// inside tests, held to [`hetero_core::pi::inside`].
#[cfg(test)]
pub(super) fn edge_words() -> Vec<(u32, u32)> {
    use hetero_core::pi::{COORD_BITS, COORD_SHIFT};
    let top = 1i64 << COORD_BITS;
    let mut noise = 0x9E37_79B9_7F4A_7C15u64;
    let mut low_bits = move || {
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        (noise as u32) & ((1 << COORD_SHIFT) - 1)
    };
    let mut words = vec![(0, 0), (u32::MAX, u32::MAX), (u32::MAX, 0), (0, u32::MAX)];
    let spread = (0..64).map(|k| k * 524_287 % top);
    for x in [
        0,
        1,
        2,
        1000,
        1 << 20,
        1 << 24,
        23_726_566,
        23_726_567,
        top - 2,
        top - 1,
    ]
    .into_iter()
    .chain(spread)
    {
        // (2y+1)² = 2^(2·COORD_BITS+2) − (2x+1)² on the edge.
        let u = (2 * x + 1) as f64;
        let edge = ((4.0 * (top as f64).powi(2) - u * u).max(0.0).sqrt() - 1.0) / 2.0;
        for y in edge as i64 - 2..=edge as i64 + 2 {
            if (0..top).contains(&y) {
                let mut word = |c: i64| ((c as u32) << COORD_SHIFT) | low_bits();
                words.push((word(x), word(y)));
            }
        }
    }
    words
}
