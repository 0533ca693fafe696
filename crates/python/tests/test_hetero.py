"""hetero from Python: the same answers as the Rust library, numpy arrays
in and out without copies, the GIL released while computing, and hetero's
errors as Python exceptions with the same messages."""
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

import hetero

ROOT = pathlib.Path(__file__).resolve().parents[3]
CPU = ["scalar", "simd", "threads", "simd-threads"]


def in_ci():
    return os.environ.get("CI", "") not in ("", "0", "false")


def gpu_available():
    return next(b for b in hetero.backends() if b["name"] == "gpu")["available"]


def backends():
    """Every CPU backend, and the GPU where there is one (CI requires it)."""
    if gpu_available():
        return CPU + ["gpu"]
    assert not in_ci(), "CI requires a GPU adapter"
    return CPU


def test_julia_is_the_notebooks_image_on_every_backend():
    for backend in backends():
        counts = hetero.julia(backend=backend)
        assert counts.dtype == np.uint32
        assert counts.shape == (1000, 2000)
        assert int(counts.sum(dtype=np.uint64)) == 14_565_573, backend


def test_julia_keywords():
    counts = hetero.julia(
        width=30, height=20, maxiters=7, c=-0.4 + 0.6j, viewport=(-1.5, 1.5, -1, 1), backend="simd"
    )
    assert counts.shape == (20, 30)
    assert counts.max() <= 7
    same = hetero.julia(
        width=30, height=20, maxiters=7, c=-0.4 + 0.6j, viewport=(-1.5, 1.5, -1, 1), backend="scalar"
    )
    assert (counts == same).all()


def rust_example(name, *args):
    """The Rust example's --json report, from the binary cargo built."""
    for profile in ("debug", "release"):
        exe = ROOT / "target" / profile / "examples" / name
        if exe.exists():
            out = subprocess.run([exe, *args, "--json"], capture_output=True, check=True)
            return json.loads(out.stdout)
    pytest.fail(f"the Rust example {name} is not built: run `cargo build --examples` first")


def test_pi_hits_equal_the_rust_examples():
    report = rust_example("pi", "--n", "1000003", "--seed", "7", "--backend", "scalar")
    for backend in backends():
        result = hetero.pi(n=1_000_003, seed=7, backend=backend)
        assert result.hits == report["hits"], backend
        assert result.estimate == pytest.approx(4 * result.hits / 1_000_003)
        assert 0 < result.sigma < 0.01


def test_midpoint_within_the_rust_tolerances():
    exact_rule = 0.746_824_132_812_427  # the notebook's integral, n = 10**6, to 1e-15
    for backend in CPU:
        value = hetero.midpoint(n=10**6, backend=backend)
        assert abs(value - exact_rule) < 1e-12, backend
    if gpu_available():
        assert abs(hetero.midpoint(n=10**6, backend="gpu") - exact_rule) < 2e-7
        cubic = hetero.midpoint(0.0, 1.0, 1000, wgsl="return x * x;", backend="gpu")
        assert abs(cubic - (1 / 3 - 1 / (12 * 1000**2))) < 1e-6


def test_gaussian_matches_numpy_in_float64_and_float32():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(10_001), rng.standard_normal(10_001)
    d = x - y
    # hetero's kernel evaluates (-gamma * d) * d, left to right; so does this.
    expected = np.exp((-0.7 * d) * d)
    for backend in CPU:
        z = hetero.gaussian(x, y, gamma=0.7, backend=backend)
        assert z.dtype == np.float64
        np.testing.assert_allclose(z, expected, rtol=1e-15, atol=0)
    for backend in backends():
        z = hetero.gaussian(x.astype(np.float32), y.astype(np.float32), gamma=0.7, backend=backend)
        assert z.dtype == np.float32
        np.testing.assert_allclose(z, expected, rtol=2e-5, atol=1e-30)


def test_gaussian_reads_its_inputs_in_place_and_writes_into_out():
    n = 10**6
    x, y = np.linspace(-3, 3, n), np.linspace(3, -3, n)
    out = np.empty(n)
    tracemalloc.start()
    result = hetero.gaussian(x, y, gamma=1.0, out=out, backend="simd-threads")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result is out
    # A copy of x or y would be 8 MB.
    assert peak < 1_000_000, f"{peak} bytes allocated"
    d = x - y
    np.testing.assert_allclose(out, np.exp((-1.0 * d) * d), rtol=1e-15)


def test_every_schedule_gives_the_same_bits():
    # The policy decides which thread computes a chunk, never the order
    # the partials are combined in.
    reference_m = hetero.midpoint(n=1_000_003, backend="simd-threads", threads=3)
    reference_j = hetero.julia(200, maxiters=300, backend="simd-threads", threads=3)
    for schedule in ["auto", "static", "static,3", "dynamic", "dynamic,5", "guided,2"]:
        m = hetero.midpoint(n=1_000_003, backend="simd-threads", threads=3, schedule=schedule)
        assert m.hex() == reference_m.hex(), schedule
        j = hetero.julia(200, maxiters=300, backend="simd-threads", threads=3, schedule=schedule)
        assert np.array_equal(j, reference_j), schedule
    for bad in ["fastest", "dynamic,0", "guided,x"]:
        with pytest.raises(ValueError, match="dynamic,CHUNK|at least 1"):
            hetero.pi(n=1000, schedule=bad)


def test_sum_is_the_notebooks_exact_arange_sum():
    n = 2**20
    assert hetero.sum(np.arange(n, dtype="f8"), backend="simd-threads") == n * (n - 1) / 2
    assert hetero.sum(np.arange(n, dtype="f8"), backend="scalar") == n * (n - 1) / 2


