"""Alert rules: `[[alerts]]` in the config, `marketshock alerts`, and `snapshot` notifying once per as-of date.

The notifications go to a JSON webhook on 127.0.0.1 (apprise's `json://`), started by a fixture and always stopped.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import assert_valid_envelope, invoke, process
from marketshock import alerts


class Webhook:
    """A JSON webhook on 127.0.0.1: every POST body it received, parsed."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[dict] = []
        self.status = status
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.posts.append(json.loads(body))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as hook:
        yield hook


@pytest.fixture
def refusing_webhook() -> Iterator[Webhook]:
    with Webhook(status=500) as hook:
        yield hook


def config_with(tmp_path: Path, *rules: tuple[str, str, list[str]]) -> Path:
    path = tmp_path / "config.toml"
    tables = [
        f"[[alerts]]\nname = {json.dumps(n)}\nwhen = {json.dumps(w)}\nnotify = {json.dumps(u)}\n" for n, w, u in rules
    ]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


BTC_CRASH = "crypto.BTC.change_1d_pct <= -10"


def snapshot(config: Path, out: Path, as_of: str, *args: str):
    return invoke("--config", str(config), "snapshot", "--offline", "--as-of", as_of, "--out", str(out), *args)


# --- the expression ----------------------------------------------------------------


def test_the_issues_example_parses_into_an_or_of_two_comparisons():
    expr = alerts.parse("crypto.BTC.change_1d_pct <= -10 or shock.max_abs_zscore >= 4")
    assert expr == alerts.BoolOp(
        "or",
        (
            alerts.Comparison("crypto.BTC.change_1d_pct", "<=", -10.0),
            alerts.Comparison("shock.max_abs_zscore", ">=", 4.0),
        ),
    )


def test_and_binds_tighter_than_or_and_parentheses_group():
    values = {"a.x": 1, "a.y": 2, "a.z": 3}
    loose = alerts.rules([_rule("r", "a.x > 5 and a.y > 5 or a.z == 3")])
    grouped = alerts.rules([_rule("r", "a.x > 5 and (a.y > 5 or a.z == 3)")])
    assert [e.fired for e in alerts.evaluate(loose + grouped, values)] == [True, False]


@pytest.mark.parametrize(
    ("when", "position"),
    [
        ("__import__('os').system('true')", 12),  # never evaluated as code: a quote is no token
        ("crypto.BTC.price > ", 20),
        ("crypto.BTC.price >> 3", 19),
        ("(crypto.BTC.price > 3", 22),
        ("3 < 4", 3),
        ("price > 3", 1),
        ("crypto.BTC.price > 3 not", 22),
        ("", 1),
    ],
)
def test_a_bad_expression_names_the_position_of_the_error(when: str, position: int):
    with pytest.raises(ValueError, match=rf"^position {position}: "):
        alerts.parse(when)


def test_a_metric_the_report_does_not_hold_makes_its_comparison_false():
    (evaluation,) = alerts.evaluate(alerts.rules([_rule("r", "no.such.metric < 1 or a.x == 1")]), {"a.x": 2})
    assert (evaluation.fired, evaluation.missing) == (False, ["no.such.metric"])


def test_shock_max_abs_zscore_is_the_largest_absolute_zscore_of_the_moves():
    metrics = {"shock.moves.BTC.zscore": -5.5, "shock.moves.ETH.zscore": 3.0, "crypto.BTC.zscore_like": 9}
    assert alerts.with_derived(metrics)[alerts.MAX_ABS_ZSCORE] == 5.5


def _rule(name: str, when: str, notify: list[str] | None = None):
    from marketshock.config import AlertSettings

    return AlertSettings(name=name, when=when, notify=notify or [])


# --- config ------------------------------------------------------------------------


