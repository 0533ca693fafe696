//! The GPU sides without a GPU: every registered problem's programs (as a
//! device with and without SHADER_F64 would compile them) validate with
//! naga after the prelude, and the Rust mirrors of WGSL structs have the
//! shaders' sizes and offsets.

use hetero_kernel::gpu::{Dispatch, EXP_F64, GpuCaps, PRELUDE};
use hetero_kernel::problems::gaussian::{self, GaussianParams};
use hetero_kernel::problems::julia::{self, JuliaParams};
use hetero_kernel::problems::midpoint::{ParamsF32, ParamsF64, splice_integrand};
use hetero_kernel::problems::pi::{self, PiParams};
use hetero_kernel::problems::{self, midpoint};

fn validate(label: &str, source: &str) -> naga::Module {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{label}:\n{}", e.emit_to_string(source)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::FLOAT64,
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{label}:\n{}", e.emit_to_string(source)));
    module
}

#[test]
fn every_registered_program_validates_after_the_prelude() {
    let mut seen = 0;
    for problem in problems::ALL {
        for f64 in [false, true] {
            for program in problem.gpu_programs(&GpuCaps { f64 }) {
                let source = format!("{PRELUDE}\n{}", program.source);
                validate(program.label, &source);
                assert!(program.workgroup_size > 0);
                seen += 1;
            }
        }
    }
    assert!(seen >= 2 * problems::ALL.len(), "{seen} programs");
}

/// (size, [(member, offset)]) of struct `name` in a module.
fn wgsl_struct(module: &naga::Module, name: &str) -> (u32, Vec<(String, u32)>) {
    for (_, ty) in module.types.iter() {
        if ty.name.as_deref() == Some(name)
            && let naga::TypeInner::Struct { members, span } = &ty.inner
        {
            let members = members
                .iter()
                .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
                .collect();
            return (*span, members);
        }
    }
    panic!("no struct {name}");
}

macro_rules! check_layout {
    ($source:expr, $name:literal, $ty:ty, [$($field:ident),*]) => {{
        let module = validate(stringify!($ty), &format!("{PRELUDE}\n{}", $source));
        let (span, members) = wgsl_struct(&module, $name);
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
        "",
        "Dispatch",
        Dispatch,
        [first_lo, first_hi, count, tile_item, tile_group]
    );
    check_layout!(
        julia::SHADER,
        "Params",
        JuliaParams,
        [width, maxiters, cr, ci, opaque_zero]
    );
    check_layout!(gaussian::SHADER, "Params", GaussianParams, [gamma]);
    check_layout!(
        pi::gpu::SHADER,
        "Params",
        PiParams,
        [first_pair_lo, first_pair_hi, pairs, key]
    );
    check_layout!(midpoint::gpu::TEMPLATE_F32, "Params", ParamsF32, [x0, h]);
    check_layout!(
        format!("{EXP_F64}{}", midpoint::gpu::TEMPLATE_F64),
        "Params",
        ParamsF64,
        [x0, h]
    );
}

#[test]
fn the_exact_julia_variant_replaces_the_step() {
    let exact = julia::shader_source(true);
    assert_ne!(exact, julia::SHADER);
    assert!(exact.contains("f64(2.0 * zr) * f64(zi)"));
    assert!(!exact.contains("fma(2.0 * zr, zi, params.ci)"));
    assert_eq!(julia::shader_source(false), julia::SHADER);
}

#[test]
fn integrands_splice_between_the_markers() {
    for f64 in [false, true] {
        let ty = if f64 { "f64" } else { "f32" };
        let spliced = splice_integrand("return x * 3.0;", f64);
        assert!(spliced.contains(&format!("fn f(x: {ty}) -> {ty} {{\nreturn x * 3.0;\n}}")));
        assert!(!spliced.contains("BEGIN INTEGRAND"));
        assert_eq!(spliced.matches("fn f(").count(), 1, "{spliced}");
        validate("spliced", &format!("{PRELUDE}\n{spliced}"));
    }
}

#[test]
fn generated_programs_validate() {
    use hetero_kernel::term_sum::splice_term;
    use hetero_kernel::zip::zip_source;
    for f64 in [false, true] {
        let term = splice_term("    let v0 = (i * i);\n    return v0;", f64);
        validate("term-sum", &format!("{PRELUDE}\n{term}"));
        for inputs in 1..4 {
            let body = "    return x0;";
            let source = if f64 {
                zip_source::<f64>(inputs, body)
            } else {
                zip_source::<f32>(inputs, body)
            };
            validate("map", &format!("{PRELUDE}\n{source}"));
        }
    }
    let bare = hetero_kernel::term_sum::TEMPLATE;
    assert!(bare.contains("// BEGIN TERM") && bare.contains("// END TERM"));
}