def test_the_gil_is_released_while_hetero_computes():
    # A Python thread ticks (a bytecode loop with short sleeps) while the main
    # thread is inside hetero. With the GIL held it could not tick during the
    # call at all (a tick or two at its edges at most), however long the call;
    # with the GIL released it ticks all along. The image grows until the
    # call is long enough for ten ticks, so no wall-clock floor is assumed.
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.0005)

    counter = threading.Thread(target=count)
    counter.start()
    seen = []
    try:
        for n in (500, 1000, 2000, 4000, 8000):
            before = ticks
            hetero.julia(n=n, backend="simd")  # one thread: the core it holds is busy
            seen.append((n, ticks - before))
            if seen[-1][1] >= 10:
                break
    finally:
        done.set()
        counter.join()
    assert seen[-1][1] >= 10, seen


def test_the_vector_backends_report_the_level_this_cpu_runs():
    rows = {r["name"]: r for r in hetero.backends()}
    assert rows["scalar"]["isa"] == "scalar"
    level = rows["simd"]["isa"]
    assert level in ("baseline", "v3", "v4"), level
    assert rows["simd-threads"]["isa"] == level
    assert rows["simd"]["lanes"]
    # CI runs this suite under qemu as CPUs without AVX (Nehalem) and with
    # AVX2 only (Haswell) and says which level each must pick.
    expected = os.environ.get("HETERO_TEST_EXPECT_ISA") or os.environ.get("HETERO_ISA")
    if expected:
        assert level == expected


def test_backends_and_validate():
    names = [b["name"] for b in hetero.backends()]
    assert names == ["scalar", "simd", "threads", "simd-threads", "gpu"]
    table = hetero.validate("midpoint", n=100_000)
    assert table[0]["backend"] == "scalar" and table[0]["error"] == 0.0
    for row in table:
        # The GPU sums f32 terms: within 2e-7, as the Rust tests hold it.
        bound = 2e-7 if row["backend"] == "gpu" else 1e-12
        assert row["failure"] is not None or row["error"] < bound, row
    assert {r["backend"] for r in hetero.validate("julia", n=50)} >= set(CPU)


def test_errors_are_python_exceptions_with_hetero_messages():
    with pytest.raises(ValueError, match="at least 1"):
        hetero.midpoint(n=0)
    with pytest.raises(ValueError, match="finite"):
        hetero.midpoint(a=float("nan"))
    with pytest.raises(ValueError, match="choose one of"):
        hetero.pi(n=10, backend="cuda")
    with pytest.raises(ValueError, match="C-contiguous"):
        x = np.zeros(10)
        hetero.gaussian(x[::2], x[::2])
    with pytest.raises(ValueError, match="float64 or float32"):
        hetero.gaussian(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="same length"):
        hetero.gaussian(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="gamma"):
        hetero.gaussian(np.zeros(3), np.zeros(3), gamma=-1.0)
    with pytest.raises(ValueError, match="at most"):
        hetero.pi(n=10, threads=10**6)
    with pytest.raises(ValueError, match="GPU only"):
        hetero.midpoint(wgsl="return x;", backend="simd")
    with pytest.raises(ValueError, match="at least one item"):
        hetero.sum(np.zeros(0))
    with pytest.raises(ValueError, match="width and height"):
        hetero.julia(width=10)


# Run in a child whose address space is limited to what it already maps
# plus 256 MB: a machine with less memory than the call needs. numpy's
# zeros are mapped lazily, so the inputs cost address space, not memory.
OUT_OF_MEMORY_CHILD = r"""
import resource, sys
import numpy as np
import hetero

def limit_to_current_plus(extra):
    with open("/proc/self/status") as status:
        kib = next(int(l.split()[1]) for l in status if l.startswith("VmSize:"))
    limit = kib * 1024 + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))

x = np.zeros(300_000_000, dtype=np.float32)   # 1.2 GB each, never touched
y = np.zeros(300_000_000, dtype=np.float32)
limit_to_current_plus(256 << 20)
for name, call in [
    ("gaussian", lambda: hetero.gaussian(x, y, backend="simd")),
    ("julia", lambda: hetero.julia(n=20_000, backend="scalar")),
]:
    try:
        call()
    except MemoryError as e:
        print(name, "MemoryError", e)
    else:
        print(name, "returned")
"""


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_an_output_larger_than_memory_is_a_memory_error_not_an_abort():
    done = subprocess.run(
        [sys.executable, "-c", OUT_OF_MEMORY_CHILD],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # A signal (SIGABRT from a failed allocation) is a negative return code.
    assert done.returncode == 0, (done.returncode, done.stderr)
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout
    gaussian, julia = lines
    assert gaussian.startswith("gaussian MemoryError"), gaussian
    assert "could not allocate 1200000000 bytes" in gaussian, gaussian
    assert julia.startswith("julia MemoryError"), julia
    assert "could not allocate 3200000000 bytes" in julia, julia
    assert "choose a smaller size" in julia, julia


def test_the_engine_cache_keeps_a_bounded_number_of_thread_pools():
    def threads_now():
        with open("/proc/self/status") as f:
            return int(next(l for l in f if l.startswith("Threads:")).split()[1])

    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs Linux's /proc")
    before = threads_now()
    counts = range(1, 21)
    for threads in counts:
        assert hetero.midpoint(n=10**4, backend="threads", threads=threads) > 0
    # Eight engines are kept besides the default: the last eight counts'
    # pools (a pool's threads end soon after it is dropped).
    kept = sum(list(counts)[-8:])
    deadline = time.monotonic() + 120
    while threads_now() > before + kept + 4:
        assert time.monotonic() < deadline, (threads_now(), before, kept, sum(counts))
        time.sleep(0.01)
