//! One `impl Engine` block per problem: validation has happened in the spec
//! types, so each method only dispatches to a backend.

mod gaussian;
mod julia;
mod midpoint;
mod pi;
