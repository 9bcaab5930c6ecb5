"""The SQLite writers' lock is taken in the order it was asked for (no writer starves under load),
by each connection from its first write to the end of its transaction."""

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.db import _SQLITE_WRITERS, FairLock, make_engine


def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = FairLock()
    order: list[int] = []

    def writer(number: int) -> None:
        with lock:
            order.append(number)

    lock.__enter__()  # held: every writer below queues
    threads = []
    for number in range(20):
        thread = threading.Thread(target=writer, args=(number,))
        thread.start()
        threads.append(thread)
        # wait until this one is queued before starting the next, so the asking order is known
        deadline = time.monotonic() + 5
        while lock.waiting < number + 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    lock.__exit__(None, None, None)
    for thread in threads:
        thread.join(timeout=5)
    assert order == list(range(20))


def test_the_lock_is_exclusive() -> None:
    lock = FairLock()
    inside = 0
    most = 0
    guard = threading.Lock()

    def writer() -> None:
        nonlocal inside, most
        for _ in range(200):
            with lock:
                with guard:
                    inside += 1
                    most = max(most, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert most == 1
    assert lock._holder is None and not lock.waiting


# --------------------------------------------------------------------------- SQLite connections


def _engine(tmp_path: Any) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def test_a_writer_waits_from_its_first_write_to_the_others_commit_not_for_its_reads(
    tmp_path: Any,
) -> None:
    """Writers queue from their first write until their commit; what they read before it runs
    alongside (only the writing part of a transaction is serialised)."""
    engine = _engine(tmp_path)
    events: list[str] = []
    holder = engine.connect()
    holder.execute(text("INSERT INTO t VALUES (1)"))  # holds the lock until it commits

    def second() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM t")).scalar_one()
            events.append("read")
            connection.execute(text("INSERT INTO t VALUES (2)"))
            events.append("wrote")
            connection.commit()

    thread = threading.Thread(target=second)
    thread.start()
    lock = _SQLITE_WRITERS[str(tmp_path / "lock.db")]
    deadline = time.monotonic() + 5
    while lock.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert lock.waiting == 1
    assert events == ["read"]  # read at once, then queued at its INSERT
    holder.commit()
    thread.join(timeout=5)
    assert events == ["read", "wrote"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    holder.close()
    engine.dispose()


@pytest.mark.parametrize("ending", ["rollback", "close", "error"])
def test_the_lock_is_given_back_however_the_transaction_ends(tmp_path: Any, ending: str) -> None:
    engine = _engine(tmp_path)
    lock = _SQLITE_WRITERS[str(tmp_path / "lock.db")]
    connection = engine.connect()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    assert lock._holder is not None
    if ending == "rollback":
        connection.rollback()
    elif ending == "close":
        connection.close()  # back to the pool, which rolls back
    else:
        with pytest.raises(OperationalError):
            connection.execute(text("INSERT INTO missing VALUES (1)"))
        connection.rollback()
    assert lock._holder is None
    with Session(engine) as session:  # the next writer gets in at once
        session.execute(text("INSERT INTO t VALUES (2)"))
        session.commit()
    assert lock._holder is None
    connection.close()
    engine.dispose()


def test_a_thread_writing_on_two_connections_is_refused_not_left_waiting_for_itself(
    tmp_path: Any,
) -> None:
    engine = _engine(tmp_path)
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(RuntimeError, match="another connection"):
            second.execute(text("INSERT INTO t VALUES (2)"))
        first.commit()
    engine.dispose()
