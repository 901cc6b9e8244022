"""The console transport, run as a real `python -m bot` process on a pseudo-terminal."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console import run_console
from dialogs import texts
from tests.packaged import PARTS

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
        return self.process.wait(timeout=20)

    def stop(self) -> None:
        """Kill the program if it is still running, reap it and release the terminal."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=20)
        with contextlib.suppress(OSError):  # already closed
            os.close(self.master)


def test_console_walks_a_crs_assessment_through_a_terminal() -> None:
    """Menu → CRS → typed answers and option letters → result with grade and tocilizumab dose."""
    term = Terminal()
    try:
        menu = term.read_until("\n> ")
        assert "a. 🚨 Seizing now" in menu
        assert "c. Full review: CRS + ICANS" in menu
        assert "Highest temperature" in term.type("d")
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
        term.stop()


def test_console_commands_and_bad_input() -> None:
    """Bad input is re-asked with what is accepted; back and help work; quit ends cleanly."""
    term = Terminal()
    try:
        term.read_until("> ")
        term.type("4")
        refused = term.type("60")
        assert "60 taken as °C: temperature must be 25–46 °C" in refused
        assert "Highest temperature" in refused
        term.type("38.4")
        assert "Highest temperature" in term.type("back")
        assert "Commands: back" in term.type("help")
        os.write(term.master, b"quit\n")
        assert term.process.wait(timeout=20) == 0
    finally:
        term.stop()


def test_console_ends_cleanly_at_end_of_piped_input() -> None:
    """With input from a pipe that ends mid-dialog, the console exits 0 without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="5\n45\n",
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
    steps = "9\n2\n" + "1\n" * 12
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


def test_console_takes_telegrams_commands_and_asks_before_discarding() -> None:
    """/crs starts CRS; /icans mid-dialog asks Discard or Keep going; unknown commands are named."""
    term = Terminal()
    try:
        banner = term.read_until("\n> ")
        assert "/crs" in banner
        assert "/icans" in banner
        assert "Highest temperature" in term.type("/crs")
        term.type("38.5")
        asked = term.type("/icans")
        assert "Start ICANS grade? The 1 answer(s) given so far would be discarded." in asked
        assert "a. Discard" in asked
        assert "b. Keep going" in asked
        assert "Has the patient already had treatment for CRS?" in term.type("b")
        unknown = term.type("/progress")
        assert "Not a command here. Commands: /seizure, /icp, /assess, /crs" in unknown
        assert "Has the patient already had treatment for CRS?" in unknown
        assert "Keep going" in term.type("/icans")
        assert "Age?" in term.type("a")
    finally:
        term.stop()


def test_console_letters_help_and_several_letters_at_once() -> None:
    """Options by letter (a number where the option is one); help explains the question in
    console words; 'a, c' answers a multiple choice."""
    term = Terminal()
    try:
        term.read_until("\n> ")
        term.type("d")  # CRS grade (after the two emergency entries)
        term.type("39")
        term.type("a")
        pressors = term.type("c")
        assert "a. Noradrenaline" in pressors
        assert "Type the letters of all that apply" in pressors
        assert "Tap" not in pressors
        helped = term.type("help")
        assert "Vasopressin is not counted as a second vasopressor" in helped
        assert "Type an option's letter" in helped
        assert "tap" not in helped.lower()
        assert "clearly from another cause" in term.type("a, e")
    finally:
        term.stop()


def test_console_numbers_options_that_are_numbers() -> None:
    """Where an option is a number (a CAPD item's 0-4), it is shown and typed as that number."""
    term = Terminal()
    try:
        term.read_until("\n> ")
        term.type("e")  # ICANS grade
        capd = term.type("7")
        assert "a. Guide me through the 8 items" in capd
        item = term.type("a")
        assert "CAPD item 1 of 8 · 0 so far" in item
        assert "\n  0\n  1\n  2\n  3\n  4\n" in item
        assert "CAPD item 2 of 8 · 3 so far" in term.type("3")
    finally:
        term.stop()


def test_console_ctrl_d_mid_dialog_asks_before_discarding() -> None:
    """Ctrl-D with answers given asks; 'n' carries on at the same question; 'y' leaves."""
    term = Terminal()
    try:
        term.read_until("\n> ")
        term.type("d")
        term.type("38.5")
        os.write(term.master, b"\x04")
        assert "Discard 1 answer(s)? y/n" in term.read_until("y/n")
        kept = term.type("n")
        assert "Has the patient already had treatment for CRS?" in kept
        os.write(term.master, b"\x04")
        term.read_until("y/n")
        os.write(term.master, b"y\n")
        term.read_until("Bye.")
        assert term.process.wait(timeout=20) == 0
        assert "Traceback" not in term.screen
    finally:
        term.stop()


def test_console_has_line_history() -> None:
    """On a terminal, the up arrow recalls the previous line (readline), and the banner says so."""
    term = Terminal()
    try:
        assert texts.CONSOLE_EDITING in term.read_until("\n> ")
        term.type("d")
        term.type("38.5")
        term.type("a")  # prior treatment: none yet
        recalled = term.type("\x1b[A")  # up arrow: 'a' again, now 'No hypotension'
        assert "Oxygen support?" in recalled
    finally:
        term.stop()


class Piped:
    """A `python -m bot` process on pipes, for signals."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=_env(),
        )
        self.output = ""

    def read_until(self, marker: str, timeout: float = 20) -> str:
        """Read standard output until `marker` appears after what was already read."""
        assert self.process.stdout is not None
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while marker not in self.output[start:]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out waiting for {marker!r}: {self.output[start:]!r}"
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                self.output += chunk.decode("utf-8", "replace")
        return self.output[start:]

    def stop(self) -> None:
        """Kill the program if it is still running, reap it and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=20)

    def send(self, line: str) -> None:
        """Write a line to standard input."""
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode())
        self.process.stdin.flush()


def test_console_ctrl_c_mid_dialog_asks_and_at_the_menu_leaves() -> None:
    """SIGINT with answers asks before discarding ('n' keeps them); at the menu it says goodbye;
    no traceback either way."""
    piped = Piped()
    try:
        # Through a pipe there is no line editing, and the banner does not promise it.
        assert texts.CONSOLE_EDITING not in piped.read_until("\n> ")
        piped.send("d")  # CRS grade
        piped.read_until("\n> ")
        piped.send("38.5")
        piped.read_until("\n> ")
        piped.process.send_signal(signal.SIGINT)
        assert "Discard 1 answer(s)? y/n" in piped.read_until("y/n")
        piped.send("n")
        assert "Has the patient already had treatment for CRS?" in piped.read_until("\n> ")
        piped.send("/cancel")
        piped.read_until("\n> ")
        piped.process.send_signal(signal.SIGINT)
        assert "Bye." in piped.read_until("Bye.")
        assert piped.process.wait(timeout=20) == 0
        assert piped.process.stderr is not None
        assert b"Traceback" not in piped.process.stderr.read()
    finally:
        piped.stop()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["a", "b", "c", "1", "38.5", "/crs", "/icans", "help", "back", "y"]),
            st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12),
        ),
        max_size=12,
    )
)
def test_any_typed_lines_end_cleanly(lines: list[str]) -> None:
    """Whatever is typed, line after line, the console answers and ends with 'Bye.' and 0."""
    stdin = io.StringIO("".join(line.replace("\n", " ") + "\n" for line in lines))
    stdout = io.StringIO()
    assert run_console(stdin, stdout, PARTS.engine) == 0
    assert stdout.getvalue().rstrip().endswith("Bye.")
