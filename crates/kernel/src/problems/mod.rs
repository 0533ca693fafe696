//! The problems of the reference notebooks, each a kernel of the model in
//! one file (or folder), twin of its `shaders/<name>.wgsl`.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;

use crate::problem::Problem;

/// Every built-in problem, in name order.
pub const ALL: [&dyn Problem; 4] = [
    gaussian::PROBLEM,
    julia::PROBLEM,
    midpoint::PROBLEM,
    pi::PROBLEM,
];
