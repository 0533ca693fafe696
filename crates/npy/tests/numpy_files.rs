//! Files written by numpy (`tests/data/npy/make_fixtures.py`, committed
//! with numpy's own statistics of each in `expected.json`): every dtype and
//! byte order, C and Fortran order, header versions 1–3, edge cases. The
//! statistics must be within 1e-12 relative of numpy's.

use std::path::{Path, PathBuf};

use hetero_npy::{NpyBuffer, NpyError, Stats, Widest, stats_of_files};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/npy")
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(map) => map,
        other => panic!("expected.json is not an object: {other}"),
    }
}

fn number(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// `ours` against numpy's `theirs`: equal if either is NaN or infinite,
/// else within 1e-12 relative — plus `slack` absolute, for numpy's own
/// rounding where the exact answer is 0 (all-equal data: numpy's std is
/// ~1e-17 from its mean's last bit, hetero's is 0).
fn close(ours: f64, theirs: f64, slack: f64) -> bool {
    if theirs.is_nan() || ours.is_nan() {
        return theirs.is_nan() && ours.is_nan();
    }
    if theirs.is_infinite() || ours.is_infinite() {
        return ours == theirs;
    }
    (ours - theirs).abs() <= 1e-12 * theirs.abs() + slack
}

#[test]
fn statistics_match_numpys_on_every_fixture_at_every_width() {
    let cases = expected();
    let mut buffer = NpyBuffer::default();
    let mut checked = 0;
    for (name, want) in &cases {
        let path = fixtures().join(name);
        if let Some(mention) = want.get("error") {
            let e = buffer.read(&path).unwrap_err();
            assert!(
                matches!(e, NpyError::UnsupportedDtype { .. }),
                "{name}: {e}"
            );
            assert!(
                e.to_string().contains(mention.as_str().unwrap()),
                "{name}: {e}"
            );
            continue;
        }
        let array = buffer.read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let scale = array
            .values()
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let slack = 4.0 * f64::EPSILON * scale;
        for (width, stats) in [
            ("scalar", Stats::of::<f64>(array.values())),
            ("simd", Stats::of::<Widest>(array.values())),
        ] {
            assert_eq!(stats.count, want["count"].as_u64().unwrap(), "{name}");
            for (key, ours) in [
                ("mean", stats.mean),
                ("std", stats.std),
                ("std_sample", stats.std_sample),
                ("min", stats.min),
                ("max", stats.max),
            ] {
                let theirs = number(&want[key]);
                assert!(
                    close(ours, theirs, slack),
                    "{name} {width} {key}: hetero {ours:e}, numpy {theirs:e}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} fixtures checked");
}

#[test]
fn fortran_order_holds_the_same_values_as_c_order() {
    let mut a = NpyBuffer::default();
    let mut b = NpyBuffer::default();
    let c = a.read(&fixtures().join("matrix_c.npy")).unwrap();
    let f = b.read(&fixtures().join("matrix_fortran.npy")).unwrap();
    assert!(!c.header.fortran_order && f.header.fortran_order);
    assert_eq!(c.header.shape, [20, 30]);
    assert_eq!(f.header.shape, [20, 30]);
    // The same matrix: element (i, j) is at i·30 + j in C and j·20 + i in Fortran.
    for i in 0..20 {
        for j in 0..30 {
            assert_eq!(c.values()[i * 30 + j], f.values()[j * 20 + i]);
        }
    }
}

#[test]
fn byte_orders_and_versions_read_the_same_numbers() {
    let mut buffer = NpyBuffer::default();
    let mut read = |name: &str| {
        buffer
            .read(&fixtures().join(name))
            .unwrap()
            .values()
            .to_vec()
    };
    assert_eq!(read("normal_f8_le.npy"), read("normal_f8_be.npy"));
    assert_eq!(read("normal_f4_le.npy"), read("normal_f4_be.npy"));
    assert_eq!(read("ints_i8_le.npy"), read("ints_i8_be.npy"));
    assert_eq!(read("ints_i4_le.npy"), read("ints_i4_be.npy"));
    assert_eq!(read("uints_u4_le.npy"), read("uints_u4_be.npy"));
    let v1 = read("normal_f8_le.npy");
    assert_eq!(read("version2.npy"), v1[..300]);
    assert_eq!(read("version3.npy"), v1[..300]);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-npy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn bad_files_are_errors_with_the_reason() {
    let dir = scratch("bad");
    let good = hetero_npy::to_npy_bytes(&[1.0f64, 2.0, 3.0], &[3]).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("text.npy", b"just some text, not an array\n".to_vec()),
        ("empty.npy", Vec::new()),
        ("truncated_data.npy", good[..good.len() - 5].to_vec()),
        ("truncated_header.npy", good[..30].to_vec()),
        ("version9.npy", {
            let mut b = good.clone();
            b[6] = 9;
            b
        }),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    std::fs::create_dir(dir.join("a_folder.npy")).unwrap();
    let mut buffer = NpyBuffer::default();
    let mut error = |name: &str| buffer.read(&dir.join(name)).unwrap_err();
    assert!(matches!(error("text.npy"), NpyError::NotNpy));
    assert!(matches!(error("empty.npy"), NpyError::NotNpy));
    let e = error("truncated_data.npy");
    assert!(
        matches!(
            e,
            NpyError::Truncated {
                expected: 24,
                found: 19
            }
        ),
        "{e}"
    );
    assert!(matches!(
        error("truncated_header.npy"),
        NpyError::Truncated { .. }
    ));
    assert!(matches!(
        error("version9.npy"),
        NpyError::UnsupportedVersion { major: 9, .. }
    ));
    let e = error("a_folder.npy");
    assert!(
        matches!(e, NpyError::Io { .. }) && e.to_string().contains("a_folder.npy"),
        "{e}"
    );
    let e = error("missing.npy");
    assert!(matches!(e, NpyError::Io { .. }), "{e}");
    // Bytes after the data are ignored, as numpy.load does.
    let mut longer = good.clone();
    longer.extend_from_slice(b"trailing");
    std::fs::write(dir.join("longer.npy"), longer).unwrap();
    assert_eq!(
        buffer.read(&dir.join("longer.npy")).unwrap().values(),
        [1.0, 2.0, 3.0]
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn written_files_read_back_for_every_element_type() {
    let dir = scratch("roundtrip");
    let mut buffer = NpyBuffer::default();
    let path = dir.join("a.npy");
    std::fs::write(
        &path,
        hetero_npy::to_npy_bytes(&[1.5f64, -2.0], &[2]).unwrap(),
    )
    .unwrap();
    assert_eq!(buffer.read(&path).unwrap().values(), [1.5, -2.0]);
    std::fs::write(
        &path,
        hetero_npy::to_npy_bytes(&[1.5f32, -2.0], &[1, 2]).unwrap(),
    )
    .unwrap();
    assert_eq!(buffer.read(&path).unwrap().header.shape, [1, 2]);
    std::fs::write(&path, hetero_npy::to_npy_bytes(&[7i64, -9], &[2]).unwrap()).unwrap();
    assert_eq!(buffer.read(&path).unwrap().values(), [7.0, -9.0]);
    std::fs::write(&path, hetero_npy::to_npy_bytes(&[7i32, -9], &[2]).unwrap()).unwrap();
    assert_eq!(buffer.read(&path).unwrap().values(), [7.0, -9.0]);
    std::fs::write(
        &path,
        hetero_npy::to_npy_bytes(&[u32::MAX, 3], &[2]).unwrap(),
    )
    .unwrap();
    assert_eq!(
        buffer.read(&path).unwrap().values(),
        [f64::from(u32::MAX), 3.0]
    );
    let e = hetero_npy::to_npy_bytes(&[1.0f64; 5], &[2, 3]).unwrap_err();
    assert!(matches!(e, NpyError::ShapeMismatch { .. }), "{e}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_pool_gives_every_file_its_own_result_for_any_reader_count() {
    let mut names: Vec<String> = expected().keys().cloned().collect();
    names.push("no-such-file.npy".into());
    let paths: Vec<PathBuf> = names.iter().map(|n| fixtures().join(n)).collect();
    let mut buffer = NpyBuffer::default();
    let alone: Vec<Option<Stats>> = paths
        .iter()
        .map(|p| buffer.read(p).ok().map(|a| Stats::of::<Widest>(a.values())))
        .collect();
    for readers in [1, 2, 3, 8, 1000] {
        let mut seen = vec![None; paths.len()];
        stats_of_files::<Widest>(&paths, readers, |r| {
            assert!(seen[r.index].is_none(), "file {} reported twice", r.index);
            seen[r.index] = Some(r.result.ok());
        });
        for (i, got) in seen.into_iter().enumerate() {
            let got = got.unwrap_or_else(|| panic!("file {i} not reported"));
            // Bit-equal, NaN included.
            assert_eq!(
                format!("{got:?}"),
                format!("{:?}", alone[i]),
                "{}",
                names[i]
            );
        }
    }
}

#[test]
fn streamed_chunks_give_the_bits_of_the_whole_array() {
    let dir = scratch("stream");
    // Several chunks and a ragged end; magnitudes that make order matter.
    let n = 3 * NpyBuffer::CHUNK + 1234;
    let values: Vec<f64> = (0..n)
        .map(|i| ((i * 7919) % 1009) as f64 * 10f64.powi((i % 9) as i32 - 4) - 3.0)
        .collect();
    let path = dir.join("long.npy");
    std::fs::write(&path, hetero_npy::to_npy_bytes(&values, &[n]).unwrap()).unwrap();
    let whole = Stats::of::<Widest>(&values);
    let mut chunks = 0;
    let mut acc = hetero_npy::StatsAccumulator::<Widest>::new();
    NpyBuffer::default()
        .for_each_chunk(&path, |c| {
            chunks += 1;
            acc.add(c);
        })
        .unwrap();
    assert_eq!(chunks, 4);
    assert_eq!(format!("{:?}", acc.finish()), format!("{whole:?}"));
    // Truncated by one value: an error, after the chunks before it.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
    let e = NpyBuffer::default()
        .for_each_chunk(&path, |_| {})
        .unwrap_err();
    assert!(matches!(e, NpyError::Truncated { .. }), "{e}");
    std::fs::remove_dir_all(dir).ok();
}
