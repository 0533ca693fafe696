//! What several integration tests share: finding the example binaries and
//! reading CI's rule. (A folder module, so cargo does not build it as a
//! test of its own.)
#![allow(dead_code)]

use std::process::Command;

/// Whether CI asks for every test to run for real: a missing GPU adapter
/// is then a failure, not a skip.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The example binary `name`, built by `cargo test` beside the test
/// binary, with Mesa's window-system probe kept quiet.
pub fn example(name: &str) -> Command {
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
    let mut cmd = Command::new(path);
    cmd.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    cmd
}
