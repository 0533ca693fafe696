//! Reading a `.npy` file into buffers reused from file to file: whole
//! ([`NpyBuffer::read`]) or streamed in chunks ([`NpyBuffer::for_each_chunk`]).
//!
//! Bytes land in 8-byte-aligned storage, so native little-endian f64 data
//! (numpy's default) is used in place; other types are converted to f64
//! into a second reused buffer. Buffers only grow: reading thousands of
//! files allocates once.
//!
//! Streaming is what a statistics pass wants: the kernel copies a large
//! read with cache-bypassing stores (so an 800 KB array read whole arrives
//! in DRAM, not in cache), while a 256 KiB chunk is still in the core's
//! cache when it is used — and memory stays one chunk per reader.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::dtype::Kind;
use crate::error::NpyError;
use crate::header::{Header, MAX_HEADER_LEN};
use hetero_core::alloc::try_resize;

/// Storage for reading `.npy` files, reused across reads.
#[derive(Debug, Default)]
pub struct NpyBuffer {
    /// The file's bytes, in u64s for alignment.
    raw: Vec<u64>,
    /// The values as f64, when the file's are not native f64s.
    values: Vec<f64>,
}

/// One array read into an [`NpyBuffer`], as f64 values in file order.
#[derive(Debug)]
pub struct NpyArray<'a> {
    pub header: Header,
    values: &'a [f64],
}

impl NpyArray<'_> {
    /// The elements as f64 (i64 beyond 2^53 rounded, as numpy's mean
    /// does), in the file's order — C or Fortran, see the header.
    pub fn values(&self) -> &[f64] {
        self.values
    }
}

impl NpyBuffer {
    /// Reads the `.npy` file at `path`.
    ///
    /// # Errors
    /// [`NpyError::Io`] when the file cannot be opened or read (a folder, no
    /// permission, ...), and the format errors of [`Header::parse`];
    /// [`NpyError::Truncated`] when the data is shorter than the shape
    /// says. Bytes after the data are ignored, as `numpy.load` does.
    pub fn read(&mut self, path: &Path) -> Result<NpyArray<'_>, NpyError> {
        let io = |e| NpyError::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let size = usize::try_from(size).map_err(|_| NpyError::TooLarge {
            elements: format!("{size} bytes"),
        })?;
        // The file's own length bounds this buffer, whatever its header says.
        let words = size.div_ceil(8);
        if self.raw.len() < words {
            try_resize(&mut self.raw, words as u64, 0, "npy: the file's bytes")?;
        }
        let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.raw)[..size];
        let got = read_full(&mut file, bytes).map_err(io)?;
        let bytes = &bytemuck::cast_slice::<u64, u8>(&self.raw)[..got];

        let (header, offset) = Header::parse(bytes)?;
        let count = header.elements()?;
        let need = count
            .checked_mul(header.dtype.size() as u64)
            .and_then(|b| usize::try_from(b).ok())
            .ok_or_else(|| NpyError::TooLarge {
                elements: count.to_string(),
            })?;
        let data = offset
            .checked_add(need)
            .and_then(|end| bytes.get(offset..end))
            .ok_or(NpyError::Truncated {
                expected: need as u64,
                found: (got - offset) as u64,
            })?;
        if header.dtype.is_native_f64() && offset.is_multiple_of(8) {
            return Ok(NpyArray {
                values: bytemuck::cast_slice(data),
                header,
            });
        }
        // At most the file's length in values: `data` is within the file.
        let count = count as usize;
        if self.values.len() < count {
            try_resize(
                &mut self.values,
                count as u64,
                0.0,
                "npy: the values as f64",
            )?;
        }
        convert(
            header.dtype.kind,
            header.dtype.big_endian,
            data,
            &mut self.values[..count],
        );
        Ok(NpyArray {
            values: &self.values[..count],
            header,
        })
    }
}

impl NpyBuffer {
    /// Values per chunk of [`NpyBuffer::for_each_chunk`]: 256 KiB of f64, a
    /// multiple of [`crate::StatsAccumulator::BLOCK`].
    pub const CHUNK: usize = 32 * 1024;

