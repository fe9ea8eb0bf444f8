# ruff: noqa: S310, S603 - requests and commands go to the local servers and clusters the test starts
"""`make run-prod REPLICA=1`: the workers read from a real streaming replica and writers read their own writes.

The test needs a primary that accepts replication connections, which the machine's own cluster may not
(its pg_hba.conf is not ours to change), so it makes one: a fresh cluster holding a copy of the test
database, then the production topology on it with REPLICA=1 (pg_basebackup, a second cluster). With the
replica's replay paused, a member's post is invisible to everyone reading from the replica, yet the
member sees it at once; when replay resumes, everyone sees it.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from consultation.factories import make_consultation
from home.models import BranchPage
from tests.concurrency import served_database_url
from tests.config.test_production_topology import PASSWORD, _free_base_port, _load_prodctl, _log_in, _port_free
from tests.consultation.conftest import end_other_sessions
from tests.consultation.test_two_processes import REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class Primary:
    """A throwaway PostgreSQL cluster that accepts replication from 127.0.0.1 (initdb's trust default)."""

    def __init__(self, pg_bin: Path, port: int):
        self.pg_bin, self.port = pg_bin, port
        home = Path("/var/lib/postgresql") if os.geteuid() == 0 else Path(tempfile.gettempdir())
        self.data_dir = home / f"gongzhi-test-primary-{port}"

    def start(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)
        subprocess.run(
            _as_postgres(str(self.pg_bin / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                         "-E", "UTF8", "--locale", "C.UTF-8"),
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data_dir}"
        subprocess.run(
            _as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                         "-l", str(self.data_dir / "primary.log"), "-w", "-t", "180", "start"),
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"),
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def copy_of(self, source_url: str, name: str = "gongzhi") -> str:
        """The source database copied into this cluster (pg_dump | pg_restore); its URL."""
        url = f"postgres://postgres@127.0.0.1:{self.port}/{name}"
        subprocess.run([str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        name], check=True)  # fmt: skip
        dump = subprocess.run([str(self.pg_bin / "pg_dump"), "-Fc", source_url], check=True, capture_output=True)
        subprocess.run([str(self.pg_bin / "pg_restore"), "--no-owner", "-d", url], input=dump.stdout, check=True)
        return url


def _sql(pg_bin: Path, url: str, statement: str) -> str:
    result = subprocess.run([str(pg_bin / "psql"), url, "-Atc", statement], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def _open(url: str, cookies: dict[str, str], data: dict | None = None, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **headers},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        set_cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            set_cookies[name] = rest.split(";", 1)[0]
        return response.status, set_cookies, response.read().decode()


def _post_opinion(base: str, consultation, session: str, body: str) -> dict[str, str]:
    """Post as a browser would; returns the cookies the answer set."""
    status, cookies, html = _open(base + consultation.url, {"sessionid": session})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, set_cookies, _body = _open(
        f"{base}/consultations/{consultation.pk}/posts/",
        {"sessionid": session, "csrftoken": cookies["csrftoken"]},
        {"csrfmiddlewaretoken": token, "body": body},
        Accept="application/json",
    )
    assert status == 200
    return set_cookies


def _prepare_users(*users) -> None:
    from allauth.account.models import EmailAddress

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for user in users:
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt", iterations=1000)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def test_reads_come_from_the_replica_and_a_writer_sees_their_own_write_at_once(
    django_db_blocker, tmp_path, branch_a, resident, member_a
):
    prodctl = _load_prodctl()
    consultation = make_consultation(BranchPage.objects.get(pk=branch_a.page_id))
    _prepare_users(resident, member_a)
    base_port = _free_base_port(4)
    primary = Primary(prodctl.PG_BIN, base_port + 3)
    environ = {
        **prodctl.os.environ,
        "REDIS_URL": REDIS_URL,
        "WORKERS": "1",
        "PORT": str(base_port),
        "REPLICA": "1",
        "REPLICA_PORT": str(base_port + 4),
        "RUN_DIR": str(tmp_path / "run"),
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    primary.start()
    topology = None
    try:
        environ["DATABASE_URL"] = primary.copy_of(served_database_url())
        topology = prodctl.Topology(environ)
        topology.start(migrate=False)
        replica_url = topology.env["REPLICA_DATABASE_URL"]
        assert _sql(prodctl.PG_BIN, replica_url, "SELECT pg_is_in_recovery()") == "t"
        worker = f"http://127.0.0.1:{topology.worker_ports[0]}"
        poster, reader = (
            _log_in(topology.worker_ports[0], member_a.email),
            _log_in(topology.worker_ports[0], resident.email),
        )

        _sql(prodctl.PG_BIN, replica_url, "SELECT pg_wal_replay_pause()")
        while _sql(prodctl.PG_BIN, replica_url, "SELECT pg_get_wal_replay_pause_state()") != "paused":
            time.sleep(0.1)
        pin = _post_opinion(worker, consultation, poster, "主从复制之间的意见")
        assert "gz_primary" in pin
        assert _sql(prodctl.PG_BIN, environ["DATABASE_URL"], "SELECT count(*) FROM consultation_post") == "1"

        # The writer reads the primary: their post is there at once.
        _status, _cookies, page = _open(
            worker + consultation.url, {"sessionid": poster, "gz_primary": pin["gz_primary"]}
        )
        assert "主从复制之间的意见" in page
        # Everyone else reads the replica, which has not replayed the post yet.
        assert _sql(prodctl.PG_BIN, replica_url, "SELECT count(*) FROM consultation_post") == "0"
        _status, _cookies, page = _open(worker + consultation.url, {"sessionid": reader})
        assert "主从复制之间的意见" not in page

        _sql(prodctl.PG_BIN, replica_url, "SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 10
        while "主从复制之间的意见" not in _open(worker + consultation.url, {"sessionid": reader})[2]:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.2)
    finally:
        try:
            if topology is not None:
                topology.stop()
        finally:
            primary.stop()
            with django_db_blocker.unblock():
                end_other_sessions()
    assert not topology.replica.running() and not topology.replica.data_dir.exists()
    assert all(_port_free(port) for port in (base_port, base_port + 3, base_port + 4))
