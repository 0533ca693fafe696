//! Compiled compute pipelines and the protocol's bind groups: binding 0 the
//! dispatch block and binding 1 the kernel's parameters (both uniforms at a
//! per-dispatch offset), then the inputs, then the output.

/// Usage of a storage buffer the host fills and the shader reads.
pub(crate) const INPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_DST);
/// Usage of a storage buffer the shader writes and the host copies out.
pub(crate) const OUTPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC);
/// Usage of a buffer the host maps to read results.
pub(crate) const STAGING: wgpu::BufferUsages =
    wgpu::BufferUsages::MAP_READ.union(wgpu::BufferUsages::COPY_DST);
/// Usage of the per-dispatch uniform blocks.
pub(crate) const UNIFORM: wgpu::BufferUsages =
    wgpu::BufferUsages::UNIFORM.union(wgpu::BufferUsages::COPY_DST);

/// A compiled compute pipeline and its bind group layout.
pub(crate) struct Pipeline {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
    pub label: &'static str,
}

impl Pipeline {
    /// Compiles `source` (prelude included) for a kernel with `inputs`
    /// read-only inputs, through `cache` where there is one; errors arrive
    /// in the caller's error scope.
    pub(crate) fn build(
        device: &wgpu::Device,
        cache: Option<&wgpu::PipelineCache>,
        label: &'static str,
        source: &str,
        inputs: usize,
    ) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&format!("{label}:shader")),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let entry = |binding: usize, ty, has_dynamic_offset| wgpu::BindGroupLayoutEntry {
            binding: binding as u32,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty,
                has_dynamic_offset,
                min_binding_size: None,
            },
            count: None,
        };
        let uniform = wgpu::BufferBindingType::Uniform;
        let mut entries = vec![entry(0, uniform, true), entry(1, uniform, true)];
        for i in 0..inputs {
            let read = wgpu::BufferBindingType::Storage { read_only: true };
            entries.push(entry(2 + i, read, false));
        }
        let write = wgpu::BufferBindingType::Storage { read_only: false };
        entries.push(entry(2 + inputs, write, false));
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(&format!("{label}:bind-group-layout")),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(&format!("{label}:pipeline-layout")),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&format!("{label}:pipeline")),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache,
        });
        Self {
            pipeline,
            layout,
            label,
        }
    }

    /// A bind group with the uniform blocks (`(buffer, block size)`, bound
    /// at dynamic offsets), the inputs and the output.
    pub(crate) fn bind(
        &self,
        device: &wgpu::Device,
        uniforms: [(&wgpu::Buffer, u64); 2],
        inputs: &[wgpu::Buffer],
        output: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        let whole = |buffer| {
            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                size: None,
            })
        };
        let mut entries: Vec<wgpu::BindGroupEntry> = uniforms
            .iter()
            .enumerate()
            .map(|(i, (buffer, block))| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer,
                    offset: 0,
                    size: wgpu::BufferSize::new(*block),
                }),
            })
            .collect();
        for (i, buffer) in inputs.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 2 + i as u32,
                resource: whole(buffer),
            });
        }
        entries.push(wgpu::BindGroupEntry {
            binding: 2 + inputs.len() as u32,
            resource: whole(output),
        });
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&format!("{}:bind-group", self.label)),
            layout: &self.layout,
            entries: &entries,
        })
    }
}

/// Splits `groups` workgroups into an (x, y) grid within the per-dimension limit.
pub(crate) fn grid(groups: u64, max_per_dimension: u32) -> [u32; 2] {
    let max = u64::from(max_per_dimension.max(1));
    let x = groups.clamp(1, max);
    let y = groups.div_ceil(x).max(1);
    [x as u32, y as u32]
}
