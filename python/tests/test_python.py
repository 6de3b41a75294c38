"""Tests of the rondo Python module against traces recorded with the CLI.

Environment (set by ctest): PYTHONPATH=<build>/python, RONDO_CLI (the rondo
command), RONDO_NESTED_LOOPS and RONDO_MPI_RING (example programs),
RONDO_WS_LATE_SENDER (tests/mpi/wait_states/late_sender.c), RONDO_CALL_SITES
(tests/mpi/programs/call_sites.c).
"""

import atexit
import gc
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

import rondo

CLI = os.environ.get("RONDO_CLI", "")
NESTED_LOOPS = os.environ.get("RONDO_NESTED_LOOPS", "")
DEEP_RECURSION = os.environ.get("RONDO_DEEP_RECURSION", "")
DEEP = 100_000
MPI_RING = os.environ.get("RONDO_MPI_RING", "")
LATE_SENDER = os.environ.get("RONDO_WS_LATE_SENDER", "")
GPU_STREAM_PROGRAM = os.environ.get("RONDO_GPU_STREAM_PROGRAM", "")
CALL_SITES = os.environ.get("RONDO_CALL_SITES", "")
# The sleep of tests/mpi/test_wait_states.cpp: a rank held up longer than the
# sleep on a loaded machine lets the sender run ahead, and one wait is missed
# (CI, ctest -j2, found 5 of 6 with 100 ms).
LATE_SENDER_REPS, LATE_SENDER_MS = 3, 200
EARLY_NS = 20_000_000  # how much shorter than the sleep a wait may be (tests/mpi/test_wait_states.cpp)


