//! Buffers whose size comes from the user, reserved without aborting.
//!
//! `vec![0; n]` and `Vec::with_capacity(n)` abort the whole process when
//! the allocation fails (Rust's `handle_alloc_error`): a user who asks for
//! more than the machine holds gets `SIGABRT` and no message. Every buffer
//! sized by a user's input — inputs and outputs of the examples, results
//! returned as `Vec`, the `.npy` reader's buffers, MPI gathers, the bench
//! workloads — is reserved through this module instead, once per call and
//! before any work, so the failure is an [`AllocError`] that names the
//! buffer and the bytes asked for.
//!
//! A size that cannot exist at all (more elements than `usize`, more bytes
//! than the address space) is refused before anything is tried.

use std::borrow::Cow;

use thiserror::Error;

/// A buffer of `len` values of `value_bytes` bytes each could not be had.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.describe())]
pub struct AllocError {
    /// What the buffer is for (e.g. "gaussian: x"); named in the message.
    pub what: Cow<'static, str>,
    /// Values asked for (saturated at `u64::MAX`).
    pub len: u64,
    /// Bytes of one value.
    pub value_bytes: usize,
    /// Why: the allocator said no, or the size cannot be addressed.
    pub kind: AllocFailure,
}

/// Why an [`AllocError`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllocFailure {
    /// The size is valid but the allocator could not provide it (the
    /// machine's memory, or a limit such as `ulimit -v`).
    Refused,
    /// More bytes than this machine's address space (`isize::MAX`): no
    /// machine of this word size can hold it.
    Unaddressable,
}

impl AllocError {
    /// The bytes asked for, when they fit in a `u128` (always).
    pub fn bytes(&self) -> u128 {
        u128::from(self.len) * self.value_bytes as u128
    }

    fn describe(&self) -> String {
        let bytes = self.bytes();
        match self.kind {
            AllocFailure::Refused => format!(
                "{}: could not allocate {bytes} bytes ({}) for {} values; choose a smaller size or free memory",
                self.what,
                human(bytes),
                self.len
            ),
            AllocFailure::Unaddressable => format!(
                "{}: {} values need {bytes} bytes, more than this machine can address ({} bytes at most); choose a smaller size",
                self.what,
                self.len,
                isize::MAX
            ),
        }
    }
}

/// `bytes` as a short decimal figure (GB, MB, kB).
fn human(bytes: u128) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

/// What names a buffer in an [`AllocError`]: a `&'static str` costs
/// nothing, a `String` is built by the caller once per call.
pub type What = Cow<'static, str>;

fn failure<T>(what: What, len: u64, kind: AllocFailure) -> AllocError {
    AllocError {
        what,
        len,
        value_bytes: size_of::<T>(),
        kind,
    }
}

/// `len` as a `usize`, when `len` values of `T` fit the address space.
fn addressable_len<T>(len: u64) -> Option<usize> {
    usize::try_from(len).ok().filter(|&n| {
        n.checked_mul(size_of::<T>())
            .is_some_and(|b| b <= isize::MAX as usize)
    })
}

/// `len` as a `usize` length of `T`s whose bytes the address space can
/// hold, or why not. Nothing is allocated.
///
/// # Errors
/// [`AllocFailure::Unaddressable`] when it cannot.
pub fn addressable<T>(len: u64, what: impl Into<What>) -> Result<usize, AllocError> {
    addressable_len::<T>(len)
        .ok_or_else(|| failure::<T>(what.into(), len, AllocFailure::Unaddressable))
}

/// An empty `Vec` with room for exactly `len` values, or why not.
///
/// # Errors
/// [`AllocError`] when the size cannot be addressed or the allocator
/// refuses it; the process goes on.
pub fn try_with_capacity<T>(len: u64, what: impl Into<What>) -> Result<Vec<T>, AllocError> {
    let mut v = Vec::new();
    try_grow(&mut v, len, what)?;
    Ok(v)
}

/// Reserves room for `buffer` to hold `len` values in all.
fn try_grow<T>(buffer: &mut Vec<T>, len: u64, what: impl Into<What>) -> Result<usize, AllocError> {
    let Some(n) = addressable_len::<T>(len) else {
        return Err(failure::<T>(what.into(), len, AllocFailure::Unaddressable));
    };
    if n > buffer.len() {
        buffer
            .try_reserve_exact(n - buffer.len())
            .map_err(|_| failure::<T>(what.into(), len, AllocFailure::Refused))?;
    }
    Ok(n)
}

