"""Delivery under faults, end to end: the real bot process killed at each point of a turn, Bot
API faults injected by the fake server, and input that must change nothing."""

from __future__ import annotations

import socket
import sqlite3
import time
from pathlib import Path

from dialogs import texts
from tests.bot.database import rows
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.harness import TOKEN, BotProcess, button
from tests.bot.test_telegram_e2e import Chat

DOCTOR = 1001


def _texts(chat: Chat) -> list[str]:
    return [m["text"] for m in chat.messages]


def _shown(chat: Chat, prefix: str, after: int = 0) -> dict[str, object]:
    """Wait for a message (after the first `after` ones) starting with prefix; return the last."""
    chat.fake.wait_for(lambda: any(t.startswith(prefix) for t in _texts(chat)[after:]))
    return [m for m in chat.messages[after:] if m["text"].startswith(prefix)][-1]


def _delivery_recorded(path: Path) -> bool:
    """Whether every message the bot has sent so far has its delivery date stored."""
    (counts,) = rows(
        path,
        "SELECT SUM(sent_date IS NULL AND text IS NOT NULL) AS unsent, "
        "SUM(sent_date IS NOT NULL) AS sent FROM outbox",
    )
    return counts["unsent"] == 0 and bool(counts["sent"])


def _crs_to_prior(chat: Chat) -> dict[str, object]:
    """Start CRS and answer the temperature: return the prior-treatment question."""
    chat.say("/crs")
    return chat.say("38.5")


