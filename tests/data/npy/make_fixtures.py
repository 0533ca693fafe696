"""Writes the .npy fixtures hetero's reader is tested against, with numpy's
own statistics of each, into this folder. Run it with numpy installed:

    python3 tests/data/npy/make_fixtures.py

The files are committed, so the tests do not need Python. expected.json
maps each file to numpy's count, mean, std (ddof 0 and 1), min and max, as
Python reprs (which round-trip, NaN and inf included).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261122)

base = rng.standard_normal(1000) * 3.0 + 1.5
cases = {}


def add(name, array, version=None):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)
    flat = np.asarray(array, dtype=np.float64).ravel(order="K")
    with np.errstate(all="ignore"):
        cases[name] = {
            "count": int(flat.size),
            "mean": repr(float(np.mean(flat))),
            "std": repr(float(np.std(flat))),
            "std_sample": repr(float(np.std(flat, ddof=1))) if flat.size > 1 else "nan",
            "min": repr(float(np.min(flat))),
            "max": repr(float(np.max(flat))),
        }


# Every dtype, both byte orders.
for dtype in ["<f8", ">f8", "<f4", ">f4"]:
    add(f"normal_{dtype[1:]}_{'le' if dtype[0] == '<' else 'be'}.npy", base.astype(dtype))
ints = rng.integers(-(2**31), 2**31 - 1, size=777)
for dtype in ["<i8", ">i8", "<i4", ">i4"]:
    add(f"ints_{dtype[1:]}_{'le' if dtype[0] == '<' else 'be'}.npy", ints.astype(dtype))
uints = rng.integers(0, 2**32 - 1, size=555)
for dtype in ["<u4", ">u4"]:
    add(f"uints_{dtype[1:]}_{'le' if dtype[0] == '<' else 'be'}.npy", uints.astype(dtype))
big_i64 = np.array([2**62, -(2**62), 2**53 + 1, 7], dtype="<i8")
add("ints_i8_huge.npy", big_i64)

# Layouts and header versions.
matrix = base[:600].reshape(20, 30)
add("matrix_c.npy", np.ascontiguousarray(matrix))
add("matrix_fortran.npy", np.asfortranarray(matrix))
add("cube_c.npy", base[:720].reshape(8, 9, 10))
add("version2.npy", base[:300], version=(2, 0))
add("version3.npy", base[:300], version=(3, 0))
add("scalar_0d.npy", np.array(2.5))

# Edge cases.
add("one_element.npy", np.array([4.25]))
add("all_equal.npy", np.full(1001, 0.1))
add("huge.npy", base * 1e150)
add("tiny.npy", base * 1e-150)
add("offset_mean.npy", base + 1e9)
with_nan = base.copy()
with_nan[17] = np.nan
add("with_nan.npy", with_nan)
with_inf = base.copy()
with_inf[3] = np.inf
add("with_inf.npy", with_inf)

# Valid .npy files of dtypes hetero does not read: an error naming the dtype.
def add_unsupported(name, array, mention=None):
    with open(os.path.join(HERE, name), "wb") as f:
        np.lib.format.write_array(f, array, allow_pickle=False)
    cases[name] = {"error": mention or array.dtype.str}


add_unsupported("bad_complex.npy", np.array([1 + 2j, 3 - 1j]))
add_unsupported("bad_int16.npy", np.array([1, 2, 3], dtype="<i2"))
add_unsupported("bad_unicode.npy", np.array(["ab", "cde"]))
add_unsupported(
    "bad_structured.npy", np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]), "('a', '<f8')"
)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(cases, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(cases)} fixtures")
