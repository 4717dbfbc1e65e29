"""A KeyboardInterrupt while the thread runner hands a call over to its loop.

The signal can land at any bytecode of the waiting thread, also inside
``asyncio.run_coroutine_threadsafe``: after the call was queued on the loop but
before the runner holds its future (seen in a loop over ``db.iter_sql``: the
chunk's task ran on, and closing the stream then failed with "aclose():
asynchronous generator is already running"). Wherever it lands, the call must
be cancelled if it started, never start if it did not, and the runner must stay
usable. ``run_coroutine_threadsafe`` is wrapped to raise at those exact points;
the loop, its thread and the tasks are real.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from novelkit.facade._runners import ThreadRunner, _HandedOver


@pytest.fixture
def runner() -> Iterator[ThreadRunner]:
    made = ThreadRunner()
    yield made
    made.close()


class Work:
    """A call that says when it began and whether it ran to its end."""

    def __init__(self) -> None:
        self.began = threading.Event()
        self.completed = False

    async def __call__(self) -> str:
        self.began.set()
        await asyncio.sleep(2)
        self.completed = True
        return "done"


def _interrupt_handover(
    monkeypatch: pytest.MonkeyPatch, *, before: Callable[[], None], queue: bool
) -> None:
    """Make the next hand-over raise KeyboardInterrupt: after queuing the call (``queue``)
    and running ``before``, or without queuing it at all."""
    real = _HandedOver.hand_over

    def hand_over(call: _HandedOver) -> None:
        monkeypatch.setattr(_HandedOver, "hand_over", real)  # this call only
        if queue:
            real(call)
        before()
        raise KeyboardInterrupt

    monkeypatch.setattr(_HandedOver, "hand_over", hand_over)


def _run_interrupted(runner: ThreadRunner, work: Work) -> list[asyncio.Task[Any] | None]:
    hooked: list[asyncio.Task[Any] | None] = []

    def on_interrupt(task: asyncio.Task[Any] | None, _run_on_loop: Any) -> bool:
        hooked.append(task)
        return False

    with pytest.raises(KeyboardInterrupt):
        runner.run(work(), on_interrupt=on_interrupt)
    return hooked


def test_a_call_that_started_is_cancelled(
    runner: ThreadRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Work()
    _interrupt_handover(monkeypatch, before=lambda: work.began.wait(5), queue=True)
    hooked = _run_interrupted(runner, work)
    assert len(hooked) == 1
    assert hooked[0] is not None  # the hook got the running task
    task = hooked[0]
    runner.run(_done(task))
    assert task.cancelled()
    assert not work.completed
    assert runner.run(asyncio.sleep(0, "usable")) == "usable"


async def _done(task: asyncio.Task[Any]) -> None:
    await asyncio.wait({task})


def test_a_call_queued_but_not_started_never_runs(
    runner: ThreadRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loop is kept busy, so the queued call cannot start before the interrupt.
    release = threading.Event()
    runner.loop.call_soon_threadsafe(release.wait, 5)
    work = Work()
    _interrupt_handover(monkeypatch, before=lambda: None, queue=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail
        hooked = _run_interrupted(runner, work)
        release.set()
        assert runner.run(asyncio.sleep(0.1, "usable")) == "usable"
        gc.collect()
    assert hooked == [None]
    assert not work.began.is_set()


def test_a_call_interrupted_before_it_was_queued_never_runs(
    runner: ThreadRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Work()
    _interrupt_handover(monkeypatch, before=lambda: None, queue=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hooked = _run_interrupted(runner, work)
        gc.collect()
    assert hooked == [None]
    assert not work.began.is_set()
    assert runner.run(asyncio.sleep(0, "usable")) == "usable"
