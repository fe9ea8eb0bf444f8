"""Backing up and restoring the database (`make backup`, `make restore`).

PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean --if-exists` in one transaction,
so a failed restore leaves the database as it was. SQLite: SQLite's online backup API, which copies a
consistent snapshot even while the site is writing (a plain `cp` of a live file can copy half a write).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise CommandError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def default_path(db: dict | None = None) -> Path:
    db = db or settings.DATABASES["default"]
    suffix = ".dump" if _vendor(db) == "postgresql" else ".sqlite3"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"gongzhi-{stamp}{suffix}"


def _pg_args(db: dict) -> tuple[list[str], dict]:
    """Connection options for pg_dump/pg_restore; the password travels in the environment, not argv."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CommandError(f"{name} is not installed (Debian package postgresql-client).")
    return found


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


def _sqlite(name) -> sqlite3.Connection:
    # The test runner's in-memory database is named by a URI (file:memorydb_default?mode=memory&cache=shared).
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def backup(path: Path, db: dict | None = None) -> Path:
    """Write a backup of the database to `path` (its folder is created). Returns the path."""
    db = db or settings.DATABASES["default"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # never leave a half-written file under the real name
    try:
        if _vendor(db) == "postgresql":
            args, env = _pg_args(db)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args], env)
        else:
            source = _sqlite(db["NAME"])
            target = sqlite3.connect(partial)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path: Path, db: dict | None = None) -> None:
    """Replace the database's contents with the backup at `path`."""
    db = db or settings.DATABASES["default"]
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"No backup file at {path}.")
    if _vendor(db) == "postgresql":
        args, env = _pg_args(db)
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(path)],
            env,
        )
    else:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"{path} is not an intact SQLite database.")
            target = _sqlite(db["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{path} is not a SQLite backup: {error}") from None
        finally:
            source.close()
