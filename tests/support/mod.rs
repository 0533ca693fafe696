//! What several integration tests share: finding the example binaries and
//! reading CI's rule. (A folder module, so cargo does not build it as a
//! test of its own.)
#![allow(dead_code)]

pub mod broken_gpu;
pub mod counting;
pub mod fragile;

use std::process::Command;

/// Whether CI asks for every test to run for real: a missing GPU adapter
/// is then a failure, not a skip.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The example binary `name`, built by `cargo test` beside the test
/// binary, with Mesa's window-system probe kept quiet.
pub fn example(name: &str) -> Command {
    let mut cmd = Command::new(example_path(name));
    cmd.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    cmd
}

/// [`example`] run with its address space limited to `kib` KiB (the shell's
/// `ulimit -v`, i.e. `setrlimit(RLIMIT_AS)` in the child alone): a machine
/// with less memory than the sizes asked for, without using that memory.
/// Arguments added to the command go to the example.
pub fn example_with_address_limit(name: &str, kib: u64) -> Command {
    let mut cmd = Command::new("sh");
    // `sh -c SCRIPT $0 $@...`: the limit, then the example and its arguments.
    cmd.args(["-c", r#"ulimit -v "$0" && exec "$@""#])
        .arg(kib.to_string())
        .arg(example_path(name));
    cmd.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    cmd
}

/// `mpirun` with the flags every MPI test needs: as root Open MPI refuses
/// to run without the first; the test machine may have fewer cores than
/// ranks; threads need more than one core.
pub fn mpirun() -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "--bind-to",
        "none",
    ]);
    cmd
}

/// Where `cargo test` built the example binary `name`.
pub fn example_path(name: &str) -> std::path::PathBuf {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
}

/// Runs `cmd` (stdout discarded) for at most `limit`: its exit status and
/// stderr, or why not (it could not start, or it was still running — a
/// hang — and was killed). Stderr is drained on a thread, so a chatty child
/// cannot block on a full pipe and pass for a hang.
pub fn run_bounded(
    cmd: &mut Command,
    limit: std::time::Duration,
) -> Result<(std::process::ExitStatus, String), String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let mut pipe = child.stderr.take().ok_or("no stderr pipe")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {limit:?}: a hang"));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap_or_default();
    Ok((status, stderr))
}
