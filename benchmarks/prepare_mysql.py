"""Make sure a MariaDB/MySQL database holds the large demo (build it once, reuse it).

python benchmarks/prepare_mysql.py mysql://user:pw@127.0.0.1:3306/nktest_bench_large
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import sqlalchemy as sa

import novelkit
from novelkit.demo import read_demo_marker


async def _marker(url: sa.URL) -> dict | None:
    engine = novelkit.create_engine(url)
    try:
        async with engine.connect() as conn:
            return await read_demo_marker(conn)
    except novelkit.NovelkitError:
        return None
    finally:
        await engine.dispose()


async def _create_database(url: sa.URL) -> None:
    # novelkit's engines need a database: information_schema is one every account may
    # open, and CREATE DATABASE works from any.
    server = novelkit.create_engine(url.set(database="information_schema"), read_only=False)
    try:
        async with server.connect() as conn:
            # Asked first: IF NOT EXISTS on an existing database prints the server's note.
            exists = await conn.exec_driver_sql(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                (url.database,),
            )
            if exists.first() is None:
                await conn.exec_driver_sql(
                    f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4"
                )
    finally:
        await server.dispose()


def main(raw: str) -> int:
    url = novelkit.resolve_url(raw)
    asyncio.run(_create_database(url))
    marker = asyncio.run(_marker(url))
    if marker and marker.get("scale") == "large":
        print(f"{url.render_as_string()}: large demo already there")
        return 0
    summary = novelkit.build_demo(url, scale="large", force=True, progress=True)
    print(summary)
    return 0


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("NOVELKIT_BENCH_MYSQL_URL"),
        help="MySQL URL of the database to hold the large demo (default: "
        "$NOVELKIT_BENCH_MYSQL_URL, which keeps its password out of the process list)",
    )
    url = parser.parse_args(argv).url
    if not url:
        parser.error("give the URL, or set NOVELKIT_BENCH_MYSQL_URL")
    return main(url)


if __name__ == "__main__":
    sys.exit(cli())
