//! Fuzzing, outside CI: random spec constructors, random example command
//! lines and generated `.npy` files for a fixed time, checking that nothing
//! panics, aborts, hangs or returns an impossible value. Run for ten minutes with
//!
//! ```sh
//! HETERO_FUZZ_SECONDS=600 cargo test --release --test fuzz -- --ignored --nocapture
//! ```
//!
//! Each test prints how many inputs it tried and every failing input.

mod support;

use std::time::{Duration, Instant};

use hetero::{Backend, Engine, Gaussian, JuliaParams, Midpoint, Pi, Viewport};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use support::{example, run_bounded};

/// How long each fuzz test runs: `HETERO_FUZZ_SECONDS`, 10 by default.
fn budget() -> Duration {
    let seconds = std::env::var("HETERO_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(10);
    Duration::from_secs(seconds)
}

/// Draws from `strategy` until the budget is spent, checking each value;
/// returns the count tried and the failures (input and reason).
fn fuzz<S: Strategy>(
    strategy: S,
    mut check: impl FnMut(&S::Value) -> Result<(), String>,
) -> (u64, Vec<String>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::default();
    let deadline = Instant::now() + budget();
    let (mut tried, mut failures) = (0u64, Vec::new());
    while Instant::now() < deadline {
        let value = strategy
            .new_tree(&mut runner)
            .expect("the strategies never reject")
            .current();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&value)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => failures.push(format!("{value:?}: {why}")),
            Err(_) => failures.push(format!("{value:?}: panicked")),
        }
        tried += 1;
    }
    (tried, failures)
}

fn report(what: &str, tried: u64, failures: &[String]) {
    println!("{what}: {tried} inputs, {} failures", failures.len());
    for f in failures.iter().take(20) {
        println!("  {f}");
    }
    assert!(failures.is_empty(), "{what}: {} failures", failures.len());
}

/// Any f64 at all, with the interesting ones often.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e300,
            -1e300
        ]),
        -10.0..10.0f64,
    ]
}

#[derive(Debug, Clone)]
enum SpecInput {
    Midpoint(f64, f64, u64),
    Gaussian(f64, Vec<(f64, f64)>),
    Julia(usize, usize, u32, f32, f32, [f64; 4]),
    Pi(u64, u64),
}

fn spec_inputs() -> impl Strategy<Value = SpecInput> {
    prop_oneof![
        (
            any_f64(),
            any_f64(),
            prop_oneof![0..3u64, 0..20_000u64, any::<u64>()]
        )
            .prop_map(|(a, b, n)| SpecInput::Midpoint(a, b, n)),
        (
            any_f64(),
            prop::collection::vec((any_f64(), any_f64()), 0..40)
        )
            .prop_map(|(g, xy)| SpecInput::Gaussian(g, xy)),
        (
            prop_oneof![0..70usize, any::<usize>()],
            prop_oneof![0..70usize, any::<usize>()],
            prop_oneof![0..200u32, any::<u32>()],
            any::<u32>().prop_map(f32::from_bits),
            -2.0..2.0f32,
            [any_f64(), any_f64(), any_f64(), any_f64()],
        )
            .prop_map(|(w, h, m, cr, ci, v)| SpecInput::Julia(w, h, m, cr, ci, v)),
        (prop_oneof![0..5000u64, any::<u64>()], any::<u64>())
            .prop_map(|(n, s)| SpecInput::Pi(n, s)),
    ]
}

