//! `julia` over rayon: one task per row (rayon groups rows adaptively).

use hetero_core::{Julia, ProblemError};
use rayon::prelude::*;

use super::Inner;
use crate::{scalar, simd};

/// The whole image into `out` (row-major), equal to the sequential backends.
///
/// # Errors
/// [`ProblemError::OutputSize`] when `out` is not width × height.
pub fn render(spec: &Julia, out: &mut [u32], inner: Inner) -> Result<(), ProblemError> {
    spec.check_output(out.len())?;
    render_rows(spec, 0, out, inner)
}

/// The rows `first_row..` that `out` holds (whole rows), one task per row.
///
/// # Errors
/// [`ProblemError::RowRange`] unless `out` is whole rows inside the image.
pub fn render_rows(
    spec: &Julia,
    first_row: usize,
    out: &mut [u32],
    inner: Inner,
) -> Result<(), ProblemError> {
    spec.check_rows(first_row, out.len())?;
    let starts = spec.column_starts();
    let rows = match inner {
        Inner::Scalar => scalar::julia::render_rows,
        Inner::Simd => simd::julia::render_rows,
    };
    out.par_chunks_mut(spec.width())
        .enumerate()
        .for_each(|(i, row)| rows(spec, &starts, first_row + i, row));
    Ok(())
}
