"""use_cjk_font: Chinese labels render with an installed CJK font, or a warning says how
to install one. Figures are drawn with the Agg canvas directly (no pyplot state)."""

from __future__ import annotations

import copy
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from novelkit import plotting

matplotlib = pytest.importorskip("matplotlib")
font_manager = pytest.importorskip("matplotlib.font_manager")


@pytest.fixture(autouse=True)
def _restore_rc_params() -> Iterator[None]:
    with matplotlib.rc_context():
        yield


@pytest.fixture
def cjk_family() -> str:
    family = plotting.use_cjk_font(warn=False)
    if family is None:
        pytest.skip("no CJK font on this machine: apt-get install fonts-noto-cjk")
    return family


def draw_chinese_chart(path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(["林墨", "苏晚", "老周"], [120, 85, -12])
    axes.set_title("人物出场次数（第一卷）")
    axes.set_ylabel("次数")
    figure.savefig(path)


def test_importing_plotting_does_not_import_matplotlib() -> None:
    code = "import sys, novelkit.plotting; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_chinese_labels_render_without_missing_glyphs(cjk_family: str, tmp_path: Path) -> None:
    assert cjk_family in plotting.CJK_FONT_FAMILIES
    assert matplotlib.rcParams["font.sans-serif"][0] == cjk_family
    assert matplotlib.rcParams["font.family"] == [cjk_family, "DejaVu Sans"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would fail here
        draw_chinese_chart(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 0


def test_symbols_the_cjk_font_lacks_fall_back_to_dejavu_sans(
    cjk_family: str, tmp_path: Path
) -> None:
    """A draft's title, "Untitled 草稿 ✍️": the CJK font has no ✍ (U+270D), DejaVu Sans has.

    With font.family = ["sans-serif"] matplotlib used the CJK font alone and drew a box.
    🌙 stays missing where no installed font has it (neither of these two does).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(["Untitled 草稿 ✍️", "林墨"], [3, 1])
    axes.set_title("Untitled 草稿 ✍️ 章节数")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(tmp_path / "draft.png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == [], missing


def test_the_default_font_does_miss_the_glyphs(tmp_path: Path) -> None:
    """The control: the check above does see missing glyphs when there are some."""
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    with pytest.warns(UserWarning, match="Glyph .* missing from font"):
        draw_chinese_chart(tmp_path / "boxes.png")


def test_a_font_installed_after_the_cache_is_found(
    cjk_family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """matplotlib's font cache predates the font: the system's font files are rescanned."""
    stale = copy.copy(font_manager.fontManager)
    # As if the CJK font files had been installed after the cache was written.
    cjk_files = {e.fname for e in stale.ttflist if e.name in plotting.CJK_FONT_FAMILIES}
    stale.ttflist = [e for e in stale.ttflist if e.fname not in cjk_files]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    assert plotting.use_cjk_font() == cjk_family
    assert any(e.name == cjk_family for e in stale.ttflist)


def test_the_first_family_in_the_list_wins() -> None:
    installed = ["DejaVu Sans", "SimHei", "Noto Sans CJK JP", "WenQuanYi Zen Hei"]
    assert plotting._first_installed(installed) == "Noto Sans CJK JP"
    assert plotting._first_installed(["AR PL UMing CN"]) == "AR PL UMing CN"
    assert plotting._first_installed(["DejaVu Sans"]) is None


def test_no_font_warns_once_with_the_install_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plotting, "_warned", False)
    before = dict(matplotlib.rcParams)
    with pytest.warns(plotting.MissingFontWarning) as caught:
        assert plotting._configure(plotting._first_installed([]), warn=True) is None
    message = str(caught[0].message)
    for command in (
        "apt-get install fonts-noto-cjk",
        "dnf install google-noto-sans-cjk-fonts",
        "brew install --cask font-noto-sans-cjk",
        "PingFang SC is built in",
        "Microsoft YaHei is built in",
        "conda install -c conda-forge font-ttf-noto-cjk",
    ):
        assert command in message
    assert issubclass(plotting.MissingFontWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plotting._configure(None, warn=True) is None  # once per process
    assert dict(matplotlib.rcParams) == before  # nothing changed


def test_no_warning_when_asked_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plotting, "_warned", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plotting._configure(None, warn=False) is None
    assert plotting._warned is False


def test_an_unreadable_font_file_is_skipped(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    manager = copy.copy(font_manager.fontManager)
    manager.ttflist = list(manager.ttflist)
    plotting._add_font(manager, str(broken))
    assert all(e.fname != str(broken) for e in manager.ttflist)
