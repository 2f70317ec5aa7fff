"""The --where condition language: valid conditions, errors with positions, and fuzzing."""
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from casim.analysis.where import WhereError, evaluate_where, parse_where

LEADER = pd.Series(["RUS", "CHN", "RUS", "EU"], index=[0, 1, 2, 3])
WAR = pd.Series([0.2, 0.7, 0.9, 0.5], index=[0, 1, 2, 3])
GAP = pd.Series([-0.1, 0.2, 0.05, 0.0], index=[0, 1, 2, 3])


def resolve(name, year):
    from casim.errors import UserError
    table = {("leader", 2035): LEADER, ("war_intensity", None): WAR, ("china_russia_gap", 2035): GAP}
    if (name, year) not in table:
        raise UserError(f"unknown column '{name}'")
    return table[(name, year)]


@pytest.mark.parametrize("condition, expected", [
    ("leader@2035 == 'RUS'", [True, False, True, False]),
    ('leader@2035 != "RUS"', [False, True, False, True]),
    ("war_intensity > 0.5", [False, True, True, False]),
    ("war_intensity >= 0.5", [False, True, True, True]),
    ("0.5 > war_intensity", [True, False, False, False]),
    ("leader@2035 == 'RUS' and war_intensity > 0.5", [False, False, True, False]),
    ("leader@2035 == 'EU' or war_intensity <= 0.2", [True, False, False, True]),
    ("not (leader@2035 == 'RUS' or china_russia_gap@2035 > 0.1)", [False, False, False, True]),
    ("not not war_intensity < 1e3", [True, True, True, True]),
    ("china_russia_gap@2035 < -0.05 or (war_intensity>0.8and leader@2035=='RUS')", [True, False, True, False]),
])
def test_valid_conditions(condition, expected):
    assert evaluate_where(condition, resolve).tolist() == expected


def test_and_binds_tighter_than_or():
    # a or b and c == a or (b and c)
    got = evaluate_where("leader@2035 == 'EU' or leader@2035 == 'RUS' and war_intensity > 0.5", resolve)
    assert got.tolist() == [False, False, True, True]


@pytest.mark.parametrize("condition, position, words", [
    ("", 0, "empty"),
    ("leader@2035 = 'RUS'", 12, "unexpected character"),
    ("leader@35 == 'RUS'", 7, "four-digit year"),
    ("(war_intensity > 0.5", 20, "expected ')'"),
    ("war_intensity > 0.5 leader", 20, "'and', 'or'"),
    ("war_intensity", 13, "comparison"),
    ("war_intensity > ", 16, "column, number"),
    ("__import__('os') == 1", 10, "comparison"),
    ("leader@2035 > 'RUS'", 12, "only be compared"),
    ("leader@2035 == 3", 12, "text with a number"),
    ("1 == 1", 2, "at least one column"),
    ("leeder@2035 == 'RUS'", 0, "unknown column"),
    ("(" * 60 + "war_intensity > 0" + ")" * 60, 50, "nested"),
])
def test_errors_name_the_position(condition, position, words):
    with pytest.raises(WhereError) as err:
        evaluate_where(condition, resolve)
    assert err.value.position == position
    assert words in str(err.value)


def test_where_error_is_a_user_error():
    from casim.errors import UserError
    assert issubclass(WhereError, UserError)


ALPHABET = st.sampled_from(list("()@'\"=!<>.-+ _0123456789eE") + ["and ", "or ", "not ", "leader", "war_intensity",
                                                                   "2035", "'RUS'", "==", "\n", "é", "$", ";"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(ALPHABET, max_size=25).map("".join)))
def test_fuzz_only_where_errors(text):
    try:
        result = evaluate_where(text, resolve)
    except WhereError:
        return
    assert result.dtype == bool
