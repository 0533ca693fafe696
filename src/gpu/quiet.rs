//! Keeping a GPU probe quiet on machines without a desktop session.
//!
//! On Linux, wgpu's Vulkan instance enables the window-system surface
//! extensions, and Mesa's drivers then try to reach a Wayland display
//! while enumerating adapters. Without `XDG_RUNTIME_DIR` (a server, a
//! container, CI) libwayland prints "error: XDG_RUNTIME_DIR is invalid or
//! not set in the environment." on stderr for every enumeration — noise on
//! a program that only wanted to know whether a GPU exists. Giving the
//! variable any absolute path is enough: the display connection then fails
//! silently (no socket there), and compute is unaffected.

// Setting an environment variable is unsafe while other threads run.
#![allow(unsafe_code)]

/// Sets `XDG_RUNTIME_DIR` to the temporary directory when it is unset or
/// not an absolute path, so probing the GPU prints nothing. Programs call
/// it first thing in `main`; the hetero examples and `hetero-bench` do.
///
/// # Safety
/// It sets an environment variable: call it while the process has a
/// single thread (before any thread pool, engine or GPU context exists),
/// as [`std::env::set_var`] requires.
pub unsafe fn quiet_gpu_probe() {
    let usable = std::env::var_os("XDG_RUNTIME_DIR")
        .is_some_and(|dir| std::path::Path::new(&dir).is_absolute());
    if !usable {
        let dir = std::env::temp_dir();
        if dir.is_absolute() {
            // SAFETY: the caller guarantees no other thread exists.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", dir) };
        }
    }
}
