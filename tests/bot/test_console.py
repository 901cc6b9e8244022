"""The console transport, run as a real `python -m bot` process on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_TOKEN"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Terminal:
    """A `python -m bot` process attached to a pseudo-terminal."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=_env(),
            close_fds=True,
        )
        os.close(slave)
        self.screen = ""

    def read_until(self, marker: str, timeout: float = 20) -> str:
        """Read output until `marker` appears after what was already read."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while marker not in self.screen[start:]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out waiting for {marker!r}: {self.screen[start:]!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    break
                self.screen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return self.screen[start:]

    def type(self, line: str, until: str = "\n> ") -> str:
        """Type a line and return what the program printed up to its next prompt."""
        os.write(self.master, (line + "\n").encode())
        return self.read_until(until)

    def close(self) -> int:
        """End input (Ctrl-D) and wait for the program to exit."""
        os.write(self.master, b"\x04")
        self.read_until("Bye.")
        code = self.process.wait(timeout=20)
        os.close(self.master)
        return code


def test_console_walks_a_crs_assessment_through_a_terminal() -> None:
    """Menu → CRS → typed answers and option letters → result with grade and tocilizumab dose."""
    term = Terminal()
    try:
        menu = term.read_until("\n> ")
        assert "a. Full review: CRS + ICANS" in menu
        assert "Highest temperature" in term.type("b")
        assert "Recorded: 101.3 °F = 38.5 °C" in term.type("101.3 F")
        assert "Blood pressure support?" in term.type("a")
        term.type("a")
        weight = term.type("a")
        assert "a. Unknown / not done" in weight
        result = term.type("70")
        assert "\nCRS grade 1\n" in result  # the terminal echoes the typed 70 first
        assert "Tocilizumab 560 mg" in result
        assert "ACLIN.P.088 v2.1" in result
        assert term.close() == 0
        assert "Bye." in term.screen
    finally:
        if term.process.poll() is None:
            term.process.kill()


def test_console_commands_and_bad_input() -> None:
    """Bad input is re-asked with what is accepted; back and help work; quit ends cleanly."""
    term = Terminal()
    try:
        term.read_until("> ")
        term.type("2")
        refused = term.type("60")
        assert "60 taken as °C: temperature must be 25–46 °C" in refused
        assert "Highest temperature" in refused
        term.type("38.4")
        assert "Highest temperature" in term.type("back")
        assert "Commands: back" in term.type("help")
        os.write(term.master, b"quit\n")
        assert term.process.wait(timeout=20) == 0
    finally:
        if term.process.poll() is None:
            term.process.kill()


def test_console_ends_cleanly_at_end_of_piped_input() -> None:
    """With input from a pipe that ends mid-dialog, the console exits 0 without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="3\n45\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "Traceback" not in done.stderr
    assert "ICE score: type it" in done.stdout
    assert done.stdout.rstrip().endswith("Bye.")


def test_console_runs_a_training_rehearsal() -> None:
    """The rehearsal works in the console, every message marked as training."""
    steps = "7\n2\n" + "1\n" * 12
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=steps,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "🎓 TRAINING · simulated patient\nCase: " in done.stdout
    assert "What is the CRS grade?" in done.stdout
    assert "Set by:" in done.stdout
