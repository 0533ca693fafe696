//! What machine and build the figures come from.

/// The CPU's model name, from /proc/cpuinfo where there is one (the one
/// `auto`'s cache is keyed by).
pub fn cpu_model() -> String {
    hetero::auto::cache::cpu_model()
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
    // `#N` is what HETERO_GPU_ADAPTER takes to pick that one.
    hetero::gpu::list_adapters()
        .iter()
        .enumerate()
        .map(|(index, adapter)| format!("#{index} {adapter}"))
        .collect()
}
