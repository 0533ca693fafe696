//! `julia`: escape-time counts of z ← z² + c on a height × width grid.
//!
//! The notebook's recipe, exactly: pixel (i, j) starts at
//! zi = y_min + i·(y_max − y_min)/H and zr = x_min + j·(x_max − x_min)/W,
//! computed in f64 and rounded to f32. Then, in f32, while zr² + zi² ≤ 4 and
//! count < maxiters: (zr, zi) ← (zr² − zi² + cr, 2·zr·zi + ci), count += 1.
//! Both right-hand sides use the *old* z (z ← z² + c); `2·zr·zi + ci` is
//! rounded once (a fused multiply-add, as the notebook's f64 evaluation
//! rounded to f32), `zr² − zi² + cr` is plain f32 left to right. Updating zr
//! with the new zi instead gives 24 566 576 for the default image, not the
//! notebook's 14 565 573.
//! The default viewport x ∈ [−2, 2), y ∈ [−1, 1) on an N × 2N grid gives the
//! notebook's starts −2 + j·2/N and −1 + i·2/N bit for bit.

use crate::error::{ProblemError, finite};

/// The rectangle of the complex plane an image covers: x is the real axis
/// (columns), y the imaginary axis (rows). Minimums are inclusive, maximums
/// exclusive: pixel starts are `min + index·(max − min)/count`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
}

impl Viewport {
    /// The notebook's view: x ∈ [−2, 2), y ∈ [−1, 1).
    pub const NOTEBOOK: Self = Self {
        x_min: -2.0,
        x_max: 2.0,
        y_min: -1.0,
        y_max: 1.0,
    };

    /// A view of the given size centred on (re, im) — convenient for zooming.
    pub fn centered(re: f64, im: f64, width: f64, height: f64) -> Self {
        Self {
            x_min: re - width / 2.0,
            x_max: re + width / 2.0,
            y_min: im - height / 2.0,
            y_max: im + height / 2.0,
        }
    }
}

/// The parameters of a Julia image, before validation. Start from
/// [`JuliaParams::notebook`] (or `default()`) and change fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JuliaParams {
    pub width: usize,
    pub height: usize,
    /// The most iterations per pixel; 0 is allowed and gives all-zero counts.
    pub maxiters: u32,
    pub c_re: f32,
    pub c_im: f32,
    pub viewport: Viewport,
}

impl JuliaParams {
    /// The notebook's default c.
    pub const NOTEBOOK_C: (f32, f32) = (-0.835, -0.2321);

    /// The notebook's image with N = `n` rows: N × 2N, maxiters 50,
    /// c = −0.835 − 0.2321i, viewport [−2, 2) × [−1, 1).
    pub const fn notebook(n: usize) -> Self {
        Self {
            width: n.saturating_mul(2),
            height: n,
            maxiters: 50,
            c_re: Self::NOTEBOOK_C.0,
            c_im: Self::NOTEBOOK_C.1,
            viewport: Viewport::NOTEBOOK,
        }
    }

    /// # Errors
    /// [`ProblemError::EmptyImage`], [`ProblemError::ImageTooLarge`] (the
    /// counts would not fit in memory's address space),
    /// [`ProblemError::NotFinite`] for c or a viewport bound, and
    /// [`ProblemError::EmptyViewport`] when a minimum is not below its maximum.
    pub fn validate(self) -> Result<Julia, ProblemError> {
        let Self { width, height, .. } = self;
        if width == 0 || height == 0 {
            return Err(ProblemError::EmptyImage { width, height });
        }
        let pixels = width
            .checked_mul(height)
            .filter(|p| {
                p.checked_mul(size_of::<u32>())
                    .is_some_and(|b| b <= isize::MAX as usize)
            })
            .ok_or(ProblemError::ImageTooLarge { width, height })?;
        finite("julia", "c (real part)", self.c_re.into())?;
        finite("julia", "c (imaginary part)", self.c_im.into())?;
        let v = self.viewport;
        finite("julia", "viewport x_min", v.x_min)?;
        finite("julia", "viewport x_max", v.x_max)?;
        finite("julia", "viewport y_min", v.y_min)?;
        finite("julia", "viewport y_max", v.y_max)?;
        if !(v.x_min < v.x_max && v.y_min < v.y_max) {
            return Err(ProblemError::EmptyViewport {
                x_min: v.x_min,
                x_max: v.x_max,
                y_min: v.y_min,
                y_max: v.y_max,
            });
        }
        finite("julia", "viewport width (x_max - x_min)", v.x_max - v.x_min)?;
        finite(
            "julia",
            "viewport height (y_max - y_min)",
            v.y_max - v.y_min,
        )?;
        Ok(Julia {
            params: self,
            pixels,
        })
    }
}

impl Default for JuliaParams {
    fn default() -> Self {
        Self::notebook(1000)
    }
}

/// A validated Julia image description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Julia {
    params: JuliaParams,
    pixels: usize,
}

impl Julia {
    /// The notebook's default 1000 × 2000 image.
    pub fn notebook() -> Self {
        // The constant parameters are valid by construction.
        Self {
            params: JuliaParams::notebook(1000),
            pixels: 2000 * 1000,
        }
    }

    pub fn params(&self) -> &JuliaParams {
        &self.params
    }

    pub fn width(&self) -> usize {
        self.params.width
    }

    pub fn height(&self) -> usize {
        self.params.height
    }

