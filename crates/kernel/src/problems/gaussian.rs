//! `gaussian`: z[i] = exp(−γ·(x[i] − y[i])²), an element-wise map over two
//! arrays, in f64 or f32. GPU twin (f32): `shaders/gaussian.wgsl`.

use core::ops::Range;

use hetero_core::chunks::GAUSSIAN_CHUNK;
use hetero_core::{Gaussian, ProblemError};

use crate::fold::map_elements;
use crate::function::ElementWise;
use crate::kernel::{MapKernel, Mapping};
use crate::lanes::{Element, Lanes};
use crate::real::Real;

/// The kernel on one element (or one vector of them), evaluated left to
/// right as `(−γ·d)·d`: NaN in gives NaN out, an infinite or huge
/// |x − y| gives 0 (for γ > 0).
#[derive(Debug, Clone, Copy)]
pub struct GaussianBody {
    gamma: f64,
}

impl ElementWise<2> for GaussianBody {
    #[inline(always)]
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        let d = x - y;
        // −γ is rounded to the lane type once, as the notebook's f32 path
        // rounds γ: the same arithmetic on every backend.
        (R::from_f64(-self.gamma) * d * d).exp()
    }
}

/// The Gaussian kernel over `x` and `y`, in `T` arithmetic throughout.
#[derive(Debug, Clone, Copy)]
pub struct GaussianKernel<'a, T> {
    body: GaussianBody,
    x: &'a [T],
    y: &'a [T],
}

impl<'a, T: Element> GaussianKernel<'a, T> {
    /// # Errors
    /// [`ProblemError::LengthMismatch`] unless `x` and `y` have one length.
    pub fn new(spec: &Gaussian, x: &'a [T], y: &'a [T]) -> Result<Self, ProblemError> {
        Gaussian::check_lengths(x.len(), y.len(), x.len())?;
        Ok(Self {
            body: GaussianBody {
                gamma: spec.gamma(),
            },
            x,
            y,
        })
    }

    pub fn gamma(&self) -> f64 {
        self.body.gamma
    }

    pub fn inputs(&self) -> [&'a [T]; 2] {
        [self.x, self.y]
    }
}

impl<T: Element> Mapping for GaussianKernel<'_, T> {
    type Out = T;

    fn name(&self) -> &'static str {
        "gaussian"
    }
    fn len(&self) -> usize {
        self.x.len()
    }
    fn chunk(&self) -> usize {
        GAUSSIAN_CHUNK
    }
}

impl<T: Element> MapKernel for GaussianKernel<'_, T> {
    #[inline]
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [T]) {
        let inputs = [&self.x[items.clone()], &self.y[items]];
        map_elements::<T::Vector<L>, 2>(&self.body, inputs, out);
    }
}
