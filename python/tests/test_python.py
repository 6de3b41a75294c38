"""Tests of the rondo Python module against traces recorded with the CLI.

Environment (set by ctest): PYTHONPATH=<build>/python, RONDO_CLI (the rondo
command), RONDO_NESTED_LOOPS and RONDO_MPI_RING (example programs).
"""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import rondo

CLI = os.environ.get("RONDO_CLI", "")
NESTED_LOOPS = os.environ.get("RONDO_NESTED_LOOPS", "")
MPI_RING = os.environ.get("RONDO_MPI_RING", "")


def record(tmp_path_factory, name, command):
    if not (CLI and os.path.exists(CLI)):
        pytest.skip("RONDO_CLI not set")
    out = tmp_path_factory.mktemp(name) / "trace"
    subprocess.run([CLI, "record", "-o", str(out), "--"] + command, check=True,
                   stdout=subprocess.DEVNULL, timeout=240)
    return str(out)


def cli_json(*args):
    return json.loads(subprocess.run([CLI] + list(args), check=True, capture_output=True,
                                     text=True).stdout)


@pytest.fixture(scope="module")
def loops(tmp_path_factory):
    if not (NESTED_LOOPS and os.path.exists(NESTED_LOOPS)):
        pytest.skip("RONDO_NESTED_LOOPS not set")
    return record(tmp_path_factory, "loops", [NESTED_LOOPS, "1000"])


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    mpirun = shutil.which("mpirun")
    if not mpirun or not (MPI_RING and os.path.exists(MPI_RING)):
        pytest.skip("mpirun or the mpi_ring example missing")
    return record(tmp_path_factory, "ring", [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "4",
                                             MPI_RING, "10", "64"])


def test_open_missing_directory(tmp_path):
    with pytest.raises(rondo.TraceError):
        rondo.open(str(tmp_path / "missing"))
    with pytest.raises(OSError):
        rondo.open(str(tmp_path / "missing"))


def test_info_matches_cli(loops):
    t = rondo.open(loops)
    info = t.info()
    assert info["events"] == 9202
    assert info["processes"] == 1 and info["threads"] == 1
    assert info["truncated"] is False
    expected = cli_json("info", "--json", loops)
    assert list(info.keys()) == list(expected.keys())
    for key in ("processes", "threads", "events", "bytes", "truncated", "grammar", "duration_ns", "problems"):
        assert info[key] == expected[key], key


def test_profile_rows(loops):
    df = rondo.open(loops).profile()
    assert list(df.columns) == ["name", "calls", "inclusive_ns", "exclusive_ns", "min_ns", "max_ns", "mean_ns"]
    calls = dict(zip(df["name"], df["calls"]))
    assert calls == {"step": 1000, "relax": 2500, "exchange": 1000, "reduce": 100, "main": 1}
    assert (df["inclusive_ns"] >= df["exclusive_ns"]).all()
    assert (df["min_ns"] <= df["max_ns"]).all()


def test_profile_equals_cli_stats(loops):
    t = rondo.open(loops)
    expected = cli_json("stats", "--json", loops)["regions"]
    assert t.profile().to_dict("records") == expected
    assert t.stats()["regions"] == expected


def test_profile_by_thread(loops):
    df = rondo.open(loops).profile(by="thread")
    assert list(df.columns[:3]) == ["name", "rank", "thread"]
    assert set(df["rank"]) == {0} and set(df["thread"]) == {0}
    assert dict(zip(df["name"], df["calls"]))["relax"] == 2500
    with pytest.raises(ValueError):
        rondo.open(loops).profile(by="host")


def test_events_in_time_order(loops):
    t = rondo.open(loops)
    events = list(t.events(rank=0, thread=0))
    assert len(events) == 9202
    first = events[0]
    assert (first.kind, first.region) == ("ENTER", "main")
    assert events[-1].kind == "LEAVE" and events[-1].region == "main"
    times = [e.time_ns for e in events]
    assert all(a <= b for a, b in zip(times, times[1:]))
    enters = sum(1 for e in events if e.kind == "ENTER" and e.region == "relax")
    assert enters == 2500
    with pytest.raises(IndexError):
        t.events(rank=5)
    with pytest.raises(IndexError):
        t.events(rank=0, thread=3)


def test_stats_without_mpi(loops):
    t = rondo.open(loops)
    s = t.stats()
    assert s["mpi"]["messages"] == {"count": 0, "bytes": 0, "unmatched": 0}
    assert s["duration_ns"] == t.info()["duration_ns"]
    assert len(t.messages()) == 0
    assert t.comm_matrix().shape == (0, 0)


def test_mpi_ring_messages(ring):
    t = rondo.open(ring)
    df = t.messages()
    assert len(df) == 40
    assert (df["bytes"] == 64).all()
    assert df["matched"].all()
    assert (df["recv_ns"] >= df["send_ns"]).all()
    assert ((df["dst"] - df["src"]) % 4 == 1).all()


def test_mpi_ring_matrix_and_stats(ring):
    t = rondo.open(ring)
    m = t.comm_matrix()
    expected = np.zeros((4, 4), dtype=np.uint64)
    for r in range(4):
        expected[r, (r + 1) % 4] = 10 * 64
    assert m.shape == (4, 4)
    assert (m == expected).all()
    s = t.stats()
    assert s["mpi"]["messages"]["count"] == 40
    assert s["mpi"]["messages"]["bytes"] == 40 * 64
    assert s["mpi"]["messages"]["unmatched"] == 0
    cli = cli_json("stats", "--json", ring)
    assert s["mpi"]["matrix_bytes"] == cli["mpi"]["matrix_bytes"]
    assert s["mpi"]["messages"] == cli["mpi"]["messages"]
    assert list(s["mpi"].keys()) == list(cli["mpi"].keys())
    for key in ("ranks", "matrix_count", "message_sizes", "communicators"):
        assert s["mpi"][key] == cli["mpi"][key], key
    assert sorted(t.ranks()) == [0, 1, 2, 3]
    assert sum(1 for _ in t.events(rank=3)) > 0