/// A spec that builds must compute, on every CPU backend alike, to a
/// possible value; one that does not build is an error, not a panic.
fn check_spec(engine: &Engine, input: &SpecInput) -> Result<(), String> {
    match input {
        &SpecInput::Midpoint(a, b, n) => {
            let Ok(spec) = Midpoint::new(a, b, n) else {
                return Ok(());
            };
            if n > 20_000 {
                return Ok(());
            }
            let s = engine
                .midpoint(&spec, Backend::Scalar)
                .map_err(|e| e.to_string())?;
            let v = engine
                .midpoint(&spec, Backend::SimdThreads)
                .map_err(|e| e.to_string())?;
            if !s.is_finite() || (s - v).abs() > 1e-12 * s.abs().max(1e-300) {
                return Err(format!("scalar {s} vs simd-threads {v}"));
            }
        }
        SpecInput::Gaussian(gamma, xy) => {
            let Ok(spec) = Gaussian::new(*gamma) else {
                return Ok(());
            };
            let (x, y): (Vec<f64>, Vec<f64>) = xy.iter().copied().unzip();
            for backend in Backend::CPU {
                let z = engine
                    .gaussian_f64_vec(&spec, &x, &y, backend)
                    .map_err(|e| e.to_string())?;
                if let Some(bad) = z.iter().find(|v| !(v.is_nan() || (0.0..=1.0).contains(*v))) {
                    return Err(format!("{backend}: {bad} is not in [0, 1]"));
                }
            }
        }
        &SpecInput::Julia(width, height, maxiters, c_re, c_im, [re, im, w, h]) => {
            let params = JuliaParams {
                width,
                height,
                maxiters,
                c_re,
                c_im,
                viewport: Viewport::centered(re, im, w, h),
            };
            let Ok(spec) = params.validate() else {
                return Ok(());
            };
            if spec.pixels() > 5000 || maxiters > 200 {
                return Ok(());
            }
            let s = engine
                .julia(&spec, Backend::Scalar)
                .map_err(|e| e.to_string())?;
            let v = engine
                .julia(&spec, Backend::SimdThreads)
                .map_err(|e| e.to_string())?;
            if s != v {
                return Err("scalar and simd-threads images differ".into());
            }
            if s.iter().any(|&c| c > maxiters) {
                return Err("a count above maxiters".into());
            }
        }
        &SpecInput::Pi(n, seed) => {
            let Ok(spec) = Pi::new(n, seed) else {
                return Ok(());
            };
            if n > 5000 {
                return Ok(());
            }
            let s = engine
                .pi(&spec, Backend::Scalar)
                .map_err(|e| e.to_string())?;
            let v = engine.pi(&spec, Backend::Simd).map_err(|e| e.to_string())?;
            if s.hits != v.hits || s.hits > n {
                return Err(format!("hits {} vs {} of {n}", s.hits, v.hits));
            }
        }
    }
    Ok(())
}

#[test]
#[ignore = "fuzzing: run with --ignored (see the file's header)"]
fn fuzz_spec_constructors() {
    let engine = Engine::with_threads(2).unwrap();
    let (tried, failures) = fuzz(spec_inputs(), |input| check_spec(&engine, input));
    report("spec constructors", tried, &failures);
}

/// Values a user might type, right and wrong.
const VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "2",
    "3",
    "7",
    "16",
    "1e3",
    "1e6",
    "1e30",
    "-1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "1.5",
    "abc",
    "1,2",
    "0,0",
    "-0.8,0.2",
    "1,nan",
    "1,",
    ",",
    "99999999999999999999",
    "scalar",
    "simd",
    "threads",
    "simd-threads",
    "gpu",
    "viridis",
    "magma",
    "f32",
    "f64",
    "both",
    "map",
    "integral",
    "sin",
    "lorentz",
    "sqrt",
    "return x;",
    "return x +;",
    "return sin(x);",
    "é",
    " 5 ",
    "0x10",
    "+3",
    "--json",
    "-",
    "--",
];

/// Each example's flags that take a value (`--output` is fixed, below).
const FLAGS: &[(&str, &[&str])] = &[
    (
        "julia",
        &[
            "--backend",
            "--threads",
            "--repeat",
            "--size",
            "--width",
            "--height",
            "--maxiters",
            "--c",
            "--center",
            "--zoom",
            "--colormap",
        ],
    ),
    (
        "midpoint",
        &[
            "--backend",
            "--threads",
            "--repeat",
            "--n",
            "--a",
            "--b",
            "--integrand",
            "--wgsl",
            "--precision",
        ],
    ),
    (
        "gaussian",
        &[
            "--backend",
            "--threads",
            "--repeat",
            "--n",
            "--gamma",
            "--seed",
            "--precision",
        ],
    ),
    (
        "pi",
        &["--backend", "--threads", "--repeat", "--n", "--seed"],
    ),
    ("sum", &["--backend", "--threads", "--repeat", "--n"]),
    (
        "custom_kernel",
        &["--backend", "--threads", "--repeat", "--kernel", "--n"],
    ),
];

