"""The scenario schema: valid files, one message per problem in the form file:line: path: problem, fuzzing."""
import pickle
import re
import string
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.scenario import EVENT_KEYS, Scenario, ScenarioError, event_step, load_scenario, parse_at
from model.uncertainty import DEFAULT_REPLICATES

MESSAGE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>\S+): (?P<what>.+)$")


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    for message in info.value.messages:
        assert MESSAGE.match(message) or re.match(r"^.+?:\d+: ", message), message
    return info.value.messages


HEAD = "name: t\ndescription: a test\n"


def test_valid_file_loads_with_defaults_and_events(tmp_path):
    path = write(tmp_path, HEAD + textwrap.dedent("""\
        end_year: 2030
        params: {powers.RUS.security_capacity: 0.8, beta_trade: 3}
        events:
          - {at: 2027, set: {powers.RUS.sanctions: 0.9}}
          - {at: 2026-Q3, shock: sanctions, power: CHN, intensity: 0.2, label: US tariffs}
        """))
    sc = load_scenario(path)
    assert (sc.start_year, sc.end_year, sc.steps_per_year, sc.replicates) == (2025, 2030, 4, DEFAULT_REPLICATES)
    assert sc.params == {"powers.RUS.security_capacity": 0.8, "beta_trade": 3.0}
    assert sc.events[1].args == {"power": "CHN", "intensity": 0.2}
    spec = sc.run_spec(replicates=3, seed=5)
    assert (spec.replicates, spec.seed, spec.scenario, spec.end_year) == (3, 5, "t", 2030)
    assert [e.step for e in spec.events] == [9, 7]
    assert spec.input_files == [str(path)]


def test_event_steps_follow_the_model_calendar():
    # step k belongs to year start-1+ceil(k/spy): 2025's first quarter is step 1
    assert event_step(2025, None, 2025, 4) == 1
    assert event_step(2027, 2, 2025, 4) == 10
    assert event_step(2027, 3, 2025, 1) == 3
    assert event_step(2026, 4, 2025, 12) == 22
    assert parse_at("2027-Q2") == (2027, 2) and parse_at(2030) == (2030, None)


def test_scenario_and_run_spec_are_picklable(tmp_path):
    path = write(tmp_path, HEAD + "events:\n  - {at: 2026, shock: corridor_disruption, corridor: middle, "
                 "factor: 2, duration: 1}\n  - {at: 2026, set: {beta_trade: 2}}\n")
    sc = load_scenario(path)
    again = pickle.loads(pickle.dumps(sc))
    assert again == sc and again.path == str(path)
    spec = pickle.loads(pickle.dumps(sc.run_spec()))
    assert [e.step for e in spec.events] == [5, 5]


def test_unknown_keys_are_reported_with_line_and_suggestion(tmp_path):
    path = write(tmp_path, HEAD + "replicate: 3\nevents:\n  - at: 2027\n    sett: {beta_trade: 1}\n")
    assert problems(path) == [
        f"{path}:3: replicate: unknown key 'replicate' (did you mean 'replicates'?)",
        f"{path}:5: events[0]: an event needs exactly one of 'set: {{parameter: value}}' or 'shock: name' "
        "(shocks: sanctions, war_ends, war_escalates, corridor_disruption, corridor_investment, "
        "commodity_price_shock, commodity_path, protest_wave, debt_crisis, security_threat, treaty, devaluation, "
        "migration_rules, local_processing_mandate)",
        f"{path}:6: events[0].sett: unknown key 'sett' (did you mean 'set'?)",
    ]


def test_unknown_parameter_and_shock_argument(tmp_path):
    path = write(tmp_path, HEAD + "params:\n  beta_trad: 1\n  states.KAX.hedging_temperature: 1\n"
                 "events:\n  - {at: 2027, shock: sanctions, power: RUS, intensty: 0.5}\n")
    msgs = problems(path)
    assert f"{path}:4: params.beta_trad: unknown parameter 'beta_trad' (did you mean 'beta_trade'?)" in msgs
    assert f"{path}:5: params.states.KAX.hedging_temperature: unknown state 'KAX' in " \
           "'states.KAX.hedging_temperature' (did you mean 'KAZ'?)" in msgs
    assert any(m.startswith(f"{path}:7: events[0].intensty: unknown key 'intensty' for shock 'sanctions' "
                            "(did you mean 'intensity'?)") for m in msgs)
    assert any(m.startswith(f"{path}:7: events[0].intensity: missing required field") for m in msgs)


WRONG_TYPES = ("replicates: '10'\nseed: 1.5\nend_year: true\nparams: [1, 2]\n"
               "events:\n  - {at: 2027, shock: sanctions, power: RUS, intensity: high}\n", [
                   "3: replicates: Input should be a valid integer, got str '10'",
                   "4: seed: Input should be a valid integer, got float 1.5",
                   "5: end_year: Input should be a valid integer, got bool True",
                   "6: params: Input should be a valid dictionary, got a list",
                   "8: events[0].intensity: Input should be a valid number, got str 'high'"])
