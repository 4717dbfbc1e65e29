"""The commands that prepare a place to work: ``demo`` (build a demo database) and
``lab`` (JupyterLab on the bundled notebooks).
"""

from __future__ import annotations

import click

from ..schema.tables import Generation
from ._messages import reports_errors
from ._options import choice_option, count_option, progress_option, url_argument

__all__ = ["demo", "lab"]


@click.command()
@url_argument
@choice_option(
    "--scale",
    choices=["tiny", "default", "large"],
    default="default",
    help_text="tiny: seconds; default: the README's database; large: benchmarks (minutes).",
)
@count_option("--seed", default=0, help_text="The same seed always gives the same data.")
@choice_option(
    "--generation",
    choices=["classic", "fusion"],
    default="fusion",
    help_text="Arboris schema generation: classic (17 tables) or fusion (36 tables).",
)
@click.option("--force", is_flag=True, help="Overwrite a database that is not a novelkit demo.")
@progress_option
@reports_errors
def demo(
    url: str | None,
    scale: str,
    seed: int,
    generation: Generation,
    force: bool,
    progress: bool | None,
) -> None:
    """Build a demo Arboris database at URL (a file path or a MySQL URL).

    Without URL, the embedded default location is used (under $NOVELKIT_HOME or
    the per-user data folder). An existing demo is rebuilt; any other database
    is left alone unless --force is given. MySQL databases must exist already.

    \b
    Examples:
      novelkit demo demo.db --scale tiny
      novelkit demo mysql://user:password@localhost/arboris_demo --generation classic
    """
    from ..demo import build_demo_async
    from ._loop import run_command

    # run_command, not build_demo's own asyncio.run: what Ctrl-C leaves must not hang it.
    summary = run_command(
        build_demo_async(
            url, scale=scale, seed=seed, generation=generation, force=force, progress=progress
        )
    )
    counts = summary.counts
    click.echo(
        f"Built the {summary.scale} {summary.generation} demo (seed {summary.seed}) "
        f"at {summary.url} in {summary.seconds:.1f} s:"
    )
    click.echo(
        f"  {counts['novel_projects']:,} projects, {counts['chapter_outlines']:,} outlines, "
        f"{counts['chapters']:,} chapters, {counts['chapter_versions']:,} versions; "
        f"{summary.total_rows:,} rows in {len(counts)} tables."
    )


# No ignore_unknown_options: a mistyped option (--prot) was passed on to Jupyter, which
# only logs it and starts on its default port. Jupyter's own options go after --.
@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Server port.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- JUPYTER_ARGS...]")
@reports_errors
def lab(port: int | None, ip: str, no_browser: bool, jupyter_args: tuple[str, ...]) -> None:
    """JupyterLab on the bundled notebooks, over the configured database.

    Builds the embedded demo database first when it is the one in use. Jupyter
    prints its URL with a fresh token; Ctrl-C stops the server and its kernels.
    Arguments after -- go to Jupyter.

    \b
    Examples:
      novelkit lab
      novelkit lab --port 8899 --no-browser -- --ServerApp.token=mytoken
    """
    from ._lab import run_lab

    code = run_lab(port=port, ip=ip, browser=not no_browser, extra=jupyter_args)
    if code:
        raise click.exceptions.Exit(code)
