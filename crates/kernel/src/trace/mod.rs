//! WGSL from the same generic Rust body that runs on the CPU.
//!
//! [`Trace`] implements [`Real`](crate::Real) by recording each operation as a WGSL
//! `let` instead of computing it: evaluating a body generic over `Real` on
//! traces yields the body's straight-line WGSL, literals and all. No proc
//! macro, no second source. What cannot be a straight line is refused with
//! the reason: reading lanes (a closure evaluated lane by lane), loading
//! memory, branching on a mask (`any`/`all`), or a function WGSL lacks in
//! the precision asked (sin/cos in f64 on Vulkan). `select` is the way to
//! write a condition that traces.

mod literal;
mod ops;

use core::marker::PhantomData;
use std::cell::RefCell;

use crate::real::Float;

/// A recorded value: the `v{id}` of a WGSL `let`, of lane type `T`.
#[derive(Clone, Copy)]
pub struct Trace<T> {
    id: u32,
    lane: PhantomData<T>,
}

/// A recorded comparison: a WGSL `bool`.
#[derive(Debug, Clone, Copy)]
pub struct TraceMask {
    id: u32,
}

impl<T> core::fmt::Debug for Trace<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "v{}", self.id)
    }
}

/// What a trace in progress has recorded.
#[derive(Default)]
struct Recorder {
    lines: Vec<String>,
    /// Why the body cannot be WGSL, if it cannot.
    refused: Option<String>,
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Records `let v{id}: {ty} = {expr};` and returns its id.
fn emit(ty: &str, expr: String) -> u32 {
    RECORDER.with(|r| match r.borrow_mut().as_mut() {
        Some(rec) => {
            let id = rec.lines.len() as u32;
            rec.lines.push(format!("    let v{id}: {ty} = {expr};"));
            id
        }
        // Traces only exist inside `trace`; outside one there is nothing
        // to record into, and the value is never turned into WGSL.
        None => 0,
    })
}

/// Marks the trace in progress as impossible, keeping the first reason.
fn refuse(reason: &str) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.refused.get_or_insert_with(|| reason.to_owned());
        }
    });
}

impl<T: Float> Trace<T> {
    fn new(ty: &str, expr: String) -> Self {
        Self {
            id: emit(ty, expr),
            lane: PhantomData,
        }
    }

    fn value(expr: String) -> Self {
        Self::new(T::WGSL, expr)
    }
}

/// The WGSL body of `body` applied to `N` arguments named `names` of lane
/// type `T`: `let` lines and a final `return`.
///
/// # Errors
/// Why the body cannot be written as straight-line WGSL.
pub fn trace<T: Float, const N: usize>(
    names: [&str; N],
    body: impl FnOnce([Trace<T>; N]) -> Trace<T>,
) -> Result<String, String> {
    let previous = RECORDER.with(|r| r.replace(Some(Recorder::default())));
    let args = names.map(|name| Trace::<T>::value(name.to_owned()));
    let result = body(args);
    let recorder = RECORDER.with(|r| r.replace(previous)).unwrap_or_default();
    if let Some(reason) = recorder.refused {
        return Err(reason);
    }
    let mut wgsl = recorder.lines.join("\n");
    wgsl.push_str(&format!("\n    return v{};", result.id));
    Ok(wgsl)
}
