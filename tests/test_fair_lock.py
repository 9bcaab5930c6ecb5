"""The SQLite writers' lock is taken in the order it was asked for (no writer starves under load)."""

import threading
import time

from app.db import FairLock


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
        while len(lock._waiters) < number + 1 and time.monotonic() < deadline:
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
    assert not lock._held and not lock._waiters
