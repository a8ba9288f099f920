"""Running an entry point's command: `bash -c` in the project directory, in its own process
group so an interrupt (Ctrl-C, or the kubelet's SIGTERM in a pod) stops the whole tree."""

import os
import signal
import subprocess
from pathlib import Path
from types import FrameType

# How long the command has to exit after SIGTERM before its group is killed.
GRACE_SECONDS = 10


class Interrupted(Exception):
    """The command was stopped by a signal to us; `signal_number` says which."""

    def __init__(self, signal_number: int):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


def _raise_interrupted(signal_number: int, _frame: FrameType | None) -> None:
    raise Interrupted(signal_number)


def run_command(command: str, cwd: Path, env: dict[str, str]) -> int:
    """The command's exit code; its output goes straight to ours (so it streams)."""
    process = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, start_new_session=True)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        return process.wait()
    except KeyboardInterrupt:
        _stop(process)
        raise Interrupted(signal.SIGINT) from None
    except Interrupted:
        _stop(process)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()
