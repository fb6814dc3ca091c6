"""Test databases are copies of a template migrated once per code version: the copy holds
every migration, the same code reuses its template, and changed migrations get a new template
while the older one of that directory is dropped."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from kokuho.platform.testing import _template_name, migrated_database

pytestmark = pytest.mark.integration


def place_prefix(directory: Path) -> str:
    """What every template of ``directory`` is named with, whatever its code version."""
    return _template_name(directory)[: len("tpl_") + 8]


async def databases(admin_dsn: str, prefix: str, *, templates_only: bool = False) -> list[str]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        rows = await conn.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)"
            " AND (datistemplate OR NOT $2)",
            prefix,
            templates_only,
        )
    finally:
        await conn.close()
    return sorted(r[0] for r in rows)


async def templates(admin_dsn: str, directory: Path) -> list[str]:
    return await databases(admin_dsn, place_prefix(directory), templates_only=True)


async def applied(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        names = await conn.fetch("SELECT name FROM schema_migrations ORDER BY name")
        await conn.execute("INSERT INTO things VALUES (1)")  # a copy is a database of its own
        return [r[0] for r in names]
    finally:
        await conn.close()


async def test_copies_of_one_template_per_code_version(pg_admin_dsn: str, tmp_path: Path) -> None:
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (n int PRIMARY KEY);")
    async with migrated_database(pg_admin_dsn, tmp_path) as first:
        assert await applied(first) == ["0001_things.sql"]
        first_templates = await templates(pg_admin_dsn, tmp_path)
        assert len(first_templates) == 1
        async with migrated_database(pg_admin_dsn, tmp_path) as second:
            assert second != first
            assert await applied(second) == ["0001_things.sql"]  # no row of the first copy
        assert await templates(pg_admin_dsn, tmp_path) == first_templates

    (tmp_path / "0002_more.sql").write_text("ALTER TABLE things ADD COLUMN note text;")
    async with migrated_database(pg_admin_dsn, tmp_path) as third:
        assert await applied(third) == ["0001_things.sql", "0002_more.sql"]
    now = await templates(pg_admin_dsn, tmp_path)
    assert len(now) == 1
    assert now != first_templates  # the older template of this directory was dropped


async def test_a_migration_that_fails_leaves_no_template(pg_admin_dsn: str, tmp_path: Path) -> None:
    (tmp_path / "0001_broken.sql").write_text("CREATE TABLE things (n int REFERENCES nowhere);")
    with pytest.raises(asyncpg.UndefinedTableError):
        async with migrated_database(pg_admin_dsn, tmp_path):
            pass
    # neither a template nor the half-built copy is left to be used
    assert await databases(pg_admin_dsn, place_prefix(tmp_path)) == []


async def test_templates_of_directories_gone_are_dropped(pg_admin_dsn: str, tmp_path: Path) -> None:
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    for directory in (gone, kept):
        directory.mkdir()
        (directory / "0001_things.sql").write_text("CREATE TABLE things (n int PRIMARY KEY);")
    async with migrated_database(pg_admin_dsn, gone):
        pass
    assert len(await templates(pg_admin_dsn, gone)) == 1
    prefix = place_prefix(gone)
    (gone / "0001_things.sql").unlink()
    gone.rmdir()
    async with migrated_database(pg_admin_dsn, kept):  # a new template looks for stale ones
        pass
    assert len(await templates(pg_admin_dsn, kept)) == 1
    assert await databases(pg_admin_dsn, prefix) == []
