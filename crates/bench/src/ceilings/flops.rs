//! Floating-point operations per element as this build's SIMD code executes
//! them, so that a share of the peak compares the work the code does with
//! what the machine can do. An FMA counts 2; an add, a multiply or a
//! `vscalef` 1; clamps, compares, bit operations, sign flips and table
//! look-ups 0.
//!
//! The AVX-512 builds run other `exp` and `two_sum` forms than the narrower
//! ones (`hetero_kernel::math`), with fewer operations: one count for every
//! width would overstate the AVX-512 share of the peak by up to 40 %.
//! Change these with the code they count.

const AVX512F: bool = cfg!(target_feature = "avx512f");

/// e^x on the f64 lanes of the build's `Simd` width.
///
/// AVX-512 (`math/avx512.rs`): reduction to k/16 and r (an FMA, a subtract,
/// two FMAs: 7), r² (1), three FMAs of coefficient pairs (6), r⁴ (1), two
/// FMAs to q (4), s = r²·q + r (2), table entry · (1 + s) as one FMA (2),
/// `vscalefpd` (1): 24. Other widths (`math/mod.rs`): reduction (7), r² and
/// r⁴ (2), six FMAs of coefficient pairs (12), three FMAs of Estrin's next
/// level (6), r⁸ (1), two FMAs to p (4), r²·p + r and + 1 (3), two scaling
/// multiplies (2): 37.
pub const EXP_F64: f64 = if AVX512F { 24.0 } else { 37.0 };

/// e^x on the f32 lanes: reduction (7), r² (1), three FMAs (6), r⁴ (1), two
/// FMAs (4), r²·p + r and + 1 (3), then scaling by 2^k: `vscalefps` (1) on
/// AVX-512, two multiplies (2) elsewhere — 23 or 24.
pub const EXP_F32: f64 = if AVX512F { 23.0 } else { 24.0 };

/// One lane's compensated add (`LaneSum::add`): the TwoSum — Fast2Sum after
/// two `vrangepd` on AVX-512DQ (3: its two subtractions run as FMAs by one,
/// counted as the subtractions they are), Knuth's elsewhere (6) — and the
/// error added to the compensation (1).
pub const COMPENSATED_ADD_F64: f64 =
    if cfg!(all(target_feature = "avx512f", target_feature = "avx512dq")) {
        4.0
    } else {
        7.0
    };

/// Midpoint's f64 work per subinterval: the stepped index i + ½ (one add per
/// vector, on average: 1), the node a + (i + ½)·h (2), −x² as one FMA (2),
/// e^(−x²), and the compensated add — 33 on AVX-512DQ, 49 elsewhere.
pub const MIDPOINT_TERM: f64 = 5.0 + EXP_F64 + COMPENSATED_ADD_F64;

/// The Gaussian's f32 work per element: x − y, −γ·d·d (3), and e^(…).
pub const GAUSSIAN_ELEMENT: f64 = 3.0 + EXP_F32;
