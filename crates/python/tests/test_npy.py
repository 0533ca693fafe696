"""hetero.npy_stats: the statistics of many .npy files through the Rust
reader pool, against numpy's, and an error row — never a crash or made-up
numbers — for a file that cannot be read."""
import pathlib

import numpy as np
import pytest

import hetero


def close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def check_row(row, values):
    values = np.asarray(values, dtype=np.float64).ravel()
    assert "error" not in row, row
    assert row["count"] == values.size
    assert row["min"] == values.min() and row["max"] == values.max()
    assert close(row["mean"], values.mean())
    assert close(row["std"], values.std())
    assert close(row["std_sample"], values.std(ddof=1))


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(5)
    arrays = {
        "a.npy": rng.normal(3.0, 2.0, 10_000),
        "b.npy": rng.normal(size=(64, 33)),  # 2-D
        "c.npy": np.asfortranarray(rng.normal(size=(20, 7))),
        "d.npy": rng.normal(size=5000).astype(np.float32),
        "e.npy": np.arange(-7, 1000, dtype=np.int64),
    }
    for name, values in arrays.items():
        np.save(tmp_path / name, values)
    (tmp_path / "notes.txt").write_text("not an array")
    np.save(tmp_path / ".hidden.npy", np.ones(3))  # glob("*.npy") skips it
    (tmp_path / "sub.npy").mkdir()  # a folder is not a file
    return tmp_path, arrays


def test_a_folder_gives_its_npy_files_in_sorted_order_with_numpys_statistics(folder):
    path, arrays = folder
    for given in (str(path), path):  # a str or an os.PathLike
        rows = hetero.npy_stats(given)
        assert [pathlib.Path(r["file"]).name for r in rows] == sorted(arrays)
        for row in rows:
            check_row(row, arrays[pathlib.Path(row["file"]).name])


def test_every_reader_count_gives_the_same_rows(folder):
    path, _ = folder
    one = hetero.npy_stats(path, threads=1)
    for threads in (2, 3, 16):
        assert hetero.npy_stats(path, threads=threads) == one


def test_a_list_of_paths_keeps_its_order_and_reports_bad_files(folder, tmp_path):
    path, arrays = folder
    good = path / "a.npy"
    truncated = tmp_path / "truncated.npy"
    truncated.write_bytes((path / "a.npy").read_bytes()[:500])
    text = tmp_path / "text.npy"
    text.write_text("hello")
    complex_values = tmp_path / "complex.npy"
    np.save(complex_values, np.ones(4, dtype=np.complex128))
    given = [text, good, tmp_path / "missing.npy", truncated, complex_values, str(good)]
    rows = hetero.npy_stats(given)
    assert [r["file"] for r in rows] == [str(p) for p in given]
    check_row(rows[1], arrays["a.npy"])
    check_row(rows[5], arrays["a.npy"])
    for k, says in [(0, "magic"), (2, "cannot read"), (3, "truncated"), (4, "dtype")]:
        assert set(rows[k]) == {"file", "error"}, rows[k]
        assert says in rows[k]["error"], rows[k]


def test_one_file_is_one_row(folder):
    path, arrays = folder
    [row] = hetero.npy_stats(path / "e.npy")
    check_row(row, arrays["e.npy"])


def test_bad_arguments_say_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        hetero.npy_stats(tmp_path / "nowhere")
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no .npy files"):
        hetero.npy_stats(tmp_path)
    with pytest.raises(TypeError, match="a folder, a file or a list of paths"):
        hetero.npy_stats(42)
    with pytest.raises(TypeError, match="str or an os.PathLike"):
        hetero.npy_stats([1, 2])
    with pytest.raises(ValueError, match="at least 1"):
        hetero.npy_stats([tmp_path / "x.txt"], threads=0)
