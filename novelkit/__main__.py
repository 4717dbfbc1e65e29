"""``python -m novelkit``: the same as the ``novelkit`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="novelkit")