def record(tmp_path_factory, name, command):
    if not (CLI and os.path.exists(CLI)):
        pytest.skip("RONDO_CLI not set")
    out = tmp_path_factory.mktemp(name) / "trace"
    subprocess.run([CLI, "record", "-o", str(out), "--"] + command, check=True,
                   stdout=subprocess.DEVNULL, timeout=240)
    # Every recorded trace satisfies the invariants of `rondo check`.
    check = subprocess.run([CLI, "check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return str(out)


def cli_json(*args):
    return json.loads(subprocess.run([CLI] + list(args), check=True, capture_output=True,
                                     text=True).stdout)


@pytest.fixture(scope="module")
def loops(tmp_path_factory):
    if not (NESTED_LOOPS and os.path.exists(NESTED_LOOPS)):
        pytest.skip("RONDO_NESTED_LOOPS not set")
    return record(tmp_path_factory, "loops", [NESTED_LOOPS, "1000"])


def mpirun_command(program, ranks, *args):
    mpirun = shutil.which("mpirun")
    if not mpirun or not (program and os.path.exists(program)):
        pytest.skip("mpirun or %s missing" % (program or "the MPI program"))
    # Open MPI's session directory of our own: jobs of other tests starting at
    # the same moment (ctest -j) cannot race us to create the shared one.
    if "OMPI_MCA_orte_tmpdir_base" not in os.environ:
        session = tempfile.mkdtemp(prefix="rondo-test-ompi-")
        atexit.register(shutil.rmtree, session, True)
        os.environ["OMPI_MCA_orte_tmpdir_base"] = session
    return [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", str(ranks), program] + [str(a) for a in args]


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    return record(tmp_path_factory, "ring", mpirun_command(MPI_RING, 4, 10, 64))


@pytest.fixture(scope="module")
def late_sender(tmp_path_factory):
    return record(tmp_path_factory, "late_sender",
                  mpirun_command(LATE_SENDER, 2, LATE_SENDER_REPS, LATE_SENDER_MS))


def cli_has_window():
    help_text = subprocess.run([CLI, "stats", "--help"], capture_output=True, text=True).stdout
    return "--window" in help_text


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
    assert list(df.columns) == ["name", "calls", "inclusive_ns", "exclusive_ns", "min_ns", "max_ns", "mean_ns",
                                "stddev_ns", "cut_short"]
    assert [str(t) for t in df.dtypes] == ["object", "uint64", "int64", "int64", "int64", "int64", "float64",
                                           "float64", "uint64"]
    assert (df["cut_short"] == 0).all()
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
    assert str(df["rank"].dtype) == "int32" and str(df["thread"].dtype) == "int32"
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


def test_times_are_relative_to_the_trace_start(loops):
    t = rondo.open(loops)
    info = t.info()
    events = list(t.events())
    # One thread: its first event is the trace's start, its last the end.
    assert events[0].time_ns == 0
    assert events[-1].time_ns == info["duration_ns"]
    assert t.thread().timestamps()[0] == 0
    assert info["start_ns"] > 0
    # start_realtime_ns: the wall clock of the start, after 2020 and not in the future.
    import time
    assert 1_577_836_800 * 10**9 < info["start_realtime_ns"] <= time.time_ns()
    # Event times and windows share one origin: the relax calls entered in the
    # middle of the steps are the calls a window over that stretch finds (plus
    # at most one crossing its beginning).
    a, b = step_entries(t)[250], step_entries(t)[750]
    entered = sum(1 for e in events if e.kind == "ENTER" and e.region == "relax" and a <= e.time_ns < b)
    windowed = dict(zip(*[t.profile(window=(a, b))[c] for c in ("name", "calls")]))["relax"]
    assert entered > 0
    assert entered <= windowed <= entered + 1


def test_window_after_the_trace_is_refused(loops):
    t = rondo.open(loops)
    end = t.info()["duration_ns"]
    for window in ("1000s:1001s", (end + 1_000_000, None)):
        with pytest.raises(ValueError, match="after the trace's end"):
            t.profile(window=window)
        with pytest.raises(ValueError, match="after the trace's end"):
            t.stats(window=window)
    # Reaching past the end is clipped, as with `rondo stats`.
    assert dict(zip(*[t.profile(window="0:1000s")[c] for c in ("name", "calls")]))["step"] == 1000


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


def test_mpi_ring_event_bytes(ring):
    # Sizes are per-occurrence data (format version 2); Event.bytes reads them.
    t = rondo.open(ring)
    sends = [e for e in t.events(rank=0, thread=0) if e.kind in ("MPI_SEND", "MPI_RECV")]
    assert len(sends) == 20
    assert all(e.bytes == 64 and e.received is None for e in sends)
    assert all(len(e.params) == 3 and e.data == (64,) for e in sends)
    assert all(e.bytes is None for e in t.events(rank=0, thread=0) if e.kind == "ENTER")


def test_mpi_ring_message_times_within_the_trace(ring):
    t = rondo.open(ring)
    df, duration = t.messages(), t.info()["duration_ns"]
    assert (df["send_ns"] >= 0).all() and (df["recv_ns"] <= duration).all()


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


def test_mpi_ring_every_message_once(ring):
    t = rondo.open(ring)
    df = t.messages()
    # 4 ranks, 10 rounds: each rank sends 10 messages to the next one, all matched.
    pairs = df.groupby(["src", "dst"]).size().to_dict()
    assert pairs == {(r, (r + 1) % 4): 10 for r in range(4)}
    assert not (df["recv_ns"] < df["send_ns"]).any()
    assert (df["send_ns"] >= 0).all() and (df["recv_ns"] >= 0).all()
    assert t.stats()["mpi"]["received_before_sent"] == 0


# ---------------------------------------------------------------------------
# The full report: stats, call tree, imbalance, loops, wait states, windows.

def test_stats_equals_cli(loops, ring):
    for trace in (loops, ring):
        t = rondo.open(trace)
        assert t.stats() == cli_json("stats", "--json", trace)
        assert t.stats(by="rank") == cli_json("stats", "--json", "--by", "rank", trace)


def test_stats_window_equals_cli(loops, ring):
    if not cli_has_window():
        pytest.skip("this rondo has no stats --window")
    # Windows inside each trace whatever the machine's speed: from its own duration.
    ring_half = "%dns:" % (rondo.open(ring).info()["duration_ns"] // 2)
    loops_third = ":%dns" % (rondo.open(loops).info()["duration_ns"] // 3)
    for trace, window in ((loops, "50us:200us"), (loops, loops_third), (ring, ring_half)):
        t = rondo.open(trace)
        s = t.stats(window=window)
        assert s == cli_json("stats", "--json", "--window", window, trace), window
        assert "window" in s
        assert t.stats(by="thread", window=window) == cli_json("stats", "--json", "--by", "thread", "--window",
                                                              window, trace)
    t = rondo.open(loops)
    # The tuple form: nanoseconds from the trace's start, None for an open end.
    assert t.stats(window=(50_000, 200_000)) == t.stats(window="50us:200us")
    assert t.stats(window=(None, 100_000)) == t.stats(window=":100us")
    assert t.stats(window=(np.int64(50_000), 200_000.0)) == t.stats(window="50us:200us")


def test_by_independent_tables_shared_from_cache(ring):
    # call_tree, imbalance and wait_states take a cached report of any grouping:
    # they must not depend on it.
    t = rondo.open(ring)
    whole = t.stats()
    for by in ("rank", "thread"):
        grouped = rondo.open(ring).stats(by=by)
        for key in ("call_tree", "imbalance", "wait_states"):
            assert grouped[key] == whole[key], (by, key)
    t.stats(by="thread")  # cached: the next calls may reuse it
    assert t.call_tree().to_dict("records") == whole["call_tree"]
    states = t.wait_states()
    assert states.attrs["total_ns"] == whole["wait_states"]["total_ns"]
    assert len(states) == len(whole["wait_states"]["patterns"]) * whole["mpi"]["ranks"]


def test_stats_independent_of_threads_and_cached(loops):
    one = rondo.open(loops).stats(threads=1)
    assert one == rondo.open(loops).stats(threads=4)
    # The cache (4 reports per trace) serves each (by, window) its own report,
    # also after others were made and older ones evicted: every answer equals
    # the one of a trace opened afresh, which has nothing cached.
    t = rondo.open(loops)
    d = t.info()["duration_ns"]
    windows = [(0, d // 2), (d // 2, None), (0, d // 4), (d // 4, d // 2), (0, d // 8), (0, d // 2)]
    answers = [t.stats(window=w) for w in windows]
    assert answers[0] != answers[1] and answers[0] != answers[2]
    for w, answer in zip(windows, answers):
        assert answer == rondo.open(loops).stats(window=w), w
        assert t.stats(window=w) == answer, w  # asked again, cached or not
    assert t.stats(by="thread") == rondo.open(loops).stats(by="thread")
    assert t.stats() == one


@pytest.mark.parametrize("window, message", [
    ("abc", "is not T0:T1"),
    ("2s:1s", "ends before it begins"),
    ("1x:2s", "unknown unit"),
    ("-1s:", "is not a duration"),
    ((5, 1), "ends before it begins"),
    ((1, 2, 3), "is not (t0_ns, t1_ns)"),
    (("a", 1), "is not a number of ns"),
    ((-5, None), "before the trace's start"),
    (5, "must be"),
])
def test_bad_window_raises_value_error(loops, window, message):
    t = rondo.open(loops)
    for call in (lambda: t.stats(window=window), lambda: t.profile(window=window),
                 lambda: t.call_tree(window=window), lambda: t.loops(window=window),
                 lambda: t.wait_states(window=window), lambda: t.imbalance(window=window)):
        with pytest.raises(ValueError) as e:
            call()
        assert message in str(e.value)


def step_entries(t):
    """Times (ns from the trace's start) at which each step() of nested_loops began."""
    return [e.time_ns for e in t.events() if e.kind == "ENTER" and e.region == "step"]


def test_profile_window(loops):
    t = rondo.open(loops)
    whole = t.profile()
    # Up to the 500th step's entry, however long the start-up before step 0 took
    # (half the duration can end before the first step on a loaded machine).
    window = (0, step_entries(t)[500])
    part = t.profile(window=window)
    assert list(part.columns) == list(whole.columns)
    calls = dict(zip(part["name"], part["calls"]))
    assert calls["step"] in (500, 501)
    assert (part["inclusive_ns"] <= window[1]).all()
    expected = t.stats(window=window)["regions"]
    assert part.to_dict("records") == expected
    assert t.profile(by="rank", window=window).to_dict("records") == t.stats(by="rank", window=window)["regions"]


def test_call_tree(loops):
    t = rondo.open(loops)
    tree = t.call_tree()
    assert list(tree.columns) == ["path", "name", "depth", "parent", "calls", "inclusive_ns", "exclusive_ns",
                                  "min_ns", "max_ns", "mean_ns", "cut_short"]
    rows = {r["path"]: r for r in tree.to_dict("records")}
    assert rows["main"]["depth"] == 0 and rows["main"]["calls"] == 1
    assert rows["main"]["parent"] == -1
    assert tree.iloc[rows["main > step > relax"]["parent"]]["path"] == "main > step"
    assert rows["main > step"]["calls"] == 1000
    assert rows["main > step > relax"]["calls"] == 2500 and rows["main > step > relax"]["depth"] == 2
    assert rows["main > step > exchange"]["calls"] == 1000
    assert rows["main > step > reduce"]["calls"] == 100
    assert tree.to_dict("records") == t.stats()["call_tree"]
    # Children's inclusive time lies within their parent's.
    children = tree[tree["depth"] == 2]["inclusive_ns"].sum()
    assert children <= rows["main > step"]["inclusive_ns"]
    assert len(t.call_tree(window=":50us")) > 0
    assert t.call_tree(window=":50us").to_dict("records") == t.stats(window=":50us")["call_tree"]


def test_imbalance(loops, ring):
    single = rondo.open(loops).imbalance()
    assert len(single) == 0
    assert list(single.columns) == ["name", "max_ns", "max_rank", "mean_ns", "min_ns", "min_rank", "ratio",
                                    "excess_ns"]
    t = rondo.open(ring)
    df = t.imbalance()
    assert "MPI_Send" in set(df["name"])
    assert (df["ratio"] >= 1).all()
    assert df["max_rank"].isin([0, 1, 2, 3]).all()
    assert df.to_dict("records") == t.stats()["imbalance"]


def relax_row(frame):
    rows = frame[frame["label"] == "relax"]
    assert len(rows) == 1, list(frame["name"])
    return rows.iloc[0]


def test_loops_nested_loops(loops):
    t = rondo.open(loops)
    df = t.loops()
    assert "rank" not in df.columns and "thread" not in df.columns
    assert all("step" in name for name in df["name"])
    relax = relax_row(df)
    # Step i calls relax 1 + i % 4 times: 2500 calls, trips 1 to 4 (a single call
    # is no loop occurrence: step 0's, and up to 4 more at the grammar's edges).
    assert (relax["min_trip"], relax["max_trip"]) == (1, 4)
    assert 2496 <= relax["iterations"] <= 2500
    assert relax["events_per_iteration"] == 2.0
    assert relax["total_ns"] > 0 and relax["min_ns"] <= relax["mean_ns"] <= relax["max_ns"]
    assert df.drop(columns=["parents"]).to_dict("records") == [
        {k: v for k, v in row.items() if k not in ("slowest", "parents")} for row in t.stats()["loops"]]

    slow = t.slowest_iterations()
    assert list(slow.columns) == ["loop", "rank", "thread", "loop_id", "occurrence", "iteration", "ns"]
    relax_slow = slow[slow["loop"] == relax["name"]]
    assert 1 <= len(relax_slow) <= 5
    assert relax_slow["ns"].iloc[0] == relax["max_ns"]
    assert list(relax_slow["ns"]) == sorted(relax_slow["ns"], reverse=True)

    # The relax loop's count column agrees with the loop row.
    counts = t.thread(0, 0).loop_counts(int(relax_slow["loop_id"].iloc[0]))
    assert counts.sum() == relax["iterations"]
    assert (counts.min(), counts.max()) == (1, 4) and len(counts) == relax["occurrences"]
    assert (relax_slow["iteration"] < counts[relax_slow["occurrence"].to_numpy()]).all()

    by_thread = t.loops(by="thread")
    assert list(by_thread.columns[3:5]) == ["rank", "thread"]
    assert relax_row(by_thread)["iterations"] == relax["iterations"]
    early = relax_row(t.loops(window=(None, step_entries(t)[500])))
    assert 0 < early["iterations"] < relax["iterations"]


def test_wait_states_late_sender(late_sender):
    t = rondo.open(late_sender)
    doc = t.stats()["wait_states"]
    w = t.wait_states()
    # One row per pattern and rank, with the rank each waited for.
    assert list(w.columns) == ["pattern", "rank", "instances", "waiting_ns", "share", "late_rank", "late_rank_ns",
                               "root_rank", "root_rank_ns"]
    assert list(w["pattern"].unique()) == [p["name"] for p in doc["patterns"]]
    assert len(w) == 6 * 2
    assert {k: w.attrs[k] for k in ("total_ns", "instances", "share", "run_ns")} == \
        {k: doc[k] for k in ("total_ns", "instances", "share", "run_ns")}
    assert w.attrs["eager_limit_bytes"] == 256 * 1024
    assert w["waiting_ns"].sum() == doc["total_ns"]
    ls = w[w["pattern"] == "late_sender"].set_index("rank")
    sleep_ns = LATE_SENDER_MS * 1_000_000
    waits = 2 * LATE_SENDER_REPS  # blocking MPI_Recv, then MPI_Wait of an MPI_Irecv
    assert ls.loc[0, "instances"] == waits and ls.loc[1, "instances"] == 0
    assert ls.loc[0, "waiting_ns"] >= waits * (sleep_ns - EARLY_NS)
    assert ls.loc[0, "late_rank"] == 1 and ls.loc[0, "late_rank_ns"] == ls.loc[0, "waiting_ns"]
    assert ls.loc[0, "root_rank"] == 1 and ls.loc[0, "root_rank_ns"] == ls.loc[0, "waiting_ns"]
    assert ls.loc[1, "late_rank"] == -1 and ls.loc[1, "root_rank"] == -1
    assert w[w["pattern"] == "late_receiver"]["instances"].sum() == 0

    partners = t.wait_partners()
    assert list(partners.columns) == ["pattern", "rank", "late_rank", "instances", "waiting_ns"]
    mine = partners[partners["pattern"] == "late_sender"]
    assert mine[["rank", "late_rank", "instances"]].values.tolist() == [[0, 1, waits]]

    sites = t.wait_call_sites()
    assert list(sites.columns) == ["pattern", "call", "caller", "instances", "waiting_ns", "worst_rank", "worst_ns",
                                   "function", "file", "line", "place"]
    mine = sites[sites["pattern"] == "late_sender"]
    # Recorded without --callstack: no call site, the place is the caller.
    assert (mine["function"] == "").all() and (mine["line"] == 0).all()
    assert (mine["place"] == mine["caller"]).all()
    assert set(zip(mine["call"], mine["caller"])) == {("MPI_Recv", "late_sender_blocking"),
                                                      ("MPI_Wait", "late_sender_nonblocking")}
    assert (mine["worst_ns"] >= sleep_ns - EARLY_NS).all()
    assert (mine["worst_rank"] == 0).all()
    # A window counts the waiting calls entered in it: none in the first nanosecond.
    assert t.wait_states(window=":1ns").attrs["instances"] == 0
    assert t.wait_states(window=":1ns")["instances"].sum() == 0


# ---------------------------------------------------------------------------
# Columns as numpy arrays.

def assert_view(arr, owner_type=rondo.ThreadColumns):
    assert arr.flags.owndata is False
    assert isinstance(arr.base, owner_type)
    assert arr.flags.writeable is False


def test_thread_loop_counts_are_views(loops):
    t = rondo.open(loops)
    th = t.thread(rank=0, thread=0)
    assert (th.rank, th.thread, th.event_count) == (0, 0, 9202)
    assert th.loop_count >= 1
    events = list(t.events(0, 0))
    # Relax calls of each step, from the event stream.
    per_step, current = [], None
    for e in events:
        if e.kind == "ENTER" and e.region == "step":
            current = 0
        elif e.kind == "ENTER" and e.region == "relax":
            current += 1
        elif e.kind == "LEAVE" and e.region == "step":
            per_step.append(current)
    found = False
    for loop_id in range(th.loop_count):
        counts = th.loop_counts(loop_id)
        assert counts.dtype == np.uint32
        assert counts.flags.writeable is False  # a copy (read from the file when asked), read-only
        if counts.max() == 4:  # the relax loop: its trips are the relax calls of the steps it ran in
            assert list(counts) == per_step[len(per_step) - len(counts):]
            found = True
    assert found
    with pytest.raises(IndexError):
        th.loop_counts(th.loop_count)
    with pytest.raises(ValueError):
        counts[0] = 7  # read-only


def test_thread_timestamps_and_event_ids(loops):
    t = rondo.open(loops)
    th = t.thread()
    times, ids = th.timestamps(), th.event_ids()
    assert times.dtype == np.int64 and ids.dtype == np.uint32
    events = list(t.events())
    assert len(times) == len(ids) == len(events) == 9202
    assert times.tolist() == [e.time_ns for e in events]
    defs = t.event_defs()
    assert list(defs.columns) == ["id", "kind", "region", "params", "data"]
    kinds, regions = defs["kind"].to_numpy(), defs["region"].to_numpy()
    assert kinds[ids].tolist() == [e.kind for e in events]
    assert regions[ids].tolist() == [e.region for e in events]
    assert th.timestamps() is times  # decoded once
    relax_enter = defs[(defs["kind"] == "ENTER") & (defs["region"] == "relax")]["id"].tolist()
    assert np.isin(ids, relax_enter).sum() == 2500
    with pytest.raises(IndexError):
        t.thread(rank=0, thread=2)
    with pytest.raises(IndexError):
        t.thread(rank=7)


def test_thread_data_views_and_keep_alive(late_sender):
    t = rondo.open(late_sender)
    th = t.thread(rank=0)
    defs = t.event_defs(rank=0)
    with_data = defs[defs["data"] > 0]
    assert len(with_data) > 0  # MPI_IRECV and its request carry a request id
    expected = {}
    for e in t.events(rank=0):
        if e.data:
            expected.setdefault(e.kind, []).append(list(e.data))
    arrays = {}
    for _, d in with_data.iterrows():
        arr = th.data(int(d["id"]))
        assert arr.dtype == np.int64 and arr.ndim == 2 and arr.shape[1] == d["data"]
        assert_view(arr)
        arrays.setdefault(d["kind"], []).extend(arr.tolist())
    # One event id per kind here: each column holds that kind's values in event order.
    assert arrays == expected
    assert th.data(int(defs[defs["data"] == 0]["id"].iloc[0])).shape == (0, 0)
    with pytest.raises(IndexError):
        th.data(len(defs))
    # The view keeps the trace open after every other reference is gone.
    arr = th.data(int(with_data["id"].iloc[0]))
    values = arr.tolist()
    del t, th
    gc.collect()
    assert arr.tolist() == values


# ---------------------------------------------------------------------------
# A recursion 100,000 calls deep (tests/cli/programs/deep_recursion.c): no
# conversion may recurse on the depth of the program's stack.

@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    if not (DEEP_RECURSION and os.path.exists(DEEP_RECURSION)):
        pytest.skip("RONDO_DEEP_RECURSION not set")
    return record(tmp_path_factory, "deep", [DEEP_RECURSION, str(DEEP)])


def test_call_tree_hundred_thousand_levels_deep(deep):
    t = rondo.open(deep)
    tree = t.call_tree()
    assert list(tree.columns) == ["path", "name", "depth", "parent", "calls", "inclusive_ns", "exclusive_ns",
                                  "min_ns", "max_ns", "mean_ns", "cut_short"]
    recurse = tree[tree["name"] == "recurse"]
    assert len(recurse) == DEEP and (recurse["calls"] == 1).all()
    assert tree["depth"].max() == DEEP  # descend at depth 0, then 100,000 levels of recurse
    # The recursion's thread: descend and 100,000 levels below it; the main
    # thread adds main (and pthread_create/join when the pthread module records).
    assert len(tree[tree["name"].isin(["descend", "recurse"])]) == DEEP + 1
    assert set(tree[~tree["name"].isin(["descend", "recurse"])]["name"]) <= {"main", "pthread_create", "pthread_join"}
    # Each row's parent is the row one level up.
    linked = tree[tree["parent"] >= 0]
    assert (tree["depth"].to_numpy()[linked["parent"].to_numpy()] + 1 == linked["depth"].to_numpy()).all()
    assert (tree[tree["depth"] == 0]["parent"] == -1).all()
    calls = dict(zip(*[t.profile()[c] for c in ("name", "calls")]))
    assert calls["recurse"] == DEEP and calls["descend"] == 1 and calls["main"] == 1
    assert {r["name"]: r["calls"] for r in t.stats()["regions"]}["recurse"] == DEEP


def test_gpu_without_gpu_records(loops):
    g = rondo.open(loops).gpu()
    assert list(g["kernels"].columns) == ["name", "calls", "total_ns", "min_ns", "max_ns", "mean_ns"]
    assert len(g["kernels"]) == 0 and len(g["streams"]) == 0
    assert g["sync"] == {"calls": 0, "blocked_ns": 0}
    assert list(g["sync_activity"].columns) == ["kind", "count", "blocked_ns"] and len(g["sync_activity"]) == 0


def test_gpu_stream_location(tmp_path_factory):
    # tests/gpu/extra_locations_program.cpp: ten 50-tick kernels on "GPU 0 stream 5",
    # then a 100-tick activity handed over at exit (ticks are ns under RONDO_CLOCK=monotonic),
    # a region without a GPU record: a kernel too (what else runs on a stream).
    if not (GPU_STREAM_PROGRAM and os.path.exists(GPU_STREAM_PROGRAM)):
        pytest.skip("RONDO_GPU_STREAM_PROGRAM not set")
    os.environ["RONDO_CLOCK"] = "monotonic"
    try:
        trace = record(tmp_path_factory, "gpu", [GPU_STREAM_PROGRAM])
    finally:
        del os.environ["RONDO_CLOCK"]
    g = rondo.open(trace).gpu()
    assert g["kernels"][["name", "calls", "total_ns", "min_ns", "max_ns"]].values.tolist() == \
        [["kernel", 11, 600, 50, 100]]
    assert g["streams"][["name", "device", "stream", "kernels", "busy_ns"]].values.tolist() == \
        [["GPU 0 stream 5", 0, 5, 11, 600]]
    assert cli_json("stats", "--json", trace)["gpu"]["streams"][0]["busy_ns"] == 600


def test_profile_counter_columns(tmp_path):
    # rondo record --counters: t.profile() has NAME_inclusive / NAME_exclusive
    # per counter, the sums `rondo stats --json` gives in regions[].counters.
    if not (CLI and os.path.exists(CLI) and NESTED_LOOPS and os.path.exists(NESTED_LOOPS)):
        pytest.skip("RONDO_CLI or RONDO_NESTED_LOOPS not set")
    out = str(tmp_path / "trace")
    subprocess.run([CLI, "record", "-o", out, "--counters", "perf::TASK-CLOCK", "--", NESTED_LOOPS, "100"],
                   check=True, stdout=subprocess.DEVNULL, timeout=240)
    expected = {r["name"]: r["counters"]["perf::TASK-CLOCK"]
                for r in cli_json("stats", "--json", out)["regions"] if "counters" in r}
    if not expected or "main" not in expected:
        pytest.skip("this build records no counters (no PAPI)")
    df = rondo.open(out).profile()
    rows = df.set_index("name")
    for name, sums in expected.items():
        assert rows.loc[name, "perf::TASK-CLOCK_inclusive"] == sums["inclusive"]
        assert rows.loc[name, "perf::TASK-CLOCK_exclusive"] == sums["exclusive"]
    assert df["perf::TASK-CLOCK_exclusive"].sum() == rows.loc["main", "perf::TASK-CLOCK_inclusive"]


def test_call_sites(tmp_path_factory, monkeypatch):
    # rondo record --callstack: t.call_sites() has the rows of `rondo stats
    # --json`'s mpi.call_sites; call_sites.c makes MPI_Allreduce from
    # exchange_halo twice per step and from check_residual once.
    steps, ranks = 20, 2
    command = mpirun_command(CALL_SITES, ranks, steps)
    monkeypatch.setenv("RONDO_CALLSTACK", "8")  # as --callstack 8
    trace = record(tmp_path_factory, "call_sites", command)
    monkeypatch.delenv("RONDO_CALLSTACK")
    df = rondo.open(trace).call_sites()
    assert list(df.columns) == ["call", "function", "file", "line", "calls", "inclusive_ns", "mpi_share"]
    assert df.to_dict("records") == cli_json("stats", "--json", trace)["mpi"]["call_sites"]
    allreduce = df[df["call"] == "MPI_Allreduce"].set_index("function")
    assert allreduce.loc["exchange_halo", "calls"] == 2 * steps * ranks
    assert allreduce.loc["check_residual", "calls"] == steps * ranks
    assert set(allreduce["file"].map(os.path.basename)) == {"call_sites.c"}
    assert (allreduce["line"] > 0).all()
    # Without --callstack: no sites, the columns still there.
    plain = record(tmp_path_factory, "no_call_sites", command)
    empty = rondo.open(plain).call_sites()
    assert len(empty) == 0 and list(empty.columns) == list(df.columns)
