//! The problems of the reference notebooks, each a kernel of the model in
//! one file (or folder), twin of its `shaders/<name>.wgsl`.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;
