"""Rows printed by a command: ``--format table``, ``csv`` or ``json``."""

from __future__ import annotations

from typing import Literal

import click
import pandas as pd

from ._export import base64_text, portable
from ._table import render_table

__all__ = ["FrameFormat", "emit", "records_json"]

#: How ``--format`` prints a frame.
FrameFormat = Literal["table", "csv", "json"]


def records_json(frame: pd.DataFrame) -> str:
    """``frame`` as a JSON list of records: UTF-8 text as it is, times in ISO 8601 to the
    microsecond, bytes in base64, and "/" unescaped (``"storage/arboris.db"``, not
    ``"storage\\/arboris.db"``)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column].dtype):
            # pandas would decode bytes as UTF-8, and fail on any other bytes.
            frame[column] = frame[column].map(base64_text)
    # date_unit: pandas' default, milliseconds, cut the stored microseconds.
    text = frame.to_json(orient="records", force_ascii=False, date_format="iso", date_unit="us")
    # pandas escapes every "/" and has no option not to. As every "/" it writes is
    # escaped, each backslash-slash pair is such an escape (a backslash of the data is
    # written as two backslashes, never followed by a bare "/"), so undoing it is exact.
    return text.replace("\\/", "/")


def emit(frame: pd.DataFrame, fmt: FrameFormat) -> None:
    """Print ``frame`` in the format ``--format`` names."""
    if fmt == "csv":
        # JSON columns as JSON text, as `novelkit export` and --format json write them.
        click.echo(portable(frame).to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(records_json(frame))
    else:
        click.echo(render_table(frame, max_colwidth=40))
