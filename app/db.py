"""Database engine, the request's session (the one place that commits) and migrations."""

import functools
import inspect
import sqlite3
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

from alembic import command
from alembic.config import Config
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy import DateTime, Dialect, Engine, MetaData, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlmodel import Field, Session, SQLModel, create_engine

from app import clock
from app.config import PROJECT_ROOT

# Constraint names that Alembic can find again on SQLite (batch mode) and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata
M = TypeVar("M", bound=SQLModel)


def utcnow() -> datetime:
    """The current instant, timezone-aware (SQLModel refuses naive datetimes), from app.clock."""
    return clock.now()


def built(model: type[M], values: dict[str, Any]) -> M:
    """An instance of a table model holding these values, transient, built as the ORM builds one
    it reads: `__init__` would set each field through the ORM's instrumentation and pydantic's
    checks (a tenth of a millisecond for a person), for values that are known and valid."""
    instance: M = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    instance.__dict__.update(values)
    return instance


def empty_list() -> list[Any]:
    """A default factory for a list field: pydantic inspects a factory's signature each time a
    model is built, and the builtin `list`'s costs 150 µs (its text signature is parsed), a
    function's 9 µs."""
    return []


def empty_dict() -> dict[str, Any]:
    """A default factory for a dict field (see `empty_list`)."""
    return {}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def InstantField(**kwargs: Any) -> Any:
    """A Field holding an aware instant."""
    return Field(sa_type=UTCDateTime, **kwargs)


def _has_nul(params: Any) -> bool:
    # A loop rather than generators: an import's executemany passes 100,000 rows through here.
    if isinstance(params, str):
        return "\x00" in params
    if isinstance(params, dict):
        values: Any = params.values()
    elif isinstance(params, list | tuple):
        values = params
    else:
        return False
    for value in values:
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict | list | tuple) and _has_nul(value):
            return True
    return False


def _without_nul(params: Any) -> Any:
    if isinstance(params, str):
        return params.replace("\x00", "")
    if isinstance(params, dict):
        return {key: _without_nul(value) for key, value in params.items()}
    if isinstance(params, list | tuple):
        return type(params)(_without_nul(value) for value in params)
    return params


def _drop_nul_characters(engine: Engine) -> None:
    """NUL characters never mean anything in our text, and PostgreSQL refuses them in text
    columns: they are dropped from every statement's parameters, on both backends alike."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _clean(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> tuple[str, Any]:
        return statement, _without_nul(parameters) if _has_nul(parameters) else parameters


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: SQLite in WAL mode with foreign keys, or PostgreSQL."""
    engine = _make_engine(url)
    _drop_nul_characters(engine)
    return engine


# Sync routes run on at most WORKER_THREADS threads (AnyIO's limit, set by `create_app`), and each
# thread uses one connection at a time: the pool keeps that many open, so a burst never opens and
# closes connections beyond the pool (each a new PostgreSQL backend: most of a cheap request's
# time under load, when AnyIO's 40 threads met a pool of 20). The overflow is only a margin.
WORKER_THREADS = 20
POOL_SIZE, POOL_OVERFLOW = WORKER_THREADS, 10


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        writers = _SQLITE_WRITERS.setdefault(parsed.database or ":memory:", FairLock())
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": type(
                    "QueuedWriterConnection", (QueuedWriterConnection,), {"writers": writers}
                ),
            },
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )

        @event.listens_for(engine, "before_cursor_execute")
        def _queue_before_writing(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip()[:7].upper().startswith(_WRITES):
                cursor.connection.begin_write()

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # Parallel workers cost ~20 ms to start, more than the short LIMIT queries of a page take.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"options": "-c max_parallel_workers_per_gather=0"},
    )


def alembic_config(url: str) -> Config:
    """Alembic's configuration pointed at the project's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Apply every pending migration: migrations are the only source of schema."""
    command.upgrade(alembic_config(url), "head")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Sync routes commit it on their own thread as they return
    (`CommittingRoute`), so that no transaction waits, open, for the next free thread; whatever
    is still open here (an async route) is committed now, and rolled back when the route raised.

    The session takes no connection until it is used: creating it costs nothing. On SQLite the
    driver begins a transaction just before the first write, so a write lock is held only from
    there to the commit, on one thread."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except BaseException:
        await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()


