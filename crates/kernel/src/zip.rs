//! [`ZipMap`]: a user's element-wise map over `N` arrays, written once as
//! an [`ElementWise`] body: it runs at every lane width on the CPU, and on
//! the GPU as WGSL traced from the same body.

use core::ops::Range;
use std::borrow::Cow;

use crate::error::KernelError;
use crate::fold::map_elements;
use crate::function::ElementWise;
use crate::gpu::{EXP_F64, GpuCaps, GpuMap, GpuProgram};
use crate::kernel::{MapKernel, Mapping};
use crate::lanes::{Element, Lanes};
use crate::real::Float;
use crate::trace::{Trace, trace};

/// Elements per parallel task: large enough that a task dwarfs a rayon
/// join, small enough that 10^6 elements spread over the cores.
const CHUNK: usize = 1 << 14;

/// out\[k\] = body(inputs\[0\]\[k\], …, inputs\[N−1\]\[k\]) for every k.
///
/// ```
/// use hetero_kernel::{ElementWise, Real, zip::ZipMap};
///
/// /// √(x² + y²), written once for every backend.
/// struct Hypot;
/// impl ElementWise<2> for Hypot {
///     fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
///         (x * x + y * y).sqrt()
///     }
/// }
///
/// let (x, y) = ([3.0, 5.0], [4.0, 12.0]);
/// let kernel = ZipMap::new(&Hypot, [&x[..], &y[..]])?;
/// # Ok::<(), hetero_kernel::KernelError>(())
/// ```
pub struct ZipMap<'a, F: ?Sized, T, const N: usize> {
    body: &'a F,
    inputs: [&'a [T]; N],
}

impl<F: ?Sized, T, const N: usize> core::fmt::Debug for ZipMap<'_, F, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let lengths: Vec<usize> = self.inputs.iter().map(|input| input.len()).collect();
        f.debug_struct("ZipMap")
            .field("inputs", &lengths)
            .finish_non_exhaustive()
    }
}

impl<F: ?Sized, T, const N: usize> Clone for ZipMap<'_, F, T, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: ?Sized, T, const N: usize> Copy for ZipMap<'_, F, T, N> {}

impl<'a, F: ElementWise<N> + ?Sized, T: Element, const N: usize> ZipMap<'a, F, T, N> {
    /// # Errors
    /// [`KernelError::LengthMismatch`] unless every input has one length.
    pub fn new(body: &'a F, inputs: [&'a [T]; N]) -> Result<Self, KernelError> {
        const { assert!(N > 0, "a map needs at least one input array") };
        if inputs.iter().any(|input| input.len() != inputs[0].len()) {
            return Err(KernelError::LengthMismatch {
                kernel: "map",
                lengths: inputs.iter().map(|input| input.len()).collect(),
            });
        }
        Ok(Self { body, inputs })
    }
}

impl<F: ElementWise<N> + ?Sized, T: Element, const N: usize> Mapping for ZipMap<'_, F, T, N> {
    type Out = T;

    fn name(&self) -> &'static str {
        "map"
    }
    fn len(&self) -> usize {
        self.inputs[0].len()
    }
    fn chunk(&self) -> usize {
        CHUNK
    }
}

impl<F: ElementWise<N> + ?Sized, T: Element, const N: usize> MapKernel for ZipMap<'_, F, T, N> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [T]) {
        let inputs = self.inputs.map(|input| &input[items.clone()]);
        map_elements::<T::Vector<L>, N>(self.body, inputs, out);
    }

    fn gpu(&self, _: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        if self.body.is_lanewise() {
            return Err(KernelError::Unsupported {
                what: "a map whose body is a Rust closure",
                backend: "gpu",
                hint: "implement ElementWise with a generic eval so hetero can translate it",
            });
        }
        let names: [String; N] = core::array::from_fn(|j| format!("x{j}"));
        let body = trace::<T, N>(names.each_ref().map(String::as_str), |args| {
            self.body.eval::<Trace<T>>(args)
        })
        .map_err(|reason| KernelError::Untraceable {
            kernel: "map",
            reason,
        })?;
        Ok(Box::new(ZipGpu {
            source: zip_source::<T>(N, &body),
            inputs: self.inputs,
        }))
    }
}

/// The WGSL of a map over `inputs` arrays of `T` with the traced `body`.
pub fn zip_source<T: Float>(inputs: usize, body: &str) -> String {
    let ty = T::WGSL;
    let mut wgsl = String::new();
    if ty == "f64" {
        wgsl.push_str(EXP_F64);
    }
    wgsl.push_str(
        "// map: out[i] = f(in0[i], …), one invocation per element; the body traced from Rust.\n",
    );
    for j in 0..inputs {
        wgsl.push_str(&format!(
            "@group(0) @binding({}) var<storage, read> in{j}: array<{ty}>;\n",
            2 + j
        ));
    }
    wgsl.push_str(&format!(
        "@group(0) @binding({}) var<storage, read_write> out: array<{ty}>;\n\n",
        2 + inputs
    ));
    let params: Vec<String> = (0..inputs).map(|j| format!("x{j}: {ty}")).collect();
    wgsl.push_str(&format!(
        "fn f({}) -> {ty} {{\n{body}\n}}\n\n",
        params.join(", ")
    ));
    let args: Vec<String> = (0..inputs).map(|j| format!("in{j}[i]")).collect();
    wgsl.push_str(&format!(
        "@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {{
    let k = workgroup_index(wg, groups) * 256u + local;
    if (k >= dispatch.count) {{
        return;
    }}
    let i = dispatch.tile_item + k;
    out[i] = f({});
}}
",
        args.join(", ")
    ));
    wgsl
}

/// The GPU side of a [`ZipMap`].
struct ZipGpu<'a, T, const N: usize> {
    source: String,
    inputs: [&'a [T]; N],
}

impl<T: Element, const N: usize> GpuMap for ZipGpu<'_, T, N> {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "map",
            source: Cow::Owned(self.source.clone()),
            needs_f64: T::WGSL == "f64",
            inputs: N,
            workgroup_size: 256,
        }
    }

    fn params(&self, _: Range<u64>) -> Vec<u8> {
        Vec::new()
    }

    fn input_bytes(&self, _: usize, items: u64) -> u64 {
        items * size_of::<T>() as u64
    }

    fn input(&self, input: usize, items: Range<u64>) -> Cow<'_, [u8]> {
        let range = items.start as usize..items.end as usize;
        Cow::Borrowed(bytemuck::cast_slice(&self.inputs[input][range]))
    }
}
