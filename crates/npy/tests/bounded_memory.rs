//! The pool's memory is O(readers × chunk), whatever the number of files:
//! a counting allocator watches the peak over 20 and over 200 files.
//!
//! The allocator's count is global to the process, so every measurement
//! runs from the one test function below: two tests running at once (the
//! harness's default) would each see the other's buffers in their peak.

use std::path::PathBuf;

use hetero_npy::{Widest, stats_of_files, to_npy_bytes};

#[path = "../../../tests/support/counting.rs"]
mod counting;
use counting::{Counting, peak_extra};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn memory_stays_bounded() {
    the_pool_holds_a_chunk_per_reader_not_a_file_per_file();
    a_header_that_claims_gigabytes_grows_no_buffer();
}

fn the_pool_holds_a_chunk_per_reader_not_a_file_per_file() {
    let dir = std::env::temp_dir().join(format!("hetero-npy-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Files of 100 000 f64 (800 KB), as the notebook's: larger than a chunk.
    let values: Vec<f64> = (0..100_000).map(|i| f64::from(i % 1000)).collect();
    let bytes = to_npy_bytes(&values, &[values.len()]).unwrap();
    let paths: Vec<PathBuf> = (0..200)
        .map(|i| {
            let p = dir.join(format!("f{i:03}.npy"));
            std::fs::write(&p, &bytes).unwrap();
            p
        })
        .collect();
    drop((values, bytes));
    let readers = 3;
    let peak = |files: &[PathBuf]| {
        peak_extra(|| {
            let mut done = 0;
            stats_of_files::<Widest>(files, readers, |r| {
                assert!(r.result.is_ok());
                done += 1;
            });
            assert_eq!(done, files.len());
        })
    };
    // Each reader: a 256 KiB chunk buffer (the 4 KiB header read reuses
    // it), a name and the queue's few results — whatever the file count.
    // One 800 KB file per file would be 160 MB; one per reader 2.4 MB.
    let bound = readers * (300 << 10);
    for files in [&paths[..20], &paths[..]] {
        let bytes = peak(files);
        assert!(
            bytes < bound,
            "{} files: {bytes} bytes, bound {bound}",
            files.len()
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

/// 4 KB files whose header-length field claims 0xfffffff0 bytes: each is
/// refused from its first 12 bytes, with no buffer grown for the claim
/// (it used to grow every reader's to 4 GiB).
fn a_header_that_claims_gigabytes_grows_no_buffer() {
    let dir = std::env::temp_dir().join(format!("hetero-npy-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut hostile = b"\x93NUMPY\x02\x00".to_vec();
    hostile.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    hostile.extend(std::iter::repeat_n(b' ', 4096));
    let paths: Vec<PathBuf> = (0..4)
        .map(|i| {
            let p = dir.join(format!("hostile{i}.npy"));
            std::fs::write(&p, &hostile).unwrap();
            p
        })
        .collect();
    let mut messages = Vec::new();
    let bytes = peak_extra(|| {
        stats_of_files::<Widest>(&paths, 4, |r| {
            messages.push(r.result.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        });
    });
    assert_eq!(messages.len(), 4);
    for m in &messages {
        let m = m.as_ref().expect_err("a hostile header is an error");
        assert!(m.contains("max_header_size"), "{m}");
    }
    // Four readers' 4 KiB header buffers and their bookkeeping.
    assert!(bytes < 1 << 20, "{bytes} bytes for four hostile files");

    // The whole-file reader too: bounded by the file, refused by the limit.
    let mut buffer = hetero_npy::NpyBuffer::default();
    let e = buffer.read(&paths[0]).unwrap_err();
    assert!(
        matches!(e, hetero_npy::NpyError::HeaderTooLong { .. }),
        "{e}"
    );
    std::fs::remove_dir_all(dir).ok();
}
