"""Column conversions on their own: integers, the JSON parse and the collector pause."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import warnings

import numpy as np
import pandas as pd
import pytest

from novelkit.errors import StoredValueWarning
from novelkit.loaders import _convert
from novelkit.loaders._convert import convert_column, to_utc
from novelkit.loaders._gc import collector_paused
from novelkit.loaders._json import parse_json_values
from novelkit.loaders._nullable import to_int


def test_equal_length_lists_stay_one_value_per_row() -> None:
    # Every value the same shape: the case where numpy would add a dimension.
    parsed = parse_json_values(np.array(["[[1, 2], [3, 4]]"] * 3, dtype=object))
    assert parsed.shape == (3,)
    assert list(parsed) == [[[1, 2], [3, 4]]] * 3
    assert parsed[0] is not parsed[1]  # one object per row, safe to mutate


def test_nulls_of_every_kind_become_none() -> None:
    raw = np.array([None, float("nan"), pd.NA, "null", '{"a": [1]}', b'{"b": 2}'], dtype=object)
    assert list(parse_json_values(raw)) == [None, None, None, None, {"a": [1]}, {"b": 2}]


def test_python_json_extensions_and_non_text_values() -> None:
    # json.dumps writes NaN for float('nan'); a fork may store numbers in the column.
    parsed = parse_json_values(np.array(['{"x": NaN}', 7], dtype=object))
    assert np.isnan(parsed[0]["x"])
    assert parsed[1] == 7


def test_empty_and_all_null_columns() -> None:
    assert parse_json_values(np.array([], dtype=object)).shape == (0,)
    assert list(parse_json_values(np.array([None, None], dtype=object))) == [None, None]


def test_text_that_is_not_json_is_kept_with_a_warning() -> None:
    raw = np.array(["{not json", '{"ok": 1}', b"\xff\xfe"], dtype=object)
    with pytest.warns(StoredValueWarning, match=r"chapters\.x: 2 stored value\(s\)") as seen:
        parsed = parse_json_values(raw, where="chapters.x")
    assert list(parsed) == ["{not json", {"ok": 1}, b"\xff\xfe"]
    assert "not json" not in str(seen[0].message)  # values are never shown
    assert gc.isenabled()


def test_pause_restores_the_collector() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still open
    assert gc.isenabled()


def test_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_two_threads_end_with_the_collector_on() -> None:
    # Thread A opens, thread B opens, A closes, B closes: saving and restoring the
    # state per pause would leave the collector off for good.
    a_open, b_open, a_closed = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with collector_paused():
            a_open.set()
            b_open.wait(5)
        a_closed.set()

    def second() -> None:
        a_open.wait(5)
        with collector_paused():
            b_open.set()
            a_closed.wait(5)
            seen["off_after_a_closed"] = not gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"off_after_a_closed": True}
    assert gc.isenabled()


@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 3],
        [1, None, 3],
        [None, None],
        [],
        [2**62, -(2**62)],
        [1, float("nan"), pd.NA],
    ],
    ids=["ints", "with-null", "all-null", "empty", "large", "nan-and-na"],
)
def test_to_int_matches_the_validating_conversion(values: list[object]) -> None:
    series = pd.Series(values, dtype=object, name="n", index=range(10, 10 + len(values)))
    pd.testing.assert_series_equal(to_int(series), series.astype("Int64"))


@pytest.mark.parametrize(
    "values",
    [["12", 3], [1.0, 2.0], [True, 0], [2**70]],
    ids=["text", "floats", "bools", "too-large"],
)
def test_to_int_falls_back_for_other_values(values: list[object]) -> None:
    # Whatever astype("Int64") does with these (convert or refuse), to_int does too.
    series = pd.Series(values, dtype=object)
    try:
        expected = series.astype("Int64")
    except (TypeError, ValueError, OverflowError) as exc:
        with pytest.raises(type(exc)):
            to_int(series)
        return
    pd.testing.assert_series_equal(to_int(series), expected)


def test_unreadable_timestamps_are_counted_in_a_warning() -> None:
    stored = pd.Series(
        ["2025-01-02 03:04:05", "2025-01-02 03:04:05.123456", None, "yesterday", "31/12/2024"],
        dtype=object,
    )
    with pytest.warns(StoredValueWarning, match=r"chapters\.created_at: 2 stored value"):
        read = convert_column(
            "chapters",
            "created_at",
            stored,
            "datetime",
            parse_json=True,
            server_timezone=None,
        )
    assert read.isna().tolist() == [False, False, True, True, True]
    assert str(read.dtype) == "datetime64[us, UTC]"


def test_readable_timestamps_raise_no_warning() -> None:
    stored = pd.Series(["2025-01-02 03:04:05", None], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        convert_column(
            "chapters", "created_at", stored, "datetime", parse_json=True, server_timezone=None
        )


@pytest.mark.parametrize(
    "stored",
    [['"note"', None, '"other"'], [None, None], ["not json", None]],
    ids=["json-strings", "all-null", "unparsed-text"],
)
def test_json_columns_stay_object_with_none_for_null(stored: list[object]) -> None:
    # pandas 3 would infer str for these and turn None into NaN.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoredValueWarning)
        read = convert_column(
            "chapter_outlines",
            "metadata",
            pd.Series(stored, dtype=object),
            "json",
            parse_json=True,
            server_timezone=None,
        )
    assert read.dtype == object
    assert [v is None for v in read] == [v is None for v in stored]


_STAMPS = [
    "2024-01-01 10:00:00",
    None,
    "2024-03-10 02:30:00.5",
    "2024-06-01",
    "2024-11-03 01:30:00.123456",
]
_ODD_STAMPS = ["2024-02-30 00:00:00", "2024-01-01 10:00:00+08:00", "soon"]


@pytest.mark.parametrize(
    "zone",
    [
        None,
        "UTC",
        dt.timezone(dt.timedelta(hours=8)),
        dt.timezone(-dt.timedelta(hours=5, minutes=30)),
        "America/New_York",
    ],
)
@pytest.mark.parametrize(
    "stored",
    [
        _STAMPS,
        [dt.datetime(2024, 1, 1, 10), None, dt.datetime(2024, 11, 3, 1, 30, 0, 500)],
        _STAMPS + _ODD_STAMPS,
        [None, None],
        [],
    ],
    ids=["text", "datetimes", "text-with-odd-values", "all-null", "empty"],
)
def test_timestamps_fast_path_equals_the_general_one(
    stored: list[object], zone: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = pd.Series(np.array(stored, dtype=object))
    fast = to_utc(values, zone)  # type: ignore[arg-type]
    with monkeypatch.context() as patch:
        patch.setattr(_convert, "_utc_by_arrow", lambda *_args: None)
        general = to_utc(values, zone)  # type: ignore[arg-type]
    pd.testing.assert_series_equal(fast, general)
    assert str(fast.dtype) == "datetime64[us, UTC]"
    assert fast.dt.tz == general.dt.tz


def test_timestamps_in_pandas_text_dtype() -> None:
    values = pd.Series([s for s in _STAMPS], dtype="string")
    expected = to_utc(pd.Series(np.array(_STAMPS, dtype=object)), None)
    pd.testing.assert_series_equal(to_utc(values, None), expected)


def test_categories_keep_the_vocabulary_first_then_what_was_seen() -> None:
    stored = pd.Series(
        np.array(["zzz-custom", None, "successful", "aaa-custom", "successful"], dtype=object)
    )
    column = convert_column(
        "chapters",
        "status",
        stored,
        "category",
        parse_json=True,
        server_timezone=None,
        seen=["mmm"],
    )
    vocabulary = list(column.cat.categories[:-3])
    assert list(column.cat.categories[-3:]) == ["aaa-custom", "mmm", "zzz-custom"]
    assert "successful" in vocabulary
    assert column.isna().tolist() == [False, True, False, False, False]
    assert column.astype(object).where(column.notna(), None).tolist() == [
        "zzz-custom",
        None,
        "successful",
        "aaa-custom",
        "successful",
    ]
