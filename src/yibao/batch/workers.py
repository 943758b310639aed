"""Worker processes that quote record batches, one core each, in input order.

Threads do not help here: the engine is many short numpy calls and holds the
GIL most of the time (two threads run at 1.1× one).  So the batch runner forks
one process per core after loading the policy (the children inherit it), and
batches travel both ways as Arrow IPC streams written into memory-mapped files
(``/dev/shm`` where there is room): one copy in, one copy out, no pickling.

A *lane* is a pair of such files, input and output; a batch holds a lane until
the runner has written its result.  Batch ``k`` goes to worker ``k % workers``,
so results come back in input order by reading the workers in turn.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from yibao.batch.quote import quote_table
from yibao.rules.policy import Policy

__all__ = ["QuotePool", "RowGroup", "fork_available"]

_SLACK = 1 << 16  # room for IPC metadata beyond the buffers' own sizes


def fork_available() -> bool:
    """Worker processes need ``fork`` (they inherit the loaded policy instead of reloading it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _scratch_dir() -> Path:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 1 << 30:
        return Path(tempfile.mkdtemp(prefix="yibao-batch-", dir=shm))
    return Path(tempfile.mkdtemp(prefix="yibao-batch-"))


def _ipc_size(data: pa.Table | pa.RecordBatch) -> int:
    mock = pa.MockOutputStream()
    with pa.ipc.new_stream(mock, data.schema) as writer:
        writer.write(data)
    return int(mock.size())


@dataclass
class _Mapped:
    """A memory-mapped scratch file, grown (with its disk space reserved) when too small."""

    path: Path
    mm: Any = None
    size: int = 0

    def ensure(self, size: int) -> None:
        """Make sure at least ``size`` bytes are mapped (reserving the space: no SIGBUS later)."""
        on_disk = self.path.stat().st_size if self.path.exists() else 0
        if on_disk < size:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                os.posix_fallocate(fd, 0, size)
            finally:
                os.close(fd)
            on_disk = size
        if self.mm is None or self.size < size:
            self.mm = pa.memory_map(str(self.path), "r+")
            self.size = on_disk

    def write(self, data: pa.Table | pa.RecordBatch) -> int:
        """Write ``data`` as an IPC stream at the start of the file; its size in bytes."""
        size = _ipc_size(data)
        self.ensure(size + _SLACK)
        self.mm.seek(0)
        with pa.ipc.new_stream(self.mm, data.schema) as writer:
            writer.write(data)
        return size

    def read(self, size: int) -> pa.Table:
        """The table written at the start of the file (zero-copy: valid until overwritten)."""
        self.ensure(size)
        self.mm.seek(0)
        return pa.ipc.open_stream(self.mm).read_all()

    def read_batch(self, size: int) -> pa.RecordBatch:
        """The one record batch written at the start of the file (zero-copy)."""
        self.ensure(size)
        self.mm.seek(0)
        return pa.ipc.open_stream(self.mm).read_next_batch()


@dataclass(frozen=True)
class RowGroup:
    """A task a worker reads itself: one row group of a Parquet file, quoted in batches."""

    path: str
    index: int
    batch_rows: int
    #: string columns read as dictionaries (few distinct values: each parsed once)
    dictionaries: tuple[str, ...] = ()


class _NoPandas(importlib.abc.MetaPathFinder):
    """pandas is not there, as far as this process knows.

    pyarrow asks pandas whether each input it converts is a pandas object, and its first
    question imports pandas (installed for Spark): a quarter of a second before a worker's
    first batch, for a library it never uses. A worker tells pyarrow there is no pandas.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("a batch worker does without pandas", name=name)


def _serve(conn: Connection, policy: Policy, keep: tuple[str, ...]) -> None:
    """Worker loop: (input: IPC path and size, or a RowGroup; output path) → output size."""

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the runner stops the workers
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())
    files: dict[str, _Mapped] = {}
    parquet: dict[str, pq.ParquetFile] = {}

    def mapped(path: str) -> _Mapped:
        return files.setdefault(path, _Mapped(Path(path)))

    while True:
        msg = conn.recv()
        if msg is None:
            return
        src, size, dst = msg
        try:
            if isinstance(src, RowGroup):
                if src.path not in parquet:  # opened once per worker, not per row group
                    parquet[src.path] = pq.ParquetFile(src.path, memory_map=True,
                                                       read_dictionary=list(src.dictionaries))
                pf = parquet[src.path]
                group = pf.read_row_group(src.index, use_threads=False)
                table = pa.concat_tables([quote_table(b, policy, keep)
                                          for b in group.to_batches(src.batch_rows)])
            else:
                table = quote_table(mapped(src).read_batch(size), policy, keep)
            conn.send(mapped(dst).write(table))
        except BaseException:  # the runner re-raises it; the worker stays usable
            conn.send(("error", traceback.format_exc()))


@dataclass
class _Lane:
    inp: _Mapped
    out: _Mapped


@dataclass
class QuotePool:
    """``workers`` forked processes quoting batches with ``policy``; use as a context manager."""

    policy: Policy
    keep: tuple[str, ...] = ()
    workers: int = 2
    depth: int = 2
    _dir: Path | None = None
    _procs: list[Any] = field(default_factory=list)
    _conns: list[Connection] = field(default_factory=list)

    def __enter__(self) -> QuotePool:
        ctx = multiprocessing.get_context("fork")
        self._dir = _scratch_dir()
        for _ in range(self.workers):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(theirs, self.policy, self.keep), daemon=True)
            proc.start()
            theirs.close()
            self._procs.append(proc)
            self._conns.append(mine)
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def map(self, batches: Iterator[pa.RecordBatch | RowGroup]) -> Iterator[pa.Table]:
        """The output table of each batch (or row group a worker reads), in input order.

        Each table lives in shared memory and stays valid only until the next item
        is requested: write it (or copy it) before asking for the next one.
        """
        assert self._dir is not None, "use QuotePool as a context manager"
        lanes = deque(_Lane(_Mapped(self._dir / f"in-{i}"), _Mapped(self._dir / f"out-{i}"))
                      for i in range(self.workers * self.depth))
        pending: deque[tuple[_Lane, Connection]] = deque()
        for turn, batch in enumerate(batches):
            if not lanes:
                lane = yield from self._finish(*pending.popleft())
                lanes.append(lane)
            lane = lanes.popleft()
            conn = self._conns[turn % self.workers]
            if isinstance(batch, RowGroup):
                conn.send((batch, 0, str(lane.out.path)))
            else:
                conn.send((str(lane.inp.path), lane.inp.write(batch), str(lane.out.path)))
            pending.append((lane, conn))
        while pending:
            lanes.append((yield from self._finish(*pending.popleft())))

    @staticmethod
    def _finish(lane: _Lane, conn: Connection) -> Generator[pa.Table, None, _Lane]:
        try:
            reply = conn.recv()
        except EOFError:
            raise RuntimeError("a batch worker process died") from None
        if isinstance(reply, tuple):
            raise RuntimeError(f"a batch worker failed:\n{reply[1]}")
        yield lane.out.read(reply)
        return lane
