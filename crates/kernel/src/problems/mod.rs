//! The problems of the reference notebooks, each a kernel of the model in
//! one file (or folder), twin of its `shaders/<name>.wgsl`.
//!
//! The list is the folder: the build script makes every file here a module
//! and adds its `PROBLEM` (a [`crate::Problem`]) to [`ALL`], which the GPU
//! start-up, the bench and the tests read.

include!(concat!(env!("OUT_DIR"), "/problems.rs"));
