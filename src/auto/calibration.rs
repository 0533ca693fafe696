//! An engine's calibration for `auto` ([`Engine::calibration`]): what it
//! would choose and why, its last choice, the key its models are stored
//! under, and forgetting them.

use hetero_kernel::observe::Unobserved;
use hetero_kernel::{MapKernel, ReduceKernel};

use super::{Explanation, StopOnly, cache, lock, machine_key, map_key, reduce_key};
use crate::{Backend, Engine, Result};

impl Engine {
    /// `auto`'s cost models on this engine: explanations of its choice,
    /// the last one, the cache key, forgetting.
    pub fn calibration(&self) -> Calibration<'_> {
        Calibration { engine: self }
    }
}

/// `auto`'s models on one engine (see [`Engine::calibration`]). Where they
/// are kept is set when the engine is built
/// ([`Engine::with_calibration_dir`]).
#[derive(Debug, Clone, Copy)]
pub struct Calibration<'e> {
    engine: &'e Engine,
}

impl Calibration<'_> {
    /// The key the cache file is stored under: this machine and build
    /// (CPU model, SIMD width, threads, GPU adapter and driver, hetero's
    /// version and build).
    pub fn machine_key(&self) -> String {
        machine_key(self.engine)
    }

    /// What `auto` picks for the reduction `kernel` and why, measuring the
    /// backends it has no model for (and storing what it measured).
    ///
    /// # Errors
    /// The first backend's error when no backend can run the kernel.
    pub fn explain_reduce<K: ReduceKernel>(&self, kernel: &K) -> Result<Explanation> {
        let key = reduce_key(kernel);
        self.engine.choose(
            key,
            kernel.len(),
            &mut |b| self.engine.probe_reduce(kernel, b, &StopOnly(&Unobserved)),
            false,
        )?;
        Ok(self.engine.explanation(key, kernel.len()))
    }

    /// What `auto` picks for the map `kernel` over `items` items and why.
    ///
    /// # Errors
    /// As [`Calibration::explain_reduce`].
    pub fn explain_map<K: MapKernel>(&self, kernel: &K, items: usize) -> Result<Explanation> {
        let key = map_key(kernel);
        self.engine.choose(
            key,
            items as u64,
            &mut |b| self.engine.probe_map(kernel, b, &StopOnly(&Unobserved)),
            false,
        )?;
        Ok(self.engine.explanation(key, items as u64))
    }

    /// Scales `backend`'s model of the reduction `kernel` by `factor` in
    /// this engine (not in the cache file), as a calibration measured at a
    /// bad moment would have it — to test that `auto` learns it away.
    /// `false` when the kernel has no model yet (explain it first).
    #[doc(hidden)]
    pub fn skew_reduce<K: ReduceKernel>(&self, kernel: &K, backend: Backend, factor: f64) -> bool {
        self.engine
            .skew(reduce_key(kernel), kernel.len(), backend, factor)
    }

    /// [`Calibration::skew_reduce`] for a map of `items` items.
    #[doc(hidden)]
    pub fn skew_map<K: MapKernel>(
        &self,
        kernel: &K,
        items: usize,
        backend: Backend,
        factor: f64,
    ) -> bool {
        self.engine
            .skew(map_key(kernel), items as u64, backend, factor)
    }

    /// The seconds this engine's `auto` calls took, and how many of them
    /// went on trying runners-up beyond what the best prediction would
    /// have taken (kept under 5 % of the first; see [`crate::auto`]).
    pub fn exploring(&self) -> (f64, f64) {
        lock(&self.engine.auto.store)
            .as_ref()
            .map_or((0.0, 0.0), |store| {
                (store.budget.total, store.budget.exploring)
            })
    }

    /// What the most recent `auto` call on this engine chose, and why.
    pub fn last_choice(&self) -> Option<Explanation> {
        let (key, items) = (*lock(&self.engine.auto.last))?;
        Some(self.engine.explanation(key, items))
    }

    /// Forgets the models this engine measured while other processes kept
    /// the machine busy (they were never stored: see
    /// [`super::Explanation::busy`]), so the next `auto` call of those
    /// kernels measures again. `hetero-bench calibrate` retries with it.
    /// Returns how many kernels' models it forgot.
    pub fn forget_busy(&self) -> usize {
        let mut guard = lock(&self.engine.auto.store);
        let Some(store) = guard.as_mut() else {
            return 0;
        };
        let before = store.known.len() + store.small.len();
        store.known.retain(|_, known| known.busy.is_none());
        store.small.retain(|_, known| known.busy.is_none());
        store.repeat = None;
        before - store.known.len() - store.small.len()
    }

    /// Forgets every model (in this engine and in its cache file), so the
    /// next `auto` call measures again.
    pub fn forget(&self) {
        let mut store = lock(&self.engine.auto.store);
        let dir = self
            .engine
            .auto
            .dir
            .clone()
            .unwrap_or_else(cache::cache_dir);
        if let Some(dir) = dir {
            let _ = std::fs::remove_file(cache::file_for(&dir, &machine_key(self.engine)));
        }
        *store = None;
    }
}
