//! Timelines across ranks: each rank's engine records into a timeline of
//! its own process (`Timeline::for_process(rank, …)`), its communication
//! in spans of category `mpi`, and rank 0 gathers every rank's events into
//! one Chrome trace — one process per rank, compute and communication
//! side by side.

use std::time::Instant;

use crate::Engine;
use crate::timeline::{Timeline, chrome_json};

use super::{Cluster, MpiError};

/// A span of communication on the engine's timeline (if it has one),
/// ended when dropped.
pub(crate) struct Communicating<'e> {
    timeline: Option<&'e Timeline>,
    what: &'static str,
    started: Instant,
}

impl<'e> Communicating<'e> {
    pub(crate) fn start(engine: &'e Engine, what: &'static str) -> Self {
        Self {
            timeline: engine.timeline().map(|t| &**t),
            what,
            started: Instant::now(),
        }
    }
}

impl Drop for Communicating<'_> {
    fn drop(&mut self) {
        if let Some(timeline) = self.timeline {
            timeline.span(self.what, "mpi", self.started, Instant::now(), Vec::new());
        }
    }
}

impl Cluster {
    /// Every rank's `timeline` in one Chrome Trace Event file, on rank 0
    /// (`Some`); the other ranks get `None`. Collective: every rank calls
    /// it. Give each rank's engine `Timeline::for_process(rank, …)` so the
    /// ranks show as processes of their own.
    ///
    /// # Errors
    /// On every rank alike: [`MpiError::TooLarge`] past 2³¹ − 1 bytes of
    /// events from one rank; [`MpiError::RankFailed`] when rank 0 cannot
    /// hold them all.
    pub fn gather_timeline(&self, timeline: &Timeline) -> Result<Option<String>, MpiError> {
        let mine = timeline.chrome_events().join("\n").into_bytes();
        let sizes =
            self.all_gather_bytes(&(mine.len() as u64).to_le_bytes(), "the timelines' sizes");
        let counts: Vec<usize> = sizes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as usize)
            .collect();
        let Some(all) = self.gather_counts(&mine, &counts, "the gather of the timelines")? else {
            return Ok(None);
        };
        let mut lines = Vec::new();
        let mut at = 0;
        for &count in &counts {
            let part = String::from_utf8_lossy(&all[at..at + count]).into_owned();
            lines.extend(part.lines().filter(|l| !l.is_empty()).map(str::to_owned));
            at += count;
        }
        Ok(Some(chrome_json(&lines)))
    }
}
