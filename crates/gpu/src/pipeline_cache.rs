//! Compiled pipelines kept on disk between processes: wgpu's
//! `PipelineCache`, where the device has one (`PIPELINE_CACHE`: Vulkan),
//! in one file per adapter in the folder [`crate::GpuConfig`] names.
//!
//! This is the one `unsafe` call of hetero-gpu. wgpu's
//! `Device::create_pipeline_cache` is unsafe because the driver trusts
//! the bytes it is given: they must be what `PipelineCache::get_data`
//! returned on an adapter with the same `wgpu::util::pipeline_cache_key`.
//! A file in the user's cache folder could be anything, so its bytes reach
//! wgpu only when all of these hold:
//!
//! - the file is named by that key (one file per vendor and device), and
//!   our envelope repeats the key: a file copied from another adapter's
//!   name is refused;
//! - the envelope's length and its 64-bit hash of the key and the payload
//!   match (a truncated, extended or damaged file is refused: wgpu itself
//!   checks only its own header, and the payload goes to the driver);
//! - it is at most [`MAX_FILE`] bytes (read no further).
//!
//! The hash catches damage, not forgery: whoever can write the user's
//! cache folder can already replace what runs. wgpu then checks its own
//! header (its version, the adapter, the driver's validation key) and the
//! driver checks its own; `fallback: true` makes any mismatch an empty
//! cache, never an error. A refused or unreadable file costs a compile, as
//! if there were none, and is replaced by the next save.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Our envelope: magic, version, payload length, hash, then the payload.
const MAGIC: &[u8; 8] = b"hetero-p";
const VERSION: u32 = 1;
const HEADER: usize = MAGIC.len() + 4 + 8 + 8;

/// The largest file read (a cache of a few dozen pipelines is well under
/// a megabyte; a bigger one is not ours).
pub const MAX_FILE: u64 = 64 << 20;

/// Where a context's pipelines are kept, and what it found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineCacheFile {
    /// The file (named by the adapter's vendor and device).
    pub path: PathBuf,
    /// Bytes of compiled pipelines handed to the driver at open (`None`:
    /// no usable file: missing, refused as damaged or another adapter's).
    pub loaded_bytes: Option<usize>,
}

/// A device's pipeline cache and the file it is saved to.
pub(crate) struct DiskPipelineCache {
    pub(crate) cache: wgpu::PipelineCache,
    key: String,
    pub(crate) file: PipelineCacheFile,
}

impl DiskPipelineCache {
    /// The cache of `device` (opened on an adapter described by `info`),
    /// seeded from its file in `dir` when that file is sound; `None` where
    /// the device keeps no pipeline cache.
    pub(crate) fn open(
        device: &wgpu::Device,
        info: &wgpu::AdapterInfo,
        dir: &Path,
    ) -> Option<Self> {
        if !device.features().contains(wgpu::Features::PIPELINE_CACHE) {
            return None;
        }
        let key = wgpu::util::pipeline_cache_key(info)?;
        let path = dir.join(format!("{key}.bin"));
        let payload =
            read_file(&path).and_then(|bytes| unwrap_envelope(&bytes, &key).map(<[u8]>::to_vec));
        let cache = seeded(device, payload.as_deref());
        Some(Self {
            cache,
            key,
            file: PipelineCacheFile {
                path,
                loaded_bytes: payload.map(|p| p.len()),
            },
        })
    }

