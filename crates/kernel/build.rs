//! Validates every `shaders/*.wgsl` with naga before hetero-kernel compiles,
//! as vello's shader crate does: a shader that would not compile on a
//! device fails the build with naga's message, not a user's first GPU call.
//! Each file is checked after `prelude.wgsl`, as the GPU drivers compile it,
//! and after `exp_f64.wgsl` when it calls `exp_f64`, as its kernel does.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shaders");
    println!("cargo:rerun-if-changed={}", dir.display());
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    };
    let prelude = read(&dir.join("prelude.wgsl"));
    let exp_f64 = read(&dir.join("exp_f64.wgsl"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "wgsl"))
        .collect();
    files.sort();
    assert!(files.len() > 1, "shaders/ holds no kernel .wgsl file");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let own = read(&path);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let source = match name {
            "prelude.wgsl" | "exp_f64.wgsl" => own,
            _ if own.contains("exp_f64(") => format!("{prelude}\n{exp_f64}\n{own}"),
            _ => format!("{prelude}\n{own}"),
        };
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}:\n{}", path.display(), e.emit_to_string(&source)));
        // FLOAT64 allows the f64 kernels; whether a device has it is
        // checked when a program is compiled.
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::FLOAT64,
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}:\n{}", path.display(), e.emit_to_string(&source)));
    }
}
