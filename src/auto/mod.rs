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
//! [`Calibration::explain_reduce`] / [`Calibration::explain_map`] say what `auto`
//! would pick and why, with every backend's predicted time.

pub mod cache;
mod calibration;
mod learning;
mod model;
mod probe;

use core::fmt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hetero_kernel::observe::Observer;
use hetero_kernel::{MapKernel, ReduceKernel};

pub use calibration::Calibration;
pub use model::CostModel;

use crate::dispatch::Observing;
use crate::{Backend, Engine, Result};

/// One backend's predicted time for a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub backend: Backend,
    pub seconds: f64,
    pub model: CostModel,
    /// Measured by this call (not found in the engine or the cache file).
    pub measured_now: bool,
    /// `auto` calls whose times informed the prediction since the model
    /// was measured or loaded (see [`Calibration::explain_reduce`]).
    pub calls: u32,
    /// Times those calls refitted the model.
    pub refits: u32,
    /// When the calls last changed the prediction (`None`: never).
    pub changed: Option<std::time::SystemTime>,
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
                    "{} {:.3} ms{}{}",
                    p.backend,
                    p.seconds * 1e3,
                    if p.measured_now {
                        " (measured now)"
                    } else {
                        ""
                    },
                    match p.calls {
                        0 => String::new(),
                        n => format!(" ({n} calls)"),
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

/// A kernel as `auto` knows it: its Rust type (which tells f32 from f64
/// and one closure from another), its chunk and its outputs per item.
/// Built without allocating, so a call that finds its models pays a hash
/// lookup and five multiply-adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct KernelKey {
    shape: &'static str,
    kernel: &'static str,
    name: &'static str,
    chunk: u64,
    out_per_item: u64,
}

impl KernelKey {
    /// The key in the cache file.
    fn text(&self) -> String {
        format!(
            "{} {} chunk {} out {}",
            self.shape, self.kernel, self.chunk, self.out_per_item
        )
    }
}

/// What `auto` knows of one kernel: per backend (in [`Backend::SPACES`]
/// order) its model or why it cannot run it, and whether this engine
/// measured it.
#[derive(Debug, Clone, Default)]
struct Known {
    models: [Option<Result<CostModel, String>>; Backend::SPACES.len()],
    measured_now: [bool; Backend::SPACES.len()],
    /// Every model rests on two sizes (else each is one call's time).
    has_slope: bool,
    /// What `auto`'s calls taught about each model.
    history: [learning::History; Backend::SPACES.len()],
}

impl Known {
    fn complete(&self) -> bool {
        self.models.iter().all(Option::is_some)
    }

    /// The smallest call the models were fitted from.
    fn valid_from(&self) -> u64 {
        self.models
            .iter()
            .filter_map(|m| Some(m.as_ref()?.as_ref().ok()?.valid_from))
            .max()
            .unwrap_or(0)
    }

    /// Each runnable backend's index and predicted time for `items`
    /// items: its model, corrected by what the calls measured.
    fn predicted(&self, items: u64) -> Vec<(usize, f64)> {
        self.models
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let model = m.as_ref()?.as_ref().ok()?;
                Some((i, model.predict(items) * self.history[i].factor()))
            })
            .collect()
    }

    /// The backend with the least predicted time for `items` items.
    fn fastest(&self, items: u64) -> Option<Backend> {
        self.predicted(items)
            .into_iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| Backend::SPACES[i])
    }
}

/// An engine's models and its last choice.
#[derive(Debug, Default)]
pub(crate) struct AutoState {
    /// Set by [`Engine::with_calibration_dir`]; `None`: from the environment.
    dir: Option<Option<PathBuf>>,
    store: Mutex<Option<Store>>,
    /// The last call's kernel and size; its explanation is built on demand.
    last: Mutex<Option<(KernelKey, u64)>>,
}

