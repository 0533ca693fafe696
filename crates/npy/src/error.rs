//! What can be wrong with a `.npy` file. Every message says what was found
//! and what the reader accepts.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NpyError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("not an .npy file: it does not start with the magic \\x93NUMPY")]
    NotNpy,

    #[error("unsupported .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are read")]
    UnsupportedVersion { major: u8, minor: u8 },

    #[error("malformed .npy header: {reason}")]
    BadHeader { reason: String },

    #[error("unsupported dtype {descr}; hetero reads f8, f4, i8, i4 and u4, little or big endian")]
    UnsupportedDtype { descr: String },

    #[error("truncated: the header promises {expected} bytes of data but the file holds {found}")]
    Truncated { expected: u64, found: u64 },

    #[error(
        "a shape of {shape:?} does not hold {len} elements; give a shape whose product is the data's length"
    )]
    ShapeMismatch { shape: Vec<usize>, len: usize },

    #[error("the array's {elements} elements are more than this machine can address")]
    TooLarge { elements: String },

    #[error(
        "the header says it is {len} bytes long, more than numpy's limit of {limit} (max_header_size); this is not a file numpy writes"
    )]
    HeaderTooLong { len: u64, limit: u64 },

    /// A buffer for the file's data could not be allocated.
    #[error(transparent)]
    OutOfMemory(#[from] hetero_core::AllocError),
}

impl NpyError {
    /// The error with the file's path added to I/O failures.
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
