"""Exports: every core table to Parquet or CSV, and a novel's text to TXT or Markdown."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncEngine

from ..db import open_session
from ..errors import ConfigurationError
from ..loaders import iter_frames, load_chapters, load_novels, load_versions
from ..schema.reflect import table_names
from ..schema.tables import CLASSIC_TABLES, FUSION_TABLES

__all__ = ["export_tables", "novel_text"]

TableFormat = Literal["parquet", "csv"]
TextFormat = Literal["txt", "markdown"]


def _json_text(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns every writer accepts the same way in every chunk."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("string")
        elif pd.api.types.is_object_dtype(dtype):
            out[column] = out[column].map(_json_text).astype("string")
    return out


async def export_tables(
    engine: AsyncEngine,
    out_dir: str | os.PathLike[str],
    *,
    fmt: TableFormat = "parquet",
    tables: Sequence[str] | None = None,
    chunksize: int = 20_000,
    progress: bool | None = None,
) -> list[Path]:
    """Write every known Arboris table present (or ``tables``) to ``out_dir``.

    Tables stream in chunks, so memory stays bounded; JSON columns are written
    as JSON text; secrets (password hashes, API keys, secret-looking settings)
    are redacted. Returns the files written, one per table.
    """
    if fmt not in ("parquet", "csv"):
        raise ConfigurationError(f"Unknown export format {fmt!r}; use 'parquet' or 'csv'.")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    async with open_session(engine) as session:
        present = await table_names(session)
        wanted = list(tables) if tables is not None else list(CLASSIC_TABLES + FUSION_TABLES)
        for name in [t for t in wanted if t in present]:
            target = folder / f"{name}.{fmt}"
            writer: pq.ParquetWriter | None = None
            first = True
            try:
                async for chunk in iter_frames(
                    session, name, content=True, chunksize=chunksize, progress=progress
                ):
                    portable = _portable(chunk)
                    if fmt == "csv":
                        portable.to_csv(
                            target, mode="w" if first else "a", header=first, index=False
                        )
                    else:
                        table = pa.Table.from_pandas(portable, preserve_index=False)
                        if writer is None:
                            writer = pq.ParquetWriter(target, table.schema)
                        writer.write_table(table.cast(writer.schema))
                    first = False
            finally:
                if writer is not None:
                    writer.close()
            if first:
                # An empty table still gets a file, with no rows.
                if fmt == "csv":
                    target.write_text("", encoding="utf-8")
                else:
                    pq.write_table(pa.table({}), target)
            written.append(target)
    return written


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


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
        heading = f"第{row.chapter_number}章"
        if isinstance(row.outline_title, str) and row.outline_title:
            heading += f" {row.outline_title}"
        selected = row.selected_version_id
        content = texts.get(int(selected)) if pd.notna(selected) else None
        if content is None:
            missing.append(heading)
            continue
        parts += [f"## {heading}" if fmt == "markdown" else heading, "", _normalise(content), ""]
    if missing:
        label = "Chapters without a selected version"
        parts += [f"## {label}" if fmt == "markdown" else f"[{label}]", ""]
        parts += [f"- {h}" if fmt == "markdown" else h for h in missing]
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
