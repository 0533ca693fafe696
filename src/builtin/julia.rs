use hetero_core::Julia;
use hetero_kernel::problems::julia::JuliaKernel;

use crate::{Backend, Engine, Result};

impl Engine {
    /// The escape counts of the image, row-major (height rows of width).
    ///
    /// # Errors
    /// [`hetero_core::ProblemError::OutOfMemory`] when the counts cannot be
    /// allocated; for `gpu`, why the GPU could not be opened or the call failed.
    pub fn julia(&self, spec: &Julia, backend: Backend) -> Result<Vec<u32>> {
        let mut counts = spec.try_alloc_counts()?;
        self.julia_into(spec, &mut counts, backend)?;
        Ok(counts)
    }

    /// The escape counts into a caller-provided buffer of width × height.
    ///
    /// # Errors
    /// [`hetero_core::ProblemError::OutputSize`] for a buffer of another
    /// length; for `gpu`, why the GPU could not be opened or the call failed.
    pub fn julia_into(&self, spec: &Julia, out: &mut [u32], backend: Backend) -> Result<()> {
        spec.check_output(out.len())?;
        self.julia_rows(spec, 0, out, backend)
    }

    /// The counts of the rows `first_row..` that `out` holds (whole rows of
    /// width): equal to the same rows of the whole image, so an image can be
    /// rendered in pieces (to show progress, or to spread it over devices).
    ///
    /// # Errors
    /// [`hetero_core::ProblemError::RowRange`] unless `out` is whole rows
    /// inside the image; for `gpu`, why the GPU could not be opened or the
    /// call failed.
    pub fn julia_rows(
        &self,
        spec: &Julia,
        first_row: usize,
        out: &mut [u32],
        backend: Backend,
    ) -> Result<()> {
        let rows = spec.check_rows(first_row, out.len())?;
        self.map_range(
            &JuliaKernel::new(spec),
            first_row..first_row + rows,
            out,
            backend,
        )
    }
}