    /// Writes what the cache holds now to its file, replacing it whole
    /// (a temporary file renamed over it).
    ///
    /// # Errors
    /// Why the folder or the file could not be written.
    pub(crate) fn save(&self) -> Result<(), String> {
        let Some(data) = self.cache.get_data() else {
            return Ok(());
        };
        let path = &self.file.path;
        let shown = |e: std::io::Error| format!("{}: {e}", path.display());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(shown)?;
        }
        static SAVES: AtomicU64 = AtomicU64::new(0);
        let temporary = path.with_extension(format!(
            "tmp.{}.{}",
            std::process::id(),
            SAVES.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&temporary, envelope(&self.key, &data))
            .and_then(|()| std::fs::rename(&temporary, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(shown)
    }
}

/// The pipeline cache of `device`, seeded with `data`.
#[allow(unsafe_code)]
fn seeded(device: &wgpu::Device, data: Option<&[u8]>) -> wgpu::PipelineCache {
    // SAFETY: `data` is `None`, or the payload of a file whose envelope
    // (`unwrap_envelope`) names this adapter's `pipeline_cache_key` and
    // whose hash and length match: bytes that `PipelineCache::get_data`
    // returned on an adapter with this key and that `save` wrote, unchanged
    // (see the module's comment for what this does and does not prove).
    // wgpu validates its own header again, and `fallback: true` turns any
    // mismatch into an empty cache.
    unsafe {
        device.create_pipeline_cache(&wgpu::PipelineCacheDescriptor {
            label: Some("hetero:pipeline-cache"),
            data,
            fallback: true,
        })
    }
}

/// At most [`MAX_FILE`] bytes of `path`; `None` if it cannot be read or is
/// longer.
fn read_file(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_FILE).then_some(bytes)
}

/// FNV-1a over the key, then the payload.
fn hash(key: &str, payload: &[u8]) -> u64 {
    key.as_bytes()
        .iter()
        .chain([0u8].iter())
        .chain(payload)
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// `payload` in our envelope for the adapter `key`.
fn envelope(key: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&hash(key, payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of `bytes` if they are our envelope for the adapter `key`,
/// whole and unchanged.
fn unwrap_envelope<'b>(bytes: &'b [u8], key: &str) -> Option<&'b [u8]> {
    let (header, payload) = bytes.split_at_checked(HEADER)?;
    let (magic, rest) = header.split_at(MAGIC.len());
    let (version, rest) = rest.split_at(4);
    let (length, stored_hash) = rest.split_at(8);
    let number = |b: &[u8]| -> Option<u64> { Some(u64::from_le_bytes(b.try_into().ok()?)) };
    let sound = magic == MAGIC
        && version == VERSION.to_le_bytes()
        && number(length)? == payload.len() as u64
        && number(stored_hash)? == hash(key, payload);
    sound.then_some(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "wgpu_pipeline_cache_vulkan_4318_8712";

    #[test]
    fn only_an_unchanged_envelope_of_the_same_adapter_opens() {
        let payload = b"compiled pipelines".to_vec();
        let sealed = envelope(KEY, &payload);
        assert_eq!(unwrap_envelope(&sealed, KEY), Some(&payload[..]));
        assert_eq!(
            unwrap_envelope(&sealed, "wgpu_pipeline_cache_vulkan_1_2"),
            None
        );
        assert_eq!(
            unwrap_envelope(&sealed[..sealed.len() - 1], KEY),
            None,
            "truncated"
        );
        let mut longer = sealed.clone();
        longer.push(0);
        assert_eq!(unwrap_envelope(&longer, KEY), None, "extended");
        for at in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[at] ^= 0x10;
            assert_eq!(unwrap_envelope(&flipped, KEY), None, "byte {at} changed");
        }
        assert_eq!(unwrap_envelope(b"", KEY), None);
        assert_eq!(unwrap_envelope(&sealed[..HEADER], KEY), None);
        // An empty payload is a sound (if useless) envelope.
        assert_eq!(unwrap_envelope(&envelope(KEY, b""), KEY), Some(&b""[..]));
    }

    #[test]
    fn a_file_past_the_limit_is_not_read() {
        let dir = std::env::temp_dir().join(format!("hetero-pc-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.bin");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE + 1).unwrap();
        assert_eq!(read_file(&path), None);
        assert_eq!(read_file(&dir.join("missing.bin")), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
