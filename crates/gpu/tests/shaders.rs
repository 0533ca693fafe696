//! Every shader in `shaders/` parses and validates with naga, the folder is
//! not empty, every file is one hetero ships, and the Rust mirrors of WGSL
//! structs have the shaders' sizes and offsets. No GPU needed.

use std::path::PathBuf;

use hetero_gpu::kernels::{gaussian::GaussianParams, julia::JuliaParams, midpoint, pi::PiParams};
use hetero_gpu::shaders;

fn shader_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shaders")
}

#[test]
fn every_shader_file_validates() {
    let mut files: Vec<_> = std::fs::read_dir(shader_dir())
        .expect("the shaders/ folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "shaders/ holds no .wgsl file");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let (_, shipped, f64) = shaders::ALL
            .iter()
            .find(|(n, _, _)| *n == name)
            .unwrap_or_else(|| panic!("{name} is in shaders/ but not in shaders::ALL"));
        assert_eq!(*shipped, source, "{name}: the compiled-in copy is stale");
        if let Err(e) = shaders::validate(&name, &source, *f64) {
            panic!("{e}");
        }
    }
    assert_eq!(
        files.len(),
        shaders::ALL.len(),
        "shaders::ALL names a file that is not in shaders/"
    );
}

/// (size, [(member, offset)]) of struct `Params` in a shader, by naga.
fn wgsl_params(source: &str, f64: bool) -> (u32, Vec<(String, u32)>) {
    let module = shaders::validate("layout", source, f64).unwrap();
    for (_, ty) in module.types.iter() {
        if ty.name.as_deref() == Some("Params")
            && let naga::TypeInner::Struct { members, span } = &ty.inner
        {
            let members = members
                .iter()
                .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
                .collect();
            return (*span, members);
        }
    }
    panic!("no struct Params");
}

macro_rules! check_layout {
    ($source:expr, $f64:expr, $ty:ty, [$($field:ident),*]) => {{
        let (span, members) = wgsl_params($source, $f64);
        assert_eq!(span as usize, size_of::<$ty>(), concat!(stringify!($ty), " size"));
        $(
            let wgsl = members.iter().find(|(n, _)| n == stringify!($field)).expect(stringify!($field)).1;
            assert_eq!(wgsl as usize, core::mem::offset_of!($ty, $field), concat!(stringify!($ty), ".", stringify!($field)));
        )*
    }};
}

#[test]
fn rust_mirrors_match_the_wgsl_structs() {
    check_layout!(
        shaders::JULIA,
        false,
        JuliaParams,
        [width, rows, maxiters, cr, ci, opaque_zero]
    );
    check_layout!(shaders::GAUSSIAN, false, GaussianParams, [n, gamma]);
    check_layout!(
        shaders::PI,
        false,
        PiParams,
        [first_pair_lo, first_pair_hi, pairs, key]
    );
    check_layout!(
        shaders::MIDPOINT,
        false,
        midpoint::MidpointParams,
        [x0, h, count, partial_offset]
    );
    check_layout!(
        shaders::MIDPOINT_F64,
        true,
        midpoint::MidpointParamsF64,
        [x0, h, count, partial_offset]
    );
}
