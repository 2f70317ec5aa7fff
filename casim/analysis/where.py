"""The `--where` condition language: a tokenizer and a recursive-descent parser (never `eval`).

Grammar (keywords are lower case)::

    condition  := disjunct ("or" disjunct)*
    disjunct   := negation ("and" negation)*
    negation   := "not" negation | atom
    atom       := "(" condition ")" | value OP value
    value      := NUMBER | STRING | REF
    REF        := NAME ["@" YEAR]          e.g. leader@2035, KAZ.alignment_CHN@2040, war_intensity
    OP         := == | != | < | <= | > | >=

A reference with `@YEAR` is an output column at the last step of that year (the output contract's
`model.outputs.OutputRef`); one without is a per-run input such as a sampled parameter. Evaluation
returns one boolean per run.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from casim.errors import UserError
from model.errors import InputError
from model.outputs import REF_NAME

COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
               ">": operator.gt, ">=": operator.ge}
KEYWORDS = ("and", "or", "not")
MAX_DEPTH = 50  # nesting of "(" and "not": deeper input is refused instead of exhausting the stack
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<at>@)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<name>{name})
""".format(name=REF_NAME), re.VERBOSE)


class WhereError(UserError):
    """A bad --where condition; the message points at the character position."""

    def __init__(self, text: str, position: int, message: str):
        self.position = position
        caret = " " * position + "^"
        super().__init__(f"--where: {message} at position {position}\n  {text}\n  {caret}")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


@dataclass(frozen=True)
class Ref:
    name: str
    year: int | None
    position: int


@dataclass(frozen=True)
class Literal:
    value: float | str
    position: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Ref | Literal
    right: Ref | Literal
    position: int


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or" | "not"
    operands: tuple


def tokenize(text: str) -> list[Token]:
    """Split a condition into tokens; an unknown character raises WhereError at its position."""
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise WhereError(text, position, f"unexpected character {text[position]!r}")
        kind = match.lastgroup
        if kind != "space":
            word = match.group()
            tokens.append(Token("keyword" if kind == "name" and word in KEYWORDS else kind, word, position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self, kind: str, text: str | None = None) -> Token | None:
        token = self.peek()
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def fail(self, expected: str):
        token = self.peek()
        found = "the end of the condition" if token.kind == "end" else repr(token.text)
        raise WhereError(self.text, token.position, f"expected {expected}, found {found}")

    def condition(self):
        operands = [self.disjunct()]
        while self.take("keyword", "or"):
            operands.append(self.disjunct())
        return operands[0] if len(operands) == 1 else Logic("or", tuple(operands))

    def disjunct(self):
        operands = [self.negation()]
        while self.take("keyword", "and"):
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else Logic("and", tuple(operands))

    def deeper(self, opener: Token):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise WhereError(self.text, opener.position, f"nested more than {MAX_DEPTH} levels deep")

    def negation(self):
        opener = self.take("keyword", "not")
        if opener:
            self.deeper(opener)
            inner = self.negation()
            self.depth -= 1
            return Logic("not", (inner,))
        return self.atom()

    def atom(self):
        opener = self.take("lparen")
        if opener:
            self.deeper(opener)
            inner = self.condition()
            if not self.take("rparen"):
                self.fail("')'")
            self.depth -= 1
            return inner
        left = self.value()
        op = self.take("op")
        if op is None:
            self.fail("a comparison (== != < <= > >=)")
        return Compare(op.text, left, self.value(), op.position)

    def value(self):
        token = self.peek()
        if self.take("number"):
            return Literal(float(token.text), token.position)
        if self.take("string"):
            return Literal(token.text[1:-1], token.position)
        if self.take("name"):
            year = None
            if self.take("at"):
                year_token = self.peek()
                if not (self.take("number") and re.fullmatch(r"\d{4}", year_token.text)):
                    raise WhereError(self.text, year_token.position, "expected a four-digit year after '@'")
                year = int(year_token.text)
            return Ref(token.text, year, token.position)
        self.fail("a column, number or quoted string")


def parse_where(text: str):
    """Parse a condition into a small syntax tree; raises WhereError (a UserError) with the position."""
    parser = _Parser(text)
    if parser.peek().kind == "end":
        raise WhereError(text, 0, "empty condition")
    tree = parser.condition()
    if parser.peek().kind != "end":
        parser.fail("'and', 'or' or the end of the condition")
    return tree


def references(tree) -> list[Ref]:
    """Every column reference in a parsed condition."""
    if isinstance(tree, Ref):
        return [tree]
    if isinstance(tree, Compare):
        return references(tree.left) + references(tree.right)
    if isinstance(tree, Logic):
        return [r for operand in tree.operands for r in references(operand)]
    return []


def evaluate_where(text: str, resolve: Callable[[str, int | None], pd.Series]) -> pd.Series:
    """Evaluate a condition to one boolean per run.

    Args:
        text: the condition, e.g. "leader@2035 == 'RUS' and war_intensity > 0.5".
        resolve: maps (column, year or None) to a Series indexed by run; raises InputError if unknown.

    Returns:
        Boolean Series indexed by run.
    """
    tree = parse_where(text)

    def value(node):
        if isinstance(node, Literal):
            return node.value
        try:
            return resolve(node.name, node.year)
        except WhereError:
            raise
        except InputError as exc:
            raise WhereError(text, node.position, str(exc)) from None

    def walk(node) -> pd.Series:
        if isinstance(node, Logic):
            parts = [walk(operand) for operand in node.operands]
            if node.op == "not":
                return ~parts[0]
            combine = np.logical_and if node.op == "and" else np.logical_or
            result = parts[0]
            for part in parts[1:]:
                result = combine(*pd.Series.align(result, part, join="inner"))
            return result
        left, right = value(node.left), value(node.right)
        if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
            raise WhereError(text, node.position, "a comparison needs at least one column")
        _check_types(text, node, left, right)
        if isinstance(left, pd.Series) and isinstance(right, pd.Series):
            left, right = left.align(right, join="inner")
        return COMPARISONS[node.op](left, right).astype(bool)

    return walk(tree)


def _check_types(text, node, left, right):
    def is_text(v):
        return isinstance(v, str) or (isinstance(v, pd.Series) and not pd.api.types.is_numeric_dtype(v))

    if is_text(left) != is_text(right):
        raise WhereError(text, node.position, "cannot compare text with a number")
    if is_text(left) and node.op not in ("==", "!="):
        raise WhereError(text, node.position, f"text can only be compared with == or !=, not {node.op}")
