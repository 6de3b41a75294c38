"""Rondo traces from Python.

    import rondo
    t = rondo.open("trace-dir")
    t.info()                      # dict, same keys as `rondo info --json`
    t.stats(by=None, window=None) # dict, same as `rondo stats --json [--by] [--window]`
    t.profile(by=None, window=None)    # pandas.DataFrame, one row per region
    t.call_tree(window=None)      # pandas.DataFrame, one row per call path
    t.imbalance(window=None)      # pandas.DataFrame, one row per region (several ranks)
    t.loops(by=None, window=None) # pandas.DataFrame, one row per loop
    t.slowest_iterations(by=None, window=None)  # pandas.DataFrame, the loops' slowest iterations
    t.wait_states(window=None)    # pandas.DataFrame, waiting per pattern and rank, with the late partner
    t.wait_partners(window=None)  # pandas.DataFrame, waiting per pattern, rank and the rank it waited for
    t.wait_call_sites(window=None)     # pandas.DataFrame, where ranks waited
    t.call_sites(window=None)     # pandas.DataFrame, time in MPI by call site (--callstack)
    t.messages()                  # pandas.DataFrame, one row per MPI message
    t.comm_matrix()               # numpy array of bytes, ranks x ranks
    t.events(rank=0, thread=0)    # iterator of events in time order
    t.thread(rank=0, thread=0)    # numpy columns of one thread (rondo.ThreadColumns)
    t.gpu(window=None)            # dict of pandas.DataFrames: kernels, copies, streams, devices; sync dict

`window` is "T0:T1" (the syntax of `rondo stats --window`: times relative to
the trace's start with a unit ns, us, ms or s, either side may be empty) or a
tuple (t0_ns, t1_ns) of nanoseconds from the trace's start (None: open end).
Bad windows raise ValueError.

Every time the module gives (messages' send_ns / recv_ns, events' time_ns,
ThreadColumns.timestamps()) is in nanoseconds from the trace's start, the
origin windows use. info()["start_ns"] is that start on the trace's clock
(rank 0's CLOCK_MONOTONIC): add it for absolute times;
info()["start_realtime_ns"] is the same instant in ns since the Unix epoch
(wall clock).

Statistics come from Rondo's analyzer (the native module rondo._rondo), the
same code as the `rondo` command. One analysis serves every table of the same
`by` and window: the native trace keeps the last few.
"""

import json as _json

from . import _rondo
from ._rondo import Event, ThreadColumns, TraceError

__all__ = ["open", "Trace", "Event", "ThreadColumns", "TraceError"]

_CALL_TREE_COLUMNS = ["path", "name", "depth", "parent", "calls", "inclusive_ns", "exclusive_ns", "min_ns",
                      "max_ns", "mean_ns", "cut_short"]
_IMBALANCE_COLUMNS = ["name", "max_ns", "max_rank", "mean_ns", "min_ns", "min_rank", "ratio", "excess_ns"]
_LOOP_COLUMNS = ["name", "label", "parents", "rank", "thread", "ranks", "threads", "occurrences", "iterations",
                 "nest_iterations", "min_trip", "max_trip", "events_per_iteration", "total_ns", "mean_ns", "stddev_ns", "min_ns",
                 "max_ns", "outliers", "thread_min_ns", "thread_max_ns", "slowest_rank", "slowest_thread"]
_SLOWEST_COLUMNS = ["loop", "rank", "thread", "loop_id", "occurrence", "iteration", "ns"]
_CALL_SITE_COLUMNS = ["pattern", "call", "caller", "instances", "waiting_ns", "worst_rank", "worst_ns", "function",
                      "file", "line", "place"]
_MPI_CALL_SITE_COLUMNS = ["call", "function", "file", "line", "calls", "inclusive_ns", "mpi_share"]
_WAIT_STATE_COLUMNS = ["pattern", "rank", "instances", "waiting_ns", "share", "late_rank", "late_rank_ns",
                       "root_rank", "root_rank_ns"]