OUT_OF_RANGE = ("replicates: 0\nparams:\n  war_intensity: 1.5\n  beta_trade: .nan\n"
                "events:\n  - at: 2027\n    set: {powers.RUS.sanctions: -1}\n", [
                    "3: replicates: Input should be greater than or equal to 1, got int 0",
                    "5: params.war_intensity: 1.5 is outside the valid range [0, 1] 0..1",
                    "6: params.beta_trade: Input should be a finite number, got float nan",
                    "9: events[0].set.powers.RUS.sanctions: -1 is outside the valid range [0, 1] 0..1"])


@pytest.mark.parametrize("body, expected", [WRONG_TYPES, OUT_OF_RANGE], ids=["wrong_types", "out_of_range"])
def test_wrong_types_and_out_of_range_values(tmp_path, body, expected):
    path = write(tmp_path, HEAD + body)
    assert problems(path) == [f"{path}:{line}" for line in expected]


def test_bad_and_out_of_horizon_dates(tmp_path):
    path = write(tmp_path, HEAD + "end_year: 2030\nevents:\n  - {at: 2031, set: {beta_trade: 1}}\n"
                 "  - {at: 2027-Q5, set: {beta_trade: 1}}\n  - {at: 2027-06-01, set: {beta_trade: 1}}\n"
                 "  - {at: 2024, set: {beta_trade: 1}}\n")
    msgs = problems(path)
    assert msgs == [
        f"{path}:5: events[0].at: 2031 is outside the horizon 2025-2030",
        f"{path}:6: events[1].at: expected a year such as 2027 or a quarter such as 2027-Q2, got str '2027-Q5'",
        f"{path}:7: events[2].at: expected a year such as 2027 or a quarter such as 2027-Q2, got date "
        "datetime.date(2027, 6, 1); a calendar date is not supported",
        f"{path}:8: events[3].at: 2024 is outside the horizon 2025-2030",
    ]


def test_unknown_shock_name(tmp_path):
    path = write(tmp_path, HEAD + "events:\n  - {at: 2027, shock: protest, state: KAZ, power: CHN}\n")
    assert problems(path) == [f"{path}:4: events[0].shock: unknown shock 'protest' (did you mean 'protest_wave'?)"]


def test_bad_choice_suggests_nearest(tmp_path):
    path = write(tmp_path, HEAD + "events:\n  - {at: 2027, shock: corridor_disruption, corridor: midle, "
                 "factor: 2, duration: 1}\n")
    [msg] = problems(path)
    assert msg.startswith(f"{path}:4: events[0].corridor: Input should be ") and msg.endswith(
        "got str 'midle' (did you mean 'middle'?)")


def test_extends_merges_params_and_events_and_reports_parent_lines(tmp_path):
    write(tmp_path, HEAD + "end_year: 2030\nparams: {beta_trade: 3, beta_fdi: 2}\n"
          "events:\n  - {at: 2026, set: {war_intensity: 2}}\n", "parent.yaml")
    child = write(tmp_path, "name: child\ndescription: c\nextends: parent.yaml\nparams: {beta_fdi: 1}\n"
                  "events:\n  - {at: 2027, set: {beta_trade: 1}}\n", "child.yaml")
    [msg] = problems(child)
    assert msg == f"{tmp_path / 'parent.yaml'}:6: events[0].set.war_intensity: 2 is outside the valid range [0, 1] 0..1"
    (tmp_path / "parent.yaml").write_text(HEAD + "end_year: 2030\nparams: {beta_trade: 3, beta_fdi: 2}\n")
    sc = load_scenario(child)
    assert sc.name == "child" and sc.end_year == 2030 and sc.params == {"beta_trade": 3.0, "beta_fdi": 1.0}
    assert sc.input_files == [str(child), str((tmp_path / "parent.yaml").resolve())]


def test_extends_cycles_and_missing_files(tmp_path):
    a = write(tmp_path, HEAD + "extends: b.yaml\n", "a.yaml")
    write(tmp_path, HEAD + "extends: a.yaml\n", "b.yaml")
    [msg] = problems(a)
    assert re.fullmatch(r".*b\.yaml:3: extends: cycle a\.yaml -> b\.yaml -> a\.yaml", msg)
    self_ref = write(tmp_path, HEAD + "extends: self.yaml\n", "self.yaml")
    assert problems(self_ref) == [f"{self_ref}:3: extends: cycle self.yaml -> self.yaml"]
    missing = write(tmp_path, HEAD + "extends: nope.yaml\n", "m.yaml")
    assert problems(missing)[0].startswith(f"{missing}:3: extends: no such file 'nope.yaml'")


