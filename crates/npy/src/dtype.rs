//! The element types hetero reads, from the header's `descr` string
//! (`'<f8'`, `'>i4'`, ...).

use crate::error::NpyError;

/// What an element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    F64,
    F32,
    I64,
    I32,
    U32,
}

/// An element type and its byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtype {
    pub kind: Kind,
    pub big_endian: bool,
}

impl Dtype {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self.kind {
            Kind::F64 | Kind::I64 => 8,
            Kind::F32 | Kind::I32 | Kind::U32 => 4,
        }
    }

    /// Whether the bytes are already this machine's f64s.
    pub fn is_native_f64(self) -> bool {
        self.kind == Kind::F64 && self.big_endian == cfg!(target_endian = "big")
    }

    /// The descr string numpy writes for this type.
    pub fn descr(self) -> String {
        let order = if self.big_endian { '>' } else { '<' };
        let code = match self.kind {
            Kind::F64 => "f8",
            Kind::F32 => "f4",
            Kind::I64 => "i8",
            Kind::I32 => "i4",
            Kind::U32 => "u4",
        };
        format!("{order}{code}")
    }

    /// Parses a simple descr such as `<f8` or `>u4`.
    ///
    /// # Errors
    /// [`NpyError::UnsupportedDtype`] for anything else.
    pub fn parse(descr: &str) -> Result<Self, NpyError> {
        let unsupported = || NpyError::UnsupportedDtype {
            descr: descr.to_owned(),
        };
        let (order, code) = descr.split_at_checked(1).ok_or_else(unsupported)?;
        let big_endian = match order {
            "<" => false,
            ">" => true,
            // '=' (native) and '|' (not applicable) for multi-byte types.
            "=" => cfg!(target_endian = "big"),
            _ => return Err(unsupported()),
        };
        let kind = match code {
            "f8" => Kind::F64,
            "f4" => Kind::F32,
            "i8" => Kind::I64,
            "i4" => Kind::I32,
            "u4" => Kind::U32,
            _ => return Err(unsupported()),
        };
        Ok(Self { kind, big_endian })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descr_round_trips_and_others_are_refused() {
        for kind in [Kind::F64, Kind::F32, Kind::I64, Kind::I32, Kind::U32] {
            for big_endian in [false, true] {
                let d = Dtype { kind, big_endian };
                assert_eq!(Dtype::parse(&d.descr()).unwrap(), d);
            }
        }
        for bad in [
            "", "<", "f8", "<f2", "<c16", "|b1", "<U3", "|u1", "<i2", "<u8", "!f8",
        ] {
            let e = Dtype::parse(bad).unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
        }
    }
}
