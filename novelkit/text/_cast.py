"""Who the chapters mention, and who appears with whom, read from the database.

Names are compared exactly (in NFC; no case or width folding) and counted
leftmost-longest (:mod:`novelkit.text._mentions` states the rules). Without
``names``, each novel gets its own: the names of its blueprint characters (in
blueprint order), then the names its relationships use that are not characters
(relationships refer to characters by name, and may name someone who is not, or
no longer, a character). Such names are taken as stored with surrounding blanks
trimmed; a blank one, or one holding a line break, is skipped. A novel without
names has no rows.

A name with an alias in parentheses, half- or full-width (``零号 (ZERO)``,
``顾言（Gu Yan）``), is written by the text as either part: it is searched as
``零号`` and ``ZERO`` (and as a whole), all counted under ``零号 (ZERO)``. So is a
name of two scripts, a Latin part and a Chinese one apart (``Iris 林``,
``Marcus 周``, ``林雪 Iris``): such a name is a given name and a surname written
for two readerships, and the text mostly uses one of them (``Iris``). So is a
transcribed foreign name, its parts set apart by a middle dot (``维克多·陈``,
``艾琳・霍克``): the text mostly writes the given name alone (``维克多``). A Chinese
part is searched alone only when it has two characters or more (see
:data:`MIN_PART_CHARS`). A part that is itself one of the novel's names stays that
name's, and a part of two such names counts for neither (it could be either).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..arrow._output import Frame, Output, frame_output
from ..errors import ConfigurationError, UnknownObjectError, WrongTypeError
from ..loaders._fetch import fetch_columns
from ..loaders._novel_ids import exact_in
from ..loaders._query import LoadContext, NovelIds, sql_table
from ..schema.reflect import reflect_table
from ._mentions import NameSet, cooccurrence as _pairs, count_mentions, name_set, name_windows
from ._normalize import LINE_BREAK
from ._pages import Target, TextKey, Versions, key_frame, open_source

__all__ = ["NameList", "Window", "cooccurrence", "mentions", "novel_names"]

#: Names to count: a list, or a dict from each name to a list of its aliases.
NameList = Sequence[str] | Mapping[str, Sequence[str]]
Window = Literal["chapter", "paragraph"]
_WINDOWS = ("chapter", "paragraph")


async def novel_names(ctx: LoadContext, ids: list[str] | None) -> dict[str, dict[str, list[str]]]:
    """Each novel's names (its characters', then the other names its relationships use),
    each with the aliases it is also searched as (see the module docstring)."""
    found: dict[str, list[str]] = {}
    tables = 0
    for table, columns in (
        ("blueprint_characters", ("name",)),
        ("blueprint_relationships", ("character_from", "character_to")),
    ):
        shape = await reflect_table(ctx.conn, table)
        if shape is None:
            continue
        tables += 1
        sql = sql_table(shape)
        statement = sa.select(sql.c.project_id, *(sql.c[c] for c in columns)).order_by(
            sql.c.project_id, sql.c.position, sql.c.id
        )
        if ids is not None:
            statement = statement.where(exact_in(ctx.backend, sql.c.project_id, ids))
        stored = (await fetch_columns(ctx, statement)).columns
        values = zip(*(stored[c].tolist() for c in ("project_id", *columns)), strict=True)
        for project, *names in values:
            found.setdefault(project, []).extend(_usable(name) for name in names)
    if not tables:
        raise UnknownObjectError(
            "This database has neither blueprint_characters nor blueprint_relationships, so "
            "novels have no names to look for: pass names=['...'] yourself."
        )
    # The SQL order of project ids follows the collation; Python's is the same everywhere.
    return {
        project: _with_parts([name for name in dict.fromkeys(names) if name])
        for project, names in sorted(found.items())
    }


#: A name and its alias in parentheses, half- or full-width: "零号 (ZERO)", "顾言（Gu Yan）".
_ALIAS_IN_PARENTHESES = re.compile(
    r"(?P<name>[^()（）]+?)\s*[(（]\s*(?P<alias>[^()（）]+?)\s*[)）]"
)


#: The fewest characters a part of a two-script name needs to be searched alone. A
#: single Chinese character is a surname (林, 周) or a common morpheme (树林, 四周):
#: searched alone it would count every such character in the text, other people's
#: names and plain words included, under this one name. Two characters (林雪, 欧阳)
#: name someone; the same holds for a Latin part (a lone "K" is in "OK").
MIN_PART_CHARS = 2


def _is_latin_word(word: str) -> bool:
    """Letters of the Latin script, with the joiners of Western names (Jean-Luc, O'Neil)."""
    letters = [c for c in word if c not in "-'’."]
    return bool(letters) and all(
        c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in letters
    )


def _is_han_word(word: str) -> bool:
    """Chinese characters (CJK ideographs), with the middle dot of transcribed names."""
    han = [c for c in word if c not in "·・"]
    return bool(han) and all(unicodedata.name(c, "").startswith("CJK ") for c in han)


def _script_parts(name: str) -> list[str]:
    """The Latin and the Chinese part of a two-script name, each long enough to search
    alone (:data:`MIN_PART_CHARS`); [] for any other name.

    The name is Latin words and one Chinese word apart, either first: ``Iris 林``,
    ``Mary Jane 王``, ``林雪 Iris``. Names of one script, or of two scripts not set
    apart (``老K``), have no such parts.
    """
    words = name.split()
    kinds = ["latin" if _is_latin_word(w) else "han" if _is_han_word(w) else "" for w in words]
    if "" in kinds or kinds.count("han") != 1 or len(kinds) < 2:
        return []
    han = kinds.index("han")
    if han not in (0, len(words) - 1):
        return []  # a Chinese word between Latin ones: not a name and a surname
    latin = " ".join(w for w, k in zip(words, kinds, strict=True) if k == "latin")
    return [part for part in (latin, words[han]) if len(part) >= MIN_PART_CHARS]


#: The middle dots that set apart the parts of a transcribed name: 维克多·陈, 艾琳・霍克.
_NAME_DOTS = re.compile("[·・]")


def _dot_parts(name: str) -> list[str]:
    """The parts of a transcribed name, long enough to search alone (:data:`MIN_PART_CHARS`);
    [] for a name without such a dot.

    Examples
    --------
    >>> _dot_parts("维克多·陈"), _dot_parts("艾琳・霍克"), _dot_parts("林遥"), _dot_parts("·陈")
    (['维克多'], ['艾琳', '霍克'], [], [])
    """
    if " " in name or not _is_han_word(name):
        return []
    parts = _NAME_DOTS.split(name)
    if len(parts) < 2 or "" in parts:
        return []
    return [part for part in parts if len(part) >= MIN_PART_CHARS]


def _with_parts(names: list[str]) -> dict[str, list[str]]:
    """Each name and the aliases it is also searched as: the parts of ``零号 (ZERO)``,
    of ``Iris 林`` and of ``维克多·陈`` (see the module docstring).

    Examples
    --------
    >>> _with_parts(["零号 (ZERO)", "顾言（Gu Yan）", "林遥"])
    {'零号 (ZERO)': ['零号', 'ZERO'], '顾言（Gu Yan）': ['顾言', 'Gu Yan'], '林遥': []}
    >>> _with_parts(["老K (K)", "K博士（K）", "林 (小林)", "林"])  # K: either; 林: a name
    {'老K (K)': ['老K'], 'K博士（K）': ['K博士'], '林 (小林)': ['小林'], '林': []}
    >>> _with_parts(["零号 ( )", "某人（\u3000）"])
    {'零号 ( )': ['零号'], '某人（\u3000）': ['某人']}
    >>> _with_parts(["Iris 林", "Mary Jane 王", "林雪 Anna"])  # 林 and 王: too short
    {'Iris 林': ['Iris'], 'Mary Jane 王': ['Mary Jane'], '林雪 Anna': ['Anna', '林雪']}
    >>> _with_parts(["K 博士", "老K", "Iris 林", "Iris 周"])  # K: too short; Iris: either
    {'K 博士': ['博士'], '老K': [], 'Iris 林': [], 'Iris 周': []}
    >>> _with_parts(["维克多·陈", "艾琳·霍克", "约翰·霍克"])  # 陈: too short; 霍克: either
    {'维克多·陈': ['维克多'], '艾琳·霍克': ['艾琳'], '约翰·霍克': ['约翰']}
    """
    parts: dict[str, list[str]] = {}
    for name in names:
        match = _ALIAS_IN_PARENTHESES.fullmatch(name)
        # (A blank alias, "零号 ( )", is no part: a blank name is refused.)
        found = [part.strip() for part in match.groups() if part.strip()] if match else []
        parts[name] = list(dict.fromkeys(found or _script_parts(name) or _dot_parts(name)))
    claimed = Counter(part for found in parts.values() for part in found)
    return {
        name: [part for part in found if claimed[part] == 1 and part not in parts]
        for name, found in parts.items()
    }


def _usable(name: object) -> str:
    """The name trimmed, or "" when it cannot be a name (blank, a line break, not text)."""
    if not isinstance(name, str):
        return ""
    name = name.strip()
    return "" if LINE_BREAK.search(name) else name


def _check_names(names: object) -> NameSet | None:
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, Sequence | Mapping):
        raise WrongTypeError(
            "names must be a list of names or a dict of name -> aliases (e.g. ['林墨', '苏晚'] "
            f"or {{'林墨': ['墨哥', '小林']}}), or None for each novel's characters; not "
            f"{type(names).__name__}."
        )
    return name_set(names)


