"""Exports: every table to Parquet or CSV, and a novel's text to TXT or Markdown."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from .._redact import mask_url
from ..db import open_session
from ..errors import ConfigurationError
from ..loaders import iter_frames, load_chapters, load_novels, load_table, load_versions
from ..loaders._convert import kind_of_type
from ..loaders._query import unknown_table
from ..loaders._raw import primary_key
from ..schema.inspect import not_arboris_error
from ..schema.reflect import reflect_table, table_names
from ..schema.tables import KNOWN_COLUMNS

__all__ = [
    "ExportSummary",
    "base64_text",
    "export_tables",
    "heading_and_body",
    "novel_text",
    "portable",
]

TableFormat = Literal["parquet", "csv"]
TextFormat = Literal["txt", "markdown"]


def _json_text(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def base64_text(value: Any) -> Any:
    """``value`` as text where it is bytes (a BLOB): base64, RFC 4648 with padding, as JSON
    and CSV write bytes; any other value as it is.

    Bytes are not text: decoded as UTF-8 they failed or were changed; base64 keeps
    every byte.

    Examples
    --------
    >>> base64_text(b"\\x00\\xff"), base64_text("text")
    ('AP8=', 'text')
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    return value


def _binary_value(value: Any) -> bytes | None:
    """A value of a binary column as bytes: text (SQLite lets a BLOB column hold text) as
    its UTF-8 bytes, a number as its decimal digits."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(_json_text(value)).encode("utf-8")


def portable(frame: pd.DataFrame, *, binary: Collection[str] = ()) -> pd.DataFrame:
    """Columns every writer accepts the same way in every chunk.

    Categories become text; parsed JSON (dicts and lists) becomes JSON text, UTF-8
    with non-ASCII characters kept, keys sorted, as the CSV and Parquet files and
    ``--format csv`` write it. Bytes become base64 text (:func:`base64_text`), except
    in the ``binary`` columns, whose values all become bytes (Parquet's binary type).
    """
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if column in binary:
            out[column] = out[column].map(_binary_value).astype(object)
        elif isinstance(dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("string")
        elif pd.api.types.is_object_dtype(dtype):
            out[column] = out[column].map(_json_text).map(base64_text).astype("string")
    return out


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`export_tables` wrote: one file per table, and which were a fork's."""

    files: list[Path]
    #: Tables outside the Arboris schema (a fork's own), exported as they are.
    fork_tables: list[str]


async def _chunks(
    session: AsyncSession, name: str, chunksize: int, progress: bool | None
) -> AsyncIterator[pd.DataFrame]:
    """The table in chunks; whole, when it has no key to page by (some fork tables).

    An empty table is one empty frame with its columns and dtypes (iter_frames yields
    no chunk for it), so that its file still names the columns.
    """
    shape = await reflect_table(session, name)
    if shape is not None and primary_key(shape) is None:
        yield await load_table(session, name)
        return
    empty = True
    async for chunk in iter_frames(
        session, name, content=True, chunksize=chunksize, progress=progress
    ):
        empty = False
        yield chunk
    if empty:
        yield await load_table(session, name)


def _wanted(
    present: frozenset[str], tables: Sequence[str] | None, backend: str | None = None
) -> list[str]:
    """The tables to write: the known ones in schema order, then the fork's, sorted."""
    if tables is None:
        known = [t for t in KNOWN_COLUMNS if t in present]
        return known + sorted(t for t in present if t not in KNOWN_COLUMNS)
    chosen = list(dict.fromkeys(tables))
    unknown = [t for t in chosen if t not in present]
    if unknown:
        raise unknown_table(unknown[0], list(present), backend=backend)
    return chosen


async def export_tables(
    engine: AsyncEngine,
    out_dir: str | os.PathLike[str],
    *,
    fmt: TableFormat = "parquet",
    tables: Sequence[str] | None = None,
    chunksize: int = 20_000,
    progress: bool | None = None,
) -> ExportSummary:
    """Write every table of the database (or ``tables``, a name or a list) to ``out_dir``,
    one file each.

    Every table: the Arboris ones and those a fork added. Tables stream in
    chunks, so memory stays bounded; JSON columns are written as JSON text;
    secrets (password hashes, API keys, secret-looking settings, the key
    columns of a fork's ``*_configs`` table) are redacted.
    """
    if fmt not in ("parquet", "csv"):
        raise ConfigurationError(f"Unknown export format {fmt!r}; use 'parquet' or 'csv'.")
    if isinstance(tables, str):
        # A str is a Sequence[str] too: it was read letter by letter ("c", "h", ...).
        tables = [tables]
    if tables is not None and not tables:
        # Was: no file and no error, as if the export had worked.
        raise ConfigurationError(
            f"tables={tables!r} names no table; pass table names (e.g. "
            "tables=['novel_projects', 'chapters']), or leave tables out (None) for every table."
        )
    folder = Path(out_dir)
    written: list[Path] = []
    async with open_session(engine) as session:
        present = await table_names(session)
        if tables is None and "novel_projects" not in present:
            # Every table of a database that is not an Arboris one: refused, as every
            # loader and `info` refuse it (its tables are not "a fork's own"). Tables
            # named with --tables are read from any database, as load_table reads them.
            raise not_arboris_error(mask_url(engine.url), present)
        wanted = _wanted(present, tables, engine.dialect.name)
        folder.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            target = folder / f"{name}.{fmt}"
            shape = await reflect_table(session, name)
            # Parquet has a binary type; CSV writes bytes as base64 text.
            binary = (
                [c.name for c in shape.columns if kind_of_type(c.type) == "bytes"]
                if fmt == "parquet" and shape is not None
                else []
            )
            # Written under another name and renamed once whole: a table cut off (Ctrl-C,
            # an error) leaves no file that looks like a complete export.
            partial = folder / f".{name}.{fmt}.partial"
            writer: pq.ParquetWriter | None = None
            first = True
            whole = False
            try:
                async for chunk in _chunks(session, name, chunksize, progress):
                    portable_chunk = portable(chunk, binary=binary)
                    if fmt == "csv":
                        portable_chunk.to_csv(
                            partial, mode="w" if first else "a", header=first, index=False
                        )
                    else:
                        table = pa.Table.from_pandas(portable_chunk, preserve_index=False)
                        for column in binary:
                            # A chunk of NULLs only would make the file's column null-typed.
                            at = table.schema.get_field_index(column)
                            if at >= 0:
                                table = table.set_column(
                                    at, column, table.column(at).cast(pa.binary())
                                )
                        if writer is None:
                            writer = pq.ParquetWriter(partial, table.schema)
                        writer.write_table(table.cast(writer.schema))
                    first = False
                whole = True
            finally:
                if writer is not None:
                    writer.close()
                if not whole:
                    partial.unlink(missing_ok=True)
            partial.replace(target)
            written.append(target)
    return ExportSummary(written, [t for t in wanted if t not in KNOWN_COLUMNS])


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


#: A chapter heading as writers and the classic app write it: 第12章, 第十二回, Chapter 12.
_HEADING = re.compile(
    r"^\s*(第\s*[0-9０-９一二三四五六七八九十百千万零〇两]+\s*[章回节]|chapter\s+\d+)",
    re.IGNORECASE,
)


def heading_and_body(number: int, title: str | None, text: str) -> tuple[str, str]:
    """The chapter's heading, written once, and its text without a repeated heading.

    The classic app writes the heading into the text itself, and outline titles
    often hold one already ("第一章 雾起"): such a heading is used as it is, not
    prefixed with another "第N章", and a first line that repeats it (or the bare
    title) is not kept in the body.
    """
    body = _normalise(text)
    first, _, rest = body.partition("\n")
    first = first.strip()
    title = (title or "").strip()
    if _HEADING.match(first):
        return first, rest.strip("\n")
    if title and _HEADING.match(title):
        heading = title
    else:
        heading = f"第{number}章 {title}" if title else f"第{number}章"
    if first and first in (title, heading):
        body = rest.strip("\n")
    return heading, body


async def novel_text(engine: AsyncEngine, novel_id: str, *, fmt: TextFormat = "txt") -> str:
    """The novel's selected chapter texts in chapter order, with their titles.

    One chapter per chapter number (the one with a selected version, then the
    latest); line endings normalised to ``\\n``. Chapters without a selected
    version are listed at the end, not silently dropped.
    """
    if fmt not in ("txt", "markdown"):
        raise ConfigurationError(f"Unknown text format {fmt!r}; use 'txt' or 'markdown'.")
    async with open_session(engine) as session:
        novel = (await load_novels(session, novel_id)).iloc[0]
        chapters = await load_chapters(session, novel_id, dedupe=True)
        versions = await load_versions(session, novel_id, content=True)
    texts = dict(zip(versions["id"].astype("int64"), versions["content"], strict=True))
    chapters = chapters.sort_values(["chapter_number", "id"])
    title = str(novel["title"])
    parts = [f"# {title}" if fmt == "markdown" else title, ""]
    missing: list[str] = []
    for row in chapters.itertuples(index=False):
        outline_title = row.outline_title if isinstance(row.outline_title, str) else None
        selected = row.selected_version_id
        content = texts.get(int(selected)) if pd.notna(selected) else None
        if content is None:
            missing.append(heading_and_body(int(row.chapter_number), outline_title, "")[0])
            continue
        heading, body = heading_and_body(int(row.chapter_number), outline_title, content)
        parts += [f"## {heading}" if fmt == "markdown" else heading, "", body, ""]
    if missing:
        label = "Chapters without a selected version"
        parts += [f"## {label}" if fmt == "markdown" else f"[{label}]", ""]
        parts += [f"- {h}" if fmt == "markdown" else h for h in missing]
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
