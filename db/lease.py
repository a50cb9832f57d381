"""One scheduler per database: APScheduler's job store must have a single writer, or sources run twice.

PostgreSQL: a session-level advisory lock, held by a connection kept open for the scheduler's life; the server
releases it when that connection goes, however the process ends. SQLite: an exclusive ``flock`` on a file beside
the database, which the kernel releases when the process ends.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from newsmon.errors import StoreError

# One advisory lock id per schema: newsmon's tables live in the first schema of the search path.
_LOCK_KEY = "hashtext(current_schema() || ' newsmon scheduler')"


class SchedulerLease(AbstractContextManager["SchedulerLease"]):
    """Held while a scheduler runs; entering raises StoreError if another process holds it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._file: int | None = None

    def __enter__(self) -> SchedulerLease:
        if self.engine.dialect.name == "postgresql":
            self._connection = self.engine.connect()
            held = self._connection.execute(text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")).scalar()
            self._connection.commit()
            if not held:
                self._connection.close()
                raise StoreError(f"another `newsmon run` is already scheduling {self._where()}")
        elif self.engine.dialect.name == "sqlite" and (path := self.engine.url.database) not in (None, "", ":memory:"):
            lock = Path(f"{path}.scheduler.lock")
            self._file = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(self._file, 32, 0).decode(errors="replace").strip() or "?"
                os.close(self._file)
                raise StoreError(f"another `newsmon run` (pid {holder}) is already scheduling {self._where()}") from None
            os.ftruncate(self._file, 0)
            os.pwrite(self._file, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._connection is not None:
            # the pooled session would outlive close(): unlock explicitly
            self._connection.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"))
            self._connection.commit()
            self._connection.close()
        if self._file is not None:
            os.close(self._file)

    def _where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)
