//! A tape gives the bits of the same body written in Rust, on one lane and
//! on vectors, traces to WGSL, and refuses what is not a body.

use hetero_kernel::function::ElementWise;
use hetero_kernel::tape::{Id, Kind, MAX_OPS, Op, Tape, TapeBuilder, TapeError};
use hetero_kernel::trace::trace;
use hetero_kernel::{Lanes, Real, lanes};

/// exp(−γ·(x − y)²) as a Rust body.
fn gaussian_rust<R: Real>(x: R, y: R) -> R {
    let d = x - y;
    (-(R::from_f64(0.5) * (d * d))).exp()
}

/// The same operations, recorded.
fn gaussian_tape() -> Tape {
    let mut t = TapeBuilder::new(2).unwrap();
    let x = t.push(Op::Input(0)).unwrap();
    let y = t.push(Op::Input(1)).unwrap();
    let d = t.push(Op::Sub(x, y)).unwrap();
    let g = t.push(Op::Const(0.5)).unwrap();
    let dd = t.push(Op::Mul(d, d)).unwrap();
    let s = t.push(Op::Mul(g, dd)).unwrap();
    let n = t.push(Op::Neg(s)).unwrap();
    let e = t.push(Op::Exp(n)).unwrap();
    t.finish(e).unwrap()
}

/// where(x > 0, ln(x) + sqrt(x), min(sin(x), cos(x)) · |x| / 3)
fn branchy_rust<R: Real>(x: R) -> R {
    let zero = R::from_f64(0.0);
    let positive = x.ln() + x.sqrt();
    let other = x.sin().min(x.cos()) * x.abs() / R::from_f64(3.0);
    R::select(x.simd_gt(zero), positive, other.max(R::from_f64(-0.25)))
}

fn branchy_tape() -> Tape {
    let mut t = TapeBuilder::new(1).unwrap();
    let x = t.push(Op::Input(0)).unwrap();
    let zero = t.push(Op::Const(0.0)).unwrap();
    let ln = t.push(Op::Ln(x)).unwrap();
    let sq = t.push(Op::Sqrt(x)).unwrap();
    let positive = t.push(Op::Add(ln, sq)).unwrap();
    let s = t.push(Op::Sin(x)).unwrap();
    let c = t.push(Op::Cos(x)).unwrap();
    let m = t.push(Op::Min(s, c)).unwrap();
    let a = t.push(Op::Abs(x)).unwrap();
    let p = t.push(Op::Mul(m, a)).unwrap();
    let three = t.push(Op::Const(3.0)).unwrap();
    let q = t.push(Op::Div(p, three)).unwrap();
    let floor = t.push(Op::Const(-0.25)).unwrap();
    let other = t.push(Op::Max(q, floor)).unwrap();
    let cond = t.push(Op::Gt(x, zero)).unwrap();
    let out = t.push(Op::Select(cond, positive, other)).unwrap();
    t.finish(out).unwrap()
}

/// exp(−((−x)·y + x·(−y))): each negation read once, by a product or by
/// exp, which a block folds into that reader's pass.
fn negations_tape() -> Tape {
    let mut t = TapeBuilder::new(2).unwrap();
    let x = t.push(Op::Input(0)).unwrap();
    let y = t.push(Op::Input(1)).unwrap();
    let nx = t.push(Op::Neg(x)).unwrap();
    let a = t.push(Op::Mul(nx, y)).unwrap();
    let ny = t.push(Op::Neg(y)).unwrap();
    let b = t.push(Op::Mul(x, ny)).unwrap();
    let s = t.push(Op::Add(a, b)).unwrap();
    let n = t.push(Op::Neg(s)).unwrap();
    let e = t.push(Op::Exp(n)).unwrap();
    t.finish(e).unwrap()
}

/// A run of every one-operand operation, each the only reader of the one
/// before, and a product with a negation on its right: the passes a block
/// runs for each, and the fused `a·(−b)`.
fn chains_tape() -> Tape {
    let mut t = TapeBuilder::new(2).unwrap();
    let x = t.push(Op::Input(0)).unwrap();
    let y = t.push(Op::Input(1)).unwrap();
    let mut v = t.push(Op::Sub(x, y)).unwrap();
    for op in [
        Op::Abs as fn(Id) -> Op,
        Op::Sqrt,
        Op::Neg,
        Op::Exp,
        Op::Ln,
        Op::Sin,
        Op::Cos,
        |d| Op::Mul(d, d),
        Op::Abs,
        Op::Sqrt,
    ] {
        v = t.push(op(v)).unwrap();
    }
    let ny = t.push(Op::Neg(y)).unwrap();
    let p = t.push(Op::Mul(v, ny)).unwrap();
    let e = t.push(Op::Exp(p)).unwrap();
    t.finish(e).unwrap()
}

