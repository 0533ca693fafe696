//! Agreement before results move: every rank tells every other whether its
//! own part succeeded (and which problem it was given), in one all-gather
//! of a fixed-size record. A failure anywhere becomes the same error
//! everywhere, so no rank waits for data that will never come and no rank
//! returns a result built from a failed part.

use super::{Cluster, MpiError};

/// A rank's own failure: the exit status it asks for (2: what the user
/// gave, 1: what went wrong at run time) and the cause in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankFailure {
    pub code: u8,
    pub cause: String,
}

impl RankFailure {
    /// A failure of what the user gave (exit status 2).
    pub fn usage(cause: impl std::fmt::Display) -> Self {
        Self {
            code: 2,
            cause: cause.to_string(),
        }
    }

    /// A failure at run time (exit status 1).
    pub fn runtime(cause: impl std::fmt::Display) -> Self {
        Self {
            code: 1,
            cause: cause.to_string(),
        }
    }
}

impl From<hetero_core::AllocError> for RankFailure {
    /// A size this rank cannot hold is the user's to change (exit status 2).
    fn from(e: hetero_core::AllocError) -> Self {
        Self::usage(e)
    }
}

impl From<crate::Error> for RankFailure {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Problem(_) | crate::Error::OutOfMemory(_) => Self::usage(e),
            other => Self::runtime(other),
        }
    }
}

/// Bytes of one rank's record: a status, the problem's fingerprint and the
/// start of two texts (the cause and the problem) — enough for one line.
const RECORD: usize = 512;
const TEXT: usize = 240;

/// FNV-1a: a stable fingerprint of the problem's description.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes `text` (cut at a char boundary to fit) as a u16 length + bytes.
fn put_text(record: &mut [u8], at: usize, text: &str) {
    let mut end = text.len().min(TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    record[at..at + 2].copy_from_slice(&(end as u16).to_le_bytes());
    record[at + 2..at + 2 + end].copy_from_slice(&text.as_bytes()[..end]);
}

fn get_text(record: &[u8], at: usize) -> String {
    let len = usize::from(u16::from_le_bytes([record[at], record[at + 1]])).min(TEXT);
    String::from_utf8_lossy(&record[at + 2..at + 2 + len]).into_owned()
}

const STATUS: usize = 0;
const CODE: usize = 1;
const PRINT: usize = 2;
const CAUSE: usize = 10;
const PROBLEM: usize = CAUSE + 2 + TEXT;
const _: () = assert!(PROBLEM + 2 + TEXT <= RECORD);

impl Cluster {
    /// Every rank learns whether every rank's `local` part succeeded and
    /// whether every rank was given the same `problem` (a description of
    /// the arguments that must match, e.g. "pi n=1e9 seed=7"; the backend
    /// and thread count may differ per rank). Call it on every rank at the
    /// same point.
    ///
    /// # Errors
    /// On every rank alike: [`MpiError::RankFailed`] naming the lowest rank
    /// that failed and its cause, else [`MpiError::Mismatch`] naming the
    /// lowest rank whose problem differs from rank 0's.
    pub fn agree(&self, problem: &str, local: Result<(), RankFailure>) -> Result<(), MpiError> {
        self.agree_ordered(problem, local, false)
    }

    /// [`Cluster::agree`], with the mismatch first when `mismatch_first`:
    /// for sizes, where a rank's failure is likely the mismatch's effect.
    fn agree_ordered(
        &self,
        problem: &str,
        local: Result<(), RankFailure>,
        mismatch_first: bool,
    ) -> Result<(), MpiError> {
        let mut record = [0u8; RECORD];
        if let Err(failure) = &local {
            record[STATUS] = 1;
            record[CODE] = failure.code;
            put_text(
                &mut record,
                CAUSE,
                failure.cause.lines().next().unwrap_or(""),
            );
        }
        record[PRINT..PRINT + 8].copy_from_slice(&fingerprint(problem).to_le_bytes());
        put_text(&mut record, PROBLEM, problem);
        let all = self.all_gather_bytes(&record, "the agreement on every rank's status");
        let records: Vec<&[u8]> = all.chunks_exact(RECORD).collect();
        let failed = || {
            let (rank, r) = records.iter().enumerate().find(|(_, r)| r[STATUS] != 0)?;
            Some(MpiError::RankFailed {
                rank,
                code: r[CODE].max(1),
                cause: get_text(r, CAUSE),
            })
        };
        let root = records[0];
        let differs = || {
            let (rank, r) = records
                .iter()
                .enumerate()
                .find(|(_, r)| r[PRINT..PRINT + 8] != root[PRINT..PRINT + 8])?;
            Some(MpiError::Mismatch {
                rank,
                what: format!(
                    "'{}' where rank 0 has '{}'",
                    get_text(r, PROBLEM),
                    get_text(root, PROBLEM)
                ),
            })
        };
        let first = match mismatch_first {
            true => differs().or_else(failed),
            false => failed().or_else(differs),
        };
        first.map_or(Ok(()), Err)
    }

    /// [`Cluster::agree`] on one step's outcome, when the problem is already
    /// agreed: every rank gets `Ok(value)` only if every rank's step
    /// succeeded.
    ///
    /// # Errors
    /// On every rank alike, [`MpiError::RankFailed`] naming the lowest rank
    /// whose step failed.
    pub fn settle<T, E: Into<RankFailure>>(&self, local: Result<T, E>) -> Result<T, MpiError> {
        self.settle_sizes("", local)
    }

    /// [`Cluster::settle`], agreeing in the same all-gather on `sizes` — a
    /// collective's lengths, grains and chunks as text, e.g. "scatter of 10
    /// values in grains of 4". Ranks that pass different sizes would get
    /// zero tails, wrong totals or a fatal truncation from MPI itself.
    ///
    /// # Errors
    /// On every rank alike, [`MpiError::Mismatch`] naming the lowest rank
    /// whose sizes differ from rank 0's and both texts (first: a rank's
    /// failure is then likely its effect); else [`MpiError::RankFailed`].
    pub(crate) fn settle_sizes<T, E: Into<RankFailure>>(
        &self,
        sizes: &str,
        local: Result<T, E>,
    ) -> Result<T, MpiError> {
        match local {
            Ok(value) => {
                self.agree_ordered(sizes, Ok(()), true)?;
                Ok(value)
            }
            Err(e) => {
                let failure: RankFailure = e.into();
                // Always an error: this rank failed.
                self.agree_ordered(sizes, Err(failure.clone()), true)?;
                Err(MpiError::RankFailed {
                    rank: self.rank(),
                    code: failure.code,
                    cause: failure.cause,
                })
            }
        }
    }
}
