"""`make backup` / `make restore` keep every response, ballot, participation row and page.

SQLite pass: SQLite's online backup API. PostgreSQL pass: pg_dump -Fc and pg_restore --clean into a
scratch database created here and dropped afterwards. Rows are compared table by table (count and a
checksum of every row) between the original and the restored database.
"""

import hashlib
import io
import os
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest

from django.core.management import call_command
from django.db import connection

from wagtail.models import Page

from evaluation.models import Appraisee, Ballot, BallotEntry, SealedBallot
from evaluation.models import Participation as BallotParticipation
from organizations import backup
from surveys.models import Answer, Response, SealedResponse
from surveys.models import Participation as SurveyParticipation
from tests.security import scenario

ROOT = Path(__file__).resolve().parents[2]
TABLES = [
    model._meta.db_table
    for model in (
        Response,
        SealedResponse,
        Answer,
        SurveyParticipation,
        SealedBallot,
        Ballot,
        BallotEntry,
        BallotParticipation,
        Appraisee,
        Page,
    )
]


# Changes made to a restored database before restoring again.
DAMAGE = ['DELETE FROM "evaluation_sealedballot"', 'DELETE FROM "surveys_answer"']


def _fingerprint(raw) -> dict[str, tuple[int, str]]:
    """(row count, SHA-256 of every row in key order) per table, read through a plain DB-API connection."""
    result = {}
    cursor = raw.cursor()
    for table in TABLES:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - table names from our models
        rows = cursor.fetchall()
        result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def _make(target: str, backup_file: Path, database_url: str):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    env.pop("MAKEFLAGS", None)
    done = subprocess.run(
        ["make", "-s", target, f"BACKUP_FILE={backup_file}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def filled(tree, branch_a, secretary_a):
    voters = scenario.members(branch_a, 6)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    page = scenario.anonymous_survey(branch_a)
    scenario.fill(campaign, page, voters)
    counts = scenario.assert_whole(campaign, page)
    # Six ballots and six answers, all still sealed while voting is open (fewer than two batches wait):
    # the backup must keep the sealed boxes, whose entries the mixer writes only later.
    assert counts["responses"] == 6 and counts["ballots"] == 6 and counts["ballot_entries"] == 0
    return campaign, page


# --- databases ----------------------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _pg_connect(name: str):
    return psycopg.connect(_pg_url(name).replace("postgres://", "postgresql://"), autocommit=True)


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database next to the test database, dropped afterwards."""
    name = connection.settings_dict["NAME"] + "_restore"
    with _pg_connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _pg_connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_test_database() -> sqlite3.Connection:
    name = str(connection.settings_dict["NAME"])
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _restore_and_fingerprint(backup_file: Path, url: str, read) -> dict:
    _make("restore", backup_file, url)
    return read()


ROUND_TRIP = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@ROUND_TRIP
def test_backup_and_restore_keep_every_response_ballot_participation_and_page(filled, tmp_path, request):
    if connection.vendor == "postgresql":
        # pg_dump -Fc of the test database through `make backup`, pg_restore into a scratch database.
        scratch = request.getfixturevalue("scratch_database")
        backup_file = tmp_path / "gongzhi.dump"
        made = _make("backup", backup_file, _pg_url(connection.settings_dict["NAME"]))
        assert backup_file.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        warning = made.stderr
        with _pg_connect(connection.settings_dict["NAME"]) as original:
            before = _fingerprint(original)
        url = _pg_url(scratch)

        def read():
            with _pg_connect(scratch) as restored:
                return _fingerprint(restored)

        def damage():
            with _pg_connect(scratch) as restored:
                for statement in DAMAGE:
                    restored.execute(statement)

    else:
        # The SQLite test database lives in memory: back it up in this process (`make backup` does
        # the same for the database file), restore with `make restore` into a file holding other data.
        backup_file = tmp_path / "gongzhi.sqlite3"
        err = io.StringIO()
        call_command("backup", output=str(backup_file), stderr=err)
        warning = err.getvalue()
        original = _sqlite_test_database()
        before = _fingerprint(original)
        original.close()
        scratch = tmp_path / "scratch.sqlite3"
        with sqlite3.connect(scratch) as other:
            other.execute("CREATE TABLE leftover (x)")
        url = f"sqlite:///{scratch}"

        def read():
            restored = sqlite3.connect(scratch)
            try:
                assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert restored.execute("SELECT count(*) FROM sqlite_master WHERE name = 'leftover'").fetchone() == (0,)
                return _fingerprint(restored)
            finally:
                restored.close()

        def damage():
            with sqlite3.connect(scratch) as restored:
                for statement in DAMAGE:
                    restored.execute(statement)

    # The campaign's ballot is open: rows are still in voting order, and the backup says so.
    assert "ballot is open" in warning
    # While it is open the ballots are sealed: the backup holds opaque blobs, one per participation.
    sealed, voted = before[SealedBallot._meta.db_table][0], before[BallotParticipation._meta.db_table][0]
    assert before[SealedResponse._meta.db_table][0] == 6 and before[Response._meta.db_table][0] == 0
    assert sealed == voted == 6
    assert _restore_and_fingerprint(backup_file, url, read) == before
    # Restoring again over changed data brings back exactly the backup.
    damage()
    assert _restore_and_fingerprint(backup_file, url, read) == before


@ROUND_TRIP
def test_a_failed_restore_changes_nothing(filled, tmp_path, request):
    if connection.vendor == "postgresql":
        scratch = request.getfixturevalue("scratch_database")
        backup_file = tmp_path / "gongzhi.dump"
        _make("backup", backup_file, _pg_url(connection.settings_dict["NAME"]))
        url = _pg_url(scratch)
        _make("restore", backup_file, url)

        def read():
            with _pg_connect(scratch) as restored:
                return _fingerprint(restored)

        # Cut in half: pg_restore fails part-way, inside its single transaction.
        broken = tmp_path / "broken.dump"
        broken.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
        expected = "pg_restore failed"
    else:
        target = tmp_path / "target.sqlite3"
        call_command("backup", output=str(target))
        url = f"sqlite:///{target}"

        def read():
            with sqlite3.connect(target) as raw:
                return _fingerprint(raw)

        broken = tmp_path / "broken.sqlite3"
        broken.write_bytes(b"not a database" * 100)
        expected = "not a SQLite backup"
    before = read()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url}
    done = subprocess.run(
        ["make", "-s", "restore", f"BACKUP_FILE={broken}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and expected in done.stderr, done.stderr
    assert read() == before


# --- the targets -------------------------------------------------------------------------------------------------


def test_restore_without_a_backup_file_is_refused_and_names_the_variable():
    done = subprocess.run(["make", "-s", "restore"], cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    assert done.returncode != 0 and "BACKUP_FILE" in done.stderr


def test_the_default_backup_name_is_timestamped_under_backups():
    path = backup.default_path()
    assert path.parent == ROOT / "backups" and path.name.startswith("gongzhi-")
    assert path.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")


def test_backups_are_not_committed():
    assert "backups/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
