"""Background loops: work a process repeats while it serves (webhook delivery, planner
statistics, the credential listener, ...).

A loop is a small subclass of `LoopService` that says what one pass does (`run_once`) and how
often (`interval_seconds`); the base owns everything else, the same way for every loop:

- the wait between passes, with jitter so replicas started together do not pass in step;
- a pass that says more work is waiting (returns True) is followed at once, so a queue drains
  at full speed and the interval only paces an idle loop;
- a pass that raises is logged and the loop carries on: an outage (`expected_errors`) as one
  warning line, anything else with its traceback; `failure_backoff` spaces out the passes
  after failures in a row;
- a pass longer than `overrun_seconds` (the interval, unless a loop says otherwise) logs a
  warning: the work no longer fits its pace;
- `wake()` ends the current wait early (something happened that the next pass handles);
- a metric per loop: passes, failures and pass duration labelled by `name`;
- a graceful stop: `async with` starts the loop and stops it on exit; stopping ends a wait
  at once, gives a pass in progress `stop_grace_seconds` to finish, then cancels it.
"""

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence
from typing import ClassVar, Self

from services.core.errors import TemporarilyUnavailable
from services.core.observability import LOOP_FAILURES, LOOP_PASS_DURATION, LOOP_PASSES

log = logging.getLogger(__name__)


class LoopService:
    name: ClassVar[str]  # the metric label, the task name and the log prefix
    interval_seconds: float  # the pause after a pass that found nothing more to do
    jitter: ClassVar[float] = 0.1  # each pause is the interval times 1 ± jitter
    # Pauses after 1, 2, ... failed passes in a row (the last repeats); empty: the interval.
    failure_backoff: ClassVar[Sequence[float]] = ()
    # Failures that are the world's (an outage), not a bug: logged without a traceback.
    expected_errors: ClassVar[tuple[type[Exception], ...]] = (TemporarilyUnavailable,)
    stop_grace_seconds: float = 5.0  # how long stop() lets a pass in progress finish

    def __init__(self) -> None:
        self.consecutive_failures = 0
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool | None:
        """One pass. Return True when more work may be waiting (the next pass starts at once)."""
        raise NotImplementedError

    async def on_start(self) -> bool:
        """Before the first pass, in the loop's task. False: nothing to do in this process."""
        return True

    async def on_stop(self) -> None:
        """After the last pass has ended (finished or cancelled): release what passes hold."""

    @property
    def overrun_seconds(self) -> float:
        """A pass longer than this logs a warning."""
        return self.interval_seconds

    def wake(self) -> None:
        """End the current pause: the next pass starts now (or, mid-pass, right after it)."""
        self._wake.set()

    def next_pause(self) -> float:
        seconds = self.interval_seconds
        if self.consecutive_failures and self.failure_backoff:
            step = min(self.consecutive_failures, len(self.failure_backoff))
            seconds = self.failure_backoff[step - 1]
        return seconds * random.uniform(1 - self.jitter, 1 + self.jitter)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"loop {self.name} was already started")
        for metric in (LOOP_PASSES, LOOP_FAILURES, LOOP_PASS_DURATION):
            metric.labels(self.name)  # exported from 0 at once, so rates start at the start
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """End the loop: a pause ends at once, a pass gets its grace, then `on_stop`."""
        self._stopping = True
        self._wake.set()
        task = self._task
        try:
            if task is not None:
                await asyncio.wait({task}, timeout=self.stop_grace_seconds)
        finally:  # also when stop itself is cancelled: never leave the loop running
            if task is not None and not task.done():
                log.warning("loop %s: cancelling the pass still running at stop", self.name)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.on_stop()

    async def _run(self) -> None:
        try:
            if not await self.on_start():
                return
        except Exception:
            log.exception("loop %s could not start; it does not run in this process", self.name)
            return
        while not self._stopping:
            self._wake.clear()  # a wake() during the pass must still end the pause after it
            more = await self._pass()
            if not more and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.next_pause())

    async def _pass(self) -> bool:
        started = time.perf_counter()
        failed = True
        more = False
        try:
            more = bool(await self.run_once())
            failed = False
        except self.expected_errors as error:
            log.warning("loop %s: pass failed (%s: %s)", self.name, type(error).__name__, error)
        except Exception:
            log.exception("loop %s: pass failed", self.name)
        seconds = time.perf_counter() - started
        LOOP_PASSES.labels(self.name).inc()
        LOOP_PASS_DURATION.labels(self.name).observe(seconds)
        if failed:
            LOOP_FAILURES.labels(self.name).inc()
        self.consecutive_failures = self.consecutive_failures + 1 if failed else 0
        if seconds > self.overrun_seconds:
            log.warning(
                "loop %s: a pass took %.2f s, longer than its %.2f s budget",
                self.name,
                seconds,
                self.overrun_seconds,
            )
        return more
