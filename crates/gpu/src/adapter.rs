//! Choosing an adapter and describing it honestly.

use core::fmt;

use crate::config::{GpuConfig, adapter_index};
use crate::error::{GpuError, GpuResult};

/// What a user needs to know about the adapter a context runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    pub name: String,
    /// `Vulkan`, `Metal`, `Dx12`, `Gl`.
    pub backend: String,
    /// `DiscreteGpu`, `IntegratedGpu`, `VirtualGpu`, `Cpu`, `Other`.
    pub device_type: String,
    pub driver: String,
    pub driver_info: String,
    /// A CPU pretending to be a GPU (lavapipe/llvmpipe, SwiftShader, WARP):
    /// correct, and useful for tests, but its timings say nothing about GPUs.
    pub is_software: bool,
    /// Optional features the device was opened with.
    pub features: Vec<&'static str>,
}

impl AdapterSummary {
    pub(crate) fn new(info: &wgpu::AdapterInfo, features: wgpu::Features) -> Self {
        let lower = info.name.to_lowercase();
        let is_software = info.device_type == wgpu::DeviceType::Cpu
            || ["llvmpipe", "lavapipe", "swiftshader", "warp", "software"]
                .iter()
                .any(|s| lower.contains(s));
        let named = [
            (wgpu::Features::TIMESTAMP_QUERY, "TIMESTAMP_QUERY"),
            (wgpu::Features::SHADER_F64, "SHADER_F64"),
            (wgpu::Features::SUBGROUP, "SUBGROUP"),
        ];
        Self {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            driver: info.driver.clone(),
            driver_info: info.driver_info.clone(),
            is_software,
            features: named
                .iter()
                .filter(|(f, _)| features.contains(*f))
                .map(|(_, n)| *n)
                .collect(),
        }
    }
}

impl fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {}", self.name, self.backend, self.device_type)?;
        if !self.driver.is_empty() {
            write!(f, ", driver {} {}", self.driver, self.driver_info)?;
        }
        write!(f, ")")?;
        if self.is_software {
            write!(f, " [software adapter: a CPU emulating a GPU]")?;
        }
        if !self.features.is_empty() {
            write!(f, " features: {}", self.features.join(", "))?;
        }
        Ok(())
    }
}

/// The adapter `config` asks for.
pub(crate) fn choose(instance: &wgpu::Instance, config: &GpuConfig) -> GpuResult<wgpu::Adapter> {
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    if let Some(index) = config.adapter.as_deref().and_then(adapter_index) {
        return adapters
            .get(index)
            .cloned()
            .ok_or_else(|| GpuError::AdapterNotFound {
                wanted: format!("#{index}"),
                found: describe_all(&adapters),
            });
    }
    if let Some(wanted) = &config.adapter {
        let w = wanted.to_lowercase();
        return adapters
            .iter()
            .find(|a| {
                let info = a.get_info();
                info.name.to_lowercase().contains(&w)
                    || format!("{:?}", info.backend).to_lowercase() == w
            })
            .cloned()
            .ok_or_else(|| GpuError::AdapterNotFound {
                wanted: wanted.clone(),
                found: describe_all(&adapters),
            });
    }
    let options = wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: false,
        compatible_surface: None,
        ..Default::default()
    };
    pollster::block_on(instance.request_adapter(&options)).map_err(|e| GpuError::NoAdapter {
        reason: if adapters.is_empty() {
            format!("{e}; wgpu enumerated no adapters")
        } else {
            format!("{e}; adapters seen: {}", describe_all(&adapters))
        },
    })
}

fn describe_all(adapters: &[wgpu::Adapter]) -> String {
    if adapters.is_empty() {
        return "none".into();
    }
    adapters
        .iter()
        .enumerate()
        .map(|(index, a)| {
            let i = a.get_info();
            format!("#{index} {} ({:?})", i.name, i.backend)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every adapter wgpu can see, described (for `info` commands).
pub fn list_adapters() -> Vec<AdapterSummary> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
        .iter()
        .map(|a| AdapterSummary::new(&a.get_info(), a.features()))
        .collect()
}
