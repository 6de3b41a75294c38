"""Rondo traces from Python.

    import rondo
    t = rondo.open("trace-dir")
    t.info()                      # dict, same keys as `rondo info --json`
    t.profile(by=None)            # pandas.DataFrame (by="rank" / "thread" adds columns)
    t.messages()                  # pandas.DataFrame, one row per MPI message
    t.comm_matrix()               # numpy array of bytes, ranks x ranks
    t.events(rank=0, thread=0)    # iterator of events in time order
    t.stats()                     # dict, same keys as `rondo stats --json`

Statistics come from Rondo's analyzer (the native module rondo._rondo), the
same code as the `rondo` command.
"""

import json as _json

from . import _rondo
from ._rondo import Event, TraceError

__all__ = ["open", "Trace", "Event", "TraceError"]


def _frame(columns):
    import pandas

    return pandas.DataFrame(columns)


class Trace:
    """A trace directory opened for reading (see rondo.open)."""

    def __init__(self, path):
        self._native = _rondo.Trace(str(path))

    @property
    def dir(self):
        return self._native.dir

    def __repr__(self):
        return "rondo.Trace(%r)" % self.dir

    def info(self):
        """What the trace holds: the keys of `rondo info --json`."""
        return _json.loads(self._native.info_json())

    def ranks(self):
        """The rank of each process, in trace order."""
        return self._native.ranks()

    def profile(self, by=None):
        """Flat profile, sorted by exclusive time (largest first).

        Columns: name, [rank], [thread], calls, inclusive_ns, exclusive_ns,
        min_ns, max_ns, mean_ns. by: None, "rank" or "thread".
        """
        cols = self._native.profile_columns(by)
        frame = _frame(cols)
        for c in ("calls",):
            frame[c] = frame[c].astype("uint64")
        for c in ("inclusive_ns", "exclusive_ns", "min_ns", "max_ns"):
            frame[c] = frame[c].astype("int64")
        frame["mean_ns"] = frame["mean_ns"].astype("float64")
        for c in ("rank", "thread"):
            if c in frame:
                frame[c] = frame[c].astype("int32")
        return frame[["name"] + [c for c in ("rank", "thread") if c in frame] +
                     ["calls", "inclusive_ns", "exclusive_ns", "min_ns", "max_ns", "mean_ns"]]

    def messages(self):
        """MPI point-to-point messages, one row each.

        Columns: src, dst, tag, bytes, send_ns, recv_ns, comm (index in the
        trace's communicator table), comm_name, recv_bytes, matched. Matched
        messages come first; a side that was not recorded has time -1.
        """
        return _frame(self._native.message_columns())

    def comm_matrix(self):
        """Bytes of matched messages, [src rank, dst rank] (numpy uint64)."""
        return self._native.comm_matrix()

    def events(self, rank=0, thread=0):
        """Events of one thread in time order. Each has time_ns, kind
        ("ENTER", "LEAVE", "MPI_SEND", ...), region (ENTER / LEAVE, else None),
        params and data (tuples) and index."""
        return self._native.events(rank, thread)

    def stats(self, by=None):
        """The document of `rondo stats --json` (the same code builds both):
        duration_ns, truncated, regions, mpi {messages, matrix_bytes,
        collectives, ...} and, with thread records, threads."""
        return _json.loads(self._native.stats_json(by))


def open(path):  # noqa: A001 - the documented name
    """Opens a trace directory; raises rondo.TraceError when it is not one."""
    return Trace(path)
