//! # hetero-cpu
//!
//! The CPU drivers of hetero, each generic over any kernel of the model
//! ([`hetero_kernel`]) and any instruction width:
//!
//! | driver | with `lanes::Scalar` | with a level's vector lanes (`Simd`, `Avx2`, `Avx512`) |
//! | --- | --- | --- |
//! | [`sequential`] (the calling thread) | `scalar` | `simd` |
//! | [`parallel`] (the current rayon pool) | `threads` | `simd-threads` |
//! | [`scheduled`] (the caller, helped by a pool as a [`hetero_core::Schedule`] deals; fork-join for large `Auto` calls) | `threads` | `simd-threads` |
//!
//! Every leaf goes through [`leaf`]: its lanes' level trampoline.
//! A driver only cuts the kernel's index space and combines partials along
//! the fixed tree of [`hetero_core::chunks`]; the kernels compute. The two
//! threaded drivers give the same bits; [`caller_helps`] (the claim protocol
//! under [`scheduled`]) serves calls of up to [`caller_helps::MAX_CHUNKS`]
//! chunks under `Auto`, where waking a parked pool would cost more than the
//! work, and every call under an explicit schedule.

// Unsafe code only where a module allows it (each block with its SAFETY
// comment): a new `unsafe` elsewhere is a visible decision.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod caller_helps;
pub mod leaf;
pub mod parallel;
pub mod scheduled;
pub mod sequential;
