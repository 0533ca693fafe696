"""with hetero.trace(path): a Chrome Trace Event file of every hetero call
in the block — calls, each thread's chunks, auto's choice, jobs."""
import json

import numpy as np
import pytest

import hetero


def events_of(path):
    with open(path) as f:
        events = json.load(f)
    assert isinstance(events, list)
    return events


def test_a_trace_block_records_its_calls_and_writes_the_file(tmp_path):
    path = tmp_path / "run.json"
    x = np.linspace(-1.0, 1.0, 100_000)
    with hetero.trace(path) as trace:
        hetero.midpoint(0.0, 1.0, 10**6, backend="threads")
        hetero.gaussian(x, x, backend="simd")
        hetero.submit(hetero.pi, n=10**6, backend="simd").result()
        assert len(trace) > 0
    hetero.midpoint(0.0, 1.0, 10**6, backend="threads")  # after the block: not recorded
    events = events_of(path)
    calls = [e for e in events if e.get("ph") == "X" and e["cat"] in ("reduce", "map", "reduce blocks")]
    assert [c["name"] for c in calls if c["cat"] != "reduce blocks"][:2] == ["midpoint", "gaussian"]
    assert sum(1 for c in calls if c["name"] == "midpoint") == 1
    work = [e for e in events if e.get("cat") == "work"]
    assert sum(w["args"]["items"] for w in work if w["args"]["backend"] == "threads") == 10**6
    jobs = [e for e in events if e.get("cat") == "job"]
    assert len(jobs) == 1 and jobs[0]["args"]["ended"] == "finished"


def test_a_block_that_raises_still_writes_and_blocks_do_not_nest(tmp_path):
    path = tmp_path / "failed.json"
    with pytest.raises(ValueError):
        with hetero.trace(path):
            hetero.midpoint(0.0, 1.0, 1000, backend="simd")
            with pytest.raises(RuntimeError, match="already running"):
                with hetero.trace(tmp_path / "inner.json"):
                    pass
            hetero.pi(n=0)
    assert any(e.get("name") == "midpoint" for e in events_of(path))
    assert not (tmp_path / "inner.json").exists()
    with pytest.raises(OSError, match="hetero.trace"):
        with hetero.trace(tmp_path / "no-such-folder" / "t.json"):
            pass