_WAIT_PARTNER_COLUMNS = ["pattern", "rank", "late_rank", "instances", "waiting_ns"]
_GPU_COLUMNS = {
    "kernels": ["name", "calls", "total_ns", "min_ns", "max_ns", "mean_ns"],
    "copies": ["kind", "count", "bytes", "total_ns", "bandwidth_bytes_per_s"],
    "streams": ["rank", "process", "thread", "name", "device", "stream", "kernels", "copies", "memsets", "busy_ns",
                "busy_share"],
    "devices": ["rank", "process", "device", "busy_ns", "busy_share", "kernel_ns", "copy_ns",
                "copy_compute_overlap_ns"],
}
_WAIT_TOTAL_KEYS = ["total_ns", "instances", "share", "run_ns", "eager_limit_bytes"]


def _frame(columns):
    import pandas

    return pandas.DataFrame(columns)


def _records(rows, columns):
    """A DataFrame of JSON objects, with `columns` (in that order) even when empty."""
    import pandas

    return pandas.DataFrame.from_records(rows, columns=columns)


def _grouped(columns, by):
    """`columns` less rank / thread where `by` does not add them."""
    drop = {None: ("rank", "thread"), "rank": ("thread",), "thread": ()}.get(by, ())
    return [c for c in columns if c not in drop]


