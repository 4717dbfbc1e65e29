"""Query the chapter texts of a database: search them, and measure each chapter.

Both functions read the texts page by page (:mod:`novelkit.text._pages` says which
texts and how) and match or count them in Python, never with SQL comparisons, so
SQLite and MariaDB give the same frame for the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..arrow._output import Frame, Output, frame_output
from ..errors import ConfigurationError, WrongTypeError
from ..loaders._counts import text_counts
from ..loaders._query import NovelIds
from ._pages import KEY_COLUMNS, Target, TextKey, Versions, key_frame, plan_texts
from ._search import MATCH_COLUMNS, compile_pattern, match_rows
from ._stats import STAT_COLUMNS, stats_rows

__all__ = ["check_flag", "search_text", "text_stats"]

_FLOAT_STATS = ("mean_sentence_chars", "dialogue_share")


def check_flag(name: str, value: object) -> bool:
    """``value`` if it is a bool, else :class:`WrongTypeError` naming the argument.

    Examples
    --------
    >>> check_flag("regex", True)
    True
    """
    if not isinstance(value, bool):
        raise WrongTypeError(f"{name} must be True or False, not {value!r}.")
    return value


def _check_context(context: object) -> int:
    if isinstance(context, bool) or not isinstance(context, int):
        raise WrongTypeError(
            f"context must be a whole number of characters (e.g. 20), not {context!r}."
        )
    if context < 0:
        raise ConfigurationError(f"context must be 0 or more characters, not {context}.")
    return context


@frame_output
async def search_text(
    target: Target,
    pattern: str,
    *,
    novel_id: NovelIds = None,
    versions: Versions = "selected",
    regex: bool = False,
    ignore_case: bool = True,
    context: int = 20,
    progress: bool | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Every match of ``pattern`` in the chapter texts, with its context (KWIC).

    Matching rules: texts and pattern are compared in Unicode NFC; ``pattern`` is a
    literal unless ``regex=True`` (a Python regular expression); ``ignore_case=True``
    folds case and lets full-width Latin letters and digits match ASCII ones (``ＡＩ``
    finds ``ai``); matches do not overlap; a literal crosses a line break only if it
    holds one, a regular expression through ``\\n`` or ``\\s``. Every text is matched
    in Python: no SQL ``LIKE``, whose MariaDB collations ignore case and accents.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` (not closed).
    pattern
        The text to find, or a regular expression with ``regex=True``.
    novel_id
        A project id or a list of them; None for every novel.
    versions
        ``"selected"`` (the text the app shows as the chapter), ``"latest"`` (each
        chapter's newest version) or ``"all"``. A chapter without such a text has no
        row (see :mod:`novelkit.text._pages`).
    regex, ignore_case
        See above.
    context
        Characters (code points) of context each side of a match.
    progress
        Show a progress bar (default: on a terminal or in Jupyter, for calls longer
        than a second; ``NOVELKIT_PROGRESS`` decides too).

    Returns
    -------
    pandas.DataFrame
        One row per match: ``project_id``, ``chapter_number``, ``version_id``,
        ``is_selected``, ``start`` (``Int64``: offset in code points from the start of
        the NFC text), ``match``, ``before``, ``after`` (up to ``context`` characters, line
        breaks shown as ``⏎``); ordered by project id, chapter number, version id
        and start.

    Raises
    ------
    ConfigurationError
        An empty pattern, an invalid regular expression, an unknown ``versions``.
    UnknownObjectError
        A ``novel_id`` that does not exist.

    Examples
    --------
    >>> hits = await novelkit.search_text(session, "林墨", novel_id=pid)  # doctest: +SKIP
    >>> db.search_text(r"第[一二三]次", regex=True, versions="all")  # doctest: +SKIP
    """
    if not isinstance(pattern, str):
        raise WrongTypeError(f"pattern must be a string, not {type(pattern).__name__}.")
    matcher = compile_pattern(
        pattern,
        regex=check_flag("regex", regex),
        ignore_case=check_flag("ignore_case", ignore_case),
    )
    context = _check_context(context)
    rows: list[tuple[Any, ...]] = []
    source = await plan_texts(target, novel_id, versions, desc="search_text")
    async for page in source.pages(progress=progress):
        # Each key travels as one value: the rows are (key, start, match, before, after).
        rows.extend(match_rows((((key,), text) for key, text in page), matcher, context=context))
    return _match_frame(rows)