/// exp((−x)·x), midpoint's integrand as Python records `exp(-x * x)`.
fn integrand_tape() -> Tape {
    let mut t = TapeBuilder::new(1).unwrap();
    let x = t.push(Op::Input(0)).unwrap();
    let n = t.push(Op::Neg(x)).unwrap();
    let m = t.push(Op::Mul(n, x)).unwrap();
    let e = t.push(Op::Exp(m)).unwrap();
    t.finish(e).unwrap()
}

fn inputs(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0
        })
        .collect()
}

/// Every lane of `tape` on lanes `R` against `rust` on the same lanes.
fn same_bits<R: Real<Scalar = f64>>(tape: &Tape, rust: impl Fn(&[R]) -> R, arity: usize) {
    let data: Vec<Vec<f64>> = (0..arity)
        .map(|k| inputs(64 * R::LANES, 7 + k as u64))
        .collect();
    for at in (0..64 * R::LANES).step_by(R::LANES) {
        let args: Vec<R> = data
            .iter()
            .map(|d| R::load(&d[at..at + R::LANES]))
            .collect();
        let (got, want) = (tape.eval(&args), rust(&args));
        for lane in 0..R::LANES {
            assert_eq!(
                got.lane(lane).to_bits(),
                want.lane(lane).to_bits(),
                "element {}",
                at + lane
            );
        }
    }
}

fn same_bits_at<L: Lanes>() {
    same_bits::<L::F64>(&gaussian_tape(), |a| gaussian_rust(a[0], a[1]), 2);
    same_bits::<L::F64>(&branchy_tape(), |a| branchy_rust(a[0]), 1);
}

#[test]
fn a_tape_gives_the_rust_bodys_bits_on_one_lane_and_on_vectors() {
    same_bits_at::<lanes::Scalar>();
    same_bits_at::<lanes::Simd>();
}

#[test]
fn a_tape_runs_through_the_body_traits() {
    let tape = gaussian_tape();
    let via_trait = <Tape as ElementWise<2>>::eval(&tape, [1.5f64, -0.25]);
    assert_eq!(via_trait.to_bits(), gaussian_rust(1.5f64, -0.25).to_bits());
    // f32 lanes convert constants as R::from_f64 does in a Rust body.
    let f32_value = tape.eval(&[1.5f32, -0.25]);
    assert_eq!(f32_value.to_bits(), gaussian_rust(1.5f32, -0.25).to_bits());
}

#[test]
fn a_tape_traces_to_the_same_wgsl_as_the_rust_body() {
    let tape = gaussian_tape();
    let from_tape = trace::<f32, 2>(["x", "y"], |[x, y]| tape.eval(&[x, y])).unwrap();
    let from_rust = trace::<f32, 2>(["x", "y"], |[x, y]| gaussian_rust(x, y)).unwrap();
    assert_eq!(from_tape, from_rust);
    assert!(from_tape.contains("exp("), "{from_tape}");
    // ln has no f64 form in WGSL on Vulkan: refused with the reason.
    let refused = trace::<f64, 1>(["x"], |[x]| branchy_tape().eval(&[x])).unwrap_err();
    assert!(refused.contains("f64"), "{refused}");
}

