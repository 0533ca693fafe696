//! NumPy `.npy` (format 1.0) for a 2-D array of little-endian u32, so
//! `np.load("counts.npy")` gives the counts with shape (height, width).

/// The bytes of an `.npy` file holding `data` with shape (rows, cols).
pub fn u32_2d(data: &[u32], rows: usize, cols: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<u4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic (6) + version (2) + header length (2) + dict + padding + '\n'
    // must be a multiple of 64 bytes.
    let unpadded = 10 + dict.len() + 1;
    let padding = unpadded.next_multiple_of(64) - unpadded;
    let header_len = (dict.len() + padding + 1) as u16;
    let mut out = Vec::with_capacity(unpadded + padding + data.len() * 4);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', padding));
    out.push(b'\n');
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}
