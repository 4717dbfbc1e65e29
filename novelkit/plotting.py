"""Matplotlib set-up for charts with Chinese labels (titles, names, chapter headings).

Matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese labels come out
as empty boxes with a "Glyph ... missing from font" warning. :func:`use_cjk_font`
picks a CJK font that is already installed and makes it matplotlib's sans-serif
font. It never downloads anything, and importing this module does not import
matplotlib (it is only in the ``notebooks`` extra).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from .errors import ConfigurationError, MissingFontWarning

if TYPE_CHECKING:
    from matplotlib.font_manager import FontManager

__all__ = ["MissingFontWarning", "use_cjk_font"]

#: Font families tried in this order; the first one installed wins.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "Heiti SC",
    "Droid Sans Fallback",
    "AR PL UMing",
    # Debian's fonts-arphic-uming names its families by region.
    "AR PL UMing CN",
    "AR PL UMing TW",
    "AR PL UMing HK",
)

#: Where glyphs the CJK font lacks come from: matplotlib ships it, so it is always there.
FALLBACK_FAMILY = "DejaVu Sans"

INSTALL_HINT = """\
No CJK font is installed, so Chinese text in charts will show as empty boxes.
Install one, then call use_cjk_font() again:
  Debian/Ubuntu: sudo apt-get install fonts-noto-cjk
  Fedora:        sudo dnf install google-noto-sans-cjk-fonts
  macOS:         PingFang SC is built in; or brew install --cask font-noto-sans-cjk
  Windows:       Microsoft YaHei is built in
  conda:         conda install -c conda-forge font-ttf-noto-cjk"""


# The warning is given once per process: a notebook that calls use_cjk_font() in
# several cells needs to read it once, not after every cell.
_warned = False


def use_cjk_font(*, warn: bool = True) -> str | None:
    """Make an installed CJK font matplotlib's sans-serif font.

    Sets ``rcParams["font.family"]`` to the font found, then DejaVu Sans
    (matplotlib's bundled font), so that a character the CJK font lacks (``✍``,
    arrows, many symbols) is drawn from DejaVu Sans, glyph by glyph; sets
    ``font.sans-serif`` to the font found, then the previous list (for code that
    asks for ``"sans-serif"`` by name, such as networkx's labels), and
    ``axes.unicode_minus = False`` (CJK fonts often lack the Unicode minus sign).
    A character neither font has (most emoji, ``🌙``) still shows as a box, with
    matplotlib's "Glyph ... missing" warning.

    Fonts are looked up in matplotlib's font manager in the order of
    :data:`CJK_FONT_FAMILIES`. When none is known there, font files installed on the
    system after matplotlib built its font cache are added to it (local files only),
    and the lookup is tried once more.

    Parameters
    ----------
    warn
        Warn (a :class:`MissingFontWarning`, once per process) when no CJK font is
        installed, with the command that installs one on each platform.

    Returns
    -------
    str or None
        The font family now in use, or None when no CJK font is installed (the
        settings are then left as they were).

    Raises
    ------
    ConfigurationError
        matplotlib is not installed.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from novelkit.plotting import use_cjk_font
    >>> use_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    >>> plt.bar(["林墨", "苏晚"], [120, 85])  # doctest: +SKIP
    """
    font_manager = _font_manager()
    manager = font_manager.fontManager
    family = _first_installed(entry.name for entry in manager.ttflist)
    if family is None:
        known = {entry.fname for entry in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                _add_font(manager, path)
        family = _first_installed(entry.name for entry in manager.ttflist)
    return _configure(family, warn=warn)


def _font_manager() -> ModuleType:
    try:
        import matplotlib.font_manager
    except ImportError as exc:
        raise ConfigurationError(
            "use_cjk_font needs matplotlib: pip install 'novelkit[notebooks]' "
            "(or pip install matplotlib)."
        ) from exc
    return matplotlib.font_manager


def _add_font(manager: FontManager, path: str) -> None:
    """Add one font file; a file FreeType cannot read is skipped, as matplotlib does."""
    try:
        manager.addfont(path)
    except (OSError, RuntimeError, ValueError):
        # Unreadable or not a font after all: matplotlib's own scan skips these too.
        return


def _first_installed(families: Iterable[str]) -> str | None:
    """The first of :data:`CJK_FONT_FAMILIES` among ``families``."""
    installed = set(families)
    return next((family for family in CJK_FONT_FAMILIES if family in installed), None)


def _configure(family: str | None, *, warn: bool) -> str | None:
    """Apply ``family`` to matplotlib's settings, or warn that there is none.

    The seam the tests use to see the no-font path on a machine that has fonts.
    """
    global _warned
    if family is None:
        if warn and not _warned:
            _warned = True
            warnings.warn(INSTALL_HINT, MissingFontWarning, stacklevel=3)
        return None
    import matplotlib

    previous = [name for name in matplotlib.rcParams["font.sans-serif"] if name != family]
    matplotlib.rcParams["font.sans-serif"] = [family, *previous]
    # An explicit list, not the generic "sans-serif": matplotlib (>= 3.6) falls back
    # glyph by glyph only across the families font.family lists; a generic name
    # resolves to one font, so a symbol the CJK font lacks would be a box.
    matplotlib.rcParams["font.family"] = [family, FALLBACK_FAMILY]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
