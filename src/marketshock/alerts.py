"""Alert rules over a snapshot's metrics: parse, evaluate, remember what fired, notify.

A rule is a `[[alerts]]` table of the config: `name`, `when` and optional `notify`
(notification URLs, apprise's syntax). `when` is a small expression, parsed here and
never evaluated as code::

    expr       := and_expr ("or" and_expr)*
    and_expr   := term ("and" term)*
    term       := "(" expr ")" | comparison
    comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
    operand    := number | metric path (as `history --list` prints it) | shock.max_abs_zscore

`shock.max_abs_zscore` is the largest |z-score| of the day's moves (`shock.moves.*.zscore`).
A comparison with a metric the report does not hold is false (and named in `missing`).

Each rule fires at most once per as-of date: what fired (and was notified) is kept in
`.marketshock-alerts.json` in the snapshot directory, read and written under its lock.
apprise is imported only when a notification is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from marketshock.errors import AlertRuleError, NotifyError

if TYPE_CHECKING:
    from marketshock.config import AlertSettings

STATE_NAME = ".marketshock-alerts.json"
MAX_ABS_ZSCORE = "shock.max_abs_zscore"
_ZSCORE = re.compile(r"^shock\.moves\.[^.]+\.zscore$")

_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<paren>[()])
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*)
    """,
    re.VERBOSE,
)


# --- the expression ----------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # number, op, paren, word, end
    text: str
    position: int  # 1-based column in `when`


@dataclass(frozen=True)
class Comparison:
    left: float | str  # a number or a metric path
    op: str
    right: float | str

    def paths(self) -> list[str]:
        return [side for side in (self.left, self.right) if isinstance(side, str)]


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    parts: tuple[Expr, ...]


Expr = Comparison | BoolOp


