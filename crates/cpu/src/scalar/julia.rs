//! `julia` on one core, one pixel at a time: the notebook's loop verbatim.

use hetero_core::{Julia, ProblemError};

/// The escape count of one pixel, in the recipe's exact arithmetic.
#[inline]
pub fn escape_count(zr0: f32, zi0: f32, (cr, ci): (f32, f32), maxiters: u32) -> u32 {
    let (mut zr, mut zi) = (zr0, zi0);
    let mut count = 0;
    while zr * zr + zi * zi <= 4.0 && count < maxiters {
        // 2·zr is exact, so this is round(2·zr·zi + ci): one rounding, as the
        // notebook's f64 evaluation rounded to f32.
        let zi_next = (2.0 * zr).mul_add(zi, ci);
        zr = zr * zr - zi * zi + cr;
        zi = zi_next;
        count += 1;
    }
    count
}

/// Counts for the rows `first_row..` that `out` holds (whole rows).
/// `column_starts` is [`Julia::column_starts`].
pub fn render_rows(spec: &Julia, column_starts: &[f32], first_row: usize, out: &mut [u32]) {
    for (r, row) in out.chunks_exact_mut(spec.width()).enumerate() {
        let zi0 = spec.start_im(first_row + r);
        for (count, &zr0) in row.iter_mut().zip(column_starts) {
            *count = escape_count(zr0, zi0, spec.c(), spec.maxiters());
        }
    }
}

/// The whole image into `out` (row-major, width × height).
///
/// # Errors
/// [`ProblemError::OutputSize`] when `out` is not width × height.
pub fn render(spec: &Julia, out: &mut [u32]) -> Result<(), ProblemError> {
    spec.check_output(out.len())?;
    render_rows(spec, &spec.column_starts(), 0, out);
    Ok(())
}