def _name_sets(
    given: NameSet | None, per_novel: dict[str, dict[str, list[str]]]
) -> dict[str, NameSet] | NameSet:
    if given is not None:
        return given
    return {project: name_set(names) for project, names in per_novel.items() if names}


@frame_output
async def mentions(
    target: Target,
    names: NameList | None = None,
    *,
    novel_id: NovelIds = None,
    versions: Versions = "selected",
    progress: bool | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """How often each name is mentioned in each chapter text, zeros included.

    Overlapping names count leftmost-longest: with 林墨 and 林墨然, "林墨然说" is one
    mention of 林墨然. Aliases count under their name. Names are compared exactly in
    NFC (no case or width folding).

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` (not closed).
    names
        A list of names (``["林墨", "苏晚"]``), or a dict from each name to its aliases
        (``{"林墨": ["墨哥", "小林"]}``), used for every novel; None: each novel's own
        (its blueprint characters, then the other names its relationships use; a
        name such as ``零号 (ZERO)`` is searched as ``零号`` and ``ZERO`` too, counted
        under ``零号 (ZERO)``; a name of a Latin and a Chinese part apart, such as
        ``Iris 林``, as its parts too, a part of one character excepted: ``Iris``,
        not ``林``, which would count every 林 of the text).
    novel_id
        A project id or a list of them; None for every novel.
    versions
        ``"selected"``, ``"latest"`` or ``"all"``, as for
        :func:`~novelkit.search_text`. A chapter without such a text (with
        ``"selected"``: one whose versions wait for a choice) has no rows.
    progress
        Show a progress bar, as for :func:`~novelkit.search_text`.

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``chapter_number``, ``version_id``, ``is_selected``, ``name``,
        ``count`` (``Int64``) and ``first_start`` (``Int64``: the offset of the first
        counted mention in the NFC text, NA for none); one row per text and name, in
        text order and then in the order of the names. It pivots into a heatmap:
        ``frame.pivot_table(index="name", columns="chapter_number", values="count",
        aggfunc="sum", sort=False)``.

    Raises
    ------
    ConfigurationError
        No name (``[]``), an empty name or alias, one holding a line break, or an alias
        of two names.
    UnknownObjectError
        A ``novel_id`` that does not exist.

    Examples
    --------
    >>> db.mentions({"林墨": ["墨哥"], "苏晚": []}, novel_id=pid)  # doctest: +SKIP
    >>> counts = await novelkit.mentions(session, novel_id=pid)  # doctest: +SKIP
    """
    given = _check_names(names)
    async with open_source(target, novel_id, versions, desc="mentions") as (ctx, ids, source):
        sets = _name_sets(given, await novel_names(ctx, ids) if given is None else {})
    keys: list[TextKey] = []
    repeats: list[int] = []
    columns: dict[str, list[Any]] = {"name": [], "count": [], "first_start": []}
    async for page in source.pages(progress=progress):
        for project, texts in itertools.groupby(page, key=lambda item: item[0][0]):
            names_here = sets if isinstance(sets, NameSet) else sets.get(project)
            if names_here is None:
                continue
            for key, text in texts:
                found = count_mentions(text, names_here)
                keys.append(key)
                repeats.append(len(found))
                columns["name"].extend(found)
                for count, first in found.values():
                    columns["count"].append(count)
                    columns["first_start"].append(first)
    # Each text's key repeated once per name: one take() per column, no Python loop.
    rows = np.repeat(np.arange(len(keys)), repeats)
    result = pd.DataFrame({name: values.take(rows) for name, values in key_frame(keys).items()})
    result["name"] = pd.array(columns["name"], dtype="string")
    # Nullable integers, as every integer column novelkit gives (README's dtype rules).
    result["count"] = pd.array(np.asarray(columns["count"], dtype=np.int64), dtype="Int64")
    result["first_start"] = pd.array(columns["first_start"], dtype="Int64")
    return result


@frame_output
async def cooccurrence(
    target: Target,
    *,
    novel_id: NovelIds,
    names: NameList | None = None,
    window: Window = "chapter",
    progress: bool | None = None,
    fast: bool | None = None,
    to: Output = "pandas",
) -> Frame:
    """Pairs of names that appear in the same chapter (or paragraph), and how often.

    The chapters are the selected texts (what the app shows); a paragraph is a line
    that is not blank. Set beside the relationships the blueprint declares
    (:func:`~novelkit.load_relationships`), it shows who the text actually puts
    together.

    Parameters
    ----------
    target
        An ``AsyncSession`` or ``AsyncConnection`` (not closed).
    novel_id
        A project id, or a list of them (each novel is counted on its own).
    names
        As for :func:`~novelkit.mentions`; None: each novel's own names.
    window
        ``"chapter"`` or ``"paragraph"``: what counts as appearing together.
    progress
        Show a progress bar, as for :func:`~novelkit.search_text`.

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``name_a``, ``name_b`` (``name_a < name_b`` in code-point
        order) and ``windows`` (``Int64``: the chapters, or paragraphs, holding
        both); only pairs that share one, by project id, most shared first, then by
        names.

    Examples
    --------
    >>> pairs = db.cooccurrence(novel_id=pid, window="paragraph")  # doctest: +SKIP
    """
    if novel_id is None:
        raise ConfigurationError(
            "cooccurrence needs novel_id=: name the novel (or novels) whose names to pair; "
            "db.novels() lists them."
        )
    if not isinstance(window, str):
        raise WrongTypeError(f"window must be 'chapter' or 'paragraph', not {window!r}.")
    if window not in _WINDOWS:
        raise ConfigurationError(f"window={window!r} is not known; use 'chapter' or 'paragraph'.")
    by: Literal["text", "paragraph"] = "paragraph" if window == "paragraph" else "text"
    given = _check_names(names)
    async with open_source(target, novel_id, "selected", desc="cooccurrence") as (
        ctx,
        ids,
        source,
    ):
        sets = _name_sets(given, await novel_names(ctx, ids) if given is None else {})
    parts: list[pd.DataFrame] = []
    async for page in source.pages(progress=progress):
        for project, texts in itertools.groupby(page, key=lambda item: item[0][0]):
            names_here = sets if isinstance(sets, NameSet) else sets.get(project)
            if names_here is None:
                continue
            windows = [w for _, text in texts for w in name_windows(text, names_here, by=by)]
            pairs = _pairs(windows)
            parts.append(pairs.assign(project_id=project))
    columns = ["project_id", "name_a", "name_b", "windows"]
    if parts:
        summed = (
            pd.concat(parts, ignore_index=True)
            .groupby(["project_id", "name_a", "name_b"], sort=False)["windows"]
            .sum()
            .reset_index()
        )
        summed = summed.assign(_order=-summed["windows"]).sort_values(
            ["project_id", "_order", "name_a", "name_b"], ignore_index=True, kind="stable"
        )
    else:  # no text to read (a draft novel): the same columns, no rows
        summed = _pairs([]).assign(project_id=pd.array([], dtype="string"))
    result = summed[columns].copy()
    result["project_id"] = result["project_id"].astype("string")
    result["name_a"] = result["name_a"].astype("string")
    result["name_b"] = result["name_b"].astype("string")
    result["windows"] = result["windows"].astype("Int64")
    return result
