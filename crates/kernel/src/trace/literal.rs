//! Constants as WGSL literals that round-trip exactly.

use crate::real::Float;

/// `value` as a WGSL literal of its lane type, or why it has none.
pub(super) fn literal<T: Float>(value: T) -> Result<String, &'static str> {
    let x = value.to_f64();
    if T::WGSL == "f32" {
        let v = x as f32;
        if v.is_finite() {
            // Debug prints the shortest decimal that rounds back to `v`.
            Ok(format!("({v:?}f)"))
        } else {
            Ok(format!("bitcast<f32>({}u)", v.to_bits()))
        }
    } else if x.is_finite() {
        Ok(format!("({x:?}lf)"))
    } else {
        Err("a non-finite f64 constant has no WGSL literal")
    }
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn literals_are_exact_and_typed() {
        assert_eq!(literal(1.0f32).unwrap(), "(1.0f)");
        assert_eq!(literal(-0.5f32).unwrap(), "(-0.5f)");
        assert_eq!(literal(1e-10f32).unwrap(), "(1e-10f)");
        assert_eq!(literal(0.1f64).unwrap(), "(0.1lf)");
        assert_eq!(
            literal(f32::INFINITY).unwrap(),
            format!("bitcast<f32>({}u)", f32::INFINITY.to_bits())
        );
        assert!(literal(f64::NAN).is_err());
        // Shortest round-trip: the printed decimal parses back to the bits.
        let third = 1.0f32 / 3.0;
        let text = literal(third).unwrap();
        let digits = text.trim_start_matches('(').trim_end_matches("f)");
        assert_eq!(digits.parse::<f32>().unwrap().to_bits(), third.to_bits());
    }
}
