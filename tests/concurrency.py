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
