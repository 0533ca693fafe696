//! Shared set-up for the criterion benches: one engine, the backends to time.

use hetero::{Backend, Engine};

/// An engine on every core, built once per bench binary (outside the timed closures).
pub fn engine() -> Engine {
    Engine::new().expect("threads can be started")
}

/// The backends this build can time (the GPU joins when it exists).
pub fn backends(engine: &Engine) -> Vec<Backend> {
    Backend::SPACES
        .into_iter()
        .filter(|b| engine.is_available(*b))
        .collect()
}