#[derive(Debug)]
struct Store {
    key: String,
    file: Option<PathBuf>,
    /// The models read from the file, by their text key.
    stored: cache::Models,
    /// Models fitted over two sizes, per kernel (and in the file).
    known: HashMap<KernelKey, Known>,
    /// Calls smaller than a kernel's models were fitted from (the fixed
    /// cost would be extrapolated): measured as they are, per kernel and
    /// power of two of items, in this engine only.
    small: HashMap<(KernelKey, u32), Known>,
    /// The last call and its choice (its `last` entry is already set).
    repeat: Option<(KernelKey, u64, Backend)>,
    error: Option<String>,
    /// The time `auto`'s calls took, and the share spent exploring.
    budget: learning::Budget,
    /// Explorations under way: the call, the backend tried and the best
    /// backend's prediction it is measured against.
    exploring: Vec<(KernelKey, u64, Backend, f64)>,
}

impl Store {
    /// What decides a call of `items` items of `key`, if anything does yet.
    fn deciding(&self, key: KernelKey, items: u64) -> Option<&Known> {
        match self.known.get(&key) {
            Some(known) if known.complete() && items >= known.valid_from() => Some(known),
            _ => self.small.get(&(key, size_class(items))),
        }
    }

    /// [`Store::deciding`], to learn into; `true` when it is the kernel's
    /// model over two sizes (the one the cache file keeps).
    fn deciding_mut(&mut self, key: KernelKey, items: u64) -> Option<(&mut Known, bool)> {
        let whole = self
            .known
            .get(&key)
            .is_some_and(|k| k.complete() && items >= k.valid_from());
        match whole {
            true => self.known.get_mut(&key).map(|k| (k, true)),
            false => self
                .small
                .get_mut(&(key, size_class(items)))
                .map(|k| (k, false)),
        }
    }
}

