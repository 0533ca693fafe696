//! Where the time went: a timeline of an engine's calls, written as a
//! Chrome Trace Event file (open it in <https://ui.perfetto.dev> or
//! `chrome://tracing`).
//!
//! An engine given a [`Timeline`] ([`crate::Engine::with_timeline`])
//! records, for every call: a span on the calling thread (the kernel, the
//! backend, the items); per thread that worked on it, one span from its
//! first chunk (or GPU tile) to its last with the count of chunks and items
//! — aggregated, so a call of 10⁶ chunks is a few events per thread, not
//! 10⁶; a GPU call's upload, kernel (GPU time, where the adapter has
//! timestamp queries) and readback; `hybrid`'s split; `auto`'s choice with
//! its predictions (an instant event); and each job from submission to its
//! end, with its time waiting for a job thread. MPI ranks record into
//! timelines of their own, one process each ([`Timeline::for_process`]),
//! which rank 0 gathers into one file.
//!
//! A writer of our own rather than `tracing` + `tracing-chrome`: a timeline
//! belongs to an engine, not to a process-wide subscriber (a library must
//! not install one, and two engines may trace to two files); the per-call,
//! per-thread aggregation is ours to do either way; and with no timeline a
//! call pays one test of an `Option` — nothing to measure.

mod traced;

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

pub(crate) use traced::Traced;

/// Events a timeline keeps; later ones are counted, not kept (a runaway
/// loop of calls must not exhaust memory): about 30 MB in memory and
/// 50 MB of JSON at most.
pub const MAX_EVENTS: usize = 1 << 18;

/// A value attached to an event (Chrome's `args`).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(u64),
    Float(f64),
    Text(String),
}

impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Arg::Int(v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Arg::Int(v as u64)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Self {
        Arg::Float(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

/// One recorded event.
#[derive(Debug, Clone)]
struct Event {
    name: Cow<'static, str>,
    category: &'static str,
    /// Microseconds since the timeline's origin.
    start_us: f64,
    /// `Some`: a span of this many microseconds; `None`: an instant.
    duration_us: Option<f64>,
    thread: u64,
    args: Vec<(&'static str, Arg)>,
}

/// The events of one engine's calls (see the module documentation).
#[derive(Debug)]
pub struct Timeline {
    origin: Instant,
    process: (u32, String),
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    events: Vec<Event>,
    dropped: u64,
    /// The name of each thread that recorded, by its timeline id.
    threads: BTreeMap<u64, String>,
}

/// Timeline ids of threads, process-wide (Chrome's `tid`).
static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static THREAD: Cell<u64> = const { Cell::new(0) };
}

/// This thread's timeline id, given on first use.
pub(crate) fn thread_id() -> u64 {
    THREAD.with(|id| {
        if id.get() == 0 {
            id.set(NEXT_THREAD.fetch_add(1, Ordering::Relaxed));
        }
        id.get()
    })
}

fn thread_name() -> String {
    let current = std::thread::current();
    match (current.name(), rayon::current_thread_index()) {
        (Some(name), _) => name.to_owned(),
        (None, Some(k)) => format!("pool thread {k}"),
        (None, None) => format!("thread {}", thread_id()),
    }
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    /// An empty timeline; time 0 is now.
    pub fn new() -> Self {
        Self::for_process(1, "hetero")
    }

    /// An empty timeline whose events belong to process `pid` named
    /// `name` (an MPI rank: `pid` = rank).
    pub fn for_process(pid: u32, name: impl Into<String>) -> Self {
        Self {
            origin: Instant::now(),
            process: (pid, name.into()),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Plain data: a panic elsewhere breaks no invariant.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Microseconds from the timeline's origin to `at` (0 before it).
    pub fn micros(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.origin).as_secs_f64() * 1e6
    }

    fn push(&self, event: Event) {
        let mut state = self.state();
        if state.events.len() >= MAX_EVENTS {
            state.dropped += 1;
            return;
        }
        let mine = event.thread == thread_id();
        state
            .threads
            .entry(event.thread)
            .or_insert_with(|| match mine {
                true => thread_name(),
                false => format!("thread {}", event.thread),
            });
        state.events.push(event);
    }

    /// Names this thread in the timeline (its events may be recorded by
    /// another thread, which cannot see its name).
    pub(crate) fn name_this_thread(&self) {
        let id = thread_id();
        let mut state = self.state();
        state.threads.entry(id).or_insert_with(thread_name);
    }

    /// A span from `start` to `end` on this thread.
    pub fn span(
        &self,
        name: impl Into<Cow<'static, str>>,
        category: &'static str,
        start: Instant,
        end: Instant,
        args: Vec<(&'static str, Arg)>,
    ) {
        self.span_on(thread_id(), name, category, start, end, args);
    }

    /// A span from `start` to `end` on the thread with timeline id `thread`.
    pub(crate) fn span_on(
        &self,
        thread: u64,
        name: impl Into<Cow<'static, str>>,
        category: &'static str,
        start: Instant,
        end: Instant,
        args: Vec<(&'static str, Arg)>,
    ) {
        let start_us = self.micros(start);
        self.push(Event {
            name: name.into(),
            category,
            start_us,
            duration_us: Some((self.micros(end) - start_us).max(0.0)),
            thread,
            args,
        });
    }

    /// An instant event now, on this thread.
    pub fn instant(
        &self,
        name: impl Into<Cow<'static, str>>,
        category: &'static str,
        args: Vec<(&'static str, Arg)>,
    ) {
        self.push(Event {
            name: name.into(),
            category,
            start_us: self.micros(Instant::now()),
            duration_us: None,
            thread: thread_id(),
            args,
        });
    }

    /// Events recorded (kept) so far.
    pub fn len(&self) -> usize {
        self.state().events.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Events past [`MAX_EVENTS`], counted and not kept.
    pub fn dropped(&self) -> u64 {
        self.state().dropped
    }

    /// The events as Chrome Trace Event JSON objects (no brackets), one
    /// per line: the process and thread names, then the events in the
    /// order they were recorded. [`Timeline::to_chrome_json`] wraps them;
    /// an MPI rank sends these lines to rank 0.
    pub fn chrome_events(&self) -> Vec<String> {
        let state = self.state();
        let (pid, process) = (self.process.0, &self.process.1);
        let mut lines = vec![format!(
            r#"{{"ph":"M","name":"process_name","pid":{pid},"tid":0,"args":{{"name":{}}}}}"#,
            json_string(process)
        )];
        for (tid, name) in &state.threads {
            lines.push(format!(
                r#"{{"ph":"M","name":"thread_name","pid":{pid},"tid":{tid},"args":{{"name":{}}}}}"#,
                json_string(name)
            ));
        }
        for event in &state.events {
            let mut line = format!(
                r#"{{"name":{},"cat":"{}","pid":{pid},"tid":{},"ts":{:.3}"#,
                json_string(&event.name),
                event.category,
                event.thread,
                event.start_us
            );
            match event.duration_us {
                Some(d) => {
                    let _ = write!(line, r#","ph":"X","dur":{d:.3}"#);
                }
                None => line.push_str(r#","ph":"i","s":"t""#),
            }
            line.push_str(r#","args":{"#);
            for (k, (key, value)) in event.args.iter().enumerate() {
                if k > 0 {
                    line.push(',');
                }
                let _ = write!(line, "{}:", json_string(key));
                match value {
                    Arg::Int(v) => {
                        let _ = write!(line, "{v}");
                    }
                    Arg::Float(v) if v.is_finite() => {
                        let _ = write!(line, "{v}");
                    }
                    Arg::Float(v) => line.push_str(&json_string(&v.to_string())),
                    Arg::Text(v) => line.push_str(&json_string(v)),
                }
            }
            line.push_str("}}");
            lines.push(line);
        }
        if state.dropped > 0 {
            lines.push(format!(
                r#"{{"name":"timeline full: {} later events dropped","cat":"timeline","pid":{pid},"tid":0,"ts":0,"ph":"i","s":"g","args":{{}}}}"#,
                state.dropped
            ));
        }
        lines
    }

    /// The whole timeline as a Chrome Trace Event file (JSON array format).
    pub fn to_chrome_json(&self) -> String {
        chrome_json(&self.chrome_events())
    }

    /// Writes [`Timeline::to_chrome_json`] to `path`, whole or not at all
    /// (see [`crate::output::write_file`]).
    ///
    /// # Errors
    /// Why the file could not be written.
    pub fn write(&self, path: &std::path::Path) -> Result<(), crate::output::WriteError> {
        crate::output::write_file(path, self.to_chrome_json().as_bytes())
    }
}

/// Chrome Trace Event JSON from event objects (from one or several
/// timelines, e.g. every MPI rank's).
pub fn chrome_json(events: &[String]) -> String {
    let mut out = String::from("[\n");
    for (k, line) in events.iter().enumerate() {
        out.push_str(line);
        out.push_str(if k + 1 < events.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    out
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_and_events_are_json_objects() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        let timeline = Timeline::new();
        let now = Instant::now();
        timeline.span("a \"call\"", "call", now, now, vec![("items", Arg::Int(3))]);
        timeline.instant("chose", "auto", vec![("why", "x\ty".into())]);
        let text = timeline.to_chrome_json();
        assert!(text.starts_with("[\n") && text.ends_with("]\n"));
        assert!(text.contains(r#""name":"a \"call\"""#) && text.contains(r#""why":"x\ty""#));
        assert_eq!(timeline.len(), 2);
    }
}
