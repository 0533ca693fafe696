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
pub mod load;
mod model;
mod probe;

use core::fmt;
use rustc_hash::FxHashMap;
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
    /// The cores other processes held while this engine measured the
    /// models, when that many made the machine busy: the models decide
    /// this engine's calls but were not stored, so the next engine
    /// measures them again ([`Calibration::forget_busy`] makes this one).
    pub busy: Option<f64>,
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
        if let Some(cores) = self.busy {
            write!(
                f,
                "; measured while other processes held {cores:.1} cores (not stored)"
            )?;
        }
        Ok(())
    }
}

/// A kernel as `auto` knows it: its Rust type (which tells f32 from f64
/// and one closure from another), its chunk and its outputs per item.
/// Built without allocating, so a call that finds its models pays a hash
/// lookup and five multiply-adds.
#[derive(Debug, Clone, Copy, Eq)]
struct KernelKey {
    shape: &'static str,
    kernel: &'static str,
    name: &'static str,
    chunk: u64,
    out_per_item: u64,
}

impl PartialEq for KernelKey {
    /// The same strings, compared by address first: a kernel's key is
    /// built from the same `'static` type name at every call, and comparing
    /// the bytes of a long generic type name was a twentieth of an `auto`
    /// call's own cost.
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &str, b: &str| core::ptr::eq(a, b) || a == b;
        same(self.shape, other.shape)
            && same(self.kernel, other.kernel)
            && same(self.name, other.name)
            && (self.chunk, self.out_per_item) == (other.chunk, other.out_per_item)
    }
}

impl core::hash::Hash for KernelKey {
    /// Every field, as a derive would: keys equal by content hash equal.
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (self.shape, self.kernel, self.name).hash(state);
        (self.chunk, self.out_per_item).hash(state);
    }
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
    history: learning::Histories<{ Backend::SPACES.len() }>,
    /// The cores other processes held while this engine measured the
    /// models, where that made the machine busy: such models are used
    /// here but not stored (see [`load`]).
    busy: Option<f64>,
}

impl Known {
    fn complete(&self) -> bool {
        self.models.iter().all(Option::is_some)
    }

    /// Whether every model predicts for calls of `items` items: no smaller
    /// than the calls they were fitted from, no larger than they reach.
    fn covers(&self, items: u64) -> bool {
        self.models
            .iter()
            .filter_map(|m| m.as_ref()?.as_ref().ok())
            .all(|m| (m.valid_from..=m.valid_to).contains(&items))
    }

    /// Whether a call of `items` items is beyond what a model reaches.
    fn outreached_by(&self, items: u64) -> bool {
        self.models
            .iter()
            .filter_map(|m| m.as_ref()?.as_ref().ok())
            .any(|m| items > m.valid_to)
    }

    /// Each runnable backend's index and predicted time for `items`
    /// items: its model, corrected by what the calls measured.
    fn predicted(&self, items: u64) -> Vec<(usize, f64)> {
        self.predictions(items).collect()
    }

    /// [`Known::predicted`] without collecting: every `auto` call ranks
    /// the backends once, and its report once more.
    fn predictions(&self, items: u64) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.models.iter().enumerate().filter_map(move |(i, m)| {
            let model = m.as_ref()?.as_ref().ok()?;
            Some((i, model.predict(items) * self.history.of[i].factor()))
        })
    }

    /// The backend with the least predicted time for `items` items.
    fn fastest(&self, items: u64) -> Option<Backend> {
        self.predictions(items)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| Backend::SPACES[i])
    }
}