class _SyntaxError(Exception):
    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    at = 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            raise _SyntaxError(at + 1, f"unexpected character {text[at]!r}")
        kind = m.lastgroup or ""
        word = m.group()
        if kind == "word" and word in ("and", "or"):
            kind = word
        if kind != "space":
            out.append(Token(kind, word, at + 1))
        at = m.end()
    out.append(Token("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    @staticmethod
    def found(token: Token) -> str:
        return "the end" if token.kind == "end" else repr(token.text)

    def parse(self) -> Expr:
        expr = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            raise _SyntaxError(token.position, f"expected 'and', 'or' or the end, found {self.found(token)}")
        return expr

    def or_expr(self) -> Expr:
        parts = [self.and_expr()]
        while self.peek().kind == "or":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Expr:
        parts = [self.term()]
        while self.peek().kind == "and":
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def term(self) -> Expr:
        if self.peek().text == "(":
            self.take()
            inner = self.or_expr()
            token = self.take()
            if token.text != ")":
                raise _SyntaxError(token.position, f"expected ')', found {self.found(token)}")
            return inner
        left = self.operand()
        token = self.take()
        if token.kind != "op":
            expected = ", ".join(_OPERATORS)
            raise _SyntaxError(token.position, f"expected a comparison ({expected}), found {self.found(token)}")
        right = self.operand()
        if isinstance(left, float) and isinstance(right, float):
            raise _SyntaxError(token.position, "a comparison needs a metric path on one side")
        return Comparison(left, token.text, right)

    def operand(self) -> float | str:
        token = self.take()
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise _SyntaxError(token.position, f"{token.text!r} is not a finite number")
            return value
        if token.kind == "word":
            if "." not in token.text:
                raise _SyntaxError(
                    token.position, f"{token.text!r} is not a metric path (section.row.field, see: history --list)"
                )
            return token.text
        raise _SyntaxError(token.position, f"expected a number or a metric path, found {self.found(token)}")


def parse(when: str) -> Expr:
    """Parse a rule's `when`; raises ValueError("position N: what is wrong")."""
    if not when.strip():
        raise ValueError("position 1: the expression is empty")
    try:
        return _Parser(when).parse()
    except _SyntaxError as error:
        raise ValueError(f"position {error.position}: {error.message}") from None


# --- rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    when: str
    expr: Expr
    notify: tuple[str, ...] = ()

    def paths(self) -> list[str]:
        return list(dict.fromkeys(_paths(self.expr)))


def _paths(expr: Expr) -> Iterable[str]:
    if isinstance(expr, Comparison):
        yield from expr.paths()
    else:
        for part in expr.parts:
            yield from _paths(part)


def rules(settings: Iterable[AlertSettings], source: str = "config") -> list[Rule]:
    """The config's `[[alerts]]` as parsed rules; AlertRuleError (exit 2) naming the rule and the position."""
    out: list[Rule] = []
    for n, alert in enumerate(settings, start=1):
        try:
            expr = parse(alert.when)
        except ValueError as error:
            raise AlertRuleError(f"{source}: [[alerts]] rule {alert.name!r} (#{n}): when: {error}") from None
        out.append(Rule(alert.name, alert.when, expr, tuple(alert.notify)))
    return out


# --- evaluation --------------------------------------------------------------------


def with_derived(metrics: Mapping[str, int | float]) -> dict[str, int | float]:
    """The snapshot's metrics plus the derived ones rules may use (`shock.max_abs_zscore`)."""
    out = dict(metrics)
    zscores = [abs(v) for k, v in metrics.items() if _ZSCORE.match(k)]
    if zscores:
        out[MAX_ABS_ZSCORE] = max(zscores)
    return out


@dataclass
class Evaluation:
    rule: Rule
    fired: bool
    values: dict[str, int | float | None]  # every metric the rule reads, null when the report lacks it

    @property
    def missing(self) -> list[str]:
        return [k for k, v in self.values.items() if v is None]


def _truth(expr: Expr, metrics: Mapping[str, int | float]) -> bool:
    if isinstance(expr, BoolOp):
        results = (_truth(part, metrics) for part in expr.parts)
        return any(results) if expr.op == "or" else all(results)
    sides = [metrics.get(s) if isinstance(s, str) else s for s in (expr.left, expr.right)]
    if sides[0] is None or sides[1] is None:
        return False
    return bool(_COMPARE[expr.op](sides[0], sides[1]))


def evaluate(rule_list: Iterable[Rule], metrics: Mapping[str, int | float]) -> list[Evaluation]:
    values = with_derived(metrics)
    return [Evaluation(r, _truth(r.expr, values), {p: values.get(p) for p in r.paths()}) for r in rule_list]


def describe(evaluation: Evaluation) -> str:
    """One line naming the rule and the values it read: `btc-crash: crypto.BTC.change_1d_pct = -14.13`."""
    shown = ", ".join(f"{k} = {number_text(v)}" for k, v in evaluation.values.items())
    return f"{evaluation.rule.name}: {shown}" if shown else evaluation.rule.name


def number_text(value: int | float | None) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.2f}"


# --- once per as-of date -----------------------------------------------------------


def _read_state(directory: Path) -> dict[str, list[str]]:
    try:
        doc = json.loads((directory / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: nothing has fired
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: [n for n in v if isinstance(n, str)] for k, v in doc.items() if isinstance(v, list)}


def already_fired(directory: Path, as_of: dt.date) -> set[str]:
    """Rule names that already fired for `as_of` (call with the directory's lock held)."""
    return set(_read_state(directory).get(as_of.isoformat(), []))


def record_fired(directory: Path, as_of: dt.date, names: Iterable[str]) -> None:
    """Remember that these rules fired for `as_of` (call with the directory's lock held)."""
    from marketshock import files

    new = list(names)
    if not new:
        return
    state = _read_state(directory)
    day = as_of.isoformat()
    state[day] = sorted(set(state.get(day, [])) | set(new))
    files.atomic_write(directory / STATE_NAME, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"))


# --- notifications -----------------------------------------------------------------


def message(evaluation: Evaluation, as_of: dt.date) -> tuple[str, str]:
    """A notification's title and body."""
    title = f"marketshock alert {evaluation.rule.name} ({as_of})"
    body = f"{describe(evaluation)}\nrule: {evaluation.rule.when}\nas of {as_of}"
    return title, body


@dataclass
class Delivery:
    rule: str
    failed: list[str] = field(default_factory=list)  # one line each, naming the service (never the full URL)


def _service(url: str) -> str:
    """A URL's scheme only: the rest may hold a token."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://"


def notify(evaluation: Evaluation, as_of: dt.date) -> Delivery:
    """Send the rule's notifications, one URL at a time so a failure names its service."""
    delivery = Delivery(evaluation.rule.name)
    if not evaluation.rule.notify:
        return delivery
    import logging

    import apprise

    title, body = message(evaluation, as_of)
    logger = logging.getLogger("apprise")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())  # apprise talks through logging; stderr stays ours
    for url in evaluation.rule.notify:
        sender = apprise.Apprise()
        if not sender.add(url):
            delivery.failed.append(f"{_service(url)}: not a notification URL apprise knows")
            continue
        try:
            ok = bool(sender.notify(title=title, body=body))
        except Exception as error:  # a notification service's failure must not lose the snapshot
            delivery.failed.append(f"{_service(url)}: {type(error).__name__}: {error}")
            continue
        if not ok:
            delivery.failed.append(f"{_service(url)}: the service did not accept it")
    return delivery


def raise_failed(deliveries: Iterable[Delivery]) -> None:
    failed = [f"alert {d.rule}: notification via {line}" for d in deliveries for line in d.failed]
    if failed:
        extra = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise NotifyError(f"{failed[0]}{extra}")