class Trace:
    """A trace directory opened for reading (see rondo.open)."""

    def __init__(self, path):
        self._native = _rondo.Trace(str(path))

    @property
    def dir(self):
        return self._native.dir

    def __repr__(self):
        return "rondo.Trace(%r)" % self.dir

    def _section(self, key, by=None, window=None, any_by=False):
        return _json.loads(self._native.stats_json(by, window, 0, key, any_by))

    def info(self):
        """What the trace holds: the keys of `rondo info --json`, among them
        start_ns (the trace's start on rank 0's CLOCK_MONOTONIC, the origin of
        every time this module gives) and start_realtime_ns (the same instant
        in ns since the Unix epoch; 0 when not recorded)."""
        return _json.loads(self._native.info_json())

    def ranks(self):
        """The rank of each process, in trace order."""
        return self._native.ranks()

    def stats(self, by=None, window=None, threads=0):
        """The document of `rondo stats --json [--by BY] [--window WINDOW]` (the
        same code builds both): duration_ns, truncated, [window], regions,
        call_tree, imbalance, mpi, wait_states, [threads], loops.
        threads: analyzer threads (0: every core); the result does not depend on it."""
        return _json.loads(self._native.stats_json(by, window, threads))

    def profile(self, by=None, window=None):
        """Flat profile, sorted by exclusive time (largest first).

        Columns: name, [rank], [thread], calls, inclusive_ns, exclusive_ns,
        min_ns, max_ns, mean_ns, stddev_ns (of a call's inclusive time),
        cut_short (of calls: still open where their thread's data ends). by:
        None, "rank" or "thread". Without a window it reads only the threads'
        summaries (no replay); with one, calls are clipped to it. A trace
        recorded with --counters adds NAME_inclusive and NAME_exclusive
        (uint64) per counter, for the whole trace and by=None.
        """
        # The native columns come typed and in this order (name, [rank], [thread],
        # the profile's, counters): no conversion to pay for.
        return _frame(self._native.profile_columns(by, window))

    def call_tree(self, window=None):
        """The call tree merged over every thread, depth first (children by
        inclusive time, largest first). Columns: path ("main > step > relax";
        rows 64 levels deep or more keep the first and last 16 names around
        "…"), name, depth (0: called outside any region), parent (the row
        index of the caller, -1 at depth 0), calls, inclusive_ns,
        exclusive_ns, min_ns, max_ns, mean_ns. Flat however deep the stack
        was (a recursion 100,000 deep is 100,001 rows)."""
        return _records(self._section("call_tree", window=window, any_by=True), _CALL_TREE_COLUMNS)

    def imbalance(self, window=None):
        """How unevenly each region's inclusive time spreads over the ranks
        (traces of several processes; else empty), largest excess first.
        Columns: name, max_ns, max_rank, mean_ns, min_ns, min_rank, ratio
        (max / mean; 1 is balanced), excess_ns (max - mean)."""
        return _records(self._section("imbalance", window=window, any_by=True), _IMBALANCE_COLUMNS)

    def loops(self, by=None, window=None):
        """Loops found in the grammar, by total time (largest first).

        Columns: name ("step > relax"), label, parents (list), [rank],
        [thread], ranks, threads, occurrences, iterations, nest_iterations
        (iterations of the whole nest an outer loop stands for, else 0),
        min_trip, max_trip, events_per_iteration, total_ns, mean_ns,
        stddev_ns, min_ns, max_ns, outliers, thread_min_ns, thread_max_ns,
        slowest_rank, slowest_thread. With a window an iteration counts when
        any part of it is inside, with the part inside (as calls). The
        slowest iterations of each row: slowest_iterations().
        """
        return _records(self._section("loops", by, window), _grouped(_LOOP_COLUMNS, by))

    def gpu(self, window=None):
        """GPU activity (CUDA traces; empty frames otherwise), the "gpu"
        section of `rondo stats --json`: a dict with DataFrames "kernels"
        (name, calls, total_ns, min_ns, max_ns, mean_ns), "copies" (kind,
        count, bytes, total_ns, bandwidth_bytes_per_s), "streams" (rank,
        process, thread, name, device, stream, kernels, copies, memsets,
        busy_ns, busy_share), "devices" (rank, process, device, busy_ns,
        busy_share, kernel_ns, copy_ns, copy_compute_overlap_ns), "sync",
        a dict (calls, blocked_ns) of host time in CUDA synchronisation calls,
        and "sync_activity" (kind, count, blocked_ns), the synchronisations
        as CUPTI timed them."""
        section = self._section("gpu", window=window, any_by=True) or {}
        out = {key: _records(section.get(key, []), columns) for key, columns in _GPU_COLUMNS.items()}
        sync = dict(section.get("sync", {"calls": 0, "blocked_ns": 0}))
        out["sync_activity"] = _records(sync.pop("activity", []), ["kind", "count", "blocked_ns"])
        out["sync"] = sync
        return out

    def slowest_iterations(self, by=None, window=None):
        """The slowest iterations (up to 5) of each row of loops(by, window),
        rows in the order of loops(), longest first within a row. Columns: loop
        (the row's name), rank, thread, loop_id (in that thread's grammar, as
        ThreadColumns.loop_counts takes it), occurrence, iteration, ns."""
        rows = []
        for loop in self._section("loops", by, window):
            for s in loop["slowest"] or ():
                rows.append(dict(s, loop=loop["name"]))
        return _records(rows, _SLOWEST_COLUMNS)

    def _wait_states(self, window):
        return self._section("wait_states", window=window, any_by=True)

    def wait_states(self, window=None):
        """MPI wait states (Scalasca's patterns), one row per (pattern, rank), in
        pattern order ("late_sender", "late_receiver", "wait_at_barrier",
        "wait_at_nxn", "late_broadcast", "early_reduce") then by rank, every
        rank. Columns: pattern, rank, instances (calls that waited), waiting_ns,
        share (of the run time of the MPI threads), late_rank (the rank it
        waited for most, -1: none) and late_rank_ns (how long), root_rank and
        root_rank_ns (the same by root cause: a partner that was late only
        because it waited passes the blame on). `attrs` holds
        the totals: total_ns, instances, share, run_ns, eager_limit_bytes. The
        whole document is t.stats()["wait_states"]. A window counts the waiting
        calls entered in it."""
        w = self._wait_states(window)
        run = w["run_ns"]
        rows = []
        none = {"rank": -1, "waiting_ns": 0}
        for p in w["patterns"]:
            for r in p["per_rank"]:
                late = (r["by_late_rank"] or [none])[0]
                root = (r["by_root_rank"] or [none])[0]
                rows.append({"pattern": p["name"], "rank": r["rank"], "instances": r["instances"],
                             "waiting_ns": r["waiting_ns"], "share": r["waiting_ns"] / run if run else 0.0,
                             "late_rank": late["rank"], "late_rank_ns": late["waiting_ns"],
                             "root_rank": root["rank"], "root_rank_ns": root["waiting_ns"]})
        frame = _records(rows, _WAIT_STATE_COLUMNS)
        frame.attrs.update({key: w[key] for key in _WAIT_TOTAL_KEYS})
        return frame

    def wait_partners(self, window=None):
        """Who waited for whom: one row per (pattern, waiting rank, late rank)
        with waiting, most waiting first within a (pattern, rank). Columns:
        pattern, rank, late_rank, instances, waiting_ns."""
        rows = [dict(late, pattern=p["name"], rank=r["rank"], late_rank=late["rank"])
                for p in self._wait_states(window)["patterns"] for r in p["per_rank"]
                for late in r["by_late_rank"]]
        return _records(rows, _WAIT_PARTNER_COLUMNS)

    def wait_call_sites(self, window=None):
        """Where ranks waited, one row per (pattern, MPI call, calling region,
        call site), by waiting time within each pattern. Columns: pattern
        ("late_sender", ...), call, caller, instances, waiting_ns, worst_rank,
        worst_ns, and with `rondo record --callstack N` the call site's
        function, file, line ("", "", 0 without one) and place
        ("receive_halo (halo.c:42)", the caller without a call site)."""
        rows = [dict(site, pattern=p["name"]) for p in self._wait_states(window)["patterns"]
                for site in p["call_sites"]]
        return _records(rows, _CALL_SITE_COLUMNS)

    def call_sites(self, window=None):
        """Time in MPI by call site (`rondo record --callstack N`): one row per
        MPI function and the application line it was called from (innermost
        captured frame), largest inclusive time first; the rows of
        t.stats()["mpi"]["call_sites"]. Columns: call, function, file, line
        (0: unknown), calls, inclusive_ns, mpi_share (of the time in every
        outermost MPI call). Empty for a trace recorded without call sites."""
        mpi = self._section("mpi", window=window, any_by=True) or {}
        return _records(mpi.get("call_sites") or [], _MPI_CALL_SITE_COLUMNS)

    def messages(self):
        """MPI point-to-point messages, one row each.

        Columns: src, dst, tag, bytes, send_ns, recv_ns (ns from the trace's
        start, as windows), comm (index in the trace's communicator table),
        comm_name, recv_bytes, matched. Matched messages come first; a side
        that was not recorded has time -1.
        """
        return _frame(self._native.message_columns())

    def comm_matrix(self):
        """Bytes of matched messages, [src rank, dst rank] (numpy uint64)."""
        return self._native.comm_matrix()

    def events(self, rank=0, thread=0):
        """Events of one thread in time order. Each has time_ns (from the
        trace's start, as windows), kind
        ("ENTER", "LEAVE", "MPI_SEND", ...), region (ENTER / LEAVE, else None),
        params and data (tuples) and index."""
        return self._native.events(rank, thread)

    def thread(self, rank=0, thread=0):
        """One thread's columns as numpy arrays (rondo.ThreadColumns):

        - loop_counts(loop_id): uint32 trip count of each occurrence of a loop
          (a read-only copy, read from the trace file when asked);
        - data(event_id): int64 data values of an event id, occurrences x
          width (a read-only view, no copy);
        - timestamps(): int64 ns (from the trace's start) of every event and
          event_ids(): uint32 event
          id of every event (decoded once, in one pass, then kept);
        - event_defs(): what each event id is (id, kind, region, params, data).
        The views keep the trace open while they exist."""
        return self._native.thread(rank, thread)

    def event_defs(self, rank=0, thread=0):
        """thread(rank, thread).event_defs() as a DataFrame: id, kind, region,
        params, data (values per occurrence)."""
        return _frame(self.thread(rank, thread).event_defs())


def open(path):  # noqa: A001 - the documented name
    """Opens a trace directory; raises rondo.TraceError when it is not one."""
    return Trace(path)
