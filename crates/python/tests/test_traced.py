"""Your own function on every backend: @hetero.elementwise, @hetero.integrand
and @hetero.term trace a Python function once and run it with the bits of
the same body written in Rust (the built-in kernels are such bodies), and
every body that cannot be traced raises an exception that says what to
write instead."""
import math
import os

import numpy as np
import pytest

import hetero

CPU = ["scalar", "simd", "threads", "simd-threads"]


def in_ci():
    return os.environ.get("CI", "") not in ("", "0", "false")


def gpu_available():
    return next(b for b in hetero.backends() if b["name"] == "gpu")["available"]


@hetero.elementwise
def gauss(x, y):
    return hetero.exp(-(x - y) ** 2)


@hetero.integrand
def exp_neg_square(x):
    return hetero.exp(-x * x)


@hetero.term
def basel(i):
    return 1.0 / ((i + 1.0) * (i + 1.0))


def inputs(n, dtype="f8"):
    rng = np.random.default_rng(3)
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)


def same_bits(a, b):
    return a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("dtype", ["f8", "f4"])
def test_a_traced_gaussian_is_the_built_in_gaussian_bit_for_bit(dtype):
    # Odd length: whole vectors, blocks and a one-lane tail all run.
    x, y = inputs(100_003, dtype)
    for backend in CPU:
        got = gauss(x, y, backend=backend, threads=3)
        want = hetero.gaussian(x, y, backend=backend, threads=3)
        assert same_bits(got, want), backend
    out = np.empty_like(x)
    assert gauss(x, y, out=out, backend="simd") is out
    assert same_bits(out, hetero.gaussian(x, y, backend="simd"))


def test_a_traced_integrand_is_the_built_in_integrand_bit_for_bit():
    for backend in CPU:
        for n in (1, 1000, 1_000_003):
            got = hetero.midpoint(exp_neg_square, a=0.0, b=1.0, n=n, backend=backend)
            want = hetero.midpoint(n=n, backend=backend)
            assert got.hex() == want.hex(), (backend, n)
    # Positional a, b, n after f, and the built-in by name.
    assert hetero.midpoint(exp_neg_square, 0.0, 1.0, 1000) == hetero.midpoint("exp_neg_square", 0.0, 1.0, 1000)


def test_a_traced_term_sums_to_its_closed_form_identically_on_threads():
    n = 10**6
    exact = math.pi**2 / 6 - 1.0 / n  # Σ_{k=1..n} 1/k² ≈ π²/6 − 1/n
    one = hetero.sum_terms(basel, n, backend="scalar")
    assert abs(one - exact) < 1e-9
    # The threaded backends combine along the same tree as the sequential ones.
    assert hetero.sum_terms(basel, n, backend="threads", threads=3).hex() == one.hex()
    assert hetero.sum_terms(basel, n, backend="simd-threads", threads=3).hex() == hetero.sum_terms(basel, n, backend="simd").hex()


def test_branches_are_written_with_where_and_run_everywhere():
    @hetero.elementwise
    def clipped(x):
        return hetero.where(x > 0.0, hetero.sqrt(x) + hetero.log(x + 1.0), hetero.minimum(hetero.sin(x), hetero.cos(x)) * abs(x) / 3.0)

    x = np.linspace(-4.0, 4.0, 4097)
    want = np.where(x > 0, np.sqrt(np.abs(x)) + np.log(np.abs(x) + 1.0), np.minimum(np.sin(x), np.cos(x)) * np.abs(x) / 3.0)
    for backend in CPU:
        np.testing.assert_allclose(clipped(x, backend=backend), want, rtol=1e-13, atol=1e-15)
    assert "Select" in clipped.tape and "Gt" in clipped.tape


def test_the_gpu_runs_a_traced_function_within_the_built_in_tolerance():
    if not gpu_available():
        assert not in_ci(), "CI needs a GPU adapter (lavapipe)"
        pytest.skip("no GPU adapter")
    x, y = inputs(100_003, "f4")
    got = gauss(x, y, backend="gpu")
    want = hetero.gaussian(x, y, backend="scalar")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    value = hetero.midpoint(exp_neg_square, n=10**6, backend="gpu")
    assert abs(value - hetero.midpoint(n=10**6, backend="scalar")) < 2e-7
    assert abs(hetero.sum_terms(basel, 10**5, backend="gpu") - hetero.sum_terms(basel, 10**5, backend="scalar")) < 1e-6