    /// width × height, known not to overflow.
    pub fn pixels(&self) -> usize {
        self.pixels
    }

    pub fn maxiters(&self) -> u32 {
        self.params.maxiters
    }

    pub fn c(&self) -> (f32, f32) {
        (self.params.c_re, self.params.c_im)
    }

    /// The starting real part of column `j`, computed in f64, rounded once to f32.
    #[inline]
    pub fn start_re(&self, j: usize) -> f32 {
        let v = &self.params.viewport;
        (v.x_min + (j as f64 * (v.x_max - v.x_min)) / self.params.width as f64) as f32
    }

    /// The starting imaginary part of row `i`, computed in f64, rounded once to f32.
    #[inline]
    pub fn start_im(&self, i: usize) -> f32 {
        let v = &self.params.viewport;
        (v.y_min + (i as f64 * (v.y_max - v.y_min)) / self.params.height as f64) as f32
    }

    /// Every column's starting real part. Rows share them, so backends
    /// compute them once per image instead of once per pixel.
    pub fn column_starts(&self) -> Vec<f32> {
        (0..self.width()).map(|j| self.start_re(j)).collect()
    }

    /// Checks a caller-provided output buffer.
    ///
    /// # Errors
    /// [`ProblemError::OutputSize`] when `len` is not width × height.
    pub fn check_output(&self, len: usize) -> Result<(), ProblemError> {
        if len == self.pixels {
            Ok(())
        } else {
            Err(ProblemError::OutputSize {
                width: self.width(),
                height: self.height(),
                expected: self.pixels,
                got: len,
            })
        }
    }

    /// Checks a buffer for the rows `first_row..`: whole rows, inside the
    /// image. Returns the number of rows.
    ///
    /// # Errors
    /// [`ProblemError::RowRange`] otherwise.
    pub fn check_rows(&self, first_row: usize, len: usize) -> Result<usize, ProblemError> {
        let width = self.width();
        let rows = len / width;
        if len.is_multiple_of(width)
            && first_row
                .checked_add(rows)
                .is_some_and(|end| end <= self.height())
        {
            Ok(rows)
        } else {
            Err(ProblemError::RowRange {
                first_row,
                rows,
                height: self.height(),
                width,
                len,
            })
        }
    }

    /// A zeroed count buffer for this image, allocated without aborting.
    ///
    /// # Errors
    /// [`ProblemError::OutOfMemory`] when the allocation fails.
    pub fn try_alloc_counts(&self) -> Result<Vec<u32>, ProblemError> {
        Ok(crate::alloc::try_zeroed(
            self.pixels as u64,
            "julia: the image's counts",
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_starts_match_the_recipe() {
        let j = Julia::notebook();
        assert_eq!(JuliaParams::default().validate().unwrap(), j);
        let n = 1000.0_f64;
        for col in [0usize, 1, 7, 999, 1000, 1999] {
            assert_eq!(j.start_re(col), (-2.0 + col as f64 * 2.0 / n) as f32);
        }
        for row in [0usize, 1, 333, 999] {
            assert_eq!(j.start_im(row), (-1.0 + row as f64 * 2.0 / n) as f32);
        }
    }

    #[test]
    fn rejects_bad_images() {
        let bad = |p: JuliaParams| p.validate().unwrap_err();
        assert!(matches!(
            bad(JuliaParams::notebook(0)),
            ProblemError::EmptyImage { .. }
        ));
        let huge = JuliaParams {
            width: usize::MAX / 2,
            height: 3,
            ..JuliaParams::default()
        };
        assert!(matches!(bad(huge), ProblemError::ImageTooLarge { .. }));
        let nan_c = JuliaParams {
            c_re: f32::NAN,
            ..JuliaParams::default()
        };
        assert!(matches!(bad(nan_c), ProblemError::NotFinite { .. }));
        let flipped = JuliaParams {
            viewport: Viewport {
                x_min: 1.0,
                x_max: -1.0,
                ..Viewport::NOTEBOOK
            },
            ..JuliaParams::default()
        };
        assert!(matches!(bad(flipped), ProblemError::EmptyViewport { .. }));
        let inf_view = JuliaParams {
            viewport: Viewport {
                y_max: f64::INFINITY,
                ..Viewport::NOTEBOOK
            },
            ..JuliaParams::default()
        };
        assert!(matches!(bad(inf_view), ProblemError::NotFinite { .. }));
    }

    #[test]
    fn row_ranges_are_checked() {
        let j = Julia::notebook();
        assert_eq!(j.check_rows(0, 2000 * 10), Ok(10));
        assert_eq!(j.check_rows(990, 2000 * 10), Ok(10));
        assert_eq!(j.check_rows(1000, 0), Ok(0));
        assert!(matches!(
            j.check_rows(991, 2000 * 10),
            Err(ProblemError::RowRange { .. })
        ));
        assert!(matches!(
            j.check_rows(0, 2001),
            Err(ProblemError::RowRange { .. })
        ));
        assert!(matches!(
            j.check_rows(usize::MAX, 2000),
            Err(ProblemError::RowRange { .. })
        ));
    }

    #[test]
    fn output_size_is_checked() {
        let j = Julia::notebook();
        assert!(j.check_output(2_000_000).is_ok());
        assert!(matches!(
            j.check_output(5),
            Err(ProblemError::OutputSize { got: 5, .. })
        ));
    }
}