def _match_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    keys = [row[0] for row in rows]
    columns: dict[str, Any] = dict(key_frame(keys))
    starts = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    # Nullable, as every integer column novelkit gives (README's dtype rules).
    columns["start"] = pd.array(starts, dtype="Int64")
    for position, name in enumerate(MATCH_COLUMNS[1:], start=2):
        columns[name] = pd.array([row[position] for row in rows], dtype="string")
    return pd.DataFrame(columns, columns=[*KEY_COLUMNS, *MATCH_COLUMNS])


@frame_output
async def text_stats(
    target: Target,
    *,
    novel_id: NovelIds = None,
    versions: Versions = "selected",
    progress: bool | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Per chapter text: length three ways, paragraphs, sentences, dialogue, vocabulary.

    The figures describe the text as stored (no normalisation):

    - ``word_count``: ``len(text)``, the app's own count; ``chars_nonspace`` and
      ``cjk_chars_plus_words`` as :func:`~novelkit.load_chapters` computes them;
    - ``paragraphs``: lines that are not blank;
    - ``sentences``: each ends with a run of ``。！？…`` or ``.!?`` with the closing
      quotes and brackets right after it (``？！”`` ends one sentence; the ``.`` of
      ``3.14`` or ``v2.0`` none), or with its paragraph; ``mean_sentence_chars`` is
      ``chars_nonspace / sentences``;
    - ``dialogue_share``: of the non-space characters other than quote marks, the
      share inside ``“…”``, ``「…」``, ``『…』`` or ``"…"`` (nested quotes count once;
      an unclosed quote ends with its paragraph);
    - ``distinct_chars``: distinct non-space characters.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` (not closed).
    novel_id
        A project id or a list of them; None for every novel.
    versions
        ``"selected"``, ``"latest"`` or ``"all"``, as for :func:`search_text`. A
        chapter without such a text has no row.
    progress
        Show a progress bar, as for :func:`search_text`.

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``chapter_number``, ``version_id``, ``is_selected``, then
        ``word_count``, ``chars_nonspace``, ``cjk_chars_plus_words``, ``paragraphs``,
        ``sentences`` (``Int64``), ``mean_sentence_chars``, ``dialogue_share``
        (``Float64``, NA without a sentence or a countable character) and
        ``distinct_chars``; one row per text, ordered by project id, chapter number
        and version id.

    Examples
    --------
    >>> stats = db.text_stats(novel_id=pid)  # doctest: +SKIP
    >>> stats.plot(x="chapter_number", y="dialogue_share")  # doctest: +SKIP
    """
    keys: list[TextKey] = []
    rows: list[tuple[Any, ...]] = []
    counts: list[pd.DataFrame] = []
    source = await plan_texts(target, novel_id, versions, desc="text_stats")
    async for page in source.pages(progress=progress):
        keys.extend(key for key, _ in page)
        rows.extend(stats_rows(((), text) for _, text in page))
        # The loaders' own vectorised counts, so that the figures are theirs exactly.
        counts.append(text_counts(pd.Series([text for _, text in page], dtype=object)))
    columns: dict[str, Any] = dict(key_frame(keys))
    for position, name in enumerate(STAT_COLUMNS):
        dtype = "Float64" if name in _FLOAT_STATS else "Int64"
        columns[name] = pd.array([row[position] for row in rows], dtype=dtype)
    if counts:
        both = pd.concat(counts, ignore_index=True)
        for name in ("chars_nonspace", "cjk_chars_plus_words"):
            columns[name] = both[name].array
    return pd.DataFrame(columns, columns=[*KEY_COLUMNS, *STAT_COLUMNS])