def test_a_bad_rule_is_exit_2_naming_the_rule_and_the_position(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", "crypto.BTC.change_1d_pct <= ", []))
    result = invoke("--config", str(config), "alerts", "--offline")
    assert result.code == 2
    assert result.err_lines == [
        f"marketshock: error: {config}: [[alerts]] rule 'btc-crash' (#1): when: position 29: "
        "expected a number or a metric path, found the end"
    ]


def test_a_bad_rule_stops_snapshot_before_anything_is_written(tmp_path: Path):
    config = config_with(tmp_path, ("oops", "crypto.BTC.price >", []))
    result = snapshot(config, tmp_path / "snaps", "2026-02-05")
    assert (result.code, result.out) == (2, "")
    assert "rule 'oops'" in result.err and not (tmp_path / "snaps").exists()


def test_two_rules_with_one_name_are_a_config_error(tmp_path: Path):
    config = config_with(tmp_path, ("same", "a.b.c > 1", []), ("same", "a.b.c < 1", []))
    result = invoke("--config", str(config), "alerts", "--offline")
    assert result.code == 2 and "named 'same'" in result.err


# --- marketshock alerts ------------------------------------------------------------


def test_alerts_exits_5_and_shows_the_rule_that_fired(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, []), ("calm", "crypto.BTC.change_1d_pct > 0", []))
    result = invoke("--config", str(config), "alerts", "--offline", "--as-of", "2026-02-05")
    assert result.code == 5
    assert "1 of 2 rules fired" in result.out
    assert "btc-crash  FIRED  crypto.BTC.change_1d_pct = -14.13" in result.out


def test_alerts_exits_0_when_no_rule_fired(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, []))
    result = invoke("--config", str(config), "alerts", "--offline", "--as-of", "2026-02-06")
    assert (result.code, result.err) == (0, "")
    assert "0 of 1 rules fired" in result.out


def test_alerts_json_is_an_envelope_the_schema_describes(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, ["json://127.0.0.1:9/secret-token"]))
    result = invoke("alerts", "--offline", "--as-of", "2026-02-05", "--json", "--config", str(config))
    doc = result.json()
    assert_valid_envelope(doc)
    assert doc["data"] == {
        "file": None,
        "rules": [
            {
                "name": "btc-crash",
                "when": BTC_CRASH,
                "fired": True,
                "values": {"crypto.BTC.change_1d_pct": -14.13},
                "notify": 1,
            }
        ],
        "fired": ["btc-crash"],
    }
    assert "secret-token" not in result.out


def test_alerts_csv_has_a_row_per_rule(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, []))
    result = invoke("--config", str(config), "alerts", "--offline", "--as-of", "2026-02-05", "--csv")
    assert result.out.splitlines() == [
        "name,when,fired,values,notify",
        "btc-crash,crypto.BTC.change_1d_pct <= -10,true,crypto.BTC.change_1d_pct = -14.13,0",
    ]


def test_alerts_on_a_snapshot_file_reads_that_file(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, []))
    out = tmp_path / "snaps"
    assert invoke("snapshot", "--offline", "--as-of", "2026-02-05", "--out", str(out)).code == 0
    result = invoke("--config", str(config), "alerts", str(out / "2026-02-05.json"), "--json")
    assert (result.code, result.json()["data"]["file"], result.json()["as_of"]) == (
        5,
        str(out / "2026-02-05.json"),
        "2026-02-05",
    )


def test_alerts_warns_about_a_metric_the_report_does_not_hold(tmp_path: Path):
    config = config_with(tmp_path, ("typo", "crypto.BTC.prize < 1", []))
    result = invoke("--config", str(config), "alerts", "--offline")
    assert result.code == 0
    assert result.err_lines == [
        "marketshock: alert typo: no crypto.BTC.prize in the report (see: marketshock history --list)"
    ]


