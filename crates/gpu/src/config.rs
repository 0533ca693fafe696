//! How a [`crate::GpuContext`] is opened.

use std::ffi::OsString;

use crate::error::{GpuError, GpuResult};

/// The default cap on device + staging memory one call may hold: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: u64 = 256 << 20;

/// Options for opening the GPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuConfig {
    /// Pick the adapter whose name contains this text (case-insensitive),
    /// whose backend is named so (`vulkan`, `metal`, `dx12`, `gl`), or — as
    /// `#N` — the N-th adapter wgpu enumerates, counting from 0 (two
    /// identical GPUs have the same name; `hetero-bench info` lists the
    /// indices). `None`: the high-performance adapter wgpu prefers.
    pub adapter: Option<String>,
    /// Device and staging buffers one call may hold. Large problems are
    /// split into chunks or tiles that fit; nothing is allocated before it
    /// is checked against this and the device limits.
    pub memory_budget: u64,
    /// Cap on workgroups per dispatch dimension, below the device's own
    /// limit: shorter dispatches keep a display GPU responsive (and let
    /// tests reach the multi-dispatch paths at small sizes). `None`: the
    /// device limit.
    pub max_workgroups_per_dimension: Option<u32>,
    /// The folder compiled pipelines are kept in between processes, where
    /// the device keeps a pipeline cache (wgpu's `PIPELINE_CACHE`: Vulkan);
    /// one file per adapter. `None`: compiled anew by each process.
    pub pipeline_cache_dir: Option<std::path::PathBuf>,
}

impl Default for GpuConfig {
    fn default() -> Self {
        Self {
            adapter: None,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            max_workgroups_per_dimension: None,
            pipeline_cache_dir: None,
        }
    }
}

/// The index `#N` names, if `wanted` is of that form (`#0`, `# 1`).
pub(crate) fn adapter_index(wanted: &str) -> Option<usize> {
    wanted.strip_prefix('#')?.trim().parse().ok()
}

/// The most `HETERO_GPU_BUDGET_MIB` accepts: a budget in bytes must fit u64.
pub const MAX_BUDGET_MIB: u64 = u64::MAX >> 20;

impl GpuConfig {
    /// The defaults, overridden by `HETERO_GPU_ADAPTER` (name, backend or
    /// `#index`)
    /// and `HETERO_GPU_BUDGET_MIB` (a whole number of MiB, at least 1).
    /// Unset or empty variables keep the defaults.
    ///
    /// # Errors
    /// [`GpuError::BadSetting`] naming the variable, for a value that is
    /// not accepted (never silently ignored).
    pub fn from_env() -> GpuResult<Self> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// As [`Self::from_env`], reading variables through `var` (testable
    /// without touching the process environment).
    ///
    /// # Errors
    /// As [`Self::from_env`].
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> GpuResult<Self> {
        let mut config = Self::default();
        let read = |name: &'static str, accepted: &'static str| -> GpuResult<Option<String>> {
            match var(name) {
                None => Ok(None),
                Some(raw) => match raw.into_string() {
                    Ok(v) if v.trim().is_empty() => Ok(None),
                    Ok(v) => Ok(Some(v.trim().to_owned())),
                    Err(raw) => Err(GpuError::BadSetting {
                        variable: name,
                        value: raw.to_string_lossy().into_owned(),
                        accepted,
                    }),
                },
            }
        };
        const ADAPTER: &str = "give part of an adapter's name, a backend (vulkan, metal, dx12, gl) or #N for the N-th adapter (from #0), as UTF-8 text";
        config.adapter = read("HETERO_GPU_ADAPTER", ADAPTER)?;
        if let Some(wanted) = &config.adapter
            && wanted.starts_with('#')
            && adapter_index(wanted).is_none()
        {
            return Err(GpuError::BadSetting {
                variable: "HETERO_GPU_ADAPTER",
                value: wanted.clone(),
                accepted: ADAPTER,
            });
        }
        const BUDGET: &str = "give a whole number of MiB from 1 to 17592186044415, e.g. 256";
        if let Some(v) = read("HETERO_GPU_BUDGET_MIB", BUDGET)? {
            let bad = || GpuError::BadSetting {
                variable: "HETERO_GPU_BUDGET_MIB",
                value: v.clone(),
                accepted: BUDGET,
            };
            let mib = v.parse::<u64>().map_err(|_| bad())?;
            if !(1..=MAX_BUDGET_MIB).contains(&mib) {
                return Err(bad());
            }
            config.memory_budget = mib << 20;
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &str) -> GpuResult<GpuConfig> {
        let value = OsString::from(value);
        GpuConfig::from_vars(move |n| (n == name).then(|| value.clone()))
    }

    #[test]
    fn unset_or_empty_keeps_the_defaults() {
        assert_eq!(GpuConfig::from_vars(|_| None), Ok(GpuConfig::default()));
        assert_eq!(
            with("HETERO_GPU_BUDGET_MIB", "  "),
            Ok(GpuConfig::default())
        );
    }

    #[test]
    fn good_values_are_taken() {
        assert_eq!(
            with("HETERO_GPU_BUDGET_MIB", " 64 ").unwrap().memory_budget,
            64 << 20
        );
        let max = with("HETERO_GPU_BUDGET_MIB", &MAX_BUDGET_MIB.to_string()).unwrap();
        assert_eq!(max.memory_budget, MAX_BUDGET_MIB << 20);
        let named = with("HETERO_GPU_ADAPTER", " llvmpipe ").unwrap();
        assert_eq!(named.adapter.as_deref(), Some("llvmpipe"));
        let indexed = with("HETERO_GPU_ADAPTER", "#1").unwrap();
        assert_eq!(indexed.adapter.as_deref().and_then(adapter_index), Some(1));
    }

    #[test]
    fn an_adapter_index_that_is_not_a_number_is_an_error_naming_the_variable() {
        for bad in ["#", "#one", "#-1", "#1.5"] {
            let err = with("HETERO_GPU_ADAPTER", bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    GpuError::BadSetting {
                        variable: "HETERO_GPU_ADAPTER",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains("#N"), "{err}");
        }
    }

    #[test]
    fn bad_budgets_are_errors_that_name_the_variable() {
        let too_big = (MAX_BUDGET_MIB + 1).to_string();
        for bad in [
            "abc",
            "0",
            "-5",
            "1.5",
            "99999999999999999",
            too_big.as_str(),
            "1e3",
        ] {
            let err = with("HETERO_GPU_BUDGET_MIB", bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    GpuError::BadSetting {
                        variable: "HETERO_GPU_BUDGET_MIB",
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
            let message = err.to_string();
            assert!(
                message.contains("HETERO_GPU_BUDGET_MIB") && message.contains(bad),
                "{message}"
            );
            assert!(message.contains("whole number of MiB"), "{message}");
        }
    }
}
