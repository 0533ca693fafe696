//! Writing `.npy` files: little-endian, C order, version 1.0 (2.0 for
//! headers too long for it), data on a 64-byte boundary, as numpy does.

use crate::dtype::{Dtype, Kind};
use crate::error::NpyError;
use crate::header::Header;

/// An element type hetero writes.
pub trait NpyElement: bytemuck::Pod {
    const KIND: Kind;
    fn to_le(self) -> Self;
}

macro_rules! element {
    ($t:ty, $kind:ident, $bits:ty) => {
        impl NpyElement for $t {
            const KIND: Kind = Kind::$kind;
            fn to_le(self) -> Self {
                bytemuck::cast::<$bits, $t>(bytemuck::cast::<$t, $bits>(self).to_le())
            }
        }
    };
}

element!(f64, F64, u64);
element!(f32, F32, u32);
element!(i64, I64, i64);
element!(i32, I32, i32);
element!(u32, U32, u32);

/// The bytes of an `.npy` file holding `data` with `shape` (C order), so
/// `np.load` gives it back. An empty `shape` is a 0-d array of one element.
///
/// # Errors
/// [`NpyError::ShapeMismatch`] unless `shape`'s product is `data.len()`;
/// [`NpyError::OutOfMemory`] when the bytes cannot be allocated.
pub fn to_npy_bytes<T: NpyElement>(data: &[T], shape: &[usize]) -> Result<Vec<u8>, NpyError> {
    let elements = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if elements != Some(data.len()) {
        return Err(NpyError::ShapeMismatch {
            shape: shape.to_vec(),
            len: data.len(),
        });
    }
    let header = Header {
        dtype: Dtype {
            kind: T::KIND,
            big_endian: false,
        },
        fortran_order: false,
        shape: shape.iter().map(|&d| d as u64).collect(),
    }
    .to_bytes();
    let bytes = (header.len() as u64).saturating_add(std::mem::size_of_val(data) as u64);
    let mut out = hetero_core::alloc::try_with_capacity(bytes, "npy: the file's bytes")?;
    out.extend_from_slice(&header);
    if cfg!(target_endian = "little") {
        out.extend_from_slice(bytemuck::cast_slice(data));
    } else {
        for &v in data {
            out.extend_from_slice(bytemuck::bytes_of(&v.to_le()));
        }
    }
    Ok(out)
}