/// An engine's models and its last choice.
#[derive(Debug, Default)]
pub(crate) struct AutoState {
    /// Set by [`Engine::with_calibration_dir`]; `None`: from the environment.
    dir: Option<Option<PathBuf>>,
    /// Cleared by [`Engine::with_load_check`]: models are stored whatever
    /// the load they were measured under.
    ignore_load: bool,
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
    known: FxHashMap<KernelKey, Known>,
    /// Calls smaller than a kernel's models were fitted from (the fixed
    /// cost would be extrapolated): measured as they are, per kernel and
    /// power of two of items, in this engine only.
    small: FxHashMap<(KernelKey, u32), Known>,
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
            Some(known) if known.complete() && known.covers(items) => Some(known),
            _ => self.small.get(&(key, size_class(items))),
        }
    }

    /// [`Store::deciding`], to learn into; `true` when it is the kernel's
    /// model over two sizes (the one the cache file keeps).
    fn deciding_mut(&mut self, key: KernelKey, items: u64) -> Option<(&mut Known, bool)> {
        let whole = self
            .known
            .get(&key)
            .is_some_and(|k| k.complete() && k.covers(items));
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
    /// instead of the directory [`cache::cache_dir`] finds — and the GPU's
    /// compiled pipelines with them, so `None` writes no file at all. Call
    /// it before the first GPU use: the GPU context is opened once.
    #[must_use]
    pub fn with_calibration_dir(mut self, dir: Option<PathBuf>) -> Self {
        #[cfg(feature = "gpu")]
        {
            let config = hetero_gpu::GpuConfig {
                pipeline_cache_dir: dir.clone(),
                ..self.gpu.config().clone()
            };
            self = self.with_gpu_config(config);
        }
        self.auto = std::sync::Arc::new(AutoState {
            dir: Some(dir),
            ignore_load: self.auto.ignore_load,
            ..AutoState::default()
        });
        self
    }

    /// Whether `auto` checks that other processes left the machine quiet
    /// while it measured its models (the default: models measured while
    /// they held a quarter of the cores are used but not stored, see
    /// [`Explanation::busy`]). `false` stores what it measured whatever
    /// the load: for a machine that is never quiet, or a test of the cache
    /// file itself.
    #[must_use]
    pub fn with_load_check(mut self, check: bool) -> Self {
        self.auto = std::sync::Arc::new(AutoState {
            dir: self.auto.dir.clone(),
            ignore_load: !check,
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
                let learned = self.learn(store, key, probe, Cached::ReadWrite)?;
                if learned.has_slope {
                    store.known.insert(key, learned);
                } else {
                    // A kernel of one chunk: its times hold for its size only.
                    store.small.insert((key, size_class(items)), learned);
                }
            }
            if store
                .known
                .get(&key)
                .is_some_and(|k| k.complete() && k.outreached_by(items))
            {
                // Larger than a model reaches: measure at this size, and
                // keep (and store) the new models in place of the old.
                let learned = self.learn(store, key, probe, Cached::WriteOnly)?;
                if learned.has_slope {
                    store.known.insert(key, learned);
                }
            }
            if store.deciding(key, items).is_none() {
                // Smaller than the models were fitted from: measure this size.
                let learned = self.learn(store, key, probe, Cached::No)?;
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
        known.history.of[i] = learning::History::default();
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
    /// joins the backend's history for the kernel `key` (and the budget)
    /// — a try's only where it lowers the prediction (see [`learning`]);
    /// a model the calls find too slow is refitted, and written back to
    /// the cache file where the file keeps it.
    fn auto_learn(&self, key: KernelKey, items: u64, backend: Backend, seconds: f64) {
        let mut guard = lock(&self.auto.store);
        let Some(store) = guard.as_mut() else {
            return;
        };
        store.budget.spent(seconds);
        let tried = store
            .exploring
            .iter()
            .position(|&(k, n, b, _)| (k, n, b) == (key, items, backend));
        if let Some(at) = tried {
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
        let ratio = seconds / predicted;
        if tried.is_some() {
            known.history.tried(i, ratio);
        } else {
            known.history.own(i, ratio);
        }
        let refitted = known.history.of[i].refit().map(|factor| CostModel {
            overhead: model.overhead * factor,
            per_item: model.per_item * factor,
            ..model
        });
        if let Some(refitted) = refitted {
            known.models[i] = Some(Ok(refitted));
        }
        // The ranking may have changed: the next call takes the repeat
        // fast path only if its backend is still the fastest (resetting it
        // on every report cost each call a full decision: ~1.3 µs of a
        // 2.1 µs `auto` call of 1000 midpoint points).
        if let Some((k, n, b)) = store.repeat
            && store.deciding(k, n).and_then(|known| known.fastest(n)) != Some(b)
        {
            store.repeat = None;
        }
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
            known: FxHashMap::default(),
            small: FxHashMap::default(),
            repeat: None,
            error: None,
            budget: learning::Budget::default(),
            exploring: Vec::new(),
        }
    }

    /// Every backend's model of `key`, from the file where `cached` reads
    /// it and it has one, else measured now (and, where `cached` writes,
    /// models over two sizes written to the file unless the machine was
    /// busy).
    fn learn(
        &self,
        store: &mut Store,
        key: KernelKey,
        probe: &mut dyn FnMut(Backend) -> Result<probe::Probed>,
        cached: Cached,
    ) -> Result<Known> {
        let stored = cached != Cached::No;
        let text = key.text();
        let mut known = Known {
            has_slope: true,
            ..Known::default()
        };
        let mut measured = Vec::new();
        let meter = load::LoadMeter::start();
        // The GPU first, the threads last: the calls after a calibration
        // find the pool awake, not asleep through the GPU's probe (on a VM
        // the next few `simd-threads` calls of 10⁵ items ran at one core's
        // speed).
        for i in PROBE_ORDER {
            let backend = Backend::SPACES[i];
            if backend == Backend::Gpu && !self.is_available(Backend::Gpu) {
                known.models[i] = Some(Err("no GPU".to_owned()));
                continue;
            }
            if cached == Cached::ReadWrite
                && let Some(&model) = store.stored.get(&(text.clone(), backend))
            {
                known.models[i] = Some(Ok(model));
                continue;
            }
            known.measured_now[i] = true;
            known.models[i] = Some(match probe(backend) {
                Ok(probed) => {
                    // A model from one size is kept for this engine only, so
                    // a tiny kernel never stands in for large ones elsewhere.
                    if stored && probed.has_slope {
                        measured.push((backend, probed.model));
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
        let check = !self.auto.ignore_load && load::checked_by_environment();
        if check && known.measured_now.iter().any(|&now| now) {
            known.busy = meter.busy();
        }
        if known.busy.is_some() || measured.is_empty() {
            return Ok(known);
        }
        for (backend, model) in measured {
            store.stored.insert((text.clone(), backend), model);
        }
        if let Some(file) = &store.file {
            store.error = cache::store(file, &store.key, &store.stored).err();
        }
        Ok(known)
    }

    /// The explanation of a call of `items` items of `key`, from what is known.
    fn explanation(&self, key: KernelKey, items: u64) -> Explanation {
        let guard = lock(&self.auto.store);
        let (mut predictions, mut excluded) = (Vec::new(), Vec::new());
        let (mut cache_file, mut cache_error, mut busy) = (None, None, None);
        if let Some(store) = guard.as_ref() {
            cache_file.clone_from(&store.file);
            cache_error.clone_from(&store.error);
            if let Some(known) = store.deciding(key, items) {
                busy = known.busy;
                for (i, backend) in Backend::SPACES.into_iter().enumerate() {
                    let history = &known.history.of[i];
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
            busy,
        }
    }
}

/// The order [`Engine::learn`] measures the backends in, as indices into
/// [`Backend::SPACES`].
const PROBE_ORDER: [usize; Backend::SPACES.len()] = [4, 0, 1, 2, 3];

/// Where [`Engine::learn`] takes models from and keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cached {
    /// From the cache file where it has them; measured ones written to it.
    ReadWrite,
    /// Measured now, and written to the file in place of what it had.
    WriteOnly,
    /// Measured now, kept in this engine only.
    No,
}

/// The runner-up to try for this call instead of `best`, if the budget
/// allows one (see [`learning`]); noted so the call's time is charged to
/// exploring.
fn explore(store: &mut Store, key: KernelKey, items: u64, best: Backend) -> Option<Backend> {
    let known = store.deciding(key, items)?;
    let predicted = known.predicted(items);
    let best_index = Backend::SPACES.iter().position(|&b| b == best)?;
    let best_time = predicted.iter().find(|(i, _)| *i == best_index)?.1;
    let (index, time) = known.history.runner_up(&predicted, best_index)?;
    if !store.budget.allows(time - best_time) {
        return None;
    }
    // A try whose call never reported back (it failed, or a job ran it in
    // rounds) is forgotten after 64 newer ones.
    if store.exploring.len() >= 64 {
        store.exploring.remove(0);
    }
    let backend = Backend::SPACES[index];
    store.budget.since_try = 0;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_measure_every_space_once_the_gpu_first_the_pool_last() {
        let mut order = PROBE_ORDER.map(|i| Backend::SPACES[i]);
        assert_eq!(order[0], Backend::Gpu);
        assert_eq!(order[order.len() - 1], Backend::SimdThreads);
        order.sort_by_key(|b| Backend::SPACES.iter().position(|s| s == b));
        assert_eq!(order, Backend::SPACES);
    }
}
