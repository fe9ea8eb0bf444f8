"""Run the same callable from many threads at once, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def run_concurrently(work: Callable[[int], object], count: int) -> list[object]:
    """Start `count` threads released together by a barrier; return each result or raised exception.

    Use with `@pytest.mark.django_db(transaction=True)` (and `@pytest.mark.postgres` when the race
    needs a real server): threads cannot see data inside the test's own transaction.
    """
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the caller inspects what each thread raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def free_port() -> int:
    """A TCP port nobody listens on now, for a server a test starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_database_url() -> str:
    """The test database as a URL, for server processes a test starts on it."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
