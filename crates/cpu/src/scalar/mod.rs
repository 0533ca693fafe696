//! The `scalar` backend: plain loops, one element at a time. It is the
//! oracle every other backend is compared with, so it favours the obvious
//! expression of each recipe over speed.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;
