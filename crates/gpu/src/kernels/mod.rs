//! One file per problem, each the host side of its `shaders/<problem>.wgsl`.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;

use crate::error::GpuResult;

/// What a binding of a kernel's bind group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Uniform,
    /// A uniform read at a per-dispatch offset (several dispatches per pass).
    UniformDynamic,
    Read,
    ReadWrite,
}

/// A compiled compute pipeline and its bind group layout.
pub(crate) struct Kernel {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
    pub label: String,
}

impl Kernel {
    /// Compiles `source` for `problem`; errors arrive in the caller's scope.
    pub(crate) fn build(
        device: &wgpu::Device,
        problem: &str,
        source: &str,
        slots: &[Slot],
    ) -> GpuResult<Self> {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&format!("{problem}:shader")),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let entries: Vec<_> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: match slot {
                        Slot::Uniform | Slot::UniformDynamic => wgpu::BufferBindingType::Uniform,
                        Slot::Read => wgpu::BufferBindingType::Storage { read_only: true },
                        Slot::ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                    },
                    has_dynamic_offset: *slot == Slot::UniformDynamic,
                    min_binding_size: None,
                },
                count: None,
            })
            .collect();
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(&format!("{problem}:bind-group-layout")),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(&format!("{problem}:pipeline-layout")),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&format!("{problem}:pipeline")),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        Ok(Self {
            pipeline,
            layout,
            label: problem.to_owned(),
        })
    }

    /// A bind group with `buffers` at bindings 0, 1, … (a uniform slot binds
    /// `uniform_size` bytes so dynamic offsets can move it).
    pub(crate) fn bind(
        &self,
        device: &wgpu::Device,
        buffers: &[(&wgpu::Buffer, Option<u64>)],
    ) -> wgpu::BindGroup {
        let entries: Vec<_> = buffers
            .iter()
            .enumerate()
            .map(|(i, (buffer, size))| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer,
                    offset: 0,
                    size: size.and_then(wgpu::BufferSize::new),
                }),
            })
            .collect();
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&format!("{}:bind-group", self.label)),
            layout: &self.layout,
            entries: &entries,
        })
    }
}

/// Usage of a storage buffer the host fills and the shader reads.
pub(crate) const INPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_DST);
/// Usage of a storage buffer the shader writes and the host copies out.
pub(crate) const OUTPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC);
/// Usage of a buffer the host maps to read results.
pub(crate) const STAGING: wgpu::BufferUsages =
    wgpu::BufferUsages::MAP_READ.union(wgpu::BufferUsages::COPY_DST);
/// Usage of a uniform parameter block.
pub(crate) const UNIFORM: wgpu::BufferUsages =
    wgpu::BufferUsages::UNIFORM.union(wgpu::BufferUsages::COPY_DST);

/// Records one compute pass of `kernel`: one dispatch per entry of
/// `dispatches` (workgroups in x and y, and the dynamic uniform offset when
/// the kernel has one), with timestamp writes when the device has them.
pub(crate) fn record_pass(
    ctx: &crate::GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    kernel: &Kernel,
    bind_group: &wgpu::BindGroup,
    dispatches: &[([u32; 2], Option<u32>)],
) {
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(&format!("{}:pass", kernel.label)),
            timestamp_writes: ctx.timer.as_ref().map(crate::timing::PassTimer::writes),
        });
        pass.set_pipeline(&kernel.pipeline);
        for ([x, y], offset) in dispatches {
            match offset {
                Some(o) => pass.set_bind_group(0, bind_group, &[*o]),
                None => pass.set_bind_group(0, bind_group, &[]),
            }
            pass.dispatch_workgroups(*x, *y, 1);
        }
    }
    if let Some(timer) = &ctx.timer {
        timer.resolve(encoder);
    }
}

/// Splits `groups` workgroups into an (x, y) grid within the per-dimension limit.
pub(crate) fn grid(groups: u64, max_per_dimension: u32) -> [u32; 2] {
    let max = u64::from(max_per_dimension.max(1));
    let x = groups.clamp(1, max);
    let y = groups.div_ceil(x).max(1);
    [x as u32, y as u32]
}

pub(crate) fn encoder(ctx: &crate::GpuContext, label: &str) -> wgpu::CommandEncoder {
    ctx.device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
}
