//! WGSL checked with naga before the device sees it, so a bad shader (a
//! user's integrand, say) is a typed error with naga's message, never a
//! driver crash.

use hetero_kernel::gpu::PRELUDE;

use crate::error::{GpuError, GpuResult};

/// A kernel's source after the protocol's prelude: what is compiled.
pub fn with_prelude(source: &str) -> String {
    format!("{PRELUDE}\n{source}")
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use hetero_kernel::problems::midpoint::splice_integrand;

    #[test]
    fn spliced_integrands_validate_and_bad_ones_explain_why() {
        let ok = with_prelude(&splice_integrand("return x * x;", false));
        assert!(!ok.contains("exp(-x * x)"));
        validate("midpoint:test", &ok, false).unwrap();
        let f64_source = with_prelude(&splice_integrand("return exp_f64(x) * x;", true));
        validate("midpoint:test", &f64_source, true).unwrap();
        let bad = validate(
            "midpoint:test",
            &with_prelude(&splice_integrand("return y;", false)),
            false,
        )
        .unwrap_err();
        match bad {
            GpuError::InvalidShader { message, .. } => assert!(message.contains('y'), "{message}"),
            other => panic!("{other:?}"),
        }
        let wrong_type = validate(
            "midpoint:test",
            &with_prelude(&splice_integrand("return 1u;", false)),
            false,
        );
        assert!(matches!(wrong_type, Err(GpuError::InvalidShader { .. })));
    }
}