def test_alerts_sends_nothing_and_does_not_import_apprise(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    script = (
        "import sys\nfrom marketshock import cli\n"
        f"sys.argv = ['marketshock', '--config', {str(config)!r}, 'alerts', '--offline', '--as-of', '2026-02-05']\n"
        "try:\n    cli.main()\nexcept SystemExit as e:\n    code = e.code\n"
        "sys.stderr.write(f'apprise imported: {\"apprise\" in sys.modules}, exit {code}')\n"
    )
    result = process(argv=[sys.executable, "-c", script])
    assert result.err.endswith("apprise imported: False, exit 5")
    assert webhook.posts == []


# --- snapshot: notify once per as-of date ------------------------------------------


def test_snapshot_notifies_a_fired_rule_and_exits_5(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    result = snapshot(config, tmp_path / "snaps", "2026-02-05")
    assert result.code == 5
    assert result.out == f"{(tmp_path / 'snaps' / '2026-02-05.json').absolute()}\n"
    assert result.err_lines == ["marketshock: alert btc-crash: crypto.BTC.change_1d_pct = -14.13 (as of 2026-02-05)"]
    (post,) = webhook.posts
    assert "BTC" in post["message"] and "-14.13" in post["message"]


def test_a_second_snapshot_of_the_same_date_sends_nothing(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 5
    again = snapshot(config, tmp_path / "snaps", "2026-02-05")
    assert (again.code, again.err) == (0, "")
    assert len(webhook.posts) == 1


def test_a_day_without_the_move_fires_nothing(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    result = snapshot(config, tmp_path / "snaps", "2026-02-06")
    assert (result.code, result.err, webhook.posts) == (0, "", [])


def test_each_date_fires_on_its_own(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("big-move", "shock.max_abs_zscore >= 2", [webhook.url]))
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 5
    assert snapshot(config, tmp_path / "snaps", "2026-02-06").code == 5
    assert [p["title"] for p in webhook.posts] == [
        "marketshock alert big-move (2026-02-05)",
        "marketshock alert big-move (2026-02-06)",
    ]


def test_the_alert_state_is_not_a_foreign_file_to_history(tmp_path: Path, webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 5
    assert (tmp_path / "snaps" / alerts.STATE_NAME).is_file()
    result = invoke("history", "crypto.BTC.price", "--dir", str(tmp_path / "snaps"))
    assert (result.code, result.err) == (0, "")


def test_a_failed_notification_is_one_line_exit_3_and_the_snapshot_is_kept(tmp_path: Path, refusing_webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [refusing_webhook.url]))
    result = snapshot(config, tmp_path / "snaps", "2026-02-05")
    assert result.code == 3
    assert result.err_lines[-1] == (
        "marketshock: error: alert btc-crash: notification via json://: the service did not accept it"
    )
    assert (tmp_path / "snaps" / "2026-02-05.json").is_file()
    assert "Traceback" not in result.err


def test_a_failed_notification_is_tried_again_on_the_next_run(tmp_path: Path, refusing_webhook: Webhook):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [refusing_webhook.url]))
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 3
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 3
    assert len(refusing_webhook.posts) == 2


def test_an_unknown_notification_url_names_only_its_scheme(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, ["nosuchservice://user:hunter2@host"]))
    result = snapshot(config, tmp_path / "snaps", "2026-02-05")
    assert result.code == 3
    assert result.err_lines[-1] == (
        "marketshock: error: alert btc-crash: notification via nosuchservice://: not a notification URL apprise knows"
    )
    assert "hunter2" not in result.err


def test_a_rule_without_notify_fires_once_per_date_too(tmp_path: Path):
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, []))
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 5
    assert snapshot(config, tmp_path / "snaps", "2026-02-05").code == 0


def test_no_overwrite_still_checks_the_kept_snapshot(tmp_path: Path, webhook: Webhook):
    out = tmp_path / "snaps"
    assert invoke("snapshot", "--offline", "--as-of", "2026-02-05", "--out", str(out)).code == 0
    config = config_with(tmp_path, ("btc-crash", BTC_CRASH, [webhook.url]))
    assert snapshot(config, out, "2026-02-05", "--no-overwrite").code == 5
    assert len(webhook.posts) == 1


# --- the parser on any text --------------------------------------------------------


@given(st.text(alphabet=st.sampled_from(list("ab.c_1-0 ()<>=!andor'\"x;")), max_size=40) | st.text(max_size=40))
def test_any_text_parses_or_is_a_value_error_with_a_position_inside_it(text: str):
    try:
        alerts.parse(text)
    except ValueError as error:
        position = int(str(error).split(":")[0].removeprefix("position "))
        assert 1 <= position <= len(text) + 1
