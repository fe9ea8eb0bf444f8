"""Where the CPU of a measured run went: the Django workers, PostgreSQL, nginx, Redis, the load client.

The capacity model (docs/scaling.md) needs the cost of a request per tier, not only the whole box's:
workers scale by adding web nodes, PostgreSQL by replicas. Linux counts each process's CPU time in
/proc/<pid>/stat (user + system ticks); a snapshot before and after a run, grouped by what each process
is, gives each tier's share. The load client (wrk) starts and ends inside the run: its time is the
bench process's finished children's (getrusage). Other processes that start and end inside the run are
missed (the topology's processes and PostgreSQL's pooled backends live through it).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
TIERS = ("workers", "postgresql", "nginx", "redis", "client", "other")


def _tier(pid: str) -> str | None:
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:  # gone meanwhile
        return None
    if name == "postgres":
        return "postgresql"
    if name == "nginx":
        return "nginx"
    if name == "redis-server":
        return "redis"
    if b"uvicorn" in command or b"rqworker" in command or b"db_worker" in command:
        return "workers"
    return "other"


def _ticks(pid: str) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _finished_children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snapshot() -> dict[str, dict[str, int]]:
    """CPU ticks of every running process now, by tier and pid (the client's: see Split)."""
    tiers: dict[str, dict[str, int]] = {tier: {} for tier in TIERS}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        tier = _tier(pid)
        if tier is not None:
            tiers[tier][pid] = _ticks(pid)
    return tiers


class Split:
    """CPU seconds each tier spent between entering and leaving the block."""

    def __enter__(self) -> Split:
        self.before = snapshot()
        self.children_before = _finished_children_seconds()
        return self

    def __exit__(self, *exc) -> None:
        after = snapshot()
        self.seconds = {
            tier: sum(ticks - self.before[tier].get(pid, 0) for pid, ticks in after[tier].items()) / TICKS_PER_SECOND
            for tier in TIERS
        }
        self.seconds["client"] = _finished_children_seconds() - self.children_before

    def per_request_ms(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request in each tier (the run's requests all of one kind)."""
        return {tier: round(seconds * 1000 / max(requests, 1), 2) for tier, seconds in self.seconds.items()}