/// The power of two a call's size falls in.
fn size_class(items: u64) -> u32 {
    u64::BITS - items.leading_zeros()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// Keeps `auto`'s models in `dir` (`None`: in this engine only)
    /// instead of the directory [`cache::cache_dir`] finds.
    #[must_use]
    pub fn with_calibration_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.auto = std::sync::Arc::new(AutoState {
            dir: Some(dir),
            ..AutoState::default()
        });
        self
    }

    /// The backend `auto` runs the reduction `kernel` on. A calibration
    /// it has to make stops at the next chunk once `observer` says stop
    /// (a cancelled job: [`crate::Error::Cancelled`], storing nothing for
    /// the backend it was measuring), so a cancelled job neither runs on
    /// nor holds the models' lock for the whole calibration. The probes'
    /// items are not the caller's progress.
    pub(crate) fn auto_reduce<K: ReduceKernel, O: Observing>(
        &self,
        kernel: &K,
        observer: &O,
    ) -> Result<Backend> {
        let stops = observer.stops();
        let stoppable = StopOnly(stops);
        self.choose(
            reduce_key(kernel),
            kernel.len(),
            &mut |b| stopped_or(stops, || self.probe_reduce(kernel, b, &stoppable)),
            true,
        )
    }

    /// The backend `auto` runs the map `kernel` over `items` items on
    /// (see [`Engine::auto_reduce`]).
    pub(crate) fn auto_map<K: MapKernel, O: Observing>(
        &self,
        kernel: &K,
        items: usize,
        observer: &O,
    ) -> Result<Backend> {
        let stops = observer.stops();
        let stoppable = StopOnly(stops);
        self.choose(
            map_key(kernel),
            items as u64,
            &mut |b| stopped_or(stops, || self.probe_map(kernel, b, &stoppable)),
            true,
        )
    }

    /// The fastest backend for `items` items of the kernel `key`, measuring
    /// with `probe` each backend it knows nothing of. A probe that ends in
    /// [`crate::Error::Cancelled`] ends the choice with it, nothing learned.
    fn choose(
        &self,
        key: KernelKey,
        items: u64,
        probe: &mut dyn FnMut(Backend) -> Result<probe::Probed>,
        may_explore: bool,
    ) -> Result<Backend> {
        let mut guard = lock(&self.auto.store);
        let store = guard.get_or_insert_with(|| self.open_store());
        // The fastest path: the same call as the last one (a loop), while
        // the budget holds no exploration.
        if let Some((k, n, chosen)) = store.repeat
            && (k, n) == (key, items)
            && !store.budget.allows(0.0)
        {
            return Ok(chosen);
        }
        // The fast path: a call whose models are known costs a lookup.
        if store.deciding(key, items).is_none() {
            if !store.known.get(&key).is_some_and(Known::complete) {
                let learned = self.learn(store, key, probe, true)?;
                if learned.has_slope {
                    store.known.insert(key, learned);
                } else {
                    // A kernel of one chunk: its times hold for its size only.
                    store.small.insert((key, size_class(items)), learned);
                }
            }
            if store.deciding(key, items).is_none() {
                // Smaller than the models were fitted from: measure this size.
                let learned = self.learn(store, key, probe, false)?;
                store.small.insert((key, size_class(items)), learned);
            }
        }
        let Some(known) = store.deciding(key, items) else {
            return Err(crate::Error::NoBackend {
                reasons: "no model could be measured".to_owned(),
            });
        };
        let chosen = known.fastest(items).ok_or_else(|| crate::Error::NoBackend {
            reasons: Backend::SPACES
                .iter()
                .zip(&known.models)
                .filter_map(|(b, m)| Some(format!("{b}: {}", m.clone()?.err()?)))
                .collect::<Vec<_>>()
                .join("; "),
        });
        store.repeat = chosen.as_ref().ok().map(|&b| (key, items, b));
        let tried = chosen
            .as_ref()
            .ok()
            .filter(|_| may_explore)
            .and_then(|&best| explore(store, key, items, best));
        drop(guard);
        *lock(&self.auto.last) = Some((key, items));
        match tried {
            Some(runner_up) => Ok(runner_up),
            None => chosen,
        }
    }

    /// See [`Calibration::skew_reduce`].
    fn skew(&self, key: KernelKey, items: u64, backend: Backend, factor: f64) -> bool {
        let mut guard = lock(&self.auto.store);
        let Some(store) = guard.as_mut() else {
            return false;
        };
        store.repeat = None;
        let Some(i) = Backend::SPACES.iter().position(|&b| b == backend) else {
            return false;
        };
        let Some((known, _)) = store.deciding_mut(key, items) else {
            return false;
        };
        let Some(Ok(model)) = known.models[i].as_mut() else {
            return false;
        };
        model.overhead *= factor;
        model.per_item *= factor;
        known.history[i] = learning::History::default();
        true
    }

    /// A reduction `auto` ran on `backend` took `seconds` (see
    /// [`Engine::auto_learn`]).
    pub(crate) fn auto_learn_reduce<K: ReduceKernel>(
        &self,
        kernel: &K,
        items: u64,
        backend: Backend,
        seconds: f64,
    ) {
        self.auto_learn(reduce_key(kernel), items, backend, seconds);
    }

    /// A map of `items` items `auto` ran on `backend` took `seconds`.
    pub(crate) fn auto_learn_map<K: MapKernel>(
        &self,
        kernel: &K,
        items: usize,
        backend: Backend,
        seconds: f64,
    ) {
        self.auto_learn(map_key(kernel), items as u64, backend, seconds);
    }

    /// What a call `auto` ran on `backend` taught: its time `seconds`
    /// joins the backend's history for the kernel `key` (and the budget);
    /// a model the calls contradict is refitted, and written back to the
    /// cache file where the file keeps it.
    fn auto_learn(&self, key: KernelKey, items: u64, backend: Backend, seconds: f64) {
        let mut guard = lock(&self.auto.store);
        let Some(store) = guard.as_mut() else {
            return;
        };
        store.budget.total += seconds;
        if let Some(at) = store
            .exploring
            .iter()
            .position(|&(k, n, b, _)| (k, n, b) == (key, items, backend))
        {
            let (.., best) = store.exploring.swap_remove(at);
            store.budget.exploring += (seconds - best).max(0.0);
        }
        let Some(i) = Backend::SPACES.iter().position(|&b| b == backend) else {
            return;
        };
        let Some((known, whole)) = store.deciding_mut(key, items) else {
            return;
        };
        let Some(Ok(model)) = known.models[i] else {
            return;
        };
        let predicted = model.predict(items);
        if predicted <= 0.0 {
            return;
        }
        known.history[i].observe(seconds / predicted);
        let refitted = known.history[i].refit().map(|factor| CostModel {
            overhead: model.overhead * factor,
            per_item: model.per_item * factor,
            valid_from: model.valid_from,
        });
        if let Some(refitted) = refitted {
            known.models[i] = Some(Ok(refitted));
        }
        // The ranking may have changed: decide the next call afresh.
        store.repeat = None;
        if let (Some(refitted), true) = (refitted, whole) {
            store.stored.insert((key.text(), backend), refitted);
            if let Some(file) = &store.file {
                store.error = cache::store(file, &store.key, &store.stored).err();
            }
        }
    }

    fn open_store(&self) -> Store {
        let key = machine_key(self);
        let dir = self.auto.dir.clone().unwrap_or_else(cache::cache_dir);
        let file = dir.map(|dir| cache::file_for(&dir, &key));
        let stored = file
            .as_deref()
            .map(|f| cache::load(f, &key))
            .unwrap_or_default();
        Store {
            key,
            file,
            stored,
            known: HashMap::new(),
            small: HashMap::new(),
            repeat: None,
            error: None,
            budget: learning::Budget::default(),
            exploring: Vec::new(),
        }
    }

    /// Every backend's model of `key`: with `stored`, from the file where
    /// it has one, else measured now (and models over two sizes written to
    /// the file); without, measured now and kept in this engine.
    fn learn(
        &self,
        store: &mut Store,
        key: KernelKey,
        probe: &mut dyn FnMut(Backend) -> Result<probe::Probed>,
        stored: bool,
    ) -> Result<Known> {
        let text = key.text();
        let mut known = Known {
            has_slope: true,
            ..Known::default()
        };
        let mut wrote = false;
        for (i, backend) in Backend::SPACES.into_iter().enumerate() {
            if backend == Backend::Gpu && !self.is_available(Backend::Gpu) {
                known.models[i] = Some(Err("no GPU".to_owned()));
                continue;
            }
            if stored && let Some(&model) = store.stored.get(&(text.clone(), backend)) {
                known.models[i] = Some(Ok(model));
                continue;
            }
            known.measured_now[i] = true;
            known.models[i] = Some(match probe(backend) {
                Ok(probed) => {
                    // A model from one size is kept for this engine only, so
                    // a tiny kernel never stands in for large ones elsewhere.
                    if stored && probed.has_slope {
                        store.stored.insert((text.clone(), backend), probed.model);
                        wrote = true;
                    } else if !probed.has_slope {
                        known.has_slope = false;
                    }
                    Ok(probed.model)
                }
                // A stopped calibration (a cancelled job) knows nothing:
                // it is not a model, nor the backend's failure.
                Err(crate::Error::Cancelled) => return Err(crate::Error::Cancelled),
                Err(e) => Err(e.to_string()),
            });
        }
        if wrote && let Some(file) = &store.file {
            store.error = cache::store(file, &store.key, &store.stored).err();
        }
        Ok(known)
    }

    /// The explanation of a call of `items` items of `key`, from what is known.
    fn explanation(&self, key: KernelKey, items: u64) -> Explanation {
        let guard = lock(&self.auto.store);
        let (mut predictions, mut excluded) = (Vec::new(), Vec::new());
        let (mut cache_file, mut cache_error) = (None, None);
        if let Some(store) = guard.as_ref() {
            cache_file.clone_from(&store.file);
            cache_error.clone_from(&store.error);
            if let Some(known) = store.deciding(key, items) {
                for (i, backend) in Backend::SPACES.into_iter().enumerate() {
                    let history = &known.history[i];
                    match &known.models[i] {
                        Some(Ok(model)) => predictions.push(Prediction {
                            backend,
                            seconds: model.predict(items) * history.factor(),
                            model: *model,
                            measured_now: known.measured_now[i],
                            calls: history.calls,
                            refits: history.refits,
                            changed: history.changed,
                        }),
                        Some(Err(why)) => excluded.push((backend, why.clone())),
                        None => {}
                    }
                }
            }
        }
        predictions.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        Explanation {
            chosen: predictions
                .first()
                .map_or(Backend::SimdThreads, |p| p.backend),
            kernel: key.name.to_owned(),
            items,
            predictions,
            excluded,
            cache_file,
            cache_error,
        }
    }
}

