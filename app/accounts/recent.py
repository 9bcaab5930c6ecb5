"""Who was signed in a moment ago: the user behind a token or a session cookie, kept a second.

Every request needs its user. Read from the database each time, that is a thread hop, a
connection and a query: a fifth of what a capture costs. An entry is kept `TTL` seconds at most,
and all are dropped as soon as this process writes to the accounts, tokens or sessions tables
(a sign-out, a revoked token, a changed password or profile, a deleted account), on execution
and again at the commit.

Another process (a second worker, the command line) writes the same tables: on PostgreSQL their
triggers announce each commit that changed them on `CHANNEL` (migration 0017), and a running
server listens (`listen`, started by the app's lifespan), so that every process drops its
entries within milliseconds. On SQLite, or while the listener is reconnecting, another process
can lag by `TTL` at most: a token revoked there keeps working here for up to one second.
"""

import threading
import weakref
from dataclasses import dataclass
from time import monotonic
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.orm import make_transient_to_detached

from app.accounts.models import User
from app.db import built

TTL = 1.0
MAX_ENTRIES = 4096
# The tables a cached answer comes from; a write to one of them drops every entry.
WATCHED = ("user_account", "access_token", "auth_session")
_WRITES = ("INSERT", "UPDATE", "DELETE")
_COLUMNS = tuple(column.key for column in User.__table__.columns)  # type: ignore[attr-defined]
CHANNEL = "givefirst_accounts"


@dataclass(frozen=True, slots=True)
class Recent:
    """A user as read for a credential, and until when the reading is trusted."""

    values: dict[str, Any]
    expires: float

    def user(self) -> User:
        """A fresh copy, as if read from the database: a request may add it to its session."""
        user = built(User, self.values)
        make_transient_to_detached(user)
        return user


class RecentUsers:
    """The short-lived cache of one engine's users, by credential."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._entries: dict[str, Recent] = {}
        self._generation = 0
        event.listen(engine, "after_cursor_execute", self._after_execute)
        event.listen(engine, "commit", self._after_commit)
        event.listen(engine, "rollback", self._after_rollback)

    def generation(self) -> int:
        """Taken before a read: `put` then refuses an answer that a write may have outdated."""
        return self._generation

    def get(self, key: str) -> Recent | None:
        """The entry of a credential (`key`: its kind and digest), if read less than TTL ago."""
        found = self._entries.get(key)
        if found is None or found.expires <= monotonic():
            return None
        return found

    def put(self, key: str, user: User, *, generation: int) -> None:
        if generation != self._generation:
            return  # the accounts changed while this was read
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        values = {key: getattr(user, key) for key in _COLUMNS}
        self._entries[key] = Recent(values, monotonic() + TTL)

    def forget_all(self) -> None:
        self._generation += 1
        self._entries.clear()

    def _after_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip()[:6].upper()
        if head in _WRITES and any(table in statement for table in WATCHED):
            conn.info["accounts_written"] = True
            self.forget_all()

    def _after_commit(self, conn: Any) -> None:
        # A request that read the old rows between the write and its commit may have kept them.
        if conn.info.pop("accounts_written", False):
            self.forget_all()

    def _after_rollback(self, conn: Any) -> None:
        conn.info.pop("accounts_written", None)

    def listen(self) -> "Listener | None":
        """On PostgreSQL, start hearing the other processes' changes (None on SQLite)."""
        if self._engine.dialect.name != "postgresql":
            return None
        listener = Listener(self._engine, weakref.WeakMethod(self.forget_all))
        listener.start()
        return listener


class Listener(threading.Thread):
    """A connection of its own that LISTENs on `CHANNEL` and drops the entries at each
    notification, and when it (re)connects: what was missed meanwhile is dropped too."""

    def __init__(self, engine: Engine, forget: "weakref.WeakMethod[Any]") -> None:
        super().__init__(name="givefirst-accounts-listener", daemon=True)
        self._args, self._kwargs = engine.dialect.create_connect_args(engine.url)
        self._forget = forget
        self._stopping = threading.Event()
        self.listening = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    *self._args, **self._kwargs, autocommit=True, connect_timeout=5
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._heard()
                    self.listening.set()
                    while not self._stopping.is_set():
                        for _notification in connection.notifies(timeout=0.5):
                            self._heard()
            except psycopg.Error:
                pass  # the database went away: the TTL stands until it is back
            self.listening.clear()
            self._heard()
            self._stopping.wait(1.0)

    def _heard(self) -> None:
        forget = self._forget()
        if forget is None:
            self._stopping.set()  # the cache is gone with its app
        else:
            forget()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)
