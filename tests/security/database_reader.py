"""What a person with read access to the PostgreSQL database sees: rows through SELECT, and every row
version in the table files (live and dead, as a backup or a disk image holds them). Shared by the secrecy
tests of the appraisal ballot and of anonymous surveys."""

from collections.abc import Iterator

from django.db import connection


class Reader:
    """A database role with SELECT on every table and nothing else (a replica, a dump, a DBA's query)."""

    def __init__(self):
        self.role = f"{connection.settings_dict['NAME']}_reader"[:60]
        with connection.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {self.role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
            )
            cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {self.role}")

    def rows(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {self.role}")
            try:
                cursor.execute(sql, params)
                return cursor.fetchall()
            finally:
                cursor.execute("RESET ROLE")


def row_versions(tables: list[str]) -> Iterator[tuple[str, bool, bytes]]:
    """(table, dead, raw tuple bytes) for every row version in the tables' pages, read with pageinspect.

    A version is dead once a transaction deleted or updated it (xmax set); VACUUM has not run, so the
    versions are still in the file, as they are in a backup taken then.
    """
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT current_setting('block_size')::int")
        (block_size,) = cursor.fetchone()
        for table in tables:
            cursor.execute("SELECT pg_relation_size(%s)", [table])
            (size,) = cursor.fetchone()
            for block in range(size // block_size):
                cursor.execute(
                    "SELECT t_xmax::text::bigint, t_data FROM heap_page_items(get_raw_page(%s, %s))", [table, block]
                )
                for xmax, data in cursor.fetchall():
                    if data is not None:
                        yield table, xmax != 0, bytes(data)