#[test]
fn what_is_not_a_body_is_refused() {
    assert_eq!(
        TapeBuilder::new(0).unwrap_err(),
        TapeError::Inputs { inputs: 0 }
    );
    assert!(matches!(
        TapeBuilder::new(5),
        Err(TapeError::Inputs { inputs: 5 })
    ));
    let mut t = TapeBuilder::new(1).unwrap();
    assert!(matches!(
        t.push(Op::Input(1)),
        Err(TapeError::NoSuchInput { index: 1, .. })
    ));
    let x = t.push(Op::Input(0)).unwrap();
    assert!(matches!(
        t.push(Op::Add(x, 7)),
        Err(TapeError::Dangling { operand: 7, .. })
    ));
    let c = t.push(Op::Lt(x, x)).unwrap();
    // A mask is not a number, and a number is not a condition.
    assert!(matches!(
        t.push(Op::Exp(c)),
        Err(TapeError::WrongKind {
            wanted: Kind::Real,
            ..
        })
    ));
    assert!(matches!(
        t.push(Op::Select(x, x, x)),
        Err(TapeError::WrongKind {
            wanted: Kind::Mask,
            ..
        })
    ));
    assert_eq!(t.clone().finish(c).unwrap_err(), TapeError::MaskResult);
    let mut long = TapeBuilder::new(1).unwrap();
    let mut last = long.push(Op::Input(0)).unwrap();
    for _ in 1..MAX_OPS {
        last = long.push(Op::Neg(last)).unwrap();
    }
    assert_eq!(long.push(Op::Neg(last)).unwrap_err(), TapeError::TooLong);
    assert!(long.finish(last).is_ok());
}

mod blocks {
    use super::*;
    use hetero_core::Midpoint;
    use hetero_kernel::kernel::{MapKernel, ReduceKernel};
    use hetero_kernel::problems::midpoint::MidpointKernel;
    use hetero_kernel::tape::{TapeMap, TapeSum};
    use hetero_kernel::term_sum::TermSum;
    use hetero_kernel::zip::ZipMap;

    /// The block-at-a-time map against the per-vector one, at lengths
    /// around a block and a vector.
    fn map_same_bits<L: Lanes>() {
        for tape in [gaussian_tape(), negations_tape(), chains_tape()] {
            map_tape_same_bits::<L>(&tape);
        }
    }

    fn map_tape_same_bits<L: Lanes>(tape: &Tape) {
        for n in [0, 1, 7, 8, 63, 64 * 8 + 3, 5000] {
            let (x, y) = (inputs(n, 1), inputs(n, 2));
            let blocked = TapeMap::new(tape, [&x[..], &y[..]]).unwrap();
            let per_vector = ZipMap::new(tape, [&x[..], &y[..]]).unwrap();
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            blocked.leaf::<L>(0..n, &mut a);
            per_vector.leaf::<L>(0..n, &mut b);
            assert!(
                a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits()),
                "n = {n}"
            );
        }
    }

    /// The block-at-a-time sums against the per-vector kernels' leaves.
    fn sums_same_bits<L: Lanes>() {
        for tape in [branchy_tape(), integrand_tape()] {
            sums_tape_same_bits::<L>(&tape);
        }
    }

    fn sums_tape_same_bits<L: Lanes>(tape: &Tape) {
        let spec = Midpoint::new(-1.0, 3.0, 1_000_003).unwrap();
        for items in [0..1, 3..200, 1000..1000 + 64 * 16 + 5, 0..40_000] {
            let blocked = TapeSum::midpoint(&spec, tape).leaf::<L>(items.clone());
            let per_vector = MidpointKernel::new(&spec, tape).leaf::<L>(items.clone());
            assert_eq!(
                blocked.value().to_bits(),
                per_vector.value().to_bits(),
                "{items:?}"
            );
            let blocked = TapeSum::terms("t", tape, 1 << 20).leaf::<L>(items.clone());
            let per_vector = TermSum::new("t", tape, 1 << 20).leaf::<L>(items.clone());
            assert_eq!(
                blocked.value().to_bits(),
                per_vector.value().to_bits(),
                "{items:?}"
            );
        }
    }

    fn at_level<L: Lanes>() {
        // Inside the level's trampoline, as the drivers run leaves; a level
        // this CPU lacks is covered where CI runs the suite at each level.
        if L::ISA.is_supported() {
            L::vectorize(|| {
                map_same_bits::<L>();
                sums_same_bits::<L>();
                same_bits_at::<L>();
            });
        }
    }

    #[test]
    fn blocks_give_the_per_vector_bits() {
        map_same_bits::<lanes::Scalar>();
        map_same_bits::<lanes::Simd>();
        sums_same_bits::<lanes::Scalar>();
        sums_same_bits::<lanes::Simd>();
        #[cfg(target_arch = "x86_64")]
        {
            at_level::<lanes::Avx2>();
            at_level::<lanes::Avx512>();
        }
    }
}
