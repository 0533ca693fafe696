//! The WGSL sources (one file per problem in `shaders/`), their validation
//! with naga, and the splicing of user integrands into the midpoint kernels.

use crate::error::{GpuError, GpuResult};

pub const JULIA: &str = include_str!("../../../shaders/julia.wgsl");
pub const GAUSSIAN: &str = include_str!("../../../shaders/gaussian.wgsl");
pub const PI: &str = include_str!("../../../shaders/pi.wgsl");
pub const MIDPOINT: &str = include_str!("../../../shaders/midpoint.wgsl");
pub const MIDPOINT_F64: &str = include_str!("../../../shaders/midpoint_f64.wgsl");

/// Every shader hetero ships: (file name, source, needs SHADER_F64).
pub const ALL: [(&str, &str, bool); 5] = [
    ("julia.wgsl", JULIA, false),
    ("gaussian.wgsl", GAUSSIAN, false),
    ("pi.wgsl", PI, false),
    ("midpoint.wgsl", MIDPOINT, false),
    ("midpoint_f64.wgsl", MIDPOINT_F64, true),
];

/// The line of `julia.wgsl` that rounds 2·zr·zi + ci, and its exact f64 form.
const JULIA_FMA_STEP: &str = "let zi_next = fma(2.0 * zr, zi, params.ci); // ZI STEP";
const JULIA_F64_STEP: &str = "let zi_next = f32(f64(2.0 * zr) * f64(zi) + f64(params.ci));";

/// `julia.wgsl`, with the single-rounding step done in f64 when `exact_f64`
/// (the device has SHADER_F64): 2·zr·zi is exact in f64, so this rounds
/// like the CPU's fused multiply-add, whatever the driver does with `fma`.
pub fn julia_source(exact_f64: bool) -> String {
    if exact_f64 {
        JULIA.replace(JULIA_FMA_STEP, JULIA_F64_STEP)
    } else {
        JULIA.to_owned()
    }
}

const BEGIN: &str = "// BEGIN INTEGRAND";
const END: &str = "// END INTEGRAND";

/// Parses and validates WGSL with naga, as the device would.
///
/// # Errors
/// [`GpuError::InvalidShader`] with naga's message, pointing into `source`.
pub fn validate(label: &str, source: &str, f64: bool) -> GpuResult<naga::Module> {
    let invalid = |message| GpuError::InvalidShader {
        label: label.to_owned(),
        message,
    };
    let module =
        naga::front::wgsl::parse_str(source).map_err(|e| invalid(e.emit_to_string(source)))?;
    let capabilities = if f64 {
        naga::valid::Capabilities::FLOAT64
    } else {
        naga::valid::Capabilities::empty()
    };
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
        .validate(&module)
        .map_err(|e| invalid(e.emit_to_string(source)))?;
    Ok(module)
}

/// The midpoint template with its integrand replaced by
/// `fn f(x: T) -> T { body }` (T = f32, or f64 when `f64`). In the f64
/// template the body may call `exp_f64`.
pub fn splice_integrand(body: &str, f64: bool) -> String {
    let (template, ty) = if f64 {
        (MIDPOINT_F64, "f64")
    } else {
        (MIDPOINT, "f32")
    };
    // Both markers are in the shipped templates (a test checks it).
    let start = template.find(BEGIN).unwrap_or(0);
    let end = template.find(END).map_or(template.len(), |e| e + END.len());
    format!(
        "{}// user integrand\nfn f(x: {ty}) -> {ty} {{\n{body}\n}}{}",
        &template[..start],
        &template[end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_julia_variant_replaces_the_step_and_validates() {
        let exact = julia_source(true);
        assert!(!exact.contains(JULIA_FMA_STEP) && exact.contains(JULIA_F64_STEP));
        validate("julia:f64", &exact, true).unwrap();
        assert_eq!(julia_source(false), JULIA);
    }

    #[test]
    fn templates_have_the_integrand_markers() {
        for t in [MIDPOINT, MIDPOINT_F64] {
            let (b, e) = (t.find(BEGIN).unwrap(), t.find(END).unwrap());
            assert!(b < e);
        }
    }

    #[test]
    fn spliced_integrands_validate_and_bad_ones_explain_why() {
        let ok = splice_integrand("return x * x;", false);
        assert!(!ok.contains("exp(-x * x)"));
        validate("midpoint:test", &ok, false).unwrap();
        validate(
            "midpoint:test",
            &splice_integrand("return exp_f64(x) * x;", true),
            true,
        )
        .unwrap();
        let bad = validate(
            "midpoint:test",
            &splice_integrand("return y;", false),
            false,
        )
        .unwrap_err();
        match bad {
            GpuError::InvalidShader { message, .. } => assert!(message.contains('y'), "{message}"),
            other => panic!("{other:?}"),
        }
        let wrong_type = validate(
            "midpoint:test",
            &splice_integrand("return 1u;", false),
            false,
        );
        assert!(matches!(wrong_type, Err(GpuError::InvalidShader { .. })));
    }
}