/// A `Vec` of `len` copies of `value`, or why not.
///
/// # Errors
/// As [`try_with_capacity`].
pub fn try_filled<T: Clone>(
    len: u64,
    value: T,
    what: impl Into<What>,
) -> Result<Vec<T>, AllocError> {
    let mut v = Vec::new();
    try_resize(&mut v, len, value, what)?;
    Ok(v)
}

/// A `Vec` of `len` default values (zeros for numbers), or why not.
///
/// # Errors
/// As [`try_with_capacity`].
pub fn try_zeroed<T: Clone + Default>(
    len: u64,
    what: impl Into<What>,
) -> Result<Vec<T>, AllocError> {
    try_filled(len, T::default(), what)
}

/// The first `len` items of `items` collected into a `Vec` reserved up
/// front, or why not (nothing of `items` is consumed then).
///
/// # Errors
/// As [`try_with_capacity`].
pub fn try_collect<T>(
    len: u64,
    items: impl IntoIterator<Item = T>,
    what: impl Into<What>,
) -> Result<Vec<T>, AllocError> {
    let mut v = try_with_capacity(len, what)?;
    // `len` is addressable, so it fits a usize; within the reserved
    // capacity: no further allocation.
    v.extend(items.into_iter().take(len as usize));
    Ok(v)
}

/// Resizes `buffer` to `len` values (filling with `value`) without
/// aborting: for buffers reused from call to call, such as a reader's. A
/// shorter `len` truncates and keeps the capacity.
///
/// # Errors
/// As [`try_with_capacity`]; `buffer` is unchanged then.
pub fn try_resize<T: Clone>(
    buffer: &mut Vec<T>,
    len: u64,
    value: T,
    what: impl Into<What>,
) -> Result<(), AllocError> {
    let n = try_grow(buffer, len, what)?;
    // Within the reserved capacity: no further allocation.
    buffer.resize(n, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_are_what_vec_gives() {
        assert_eq!(try_zeroed::<f64>(3, "t").unwrap(), vec![0.0; 3]);
        assert_eq!(try_filled(2, 7u8, "t").unwrap(), vec![7, 7]);
        assert_eq!(try_collect(3, 0..10, "t").unwrap(), vec![0, 1, 2]);
        assert_eq!(try_collect(5, 0..2, "t").unwrap(), vec![0, 1]);
        assert!(try_zeroed::<u32>(0, "t").unwrap().is_empty());
        let mut b = vec![1u16; 2];
        try_resize(&mut b, 4, 9, "t").unwrap();
        assert_eq!(b, [1, 1, 9, 9]);
        try_resize(&mut b, 1, 9, "t").unwrap();
        assert_eq!(b, [1]);
    }

    #[test]
    fn sizes_past_the_address_space_are_refused_before_trying() {
        let e = try_zeroed::<f64>(u64::MAX, "gaussian: x").unwrap_err();
        assert_eq!(e.kind, AllocFailure::Unaddressable);
        assert_eq!(e.bytes(), u128::from(u64::MAX) * 8);
        let text = e.to_string();
        assert!(text.starts_with("gaussian: x:"), "{text}");
        assert!(text.contains("smaller size"), "{text}");
        // One byte past isize::MAX in bytes, though the count fits usize.
        let len = (isize::MAX as u64) / 4 + 1;
        let e = try_with_capacity::<u32>(len, "t").unwrap_err();
        assert_eq!(e.kind, AllocFailure::Unaddressable);
        let mut b = vec![0u8; 3];
        assert!(try_resize(&mut b, u64::MAX, 0, "t").is_err());
        assert_eq!(b, [0, 0, 0], "a failed resize leaves the buffer alone");
    }

    #[test]
    fn a_refused_allocation_names_the_bytes_and_what_to_change() {
        // Addressable but far more than any machine lends: the allocator
        // refuses it (the allocation is never touched, so nothing is
        // committed even where memory is overcommitted).
        let len = (isize::MAX as u64) / 8 - 4096;
        let e = try_zeroed::<u64>(len, "sum: the array").unwrap_err();
        assert_eq!(e.kind, AllocFailure::Refused);
        let text = e.to_string();
        assert!(
            text.contains(&format!("{} bytes", u128::from(len) * 8)),
            "{text}"
        );
        assert!(text.contains("GB"), "{text}");
        assert!(text.contains("choose a smaller size"), "{text}");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(2_400_000_000), "2.4 GB");
        assert_eq!(human(1_500_000), "1.5 MB");
    }
}