/// The runner-up to try for this call instead of `best`, if the budget
/// allows one (see [`learning`]); noted so the call's time is charged to
/// exploring.
fn explore(store: &mut Store, key: KernelKey, items: u64, best: Backend) -> Option<Backend> {
    let known = store.deciding(key, items)?;
    let predicted = known.predicted(items);
    let best_index = Backend::SPACES.iter().position(|&b| b == best)?;
    let best_time = predicted.iter().find(|(i, _)| *i == best_index)?.1;
    let (index, time) = learning::runner_up(&predicted, best_index, |i| known.history[i].calls)?;
    if !store.budget.allows(time - best_time) {
        return None;
    }
    // A try whose call never reported back (it failed, or a job ran it in
    // rounds) is forgotten after 64 newer ones.
    if store.exploring.len() >= 64 {
        store.exploring.remove(0);
    }
    let backend = Backend::SPACES[index];
    store.exploring.push((key, items, backend, best_time));
    store.repeat = None;
    Some(backend)
}

/// The key an engine's models are stored under (see
/// [`Calibration::machine_key`]).
fn machine_key(engine: &Engine) -> String {
    let gpu = engine
        .gpu_adapter()
        .map_or_else(|e| format!("none ({e})"), |a| a.description);
    format!(
        "hetero {} (build {}) | cpu {} | isa {} | simd {} | threads {} | gpu {}",
        env!("CARGO_PKG_VERSION"),
        env!("HETERO_BUILD_ID"),
        cache::cpu_model(),
        engine.isa(),
        engine.simd_lanes(),
        engine.threads(),
        gpu.replace('\n', " "),
    )
}

