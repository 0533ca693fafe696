//! The one error type of problem validation.

use thiserror::Error;

/// A problem was specified in a way no backend can compute.
///
/// Every message says what to change.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ProblemError {
    #[error("{problem}: n must be at least 1 (got 0); ask for one or more {what}")]
    ZeroCount {
        problem: &'static str,
        what: &'static str,
    },

    #[error("{problem}: {name} must be a finite number (got {value}); pass a finite value")]
    NotFinite {
        problem: &'static str,
        name: &'static str,
        value: f64,
    },

    #[error(
        "midpoint: the interval [{a}, {b}] is too wide: b - a overflows f64; integrate over narrower pieces"
    )]
    IntervalOverflow { a: f64, b: f64 },

    #[error(
        "gaussian: gamma must be >= 0 (got {gamma}); a negative gamma is not a Gaussian kernel"
    )]
    NegativeGamma { gamma: f64 },

    #[error(
        "gaussian: gamma {gamma} is beyond {precision}'s range (at most {max:e}), so the {precision} kernel would give NaN or wrong values; use the f64 kernel or a smaller gamma"
    )]
    GammaOutOfRange {
        gamma: f64,
        precision: &'static str,
        max: f64,
    },

    #[error(
        "gaussian: x, y and out must have the same length (got x: {x}, y: {y}, out: {out}); pass slices of equal length"
    )]
    LengthMismatch { x: usize, y: usize, out: usize },

    #[error("julia: width and height must both be at least 1 (got {width}x{height})")]
    EmptyImage { width: usize, height: usize },

    #[error(
        "julia: a {width}x{height} image has more pixels than this machine can address; choose a smaller size"
    )]
    ImageTooLarge { width: usize, height: usize },

    #[error(
        "julia: the output buffer has {got} pixels but the image is {width}x{height} = {expected}; pass a buffer of exactly width*height"
    )]
    OutputSize {
        width: usize,
        height: usize,
        expected: usize,
        got: usize,
    },

    #[error(
        "julia: rows {first_row}..{first_row}+{rows} are not inside the image's {height} rows (or the buffer of {len} pixels is not whole rows of {width}); pass whole rows within the image"
    )]
    RowRange {
        first_row: usize,
        rows: usize,
        height: usize,
        width: usize,
        len: usize,
    },

    #[error(
        "julia: the viewport is empty (x: {x_min}..{x_max}, y: {y_min}..{y_max}); each minimum must be below its maximum"
    )]
    EmptyViewport {
        x_min: f64,
        x_max: f64,
        y_min: f64,
        y_max: f64,
    },

    /// A buffer sized by the problem could not be allocated.
    #[error(transparent)]
    OutOfMemory(#[from] crate::alloc::AllocError),
}

/// Checks that `value` is finite, naming it in the error.
pub(crate) fn finite(
    problem: &'static str,
    name: &'static str,
    value: f64,
) -> Result<f64, ProblemError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ProblemError::NotFinite {
            problem,
            name,
            value,
        })
    }
}