def test_helpers_work_on_numbers_too():
    assert hetero.exp(0.0) == 1.0 and hetero.log(1.0) == 0.0 and hetero.sqrt(4.0) == 2.0
    assert hetero.minimum(1.0, 2.0) == 1.0 and hetero.maximum(1.0, 2.0) == 2.0
    assert hetero.where(True, 1.0, 2.0) == 1.0
    assert exp_neg_square(0.0) == 1.0 and basel(0.0) == 1.0


x8, y8 = inputs(64)


def bad_body_cases():
    def branch(x):
        if x > 0:
            return x
        return -x

    def numpy_call(x):
        return np.exp(x)

    def math_call(x):
        return math.exp(x)

    def raises(x):
        return x / (1 // 0)

    def comparison(x):
        return x > 0.0

    def root(x):
        return x ** 0.5

    def text(x):
        return "x"

    def not_equal(x):
        return hetero.where(x != 0.0, x, 1.0)

    def where_on_number(x):
        return hetero.where(x, x, 1.0)

    return [
        (branch, TypeError, "hetero.where"),
        (numpy_call, TypeError, "hetero.exp"),
        (math_call, TypeError, "hetero.exp"),
        (raises, ValueError, "raised while hetero traced"),
        (comparison, TypeError, "where"),
        (root, TypeError, "hetero.sqrt"),
        (text, TypeError, "return a number"),
        (not_equal, TypeError, "=="),
        (where_on_number, TypeError, "comparison"),
    ]


@pytest.mark.parametrize("body,error,says", bad_body_cases(), ids=lambda c: getattr(c, "__name__", None))
def test_a_body_that_cannot_be_traced_says_what_to_write(body, error, says):
    traced = hetero.elementwise(body)
    with pytest.raises(error, match=says):
        traced(x8)


def test_bad_calls_say_what_to_change():
    with pytest.raises(TypeError, match="takes 2 argument"):
        gauss(x8)
    with pytest.raises(ValueError, match="differ in length"):
        gauss(x8, y8[:10])
    with pytest.raises(TypeError, match="float64"):
        gauss(np.arange(64), np.arange(64))
    with pytest.raises(TypeError, match="float64"):
        gauss(list(x8), list(y8))
    with pytest.raises(TypeError, match="float64"):
        gauss(x8, y8.astype("f4"))
    with pytest.raises(ValueError, match="C-contiguous"):
        gauss(x8[::2], y8[::2])
    misaligned = np.frombuffer(np.zeros(8 * 65, np.uint8).tobytes(), dtype="f8", offset=1, count=64)
    with pytest.raises(ValueError, match="aligned"):
        gauss(misaligned, y8)
    with pytest.raises(ValueError, match="also an input|cannot be written"):
        gauss(x8, y8, out=x8)
    with pytest.raises(TypeError, match="@hetero.term"):
        hetero.sum_terms(gauss, 10)
    with pytest.raises(TypeError, match="@hetero.integrand"):
        hetero.midpoint(integrand=gauss)
    with pytest.raises(ValueError, match="backend"):
        gauss(x8, y8, backend="fpga")


def test_the_built_in_gaussian_refuses_a_misaligned_array_too():
    misaligned = np.frombuffer(np.zeros(8 * 65, np.uint8).tobytes(), dtype="f8", offset=1, count=64)
    with pytest.raises(ValueError, match="aligned"):
        hetero.gaussian(misaligned, y8)


def test_importing_and_probing_the_gpu_prints_nothing():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    run = subprocess.run(
        [sys.executable, "-c", "import hetero; hetero.backends()"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "XDG_RUNTIME_DIR" not in run.stderr, run.stderr


def test_validate_takes_a_traced_function():
    x, y = inputs(50_001)
    table = hetero.validate(gauss, x, y)
    rows = {r["backend"]: r for r in table}
    assert set(CPU) <= set(rows)
    for backend in CPU:
        assert rows[backend]["failure"] is None and rows[backend]["seconds"] > 0
    # scalar against itself, then the bit-equal threaded scalar.
    assert rows["scalar"]["error"] == 0.0 and rows["threads"]["error"] == 0.0
    assert rows["simd"]["error"] < 1e-15
    integrand = {r["backend"]: r for r in hetero.validate(exp_neg_square, a=0.0, b=2.0, n=10**5)}
    assert all(integrand[b]["error"] < 1e-14 for b in CPU)
    terms = {r["backend"]: r for r in hetero.validate(basel, n=10**5)}
    assert all(terms[b]["error"] < 1e-14 for b in CPU)
    if gpu_available():
        assert rows["gpu"]["failure"] is None or "f64" in rows["gpu"]["failure"]
    with pytest.raises(TypeError, match="validated on arrays"):
        hetero.validate(gauss, x, y, n=5)
    with pytest.raises(TypeError, match="arrays are for an @hetero.elementwise"):
        hetero.validate(basel, x)
    with pytest.raises(TypeError, match="takes 2 argument"):
        hetero.validate(gauss, x)
    with pytest.raises(TypeError, match="or a function decorated"):
        hetero.validate(lambda x: x)
    with pytest.raises(ValueError, match="unknown problem"):
        hetero.validate("nope")


@pytest.mark.parametrize("dtype", ["f8", "f4"])
def test_auto_and_hybrid_run_a_traced_function(dtype):
    x, y = inputs(200_003, dtype)
    want = hetero.gaussian(x, y, backend="scalar")
    # auto picks a backend from measured models: never one that cannot
    # run the call (a GPU without f64 for float64 arrays).
    got = gauss(x, y, backend="auto")
    tolerance = dict(rtol=1e-12, atol=1e-15) if dtype == "f8" else dict(rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got, want, **tolerance)
    np.testing.assert_allclose(hetero.gaussian(x, y, backend="auto"), want, **tolerance)
    value = hetero.midpoint(exp_neg_square, n=10**6, backend="auto")
    assert abs(value - hetero.midpoint(n=10**6, backend="scalar")) < 2e-7
    if not gpu_available():
        assert not in_ci(), "CI needs a GPU adapter (lavapipe)"
        pytest.skip("hybrid needs a GPU adapter")
    # hybrid: the GPU and the CPU each take part of one call.
    gpu_tolerance = dict(rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gauss(x, y, backend="hybrid"), want, **gpu_tolerance)
    value = hetero.midpoint(exp_neg_square, n=10**6, backend="hybrid")
    assert abs(value - hetero.midpoint(n=10**6, backend="scalar")) < 2e-7
    assert abs(hetero.sum_terms(basel, 10**5, backend="hybrid") - hetero.sum_terms(basel, 10**5, backend="scalar")) < 1e-6


def peak_rss_after(run):
    """The growth of the process's peak resident memory while `run` runs
    (Linux: the peak is reset first through /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

    def peak():
        with open("/proc/self/status") as f:
            line = next(l for l in f if l.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024

    def current():
        with open("/proc/self/status") as f:
            line = next(l for l in f if l.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    before = current()
    run()
    return peak() - before


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc")
def test_a_traced_map_holds_no_memory_beyond_its_output():
    n = 10**7
    x = np.linspace(-3.0, 3.0, n)
    y = np.full(n, 0.5)
    out = np.empty_like(x)
    out[:] = 0.0  # resident before the call
    gauss(x[:1000], y[:1000])  # traced and the engine built before measuring
    for backend in CPU:
        grown = peak_rss_after(lambda: gauss(x, y, out=out, backend=backend))
        # The arrays are 80 MB each: a copy of any of them would show.
        assert grown < 16 * 2**20, (backend, grown)
    grown = peak_rss_after(lambda: gauss(x, y, backend="simd-threads"))
    assert grown < x.nbytes + 16 * 2**20