fn reduce_key<K: ReduceKernel>(kernel: &K) -> KernelKey {
    KernelKey {
        shape: "reduce",
        kernel: core::any::type_name::<K>(),
        name: kernel.name(),
        chunk: kernel.chunk(),
        out_per_item: 1,
    }
}

fn map_key<K: MapKernel>(kernel: &K) -> KernelKey {
    KernelKey {
        shape: "map",
        kernel: core::any::type_name::<K>(),
        name: kernel.name(),
        chunk: kernel.chunk() as u64,
        out_per_item: kernel.out_per_item() as u64,
    }
}

/// An observer that passes on `proceed` and keeps the items to itself: a
/// calibration's probes may be stopped, but are not the caller's progress.
/// (It holds a `dyn Observer`, so a probe is one more instantiation of the
/// dispatch whatever observes the call — not one per level of nesting.)
pub(crate) struct StopOnly<'a>(&'a dyn Observer);

impl Observer for StopOnly<'_> {
    fn proceed(&self) -> bool {
        self.0.proceed()
    }
    fn finished(&self, _: u64) {}
}

/// `run`'s outcome, or [`crate::Error::Cancelled`] when `observer` says
/// stop before or after it (a stopped probe's timing is meaningless).
fn stopped_or<T>(observer: &dyn Observer, run: impl FnOnce() -> Result<T>) -> Result<T> {
    if !observer.proceed() {
        return Err(crate::Error::Cancelled);
    }
    let outcome = run();
    if !observer.proceed() {
        return Err(crate::Error::Cancelled);
    }
    outcome
}