    /// Reads the `.npy` file at `path` in chunks of up to [`Self::CHUNK`]
    /// values, handing each (as f64, in file order) to `f`; returns the
    /// header.
    ///
    /// # Errors
    /// As [`NpyBuffer::read`]. On an error `f` may have seen the chunks
    /// before it.
    pub fn for_each_chunk(
        &mut self,
        path: &Path,
        mut f: impl FnMut(&[f64]),
    ) -> Result<Header, NpyError> {
        let io = |e| NpyError::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let (header, offset) = self.read_header(&mut file).map_err(|e| match e {
            HeaderRead::Io(e) => io(e),
            HeaderRead::Format(e) => e,
        })?;
        let count = header.elements()?;
        let size = header.dtype.size();
        file.seek(SeekFrom::Start(offset as u64)).map_err(io)?;
        let chunk_bytes = Self::CHUNK * size;
        if self.raw.len() < chunk_bytes / 8 {
            self.raw.resize(chunk_bytes / 8, 0);
        }
        if !header.dtype.is_native_f64() && self.values.len() < Self::CHUNK {
            self.values.resize(Self::CHUNK, 0.0);
        }
        let (mut done, total) = (0u64, count);
        while done < total {
            let values = (total - done).min(Self::CHUNK as u64) as usize;
            let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.raw)[..values * size];
            let got = read_full(&mut file, bytes).map_err(io)?;
            if got < bytes.len() {
                return Err(NpyError::Truncated {
                    expected: total.saturating_mul(size as u64),
                    found: done * size as u64 + got as u64,
                });
            }
            if header.dtype.is_native_f64() {
                f(bytemuck::cast_slice(&bytes[..]));
            } else {
                let out = &mut self.values[..values];
                convert(header.dtype.kind, header.dtype.big_endian, bytes, out);
                f(out);
            }
            done += values as u64;
        }
        Ok(header)
    }

    /// Reads and parses the header at the start of `file` (usually within
    /// the first 4 KiB; longer headers are read as far as they go).
    fn read_header(&mut self, file: &mut File) -> Result<(Header, usize), HeaderRead> {
        let mut want = 4096;
        loop {
            if self.raw.len() < want / 8 {
                self.raw.resize(want / 8, 0);
            }
            file.seek(SeekFrom::Start(0)).map_err(HeaderRead::Io)?;
            let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.raw)[..want];
            let got = read_full(file, bytes).map_err(HeaderRead::Io)?;
            match Header::parse(&bytes[..got]) {
                // The header runs past what was read, and the file has more.
                // `Header::parse` refuses a length past MAX_HEADER_LEN, so
                // this grows the buffer to at most ~10 kB, once.
                Err(NpyError::Truncated { expected, .. }) if got == want => {
                    want = usize::try_from(expected)
                        .ok()
                        .filter(|&e| e > want && e <= MAX_HEADER_LEN + 12)
                        .ok_or(HeaderRead::Format(NpyError::BadHeader {
                            reason: format!("a header of {expected} bytes"),
                        }))?
                        .next_multiple_of(8);
                }
                other => return other.map_err(HeaderRead::Format),
            }
        }
    }
}

/// Why a header could not be read.
enum HeaderRead {
    Io(std::io::Error),
    Format(NpyError),
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Decodes `data` (elements of `kind` in the given byte order) into `out`.
fn convert(kind: Kind, big_endian: bool, data: &[u8], out: &mut [f64]) {
    macro_rules! decode {
        ($t:ty, $n:literal, $to:expr) => {
            for (o, b) in out.iter_mut().zip(data.chunks_exact($n)) {
                let bytes: [u8; $n] = b.try_into().unwrap_or([0; $n]);
                let v = if big_endian {
                    <$t>::from_be_bytes(bytes)
                } else {
                    <$t>::from_le_bytes(bytes)
                };
                *o = $to(v);
            }
        };
    }
    match kind {
        Kind::F64 => decode!(f64, 8, |v: f64| v),
        Kind::F32 => decode!(f32, 4, f64::from),
        Kind::I64 => decode!(i64, 8, |v: i64| v as f64),
        Kind::I32 => decode!(i32, 4, f64::from),
        Kind::U32 => decode!(u32, 4, f64::from),
    }
}
