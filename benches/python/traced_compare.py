"""Your own function from Python against the built-in kernels and numpy, in
one process: the notebook's midpoint exp(-x^2) (a numba prange cell) and
the Gaussian kernel (a Cython + OpenMP cell), 10^6 elements, written as
traced Python functions and run on hetero's backends.

    python3 benches/python/traced_compare.py [--backend simd-threads] [--rounds 7]

Prints a Markdown table: best-of-rounds times, interleaved (each variant
once per round), and the traced/built-in ratio; then the first call of a
freshly decorated function (trace + run), median of 20 new functions.
"""
import argparse
import statistics
import time

import numpy as np

import hetero

N = 10**6


@hetero.elementwise
def gauss(x, y):
    return hetero.exp(-(x - y) ** 2)


@hetero.integrand
def f(x):
    return hetero.exp(-x * x)


def numpy_midpoint(n):
    h = 1.0 / n
    x = (np.arange(n) + 0.5) * h
    return h * np.sum(np.exp(-x * x))


def best(fn, repeat=20):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="simd-threads")
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    b = args.backend
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(N), rng.standard_normal(N)
    out = np.empty_like(x)
    assert np.array_equal(gauss(x, y, backend=b).view(np.int64), hetero.gaussian(x, y, backend=b).view(np.int64))
    assert hetero.midpoint(f, n=N, backend=b) == hetero.midpoint(n=N, backend=b)
    variants = {
        "gaussian: numpy": lambda: np.exp(-(x - y) ** 2, out=out),
        "gaussian: hetero.gaussian": lambda: hetero.gaussian(x, y, out=out, backend=b),
        "gaussian: @hetero.elementwise": lambda: gauss(x, y, out=out, backend=b),
        "midpoint: numpy": lambda: numpy_midpoint(N),
        "midpoint: hetero.midpoint()": lambda: hetero.midpoint(n=N, backend=b),
        "midpoint: @hetero.integrand": lambda: hetero.midpoint(f, n=N, backend=b),
    }
    seen = {k: [] for k in variants}
    for _ in range(args.rounds):
        for k, fn in variants.items():
            seen[k].append(best(fn))
    print(f"| 10^6, backend={b} | ms | vs built-in |")
    print("| --- | --- | --- |")
    for k in variants:
        t = min(seen[k])
        builtin = min(seen["gaussian: hetero.gaussian" if k.startswith("gaussian") else "midpoint: hetero.midpoint()"])
        print(f"| {k} | {t * 1e3:.3f} | {t / builtin:.2f} |")

    firsts = []
    small = np.linspace(0.0, 1.0, 1000)
    for k in range(20):
        def body(x, k=k):
            return hetero.exp(-x * x) + k
        t = time.perf_counter()
        hetero.elementwise(body)(small, backend=b)
        firsts.append(time.perf_counter() - t)
    print(f"\nfirst call of a new @hetero.elementwise (trace + run on 1000 elements): median {statistics.median(firsts) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
