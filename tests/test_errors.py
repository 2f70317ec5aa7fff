"""One input-error type at the bottom of the stack, with one nearest-name helper and one line finder."""
import pytest

from calibration.targets import TargetError
from casim.analysis.where import WhereError
from casim.errors import UserError
from experiments.spec import ExperimentError
from model.errors import InputError, did_you_mean, line_of, show_path
from model.params import ParameterError
from model.scenario import ScenarioError


@pytest.mark.parametrize("error", [ParameterError, ScenarioError, ExperimentError, TargetError, UserError, WhereError])
def test_every_layer_raises_the_one_input_error(error):
    assert issubclass(error, InputError) and issubclass(error, ValueError)


def test_messages_one_per_problem():
    assert InputError("a: bad").messages == ["a: bad"]
    error = InputError(["f.yaml:3: x: bad", "f.yaml:9: y: worse"])
    assert error.messages == ["f.yaml:3: x: bad", "f.yaml:9: y: worse"] and str(error) == "f.yaml:3: x: bad\nf.yaml:9: y: worse"


def test_nearest_name():
    assert did_you_mean("replicate", ["seed", "replicates"]) == " (did you mean 'replicates'?)"
    assert did_you_mean("x", []) == ""


def test_line_finder_falls_back_to_the_enclosing_value():
    lines = {(): 1, ("events",): 4, ("events", 0): 5, ("events", 0, "at"): 5}
    assert line_of(lines, ("events", 0, "at")) == 5
    assert line_of(lines, ("events", 0, "shock")) == 5      # missing key: its mapping's line
    assert line_of(lines, ("params", "beta")) == 1
    assert line_of({}, ("a",)) is None and line_of({}, ("a",), 1) == 1
    assert show_path(("events", 0, "at")) == "events[0].at"


def test_the_cli_turns_any_input_error_into_exit_2(tmp_path, capsys):
    from casim.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: d\nparams: {beta_trad: 1.0}\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert f"casim: error: {bad}:3: params.beta_trad: unknown parameter 'beta_trad' (did you mean 'beta_trade'?)" \
        in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