# scope="function" makes the commit happen before the response is sent: a 2xx means stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class FairLock:
    """A lock taken in the order it was asked for, waking only the next waiter. `threading.Lock`
    lets a thread that just let go take it again at once, so under load some writers waited
    seconds while others went round. A thread that asks again while it holds it (a second
    connection writing while its first one does) is refused at once: it would wait for itself."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._holder: int | None = None
        self._waiters: deque[tuple[threading.Lock, int]] = deque()

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._guard:
            if self._holder is None:
                self._holder = me
                return
            if self._holder == me:
                raise RuntimeError("this thread already writes to SQLite on another connection")
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append((turn, me))
        turn.acquire()  # released by the holder before us, which hands the lock over

    def __exit__(self, *_exc: object) -> None:
        with self._guard:
            if self._waiters:
                turn, self._holder = self._waiters.popleft()
                turn.release()
            else:
                self._holder = None

    @property
    def waiting(self) -> int:
        """How many threads are queued (for tests)."""
        return len(self._waiters)


# SQLite lets one transaction write at a time; the others poll for the lock with growing sleeps
# (up to 100 ms each, unfairly). The connections of one process to one database queue for it here
# instead, in order, from their first write to their commit or rollback: only the writing part
# of a transaction is serialised, not the reads and the Python work before it (pysqlite begins
# the transaction at the first INSERT, UPDATE or DELETE; the reads before it run on their own).
_SQLITE_WRITERS: dict[str, FairLock] = {}
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection that takes its database's writer lock (`writers`, set per database)
    before its first write and gives it back when its transaction ends, however it ends."""

    writers: FairLock
    _writing = False

    def begin_write(self) -> None:
        """Queue for the lock, unless this connection's transaction already holds it."""
        if not self._writing:
            self.writers.__enter__()
            self._writing = True

    def _end_write(self) -> None:
        if self._writing:
            self._writing = False
            self.writers.__exit__()

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        try:
            super().commit()
        finally:
            self._end_write()

    def rollback(self) -> None:
        """Roll back (the pool does too when a connection comes back), then let the next one in."""
        try:
            super().rollback()
        finally:
            self._end_write()

    def close(self) -> None:
        """Close: a transaction left open ends with the connection."""
        try:
            super().close()
        finally:
            self._end_write()


class CommittingRoute(APIRoute):
    """A route whose sync endpoint opens, commits and closes its session on the thread it runs
    on: the one place that commits (with `get_session`, for async routes).

    FastAPI would open a `SessionDep` on the event loop and close it there after the endpoint's
    thread returned, two steps of every request's loop time; here the endpoint's `SessionDep`
    parameters are left out of what FastAPI resolves, and the session lives within one hop."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


_REQUEST = "_committing_request"


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    hints = get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    sessions = [name for name in signature.parameters if hints.get(name) in (SessionDep, Session)]
    if not sessions:
        return endpoint
    requests = [name for name in signature.parameters if hints.get(name) is Request]
    request_name = requests[0] if requests else _REQUEST
    kept = [
        p.replace(annotation=hints[p.name]) if isinstance(p.annotation, str) else p
        for p in signature.parameters.values()
        if p.name not in sessions
    ]
    if not requests:
        kept.append(inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request))

    @functools.wraps(endpoint)
    def run_and_commit(**kwargs: Any) -> Any:
        request = kwargs[request_name] if requests else kwargs.pop(_REQUEST)
        session = Session(request.app.state.engine, expire_on_commit=False)
        try:
            result = endpoint(**kwargs, **dict.fromkeys(sessions, session))
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        return result

    # FastAPI reads the parameters it resolves from this signature, annotations resolved (it
    # would evaluate a string annotation in this module's namespace).
    run_and_commit.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=sorted(kept, key=lambda p: p.kind),
        return_annotation=hints["return"]
        if isinstance(signature.return_annotation, str)
        else signature.return_annotation,
    )
    return run_and_commit


def committing_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes commit as described in `CommittingRoute`."""
    return APIRouter(route_class=CommittingRoute, **kwargs)
