//! `auto`: the backend chosen per call from measured cost.
//!
//! For each (kernel, backend) `auto` keeps a [`CostModel`] — a fixed cost
//! plus a cost per item, fitted from two timed calls of the kernel itself
//! over a prefix of its index space — and runs the call on the backend with
//! the least predicted time at the call's size. Models are measured the
//! first time a kernel meets `auto` (or by `hetero-bench calibrate`) and
//! kept in the user's cache directory under a key of the machine and build
//! ([`cache`]), so later processes measure nothing. A software GPU is a
//! candidate like any other: it is chosen only where it measured faster.
//! [`Engine::explain_reduce`] / [`Engine::explain_map`] say what `auto`
//! would pick and why, with every backend's predicted time.

pub mod cache;
mod model;
mod probe;

use core::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hetero_kernel::{Lanes, MapKernel, ReduceKernel, lanes};

pub use model::CostModel;

use crate::{Backend, Engine, Result};

/// One backend's predicted time for a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub backend: Backend,
    pub seconds: f64,
    pub model: CostModel,
    /// Measured by this call (not found in the engine or the cache file).
    pub measured_now: bool,
}

/// What `auto` picks for one call, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The backend `auto` runs the call on.
    pub chosen: Backend,
    /// The kernel's name.
    pub kernel: String,
    /// Items of the call.
    pub items: u64,
    /// Every candidate's predicted time, fastest first.
    pub predictions: Vec<Prediction>,
    /// Backends left out, with why (no GPU, no GPU side, …).
    pub excluded: Vec<(Backend, String)>,
    /// The cache file the models live in (`None`: no cache directory).
    pub cache_file: Option<PathBuf>,
    /// Why the cache file could not be written, if it could not.
    pub cache_error: Option<String>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "auto chose {} for {} items of {}: ",
            self.chosen, self.items, self.kernel
        )?;
        let times: Vec<String> = self
            .predictions
            .iter()
            .map(|p| {
                format!(
                    "{} {:.3} ms{}",
                    p.backend,
                    p.seconds * 1e3,
                    if p.measured_now {
                        " (measured now)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        write!(f, "predicted {}", times.join(", "))?;
        for (backend, why) in &self.excluded {
            write!(f, "; {backend} left out: {why}")?;
        }
        Ok(())
    }
}

/// An engine's models and its last choice.
#[derive(Debug, Default)]
pub(crate) struct AutoState {
    /// Set by [`Engine::with_calibration_dir`]; `None`: from the environment.
    dir: Option<Option<PathBuf>>,
    store: Mutex<Option<Store>>,
    last: Mutex<Option<Explanation>>,
}

#[derive(Debug)]
struct Store {
    key: String,
    file: Option<PathBuf>,
    models: cache::Models,
    error: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// The key the cache file is stored under: this machine and build.
    pub fn machine_key(&self) -> String {
        let gpu = self
            .gpu_adapter()
            .map_or_else(|e| format!("none ({e})"), |a| a.description);
        format!(
            "hetero {} | cpu {} | simd {} | threads {} | gpu {}",
            env!("CARGO_PKG_VERSION"),
            cache::cpu_model(),
            <lanes::Simd as Lanes>::NAME,
            self.threads(),
            gpu.replace('\n', " "),
        )
    }

    /// What `auto` picks for the reduction `kernel` and why, measuring the
    /// backends it has no model for (and storing what it measured).
    ///
    /// # Errors
    /// [`crate::Error::Kernel`] for a kernel no backend can run (then every
    /// backend failed; the first error is returned).
    pub fn explain_reduce<K: ReduceKernel>(&self, kernel: &K) -> Result<Explanation> {
        let key = format!("reduce {} chunk {}", kernel.name(), kernel.chunk());
        self.explain(key, kernel.name(), kernel.len(), &mut |backend| {
            self.probe_reduce(kernel, backend)
        })
    }

    /// What `auto` picks for the map `kernel` over `items` items and why.
    ///
    /// # Errors
    /// As [`Engine::explain_reduce`].
    pub fn explain_map<K: MapKernel>(&self, kernel: &K, items: usize) -> Result<Explanation> {
        let key = format!(
            "map {} chunk {} out {}",
            kernel.name(),
            kernel.chunk(),
            kernel.out_per_item()
        );
        self.explain(key, kernel.name(), items as u64, &mut |backend| {
            self.probe_map(kernel, backend)
        })
    }

    /// Keeps `auto`'s models in `dir` (`None`: in this engine only)
    /// instead of the directory [`cache::cache_dir`] finds.
    #[must_use]
    pub fn with_calibration_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.auto = AutoState {
            dir: Some(dir),
            ..AutoState::default()
        };
        self
    }

    /// What the most recent `auto` call on this engine chose.
    pub fn last_auto_choice(&self) -> Option<Explanation> {
        lock(&self.auto.last).clone()
    }

    /// Forgets every model (in this engine and in its cache file), so the
    /// next `auto` call measures again.
    pub fn forget_calibration(&self) {
        let mut store = lock(&self.auto.store);
        if let Some(file) = store.as_ref().and_then(|s| s.file.clone()) {
            let _ = std::fs::remove_file(file);
        }
        *store = None;
    }

    pub(crate) fn record_auto(&self, explanation: &Explanation) {
        *lock(&self.auto.last) = Some(explanation.clone());
    }

    /// The explanation for a call of `items` items of the kernel `key`,
    /// measuring with `probe` each backend without a model.
    fn explain(
        &self,
        key: String,
        name: &str,
        items: u64,
        probe: &mut dyn FnMut(Backend) -> Result<probe::Probed>,
    ) -> Result<Explanation> {
        let mut guard = lock(&self.auto.store);
        let store = guard.get_or_insert_with(|| {
            let key = self.machine_key();
            let dir = self.auto.dir.clone().unwrap_or_else(cache::cache_dir);
            let file = dir.map(|dir| cache::file_for(&dir, &key));
            let models = file
                .as_deref()
                .map(|f| cache::load(f, &key))
                .unwrap_or_default();
            Store {
                key,
                file,
                models,
                error: None,
            }
        });
        let (mut predictions, mut excluded, mut first_error) = (Vec::new(), Vec::new(), None);
        let mut measured = false;
        for backend in Backend::ALL {
            if backend == Backend::Gpu && !self.is_available(Backend::Gpu) {
                excluded.push((backend, "no GPU".to_owned()));
                continue;
            }
            let known = store.models.get(&(key.clone(), backend)).copied();
            let model = match known {
                Some(m) => Ok(m),
                None => probe(backend).map(|probed| {
                    // A model from one size is kept for this call only, so
                    // a tiny kernel never stands in for large ones.
                    if probed.has_slope {
                        store.models.insert((key.clone(), backend), probed.model);
                        measured = true;
                    }
                    probed.model
                }),
            };
            match model {
                Ok(model) => {
                    predictions.push(Prediction {
                        backend,
                        seconds: model.predict(items),
                        model,
                        measured_now: known.is_none(),
                    });
                }
                Err(e) => {
                    excluded.push((backend, e.to_string()));
                    first_error.get_or_insert(e);
                }
            }
        }
        if measured && let Some(file) = &store.file {
            store.error = cache::store(file, &store.key, &store.models).err();
        }
        predictions.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let Some(best) = predictions.first() else {
            return Err(first_error.unwrap_or(crate::Error::Unsupported {
                what: "this kernel",
                backend: "auto",
                hint: "no backend could run it",
            }));
        };
        Ok(Explanation {
            chosen: best.backend,
            kernel: name.to_owned(),
            items,
            excluded,
            cache_file: store.file.clone(),
            cache_error: store.error.clone(),
            predictions,
        })
    }
}