#[derive(Debug, Clone)]
struct CommandLine {
    example: &'static str,
    args: Vec<String>,
}

fn command_lines() -> impl Strategy<Value = CommandLine> {
    (0..FLAGS.len()).prop_flat_map(|k| {
        let (example, flags) = FLAGS[k];
        let pair = (
            prop::sample::select(flags.to_vec()),
            prop::sample::select(VALUES.to_vec()),
        );
        (
            prop::collection::vec(pair, 0..5),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(move |(pairs, json, compare)| {
                let mut args = Vec::new();
                for (flag, value) in pairs {
                    args.push(flag.to_owned());
                    args.push(value.to_owned());
                }
                if json {
                    args.push("--json".into());
                }
                if compare && matches!(example, "julia" | "custom_kernel") {
                    args.push("--compare".into());
                }
                CommandLine { example, args }
            })
    })
}

/// Exit 0, 1 or 2 within the bound, never a signal or a panic. Sizes the
/// line leaves out are made small, so a valid line runs quickly.
fn check_command_line(line: &CommandLine, scratch: &std::path::Path) -> Result<(), String> {
    let mut cmd = example(line.example);
    cmd.args(&line.args);
    let given = |flag: &str| line.args.iter().any(|a| a == flag);
    match line.example {
        "julia" => {
            if !(given("--size") || given("--width") || given("--height")) {
                cmd.args(["--size", "40"]);
            }
            cmd.arg("--output").arg(scratch.join("fuzz.png"));
        }
        _ if !given("--n") => {
            cmd.args(["--n", "1000"]);
        }
        _ => {}
    }
    let (status, stderr) = run_bounded(&mut cmd, Duration::from_secs(60))?;
    if stderr.contains("panicked") {
        return Err(format!("panicked: {stderr}"));
    }
    match status.code() {
        Some(0..=2) => Ok(()),
        other => Err(format!(
            "exit {other:?} (None: killed by a signal): {stderr}"
        )),
    }
}

#[test]
#[ignore = "fuzzing: run with --ignored (see the file's header)"]
fn fuzz_example_command_lines() {
    let scratch = std::env::temp_dir().join(format!("hetero-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let (tried, failures) = fuzz(command_lines(), |line| check_command_line(line, &scratch));
    std::fs::remove_dir_all(&scratch).ok();
    report("example command lines", tried, &failures);
}

/// A generated `.npy` file: a header from fragments of real and broken
/// ones, a length field that may lie, and some data bytes.
#[derive(Debug, Clone)]
struct NpyInput {
    version: (u8, u8),
    /// The header length field: the true length, or a lie.
    length: NpyLength,
    descr: &'static str,
    fortran: &'static str,
    shape: Vec<u64>,
    extra: &'static str,
    data_bytes: usize,
}

#[derive(Debug, Clone, Copy)]
enum NpyLength {
    True,
    Claim(u32),
}

const DESCRS: &[&str] = &[
    "'<f8'",
    "'>f8'",
    "'<f4'",
    "'<i8'",
    "'>i4'",
    "'<u4'",
    "'<c16'",
    "'|b1'",
    "'<f2'",
    "[('a', '<f8')]",
    "'f8'",
    "''",
    "'<f8",
    "42",
];
const FORTRANS: &[&str] = &["False", "True", "Maybe", "0", ""];
const EXTRAS: &[&str] = &[
    "",
    " ",
    "'extra': 1, ",
    "}",
    "{",
    "\n",
    "\u{e9}",
    "'shape': (1,), ",
];

fn npy_inputs() -> impl Strategy<Value = NpyInput> {
    let version = prop_oneof![
        Just((1u8, 0u8)),
        Just((2, 0)),
        Just((3, 0)),
        any::<(u8, u8)>()
    ];
    let length = prop_oneof![
        4 => Just(NpyLength::True),
        1 => prop_oneof![
            Just(u32::MAX),
            Just(0xffff_fff0),
            Just(10_001),
            Just(10_000),
            Just(0),
            any::<u32>()
        ]
        .prop_map(NpyLength::Claim),
    ];
    let dim = prop_oneof![
        0u64..8,
        Just(1 << 32),
        Just(u64::MAX),
        Just(1 << 61),
        any::<u64>()
    ];
    (
        version,
        length,
        prop::sample::select(DESCRS),
        prop::sample::select(FORTRANS),
        prop::collection::vec(dim, 0..5),
        prop::sample::select(EXTRAS),
        0usize..300,
    )
        .prop_map(
            |(version, length, descr, fortran, shape, extra, data_bytes)| NpyInput {
                version,
                length,
                descr,
                fortran,
                shape,
                extra,
                data_bytes,
            },
        )
}

impl NpyInput {
    fn bytes(&self) -> Vec<u8> {
        let shape: Vec<String> = self.shape.iter().map(u64::to_string).collect();
        let shape = match shape.len() {
            1 => format!("({},)", shape[0]),
            _ => format!("({})", shape.join(", ")),
        };
        let dict = format!(
            "{{'descr': {}, 'fortran_order': {}, {}'shape': {shape}, }}\n",
            self.descr, self.fortran, self.extra
        );
        let mut bytes = b"\x93NUMPY".to_vec();
        bytes.extend_from_slice(&[self.version.0, self.version.1]);
        let len = match self.length {
            NpyLength::True => dict.len() as u32,
            NpyLength::Claim(n) => n,
        };
        if self.version.0 == 1 {
            bytes.extend_from_slice(&(len as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&len.to_le_bytes());
        }
        bytes.extend_from_slice(dict.as_bytes());
        bytes.extend((0..self.data_bytes).map(|i| i as u8));
        bytes
    }
}

/// Reads the file whole and streamed: no panic, no hang (bounded by the
/// fuzz loop), values only where the shape holds them, both ways alike.
fn check_npy(input: &NpyInput, path: &std::path::Path) -> Result<(), String> {
    let bytes = input.bytes();
    std::fs::write(path, &bytes).map_err(|e| e.to_string())?;
    let mut buffer = hetero::npy::NpyBuffer::default();
    let whole = buffer
        .read(path)
        .map(|a| (a.header.elements(), a.values().to_vec()));
    let mut streamed = Vec::new();
    let chunks = buffer.for_each_chunk(path, |c| streamed.extend_from_slice(c));
    match (whole, chunks) {
        (Ok((elements, values)), Ok(_)) => {
            let elements = elements.map_err(|e| e.to_string())?;
            if values.len() as u64 != elements || streamed != values {
                return Err(format!(
                    "{} values read whole, {} streamed, shape holds {elements}",
                    values.len(),
                    streamed.len()
                ));
            }
            if values.len() > bytes.len() {
                return Err("more values than the file's bytes".into());
            }
            Ok(())
        }
        (Err(a), Err(b)) => {
            // Every message says what was found.
            if a.to_string().is_empty() || b.to_string().is_empty() {
                return Err("an empty error message".into());
            }
            Ok(())
        }
        (a, b) => Err(format!(
            "whole and streamed reads disagree: {:?} / {:?}",
            a.map(|(_, v)| v.len()).map_err(|e| e.to_string()),
            b.map_err(|e| e.to_string())
        )),
    }
}

#[test]
#[ignore = "fuzzing: run with --ignored (see the file's header)"]
fn fuzz_npy_headers() {
    let path = std::env::temp_dir().join(format!("hetero-fuzz-npy-{}.npy", std::process::id()));
    let (tried, failures) = fuzz(npy_inputs(), |input| check_npy(input, &path));
    let _ = std::fs::remove_file(&path);
    report(".npy headers", tried, &failures);
}