def test_killed_before_saving_the_update_is_redelivered(fake: FakeTelegram, tmp_path: Path) -> None:
    """SIGKILL while the answer waits to be written: Telegram delivers it again to the next run,
    which applies it once and sends the next question."""
    database = tmp_path / "bot.sqlite3"
    first = BotProcess(fake, database).start()
    chat = Chat(fake, DOCTOR)
    chat.say("/crs")
    # The delivery of the question is recorded a moment after it is sent; until it is, a typed
    # answer cannot be told from one sent before the question was seen (and is not applied).
    fake.wait_for(lambda: _delivery_recorded(database))
    blocker = sqlite3.connect(database, timeout=10, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the bot's write now waits
    fake.send_text(DOCTOR, "38.5")
    time.sleep(1.0)
    first.kill()
    blocker.execute("ROLLBACK")
    blocker.close()
    assert len(chat.messages) == 1, "nothing was sent before the crash"
    second = BotProcess(fake, database).start()
    try:
        question = _shown(chat, "Has the patient")
        chat.until(lambda: chat.tap_on(question, "None yet"), "Blood pressure support?")
    finally:
        second.stop()


def test_killed_after_saving_before_sending_the_question_is_sent(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """SIGKILL while the next question is on its way: the next run sends it from the outbox,
    and the answer is applied once."""
    database = tmp_path / "bot.sqlite3"
    first = BotProcess(fake, database).start()
    chat = Chat(fake, DOCTOR)
    chat.say("/crs")
    fake.fail_next("sendMessage", "hold")
    fake.send_text(DOCTOR, "38.5")
    fake.wait_for(lambda: fake.holding == 1)
    first.kill()
    fake.release()
    second = BotProcess(fake, database).start()
    try:
        question = _shown(chat, "Has the patient")
        chat.until(lambda: chat.tap_on(question, "None yet"), "Blood pressure support?")
    finally:
        second.stop()
    assert sum(t.startswith("Has the patient") for t in _texts(chat)) >= 1


def test_killed_between_two_replies_the_rest_is_sent(fake: FakeTelegram, tmp_path: Path) -> None:
    """SIGKILL after the result was sent and before the handover: the next run sends the
    handover (with its reminder buttons)."""
    database = tmp_path / "bot.sqlite3"
    first = BotProcess(fake, database).start()
    chat = Chat(fake, DOCTOR)
    chat.say("/crs")
    chat.say("38.4")
    chat.tap("None yet")
    chat.tap("No hypotension")
    chat.tap("Room air")
    fake.fail_next("sendMessage", "ok")
    fake.fail_next("sendMessage", "hold")
    fake.send_text(DOCTOR, "70")
    fake.wait_for(lambda: fake.holding == 1)
    first.kill()
    fake.release()
    assert _texts(chat)[-1].startswith("<b>CRS grade 1</b>")
    second = BotProcess(fake, database).start()
    try:
        handover = _shown(chat, "Handover summary")
        assert button(handover, "⏰ Remind me: CRS review")
    finally:
        second.stop()


def test_failing_minor_calls_never_cost_the_next_question(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """500, 'query is too old' and a 429 on answering a tap or on the ✓ edit: the next question
    still comes at once and no error message is shown."""
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        chat = Chat(fake, DOCTOR)
        prior = _crs_to_prior(chat)
        fake.fail_next("answerCallbackQuery", "500")
        fake.fail_next("editMessageText", "500")
        pressure = chat.until(lambda: chat.tap_on(prior, "None yet"), "Blood pressure")
        fake.fail_next("answerCallbackQuery", "400")
        fake.fail_next("editMessageText", "429", 20)
        chat.until(lambda: chat.tap_on(pressure, "No hypotension"), "Oxygen support")
    finally:
        process.stop()
    # The 20 s retry-after was not waited for (the question came; the tick was dropped).
    assert "ticking the chosen option skipped: Telegram asked to wait 20 s" in process.output()
    assert not any(t.startswith("Something went wrong") for t in _texts(chat))
    assert "answering a button failed" in process.output()


def test_a_long_send_outage_is_retried_until_delivered(fake: FakeTelegram, tmp_path: Path) -> None:
    """sendMessage failing seven times in a row: the question is still delivered, once."""
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        chat = Chat(fake, DOCTOR)
        chat.say("/crs")
        for _ in range(7):
            fake.fail_next("sendMessage", "500")
        fake.send_text(DOCTOR, "38.5")
        fake.wait_for(lambda: any(t.startswith("Has the patient") for t in _texts(chat)))
        time.sleep(0.5)
    finally:
        process.stop()
    assert sum(t.startswith("Has the patient") for t in _texts(chat)) == 1
    assert "retrying later" in process.output()


def test_a_chat_that_blocked_the_bot_is_not_retried(fake: FakeTelegram, tmp_path: Path) -> None:
    """403 on sendMessage: the reply is dropped at once, not retried every poll."""
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        fake.fail_next("sendMessage", "403")
        fake.send_text(DOCTOR, "/crs")
        fake.wait_for(lambda: "blocked the bot" in process.output())
        time.sleep(1.0)
        fake.send_text(DOCTOR + 1, "/crs")
        fake.wait_messages(DOCTOR + 1, 1)
    finally:
        process.stop()
    assert fake.sent(DOCTOR) == []
    assert process.output().count("blocked the bot") == 1


def test_input_that_cannot_be_misapplied_changes_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Edits, groups, channel posts, media, malformed updates, foreign and inline buttons: each
    is explained or skipped; the dialog is unchanged; ids that restart low still count; the log
    holds none of it."""
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        chat = Chat(fake, DOCTOR)
        chat.say("/crs")
        typed = fake.message(DOCTOR, "38.4")
        fake.push({"message": typed})
        prior = fake.wait_messages(DOCTOR, 2)[-1]
        edited = {**typed, "text": "2", "edit_date": typed["date"] + 5}
        assert chat.until(lambda: fake.push({"edited_message": edited}), "Edited messages")
        group = fake.message(-500, "/crs", user_id=DOCTOR, chat_type="group")
        fake.push({"message": group})
        fake.push({"channel_post": fake.message(-600, "2", chat_type="channel")})
        fake.wait_messages(-500, 1)
        fake.wait_messages(-600, 1)
        photo = fake.message(
            DOCTOR, None, photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
        )
        assert chat.until(lambda: fake.push({"message": photo}), texts.NON_TEXT)
        fake.push({"message": {"chat": "nonsense", "text": "MALFORMED-SECRET"}})
        for data in ("forged", "x" * 80, "rem:crs:999"):
            fake.tap(DOCTOR, prior, data)
        fake.tap(DOCTOR, None, "1|prior.none")
        fake.wait_for(lambda: len(fake.answers()) >= 4)
    finally:
        process.stop()
    # Telegram restarts update ids low after a week of silence: the next run still applies them.
    fake.restart_ids(3)
    again = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    try:
        pressure = chat.until(lambda: chat.tap_on(prior, "None yet"), "Blood pressure support?")
    finally:
        again.stop()
    assert fake.sent(-500)[0].params["text"] == texts.PRIVATE_ONLY
    assert fake.sent(-600)[0].params["text"] == texts.PRIVATE_ONLY
    assert texts.TAP_IGNORED in fake.answers()
    assert texts.STALE in fake.answers()
    assert pressure["text"] == "Blood pressure support?"
    log = process.output()
    assert log.count("skipped malformed update") == 1
    for secret in ("MALFORMED-SECRET", "nonsense", "38.4", "forged", "xxxx"):
        assert secret not in log


def test_telegram_unreachable_at_start_is_waited_for(tmp_path: Path) -> None:
    """No Telegram at start: the bot says so and retries, then serves once Telegram is up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    placeholder = FakeTelegram(TOKEN)  # only for its URL shape
    placeholder.server.server_close()
    env_url = f"http://127.0.0.1:{port}/bot"
    process = BotProcess(placeholder, tmp_path / "bot.sqlite3", TELEGRAM_BASE_URL=env_url).start()
    fake: FakeTelegram | None = None
    try:
        deadline = time.monotonic() + 20
        while "cannot reach Telegram" not in process.output():
            assert time.monotonic() < deadline, process.output()
            time.sleep(0.1)
        assert process.process is not None
        assert process.process.poll() is None, "still running, not exited"
        fake = FakeTelegram(TOKEN, port=port).start()
        fake.send_text(DOCTOR, "/crs")
        fake.wait_messages(DOCTOR, 1, timeout=30)
    finally:
        process.stop()
        if fake is not None:
            fake.stop()


def test_a_database_deleted_under_the_bot_stops_it_loudly(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """The database file deleted while the bot runs: it stops with exit 3 and says why."""
    database = tmp_path / "bot.sqlite3"
    process = BotProcess(fake, database).start()
    Chat(fake, DOCTOR).say("/crs")
    for path in tmp_path.glob("bot.sqlite3*"):
        path.unlink()
    assert process.process is not None
    process.process.wait(timeout=20)
    assert process.process.returncode == 3
    assert "was deleted or replaced while the bot was running" in process.output()


def _post(port: int, update: dict[str, object], secret: str) -> int:
    """POST an update to the bot's webhook as Telegram does; return the HTTP status."""
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_webhook_mode_end_to_end_and_a_crash_after_the_200(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Webhook mode: the secret is checked, answers are applied; an update acknowledged with
    200 survives a SIGKILL right after (the next run applies it); a malformed one is refused
    and logged without its content."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "webhook-secret-123"  # noqa: S105 - a test value
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_SECRET": secret,
    }
    database = tmp_path / "bot.sqlite3"
    chat = Chat(fake, DOCTOR)
    first = BotProcess(fake, database, **env).start()
    fake.wait_for(lambda: bool(fake.sent(method="setWebhook")))
    ids = iter(range(500, 600))

    def post(text: str, key: str = secret) -> int:
        update = {"update_id": next(ids), "message": fake.message(DOCTOR, text)}
        status = 0
        for _ in range(50):  # the server may still be starting
            try:
                status = _post(port, update, key)
                break
            except OSError:
                time.sleep(0.1)
        return status

    assert post("/crs", key="wrong") == 403
    assert post("/crs") == 200
    fake.wait_messages(DOCTOR, 1)
    assert fake.sent(method="setWebhook")[0].params["secret_token"] == secret
    assert post("38.5") == 200
    first.kill()
    second = BotProcess(fake, database, **env).start()
    try:
        question = _shown(chat, "Has the patient")
        bad = {"update_id": 999, "message": {"chat": "WEBHOOK-SECRET-TEXT"}}
        for _ in range(50):
            try:
                assert _post(port, bad, secret) == 400
                break
            except OSError:
                time.sleep(0.1)
        tap = {
            "update_id": next(ids),
            "callback_query": {
                "id": "77",
                "from": {"id": DOCTOR, "is_bot": False, "first_name": "Dr"},
                "chat_instance": "ci",
                "data": button(question, "None yet"),
                "message": question,
            },
        }
        chat.until(lambda: _post(port, tap, secret), "Blood pressure support?")
    finally:
        second.stop()
    assert "WEBHOOK-SECRET-TEXT" not in second.output()
    assert secret not in first.output() + second.output()
