//! Continuous colormaps and count → colour mapping for Julia images.

/// Well-known perceptual colormaps (matplotlib's), as evenly spaced stops
/// interpolated linearly in RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Colormap {
    Viridis,
    Magma,
    Inferno,
    Turbo,
    Grey,
}

impl Colormap {
    fn stops(self) -> &'static [u32] {
        match self {
            Self::Viridis => &[
                0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30,
                0xfde725,
            ],
            Self::Magma => &[
                0x000004, 0x1c1044, 0x4f127b, 0x812581, 0xb5367a, 0xe55064, 0xfb8761, 0xfec287,
                0xfcfdbf,
            ],
            Self::Inferno => &[
                0x000004, 0x1f0c48, 0x550f6d, 0x88226a, 0xba3655, 0xe35933, 0xf98e09, 0xf9cb35,
                0xfcffa4,
            ],
            Self::Turbo => &[
                0x30123b, 0x4662d7, 0x36aaf9, 0x1ae4b6, 0x72fe5e, 0xc7ef34, 0xfbb938, 0xf56918,
                0x7a0403,
            ],
            Self::Grey => &[0x000000, 0xffffff],
        }
    }

    /// The colour at t ∈ [0, 1].
    pub fn at(self, t: f64) -> [u8; 3] {
        let stops = self.stops();
        let x = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
        let i = (x.floor() as usize).min(stops.len() - 2);
        let f = x - i as f64;
        let channel = |c: u32, shift: u32| f64::from((c >> shift) & 0xff);
        let mix = |shift| {
            (channel(stops[i], shift) * (1.0 - f) + channel(stops[i + 1], shift) * f).round() as u8
        };
        [mix(16), mix(8), mix(0)]
    }
}

/// RGB pixels for `counts`: pixels that never escaped (count = maxiters) are
/// black; the others are histogram-equalised, so the colour runs smoothly
/// through the whole map whatever the distribution of counts, and equal
/// counts always get equal colours (brighter = escaped later).
///
/// # Errors
/// When the histogram (`maxiters` + 1 bins) or the pixels cannot be
/// allocated.
pub fn colorize(
    counts: &[u32],
    maxiters: u32,
    map: Colormap,
) -> Result<Vec<u8>, hetero::AllocError> {
    use hetero::alloc::{try_with_capacity, try_zeroed};
    let bins = u64::from(maxiters) + 1;
    let mut histogram: Vec<u64> = try_zeroed(bins, "julia: the colour histogram")?;
    for &c in counts {
        histogram[(c.min(maxiters)) as usize] += 1;
    }
    let escaped: u64 = histogram[..maxiters as usize].iter().sum();
    // t(c) = share of escaped pixels that escaped no later than c.
    let mut t = try_with_capacity(bins, "julia: the colour scale")?;
    let mut running = 0u64;
    for &h in &histogram[..maxiters as usize] {
        running += h;
        t.push(running as f64 / escaped.max(1) as f64);
    }
    let mut rgb = try_with_capacity(
        (counts.len() as u64).saturating_mul(3),
        "julia: the PNG's RGB pixels",
    )?;
    for &c in counts {
        let color = if c >= maxiters {
            [0, 0, 0]
        } else {
            map.at(t[c as usize])
        };
        rgb.extend_from_slice(&color);
    }
    Ok(rgb)
}

/// The PNG of `counts` (`height` rows of `width`), coloured with `map`.
///
/// # Errors
/// Why the encoder refused (an image past the PNG's limits), or a buffer
/// that could not be allocated.
pub fn png(
    counts: &[u32],
    width: usize,
    height: usize,
    maxiters: u32,
    map: Colormap,
) -> Result<Vec<u8>, super::Failure> {
    let rgb = colorize(counts, maxiters, map)?;
    let mut png = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut png),
        &rgb,
        width as u32,
        height as u32,
        image::ColorType::Rgb8,
        image::ImageFormat::Png,
    )
    .map_err(|e| super::Failure::runtime(format!("--output: cannot encode the PNG: {e}")))?;
    Ok(png)
}
