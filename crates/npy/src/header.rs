//! The `.npy` header: magic, version, and the Python dict literal that
//! gives the dtype, the memory order and the shape.
//!
//! ```text
//! \x93NUMPY | major minor | header length (u16 LE in 1.0, u32 LE in 2.0/3.0)
//! {'descr': '<f8', 'fortran_order': False, 'shape': (20, 30), }   padded with spaces, '\n'
//! ```

use crate::dtype::Dtype;
use crate::error::NpyError;

pub(crate) const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The longest header read: numpy's own limit (`max_header_size`, 10 000
/// bytes by default since numpy 1.24), far above the few hundred bytes of
/// any shape numpy writes. A longer length field is refused before any
/// buffer grows for it.
pub const MAX_HEADER_LEN: usize = 10_000;

/// What the header says about the array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub dtype: Dtype,
    /// Whether the data is in column-major (Fortran) order.
    pub fortran_order: bool,
    pub shape: Vec<u64>,
}

impl Header {
    /// Elements in the array (1 for a 0-d array).
    ///
    /// # Errors
    /// [`NpyError::TooLarge`] when the product overflows.
    pub fn elements(&self) -> Result<u64, NpyError> {
        self.shape
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d))
            .ok_or_else(|| NpyError::TooLarge {
                elements: format!("{:?}", self.shape),
            })
    }

    /// Parses the header at the start of `bytes`; returns it and where the
    /// data starts.
    ///
    /// # Errors
    /// [`NpyError::NotNpy`], [`NpyError::UnsupportedVersion`],
    /// [`NpyError::BadHeader`], [`NpyError::UnsupportedDtype`],
    /// [`NpyError::HeaderTooLong`] past [`MAX_HEADER_LEN`], or
    /// [`NpyError::Truncated`] when the header itself is cut short.
    pub fn parse(bytes: &[u8]) -> Result<(Self, usize), NpyError> {
        if bytes.len() < 10 || &bytes[..6] != MAGIC {
            return Err(NpyError::NotNpy);
        }
        let (major, minor) = (bytes[6], bytes[7]);
        let (len, start) = match major {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            2 | 3 if bytes.len() >= 12 => {
                let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                (len as usize, 12)
            }
            2 | 3 => {
                return Err(NpyError::Truncated {
                    expected: 12,
                    found: bytes.len() as u64,
                });
            }
            _ => return Err(NpyError::UnsupportedVersion { major, minor }),
        };
        if minor != 0 {
            return Err(NpyError::UnsupportedVersion { major, minor });
        }
        if len > MAX_HEADER_LEN {
            return Err(NpyError::HeaderTooLong {
                len: len as u64,
                limit: MAX_HEADER_LEN as u64,
            });
        }
        let end = start + len;
        let Some(raw) = bytes.get(start..end) else {
            return Err(NpyError::Truncated {
                expected: end as u64,
                found: bytes.len() as u64,
            });
        };
        // 1.0 and 2.0 headers are latin-1, 3.0 UTF-8; the keys and values
        // hetero accepts are ASCII either way.
        let text: String = if major == 3 {
            String::from_utf8(raw.to_vec()).map_err(|_| bad("the 3.0 header is not UTF-8"))?
        } else {
            raw.iter().map(|&b| char::from(b)).collect()
        };
        Ok((parse_dict(&text)?, end))
    }

    /// The header's bytes, version 1.0 (2.0 if the dict needs more than
    /// 65 535 bytes), padded so the data starts on a 64-byte boundary.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.shape.as_slice() {
            [one] => format!("({one},)"),
            dims => format!(
                "({})",
                dims.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let order = if self.fortran_order { "True" } else { "False" };
        let dict = format!(
            "{{'descr': '{}', 'fortran_order': {order}, 'shape': {shape}, }}",
            self.dtype.descr()
        );
        // Version 1.0 holds the padded header's length in a u16.
        let v1 = (10 + dict.len() + 1).next_multiple_of(64) - 10 <= usize::from(u16::MAX);
        let prefix = if v1 { 10 } else { 12 };
        let unpadded = prefix + dict.len() + 1;
        let padding = unpadded.next_multiple_of(64) - unpadded;
        let header_len = dict.len() + padding + 1;
        let mut out = Vec::with_capacity(unpadded + padding);
        out.extend_from_slice(MAGIC);
        if v1 {
            out.extend_from_slice(&[1, 0]);
            out.extend_from_slice(&(header_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&[2, 0]);
            out.extend_from_slice(&(header_len as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.extend(std::iter::repeat_n(b' ', padding));
        out.push(b'\n');
        out
    }
}

fn bad(reason: impl Into<String>) -> NpyError {
    NpyError::BadHeader {
        reason: reason.into(),
    }
}

/// A value of the header dict.
enum Value {
    Str(String),
    Bool(bool),
    Tuple(Vec<u64>),
    /// Anything else (a structured dtype's list), kept as text.
    Other(String),
}

/// Parses `{'descr': ..., 'fortran_order': ..., 'shape': (...), }`.
fn parse_dict(text: &str) -> Result<Header, NpyError> {
    let mut p = Parser {
        chars: text.trim().chars().collect(),
        at: 0,
    };
    p.require('{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        p.skip_space();
        if p.eat('}') {
            break;
        }
        let key = p.string()?;
        p.skip_space();
        p.require(':')?;
        p.skip_space();
        let value = p.value()?;
        match (key.as_str(), value) {
            ("descr", Value::Str(s)) => descr = Some(Dtype::parse(&s)?),
            ("descr", Value::Other(s)) => return Err(NpyError::UnsupportedDtype { descr: s }),
            ("fortran_order", Value::Bool(b)) => fortran = Some(b),
            ("shape", Value::Tuple(t)) => shape = Some(t),
            (key, _) => return Err(bad(format!("unexpected key or value for '{key}'"))),
        }
        p.skip_space();
        if !p.eat(',') {
            p.skip_space();
            p.require('}')?;
            break;
        }
    }
    Ok(Header {
        dtype: descr.ok_or_else(|| bad("no 'descr'"))?,
        fortran_order: fortran.ok_or_else(|| bad("no 'fortran_order'"))?,
        shape: shape.ok_or_else(|| bad("no 'shape'"))?,
    })
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.at += usize::from(hit);
        hit
    }

    fn require(&mut self, c: char) -> Result<(), NpyError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad(format!("expected '{c}' at character {}", self.at)))
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn string(&mut self) -> Result<String, NpyError> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => {
                return Err(bad(format!(
                    "expected a quoted key at character {}",
                    self.at
                )));
            }
        };
        self.at += 1;
        let start = self.at;
        while self.peek().is_some_and(|c| c != quote) {
            self.at += 1;
        }
        let s: String = self.chars[start..self.at].iter().collect();
        self.require(quote)?;
        Ok(s)
    }

    fn value(&mut self) -> Result<Value, NpyError> {
        match self.peek() {
            Some('\'' | '"') => Ok(Value::Str(self.string()?)),
            Some('(') => self.tuple(),
            Some('[') => {
                // A structured dtype: keep its text for the message.
                let start = self.at;
                let mut depth = 0usize;
                while let Some(c) = self.peek() {
                    self.at += 1;
                    match c {
                        '[' | '(' => depth += 1,
                        ']' | ')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Ok(Value::Other(self.chars[start..self.at].iter().collect()))
            }
            _ => {
                let start = self.at;
                while self.peek().is_some_and(char::is_alphanumeric) {
                    self.at += 1;
                }
                match self.chars[start..self.at]
                    .iter()
                    .collect::<String>()
                    .as_str()
                {
                    "True" => Ok(Value::Bool(true)),
                    "False" => Ok(Value::Bool(false)),
                    other => Err(bad(format!("unexpected value '{other}'"))),
                }
            }
        }
    }

    fn tuple(&mut self) -> Result<Value, NpyError> {
        self.require('(')?;
        let mut dims = Vec::new();
        loop {
            self.skip_space();
            if self.eat(')') {
                break;
            }
            let start = self.at;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.at += 1;
            }
            let digits: String = self.chars[start..self.at].iter().collect();
            // numpy may write Python 2 longs as 5L.
            self.eat('L');
            dims.push(
                digits
                    .parse::<u64>()
                    .map_err(|_| bad(format!("shape entry '{digits}' is not a size")))?,
            );
            self.skip_space();
            if !self.eat(',') {
                self.skip_space();
                self.require(')')?;
                break;
            }
        }
        Ok(Value::Tuple(dims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Kind;

    fn header(shape: &[u64], fortran_order: bool) -> Header {
        Header {
            dtype: Dtype {
                kind: Kind::F64,
                big_endian: false,
            },
            fortran_order,
            shape: shape.to_vec(),
        }
    }

    #[test]
    fn written_headers_parse_back_and_align_the_data() {
        for shape in [&[][..], &[0], &[5], &[20, 30], &[2, 3, 4]] {
            for fortran in [false, true] {
                let h = header(shape, fortran);
                let bytes = h.to_bytes();
                assert_eq!(bytes.len() % 64, 0);
                assert_eq!(Header::parse(&bytes).unwrap(), (h, bytes.len()));
            }
        }
    }

    #[test]
    fn a_header_longer_than_numpys_limit_is_refused_from_its_length_field() {
        // numpy's max_header_size: 10 000 bytes are read, one more is not,
        // whatever follows (here: nothing, so nothing was read for it).
        let padded = |len: usize| {
            let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&[2, 0]);
            b.extend_from_slice(&(len as u32).to_le_bytes());
            b.extend_from_slice(dict.as_bytes());
            b.resize(12 + len - 1, b' ');
            b.push(b'\n');
            b
        };
        assert!(Header::parse(&padded(MAX_HEADER_LEN)).is_ok());
        let e = Header::parse(&padded(MAX_HEADER_LEN + 1)).unwrap_err();
        assert!(
            matches!(e, NpyError::HeaderTooLong { len: 10_001, .. }),
            "{e}"
        );
        let mut claim = MAGIC.to_vec();
        claim.extend_from_slice(&[2, 0]);
        claim.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
        let e = Header::parse(&claim).unwrap_err();
        assert!(e.to_string().contains("max_header_size"), "{e}");
    }

    #[test]
    fn bad_headers_are_errors_that_say_what() {
        let good = header(&[3], false).to_bytes();
        assert!(matches!(Header::parse(b"hello"), Err(NpyError::NotNpy)));
        assert!(matches!(
            Header::parse(&good[..20]),
            Err(NpyError::Truncated { .. })
        ));
        let mut v9 = good.clone();
        v9[6] = 9;
        assert!(matches!(
            Header::parse(&v9),
            Err(NpyError::UnsupportedVersion { major: 9, .. })
        ));
        let text = |dict: &str| {
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&[1, 0]);
            b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
            b.extend_from_slice(dict.as_bytes());
            Header::parse(&b)
        };
        assert!(text("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }").is_ok());
        for broken in [
            "{'descr': '<f8', 'shape': (3,), }",
            "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3,), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
            "['descr']",
            "{'descr': '<f8'",
        ] {
            let e = text(broken).unwrap_err();
            assert!(matches!(e, NpyError::BadHeader { .. }), "{broken}: {e}");
        }
        let e =
            text("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }").unwrap_err();
        assert!(e.to_string().contains("('a', '<f8')"), "{e}");
        let huge = text(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }",
        )
        .unwrap()
        .0;
        assert!(matches!(huge.elements(), Err(NpyError::TooLarge { .. })));
    }
}
