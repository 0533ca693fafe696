//! Every bad input we know of, in one table: the library API and the
//! examples' command lines. Each case must end (a bounded wait: a hang
//! fails), must not panic or abort, and must give its typed error or exit
//! code with a message that names what to change.

mod support;
use support::{ci, example, example_with_address_limit, run_bounded};

use std::sync::mpsc;
use std::time::Duration;

use hetero::problems::gaussian::GaussianKernel;
use hetero::problems::sum::SumKernel;
use hetero::{
    Backend, ElementWise, Engine, Gaussian, JuliaParams, Midpoint, Pi, Precision, Real, Viewport,
    WgslIntegrand, ZipMap,
};

/// The longest any case may take: far above what each needs.
const BOUND: Duration = Duration::from_secs(60);

type LibCall = Box<dyn FnOnce() -> Result<String, String> + Send>;

enum Run {
    /// An example run with these arguments and environment; the exit code.
    Cli {
        example: &'static str,
        args: Vec<String>,
        env: Vec<(&'static str, String)>,
        code: i32,
        /// The example's address space in KiB (`RLIMIT_AS`), if limited.
        address_limit_kib: Option<u64>,
    },
    /// A library call: `Ok(message)` of the error it returned, or `Err`
    /// saying what it did instead.
    Lib(LibCall),
}

struct Case {
    name: String,
    run: Run,
    /// Text the error message must contain.
    mention: &'static str,
}

fn cli(example: &'static str, args: &[&str], code: i32, mention: &'static str) -> Case {
    Case {
        name: format!("{example} {}", args.join(" ")),
        run: Run::Cli {
            example,
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            env: Vec::new(),
            code,
            address_limit_kib: None,
        },
        mention,
    }
}

/// The address space the out-of-memory cases run in: 2 GB, as on a small
/// machine. Their sizes need more, so a buffer reserved with `vec!` would
/// abort (SIGABRT) where hetero's fallible reservation says what to change.
const SMALL_MACHINE_KIB: u64 = 2_000_000;

/// An example run on a machine with [`SMALL_MACHINE_KIB`] of address
/// space, asked for more: exit 2 with the bytes asked for, never a signal.
fn cli_out_of_memory(example: &'static str, args: &[&str]) -> Case {
    let mut case = cli(example, args, 2, "could not allocate");
    if let Run::Cli {
        address_limit_kib, ..
    } = &mut case.run
    {
        *address_limit_kib = Some(SMALL_MACHINE_KIB);
    }
    case.name = format!(
        "{} under a {SMALL_MACHINE_KIB} KiB address limit",
        case.name
    );
    case
}

fn cli_env(
    example: &'static str,
    args: &[&str],
    env: &[(&'static str, &str)],
    code: i32,
    mention: &'static str,
) -> Case {
    let mut case = cli(example, args, code, mention);
    if let Run::Cli { env: e, .. } = &mut case.run {
        *e = env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    }
    case.name = format!("{env:?} {}", case.name);
    case
}

/// The error of `result`, or what it returned instead.
fn error_of<T: std::fmt::Debug, E: std::fmt::Display>(
    result: Result<T, E>,
) -> Result<String, String> {
    match result {
        Ok(v) => Err(format!("returned Ok({v:?}) instead of an error")),
        Err(e) => Ok(e.to_string()),
    }
}

fn lib(
    name: &str,
    mention: &'static str,
    call: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Case {
    Case {
        name: name.to_owned(),
        run: Run::Lib(Box::new(call)),
        mention,
    }
}

/// A 4 KB `.npy` file whose header-length field claims 0xfffffff0 bytes.
fn hostile_npy(tag: &str) -> std::path::PathBuf {
    let path = hostile_npy_path(tag);
    let mut bytes = b"\x93NUMPY\x02\x00".to_vec();
    bytes.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    bytes.extend(std::iter::repeat_n(b' ', 4096));
    std::fs::write(&path, bytes).expect("a temporary file");
    path
}

fn hostile_npy_path(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "hetero-table-hostile-{tag}-{}.npy",
        std::process::id()
    ))
}

fn engine() -> Engine {
    Engine::with_threads(2).expect("two threads start")
}

struct Sum2;
impl ElementWise<2> for Sum2 {
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        x + y
    }
}

fn library_cases(gpu: bool) -> Vec<Case> {
    let mut cases = vec![
        lib("Midpoint with n = 0", "at least 1", || {
            error_of(Midpoint::new(0.0, 1.0, 0))
        }),
        lib("Midpoint with a NaN bound", "finite", || {
            error_of(Midpoint::new(f64::NAN, 1.0, 10))
        }),
        lib("Midpoint with an infinite bound", "finite", || {
            error_of(Midpoint::new(0.0, f64::INFINITY, 10))
        }),
        lib("Midpoint whose width overflows", "b - a", || {
            error_of(Midpoint::new(-1e308, 1e308, 10))
        }),
        lib("Gaussian with a negative gamma", "gamma", || {
            error_of(Gaussian::new(-1.0))
        }),
        lib("Gaussian with a NaN gamma", "finite", || {
            error_of(Gaussian::new(f64::NAN))
        }),
        lib("Gaussian f32 with a gamma beyond f32", "f32", || {
            let spec = Gaussian::new(1e300).unwrap();
            error_of(GaussianKernel::new(&spec, &[1.0f32], &[1.0f32]).map(|_| ()))
        }),
        lib(
            "Gaussian with x and y of different lengths",
            "same length",
            || {
                error_of(engine().gaussian_f64_vec(
                    &Gaussian::notebook(),
                    &[1.0, 2.0],
                    &[1.0],
                    Backend::Simd,
                ))
            },
        ),
        lib(
            "Gaussian into an output of the wrong length",
            "same length",
            || {
                let mut out = [0.0f32; 3];
                error_of(engine().gaussian_f32(
                    &Gaussian::notebook(),
                    &[1.0; 2],
                    &[1.0; 2],
                    &mut out,
                    Backend::Threads,
                ))
            },
        ),
        lib("Julia with width 0", "width", || {
            error_of(
                JuliaParams {
                    width: 0,
                    ..JuliaParams::notebook(10)
                }
                .validate(),
            )
        }),
        lib("Julia with a viewport of zero size", "viewport", || {
            error_of(
                JuliaParams {
                    viewport: Viewport::centered(0.0, 0.0, 0.0, 1.0),
                    ..JuliaParams::notebook(10)
                }
                .validate(),
            )
        }),
        lib("Julia with a NaN c", "finite", || {
            error_of(
                JuliaParams {
                    c_re: f32::NAN,
                    ..JuliaParams::notebook(10)
                }
                .validate(),
            )
        }),
        lib("Julia too large to allocate", "smaller size", || {
            let spec = JuliaParams {
                width: 1 << 31,
                height: 1 << 31,
                ..JuliaParams::notebook(10)
            }
            .validate();
            match spec {
                Err(e) => Ok(e.to_string()),
                Ok(spec) => error_of(engine().julia(&spec, Backend::Simd)),
            }
        }),
        lib(
            "Julia into a buffer of the wrong length",
            "exactly width*height",
            || {
                let spec = JuliaParams::notebook(10).validate().unwrap();
                let mut out = vec![0u32; 7];
                error_of(engine().julia_into(&spec, &mut out, Backend::Scalar))
            },
        ),
        lib("Julia rows past the image", "row", || {
            let spec = JuliaParams::notebook(10).validate().unwrap();
            let mut out = vec![0u32; 3 * spec.width()];
            error_of(engine().julia_rows(&spec, 9, &mut out, Backend::SimdThreads))
        }),
        lib("Pi with no samples", "samples", || error_of(Pi::new(0, 1))),
        lib("an engine of 0 threads", "at least 1", || {
            error_of(Engine::with_threads(0))
        }),
        lib("an engine of a million threads", "at most", || {
            error_of(Engine::with_threads(1_000_000))
        }),
        lib("an unknown backend name", "choose one of", || {
            error_of("cuda".parse::<Backend>())
        }),
        lib("sum of an empty array", "at least one item", || {
            error_of(engine().reduce(&SumKernel::new(&[]), Backend::SimdThreads))
        }),
        lib(
            "a user map over slices of different lengths",
            "length",
            || {
                let (a, b) = ([1.0f64; 3], [1.0f64; 2]);
                error_of(ZipMap::new(&Sum2, [&a[..], &b[..]]).map(|_| ()))
            },
        ),
        lib("a user map into a short output", "output", || {
            let a = [1.0f64; 3];
            let kernel = ZipMap::new(&Sum2, [&a[..], &a[..]]).unwrap();
            error_of(engine().map(&kernel, &mut [0.0; 2], Backend::Simd))
        }),
        lib(
            "a user map over a range past its inputs",
            "index space",
            || {
                let a = [1.0f64; 3];
                let kernel = ZipMap::new(&Sum2, [&a[..], &a[..]]).unwrap();
                error_of(engine().map_range(&kernel, 2..5, &mut [0.0; 3], Backend::Threads))
            },
        ),
        lib("a closure integrand on the GPU", "gpu", || {
            let spec = Midpoint::new(0.0, 1.0, 100).unwrap();
            error_of(engine().midpoint_with(&spec, &|x: f64| x * x, Backend::Gpu))
        }),
        lib("the f64 Gaussian on the GPU", "gaussian_f32", || {
            error_of(engine().gaussian_f64_vec(&Gaussian::notebook(), &[1.0], &[1.0], Backend::Gpu))
        }),
        lib(
            "the notebook's sum array past the address space",
            "more than this machine can address",
            || error_of(hetero::problems::sum::arange(1 << 60)),
        ),
        lib(
            "the notebook's sum array larger than any machine",
            "could not allocate 2305843009213693952 bytes",
            || error_of(hetero::problems::sum::arange(1 << 58)),
        ),
        lib(
            "standard normal inputs larger than any machine",
            "choose a smaller size",
            || error_of(hetero::standard_normal_inputs(1 << 58, 1)),
        ),
        lib(
            "a buffer whose byte count overflows u64",
            "more than this machine can address",
            || error_of(hetero::alloc::try_zeroed::<f64>(u64::MAX, "test")),
        ),
        lib("an .npy header claiming 4 GiB", "max_header_size", || {
            let path = hostile_npy("lib");
            let mut buffer = hetero::npy::NpyBuffer::default();
            let outcome = error_of(buffer.read(&path).map(|a| a.values().len()));
            let _ = std::fs::remove_file(path);
            outcome
        }),
        lib(
            "an .npy shape that does not hold the data",
            "does not hold",
            || error_of(hetero::npy::to_npy_bytes(&[1.0f64, 2.0], &[3])),
        ),
        lib("an .npy file shorter than its shape", "truncated", || {
            let path = hostile_npy_path("short");
            let whole = hetero::npy::to_npy_bytes(&[1.0f64; 8], &[8]).unwrap();
            std::fs::write(&path, &whole[..whole.len() - 8]).unwrap();
            let mut buffer = hetero::npy::NpyBuffer::default();
            let outcome = error_of(buffer.read(&path).map(|a| a.values().len()));
            let _ = std::fs::remove_file(path);
            outcome
        }),
        lib("an output path that is a folder", "cannot write", || {
            error_of(hetero::output::write_file(&std::env::temp_dir(), b"x"))
        }),
        lib("an output file in a missing folder", "cannot write", || {
            let path = std::env::temp_dir().join("hetero-no-such-dir/x.png");
            error_of(hetero::output::write_file(&path, b"x"))
        }),
    ];
    if gpu {
        cases.push(lib("WGSL that does not parse", "WGSL", || {
            let spec = Midpoint::new(0.0, 1.0, 100).unwrap();
            let bad = WgslIntegrand::new("return x +;");
            error_of(engine().midpoint_wgsl(&spec, &bad, Precision::F32))
        }));
        cases.push(lib("WGSL with an undefined name", "WGSL", || {
            let spec = Midpoint::new(0.0, 1.0, 100).unwrap();
            let bad = WgslIntegrand::new("return y;");
            error_of(engine().midpoint_wgsl(&spec, &bad, Precision::F32))
        }));
    }
    cases
}

fn cli_cases(gpu: bool) -> Vec<Case> {
    let missing = std::env::temp_dir().join("hetero-no-such-dir/j.png");
    let missing = missing.to_str().unwrap().to_owned();
    let hostile = hostile_npy("cli");
    let hostile = hostile.to_str().unwrap().to_owned();
    let folder = std::env::temp_dir();
    let folder = folder.to_str().unwrap().to_owned();
    let mut cases = vec![
        cli("julia", &["--backend", "cuda"], 2, "--backend"),
        cli("julia", &["--size", "0"], 2, "--size"),
        cli("julia", &["--size", "-3"], 2, "--size"),
        cli("julia", &["--size", "many"], 2, "--size"),
        cli("julia", &["--size", "100000"], 2, "--size"),
        cli("julia", &["--c", "1"], 2, "--c"),
        cli("julia", &["--c", "1,nan"], 2, "--c"),
        cli("julia", &["--zoom", "0"], 2, "--zoom"),
        cli("julia", &["--threads", "0"], 2, "--threads"),
        cli("julia", &["--threads", "100000"], 2, "at most"),
        cli("julia", &["--maxiters", "-1"], 2, "--maxiters"),
        cli("julia", &["--colormap", "rainbow"], 2, "--colormap"),
        cli("julia", &["--no-such-flag"], 2, "--no-such-flag"),
        cli(
            "julia",
            &["--size", "8", "--output", &missing],
            1,
            "--output",
        ),
        cli("npy_stats", &[&hostile], 1, "could not be read"),
        cli("pi", &["--n", "0"], 2, "--n"),
        cli(
            "julia",
            &["--size", "8", "--backend", "scalar", "--output", &folder],
            1,
            "--output",
        ),
        cli("midpoint", &["--n", "0"], 2, "--n"),
        cli("midpoint", &["--n", "1.5"], 2, "--n"),
        cli("midpoint", &["--a", "inf"], 2, "finite"),
        cli("midpoint", &["--a", "-1e308", "--b", "1e308"], 2, "b - a"),
        cli(
            "midpoint",
            &["--wgsl", "return x;", "--backend", "simd"],
            2,
            "--wgsl",
        ),
        cli("gaussian", &["--gamma", "-1"], 2, "gamma"),
        cli("gaussian", &["--gamma", "nan"], 2, "gamma"),
        cli("gaussian", &["--n", "1e12"], 2, "--n"),
        cli("pi", &["--n", "abc"], 2, "--n"),
        cli("pi", &["--n", "-5"], 2, "--n"),
        cli("pi", &["--repeat", "0"], 2, "--repeat"),
        cli("sum", &["--n", "0"], 2, "--n"),
        cli("sum", &["--n", "1e30"], 2, "--n"),
        cli("custom_kernel", &["--backend", "fpga"], 2, "--backend"),
        cli_env(
            "pi",
            &["--n", "100", "--backend", "scalar"],
            &[("HETERO_GPU_BUDGET_MIB", "abc")],
            2,
            "HETERO_GPU_BUDGET_MIB",
        ),
        cli_env(
            "pi",
            &["--n", "100", "--backend", "scalar"],
            &[("HETERO_GPU_BUDGET_MIB", "99999999999999999")],
            2,
            "HETERO_GPU_BUDGET_MIB",
        ),
    ];
    if cfg!(target_os = "linux") {
        // The sizes of the out-of-memory issue, each a buffer sized by the
        // user: inputs, outputs, f32 copies, the sum's array, an image.
        let fake = std::env::temp_dir().join(format!("hetero-oom-fake-{}", std::process::id()));
        let fake = fake.to_str().unwrap().to_owned();
        cases.extend([
            cli_out_of_memory("gaussian", &["--n", "3e8", "--backend", "simd"]),
            cli_out_of_memory(
                "gaussian",
                &[
                    "--n",
                    "3e8",
                    "--precision",
                    "f32",
                    "--backend",
                    "simd-threads",
                ],
            ),
            cli_out_of_memory(
                "custom_kernel",
                &["--n", "1e9", "--kernel", "map", "--backend", "simd"],
            ),
            cli_out_of_memory("julia", &["--size", "20000", "--backend", "scalar"]),
            cli_out_of_memory("sum", &["--n", "1e9", "--backend", "simd"]),
            cli_out_of_memory(
                "npy_stats",
                &[&fake, "--make-fake", "1", "--size", "268435456"],
            ),
        ]);
        if gpu {
            cases.push(cli_out_of_memory(
                "gaussian",
                &["--n", "3e8", "--backend", "gpu"],
            ));
        }
    }
    if std::path::Path::new("/dev/full").exists() {
        cases.push(cli(
            "julia",
            &[
                "--size",
                "8",
                "--backend",
                "scalar",
                "--output",
                "/dev/full",
            ],
            1,
            "No space left",
        ));
    }
    if cfg!(target_os = "linux") {
        // Only wgpu's Vulkan backend is built on Linux: hiding its drivers
        // leaves no adapter.
        cases.push(cli_env(
            "pi",
            &["--n", "100", "--backend", "gpu"],
            &[
                ("VK_ICD_FILENAMES", "/nonexistent/icd.json"),
                ("VK_DRIVER_FILES", "/nonexistent/icd.json"),
            ],
            1,
            "no GPU adapter",
        ));
        cases.push(cli_env(
            "pi",
            &["--n", "100", "--backend", "gpu"],
            &[("HETERO_GPU_ADAPTER", "no-such-adapter-anywhere")],
            1,
            "HETERO_GPU_ADAPTER",
        ));
    }
    cases
}

/// Runs one case within [`BOUND`]: `Ok` or what went wrong.
fn check(case: Case) -> Result<(), String> {
    let message = match case.run {
        Run::Cli {
            example: name,
            args,
            env,
            code,
            address_limit_kib,
        } => {
            let mut command = match address_limit_kib {
                Some(kib) => example_with_address_limit(name, kib),
                None => example(name),
            };
            let (status, stderr) = run_bounded(command.args(&args).envs(env), BOUND)?;
            if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
                return Err(format!("panicked: {stderr}"));
            }
            if status.code() != Some(code) {
                return Err(format!(
                    "exit {:?} (a signal is an abort), expected {code}: {stderr}",
                    status.code()
                ));
            }
            stderr
        }
        Run::Lib(call) => {
            let (tx, rx) = mpsc::channel();
            let worker = std::thread::spawn(move || {
                let _ = tx.send(call());
            });
            match rx.recv_timeout(BOUND) {
                Ok(outcome) => {
                    let _ = worker.join();
                    outcome?
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("no answer after {BOUND:?}: a hang"));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err("panicked".into());
                }
            }
        }
    };
    if !message.contains(case.mention) {
        return Err(format!(
            "message does not mention '{}': {message}",
            case.mention
        ));
    }
    Ok(())
}

#[test]
fn every_bad_input_gets_its_typed_error_or_exit_code_without_panic_or_hang() {
    let gpu = engine().is_available(Backend::Gpu);
    assert!(gpu || !ci(), "CI requires a GPU adapter for the GPU cases");
    let cases: Vec<Case> = library_cases(gpu)
        .into_iter()
        .chain(cli_cases(gpu))
        .collect();
    let count = cases.len();
    assert!(
        count >= 75,
        "the table must hold at least 75 cases, has {count}"
    );
    let mut names = std::collections::HashSet::new();
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|case| {
            assert!(
                names.insert(case.name.clone()),
                "duplicate case {}",
                case.name
            );
            let name = case.name.clone();
            check(case).err().map(|why| format!("{name}: {why}"))
        })
        .collect();
    let _ = std::fs::remove_file(hostile_npy_path("cli"));
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