@pytest.mark.parametrize("content, expected", [
    (b"name: [unclosed\n  description: x\n", r":2: not valid YAML"),
    (b"\xff\xfe\x00binary", r":1: not UTF-8 text"),
    (b"", r":1: the file is empty"),
    (b"- just\n- a list\n", r":1: expected a mapping of scenario fields"),
    (b"name: !!python/object/apply:os.system ['echo hacked']\ndescription: x\n", r":1: name: YAML tag .* not allowed"),
    (b"name: x\nname: y\ndescription: z\n", r":2: name: duplicate key 'name' \(first at line 1\)"),
    (b"a: &a [1, 2]\n<<: *a\n", r":2: \(top level\): merge keys '<<' not allowed"),
    (b"a: " + b"[" * 200 + b"]" * 200 + b"\n", r":1: nested deeper than"),
    (b"# " + b"x" * 1_100_000 + b"\n", r":1: file is larger than"),
])
def test_unreadable_and_hostile_files(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    msgs = problems(path)
    assert re.search(re.escape(str(path)) + expected, msgs[0]), msgs


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    [msg] = problems(path)
    assert "more than" in msg and ("alias" in msg or "values" in msg)


def test_missing_file_and_directory(tmp_path):
    assert problems(tmp_path / "none.yaml")[0].startswith(f"{tmp_path / 'none.yaml'}:1: cannot read file")
    assert problems(tmp_path)[0].startswith(f"{tmp_path}:1: cannot read file")


def test_every_problem_is_reported_once(tmp_path):
    path = write(tmp_path, "description: 1\nstart_year: 2030\nend_year: 2026\nparams: {beta_x: 1, w_fdi: 9}\n"
                 "events:\n  - {at: 2027, shock: nope}\n  - {at: 2027, set: {beta_trade: 1}, shock: sanctions}\n")
    msgs = problems(path)
    assert len(msgs) == len(set(msgs)) >= 7
    assert any("missing required field 'name'" in m for m in msgs)
    assert f"{path}:3: end_year: 2026 is before start_year 2030" in msgs


# ---- fuzzing ---------------------------------------------------------------------------------------------------
FIELDS = list(Scenario.model_fields) + list(EVENT_KEYS) + ["power", "state", "intensity", "corridor", "share"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10 ** 30, max_value=10 ** 30), st.just(10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["2027", "2027-Q2", "2027-Q9", "RUS", "sanctions", "treaty", "baseline.yaml", "beta_trade",
                     "powers.RUS.sanctions", "\u202e\u0000bidi", "ℌ𝔢𝔩𝔩𝔬"]))
keys = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12))
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)), max_leaves=30)
VALID = {"name": "fuzz", "description": "d", "end_year": 2027, "params": {"beta_trade": 2.0},
         "events": [{"at": "2026-Q2", "shock": "sanctions", "power": "RUS", "intensity": 0.4},
                    {"at": 2026, "set": {"war_intensity": 0.3}}]}


def _mutations():
    paths = [("name",), ("end_year",), ("params",), ("params", "beta_trade"), ("events",), ("events", 0),
             ("events", 0, "at"), ("events", 0, "power"), ("events", 0, "intensity"), ("events", 1, "set"),
             ("events", 1, "set", "war_intensity"), ("extends",), ("seed",), ("replicates",)]
    return st.tuples(st.sampled_from(paths), documents)


def _mutate(doc, path, value):
    import copy

    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


def _check_never_crashes(path: Path, text: str):
    path.write_text(text, encoding="utf-8")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        assert exc.messages and all(re.match(r"^.+?:\d+: ", m) for m in exc.messages)
    else:
        sc.run_spec(replicates=1)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# 600 + 500 + 300 = 1,400 fuzzed documents per CI run.
FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(doc=documents)
def test_fuzz_random_documents(fuzz_dir, doc):
    _check_never_crashes(fuzz_dir / "doc.yaml", yaml.safe_dump(doc, allow_unicode=True))


@settings(FUZZ, max_examples=500)
@given(mutation=_mutations())
def test_fuzz_mutated_valid_documents(fuzz_dir, mutation):
    _check_never_crashes(fuzz_dir / "mut.yaml", yaml.safe_dump(_mutate(VALID, *mutation), allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(list(string.printable) + ["&a ", "*a", "!!python/name:os.system", "<<",
                                                            "é", "\t", "name: ", "events:\n  - "]),
                     max_size=120).map("".join))
def test_fuzz_raw_text(fuzz_dir, text):
    (fuzz_dir / "raw.yaml").write_bytes(text.encode("utf-8"))
    try:
        load_scenario(fuzz_dir / "raw.yaml")
    except ScenarioError as exc:
        assert exc.messages


def test_extends_with_an_unusable_file_name(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text('name: x\ndescription: y\nextends: "a\\0b.yaml"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert any(":3: extends: not a usable file name" in m for m in info.value.messages)
