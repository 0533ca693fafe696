use hetero_core::{Pi, PiEstimate};
use hetero_kernel::problems::pi::PiKernel;

use crate::{Backend, Engine, Result};

impl Engine {
    /// The Monte Carlo estimate of π: the same hit count on every backend
    /// (the GPU included) and thread count for the same (n, seed).
    ///
    /// # Errors
    /// For `gpu`: why the GPU could not be opened or the call failed.
    pub fn pi(&self, spec: &Pi, backend: Backend) -> Result<PiEstimate> {
        self.reduce(&PiKernel::new(spec), backend)
    }
}
