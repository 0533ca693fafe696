"""The notebook's Cython + OpenMP Julia cell against hetero.julia, both
called from Python on the same machine. Needs Cython, a C compiler with
OpenMP, numpy and the hetero wheel:

    pip install cython setuptools numpy && (cd crates/python && maturin develop --release)
    python3 benches/python/julia_compare.py
"""
import os
import pathlib
import timeit

import numpy as np
import pyximport

import hetero

pyximport.install(
    setup_args={"include_dirs": np.get_include()},
    language_level=3,
    build_in_temp=True,
)
os.environ.setdefault("CFLAGS", "-O3 -march=native -fopenmp")
os.environ.setdefault("LDFLAGS", "-fopenmp")
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import julia_cython  # noqa: E402


def best(fn, repeat=7):
    fn()
    return min(timeit.repeat(fn, number=1, repeat=repeat))


cython_s = best(lambda: julia_cython.julia(1000, -0.835, -0.2321, 50))
counts = julia_cython.julia(1000, -0.835, -0.2321, 50)
print(f"Cython + OpenMP ({os.cpu_count()} threads): {cython_s * 1e3:7.2f} ms  (sum {int(counts.sum())})")
for backend in ["scalar", "simd", "threads", "simd-threads"]:
    s = best(lambda: hetero.julia(backend=backend))
    print(f"hetero.julia(backend={backend!r:15}) {s * 1e3:7.2f} ms  ({cython_s / s:5.1f}x Cython)")
