//! What machine and build the figures come from.

/// The CPU's model name, from /proc/cpuinfo where there is one.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// The SIMD features this binary was compiled with (what `wide` uses).
pub fn compiled_simd() -> Vec<&'static str> {
    let mut f = Vec::new();
    macro_rules! feature {
        ($($name:tt),*) => {$(
            if cfg!(target_feature = $name) {
                f.push($name);
            }
        )*};
    }
    feature!(
        "sse2", "sse4.1", "sse4.2", "avx", "avx2", "fma", "avx512f", "neon"
    );
    f
}

/// Logical cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One line per GPU adapter wgpu can see, software ones labelled.
pub fn adapters() -> Vec<String> {
    hetero::gpu::list_adapters()
        .iter()
        .map(ToString::to_string)
        .collect()
}
