"""Actors are data: a fifth power added to the actor file runs through the model and `casim run` unchanged."""
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from model import CentralAsiaModel
from model.actors import ACTORS_FILE, load_actors
from model.errors import InputError
from model.params import REGISTRY, scope_codes

ASSUMED = {"src": "assumption: test fixture"}


def figure(value):
    return {"v": value, **ASSUMED}


def with_turkey(path):
    """The packaged actor table plus Turkey (TUR): a power block, a market entry and a pair row for every state."""
    table = yaml.safe_load(ACTORS_FILE.read_text())
    table["powers"]["TUR"] = {"name": "Turkey", "colour": "#8c564b", "position": [35.0, 39.0],
                              "sectors": {"energy": 0.3, "mining": 0.2, "transport": 0.3, "digital": 0.2},
                              "transport_alloc": {"middle": 1.0}}
    table["markets"]["TUR"] = {"middle": 0.8, "sea": 1.0}
    for state in table["states"]:
        table["pairs"][state]["TUR"] = {
            "trade": figure(2.0), "export_share": figure(0.4), "fdi_flow": figure(0.3), "fdi_stock": figure(2.0),
            "debt": figure(0.5), "security": figure(0.05), "sentiment": figure(0.2), "history": figure(0.3)}
    path.write_text(yaml.safe_dump(table, sort_keys=False))
    return path


def test_a_fifth_power_steps_through_the_model(tmp_path):
    actors = load_actors(with_turkey(tmp_path / "actors.yaml"))
    assert actors.powers == ("CHN", "RUS", "EU", "USA", "TUR") and actors.n_states == 5
    model = CentralAsiaModel(n_runs=3, seed=1, end_year=2026, actors=actors).run()
    tables = model.results()
    region, states = tables["region"], tables["states"]
    assert {"influence_TUR", "trade_TUR", "fdi_TUR"} <= set(region.columns)
    assert {"alignment_TUR", "security_TUR", "sentiment_TUR"} <= set(states.columns)
    shares = region[[f"influence_{p}" for p in actors.powers]].to_numpy()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
    assert (region["influence_TUR"] > 0.005).all()           # a real share of the balance, not a zero column
    first_year = states[states["year"] == 2025].groupby("state")["trade_TUR"].mean()
    np.testing.assert_allclose(first_year.to_numpy(), 2.0, rtol=0.15)   # trade starts near its data
    # the registry's `default` entries serve the new power
    assert model.params.resolved()["powers.TUR.security_capacity"] == REGISTRY["security_capacity"].default["default"]


def test_a_fifth_power_through_casim_run(tmp_path):
    """CASIM_ACTORS points every command at the table; scenario files may name the new power."""
    actors = with_turkey(tmp_path / "actors.yaml")
    scenario = tmp_path / "turkey.yaml"
    scenario.write_text("name: turkey_push\ndescription: a test\nparams: {powers.TUR.investment_scale: 2.0}\n"
                        "events:\n  - {at: 2026, shock: sanctions, power: TUR, intensity: 0.3}\n")
    env = {**os.environ, "CASIM_ACTORS": str(actors)}
    command = [sys.executable, "-m", "casim.cli", "run", str(scenario), "--out", str(tmp_path / "out"),
               "--replicates", "2", "--years", "2025-2026"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "TUR" in result.stdout
    region = pd.read_parquet(tmp_path / "out" / "region.parquet")
    assert region["influence_TUR"].gt(0).all()
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert runs["powers.TUR.investment_scale"].tolist() == [2.0, 2.0]
    assert runs["powers.TUR.sanctions"].tolist() == [0.0, 0.0]            # the runs' inputs, before the shock
    assert (tmp_path / "out" / "plots" / "influence_shares.png").stat().st_size > 1000
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["params"]["powers.TUR.sanctions"] == 0.3             # the shock applied: the values at the end
    assert str(actors.resolve()) in manifest["input_files"]
    # without the variable, the packaged table knows no TUR: the scenario is refused with the nearest name
    plain = {k: v for k, v in os.environ.items() if k != "CASIM_ACTORS"}
    refused = subprocess.run(command, capture_output=True, text=True, env=plain, timeout=600)
    assert refused.returncode == 2 and "unknown power 'TUR'" in refused.stderr


def test_every_packaged_actor_has_its_own_registry_defaults():
    """The `default` entries are only for actors added as data; the packaged ones are listed by name."""
    for param in REGISTRY.values():
        if isinstance(param.default, dict):
            assert set(scope_codes(param.scope)) | {"default"} == set(param.default), param.name


def test_a_broken_actor_file_names_the_line(tmp_path):
    table = yaml.safe_load(ACTORS_FILE.read_text())
    del table["pairs"]["KGZ"]["EU"]["debt"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(table, sort_keys=False))
    with pytest.raises(InputError, match=r"broken.yaml:\d+: pairs.KGZ.EU.debt: missing"):
        load_actors(path)


def test_remittances_at_or_above_gdp_are_refused_at_their_line(tmp_path):
    """GDP stays positive because remittances are below GDP (the spending factor's lower bound 1 - mu_R Rem0/Y0)."""
    table = yaml.safe_load(ACTORS_FILE.read_text())
    table["states"]["TJK"]["remittances"]["v"] = table["states"]["TJK"]["gdp"]["v"]
    path = tmp_path / "remit.yaml"
    path.write_text(yaml.safe_dump(table, sort_keys=False))
    with pytest.raises(InputError, match=r"remit.yaml:\d+: states.TJK.remittances: must be at least 0 and below"):
        load_actors(path)


@pytest.mark.parametrize("entry, message", [
    ({"copper": 0.2, "src": "x"}, r"export_commodities.UZB.CHN.copper: unknown commodity 'copper'; expected one of oil, gas, metals"),
    ({"gas": 0.7, "metals": 0.5, "src": "x"}, r"export_commodities.UZB.CHN: the shares sum to 1.2; at most 1"),
    ({"gas": -0.1, "src": "x"}, r"export_commodities.UZB.CHN.gas: must be a share in \[0, 1\]"),
    ({"gas": 0.2}, r"export_commodities.UZB.CHN: must be \{commodity: share, ..., src"),
])
def test_a_flow_of_its_own_commodities_is_checked_at_its_line(tmp_path, entry, message):
    refused_at_its_line(tmp_path, ("export_commodities", "UZB", "CHN"), entry, message)


def refused_at_its_line(tmp_path, where, entry, message):
    """The packaged table with `entry` at `where` is refused with `message` at a line of its file."""
    table = yaml.safe_load(ACTORS_FILE.read_text())
    parent = table
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = entry
    path = tmp_path / "mix.yaml"
    path.write_text(yaml.safe_dump(table, sort_keys=False))
    with pytest.raises(InputError, match=r"mix.yaml:\d+: " + message):
        load_actors(path)


@pytest.mark.parametrize("entry, message", [
    ({"metals": 0.4, "glod": 0.6, "src": "x"}, r"states.KGZ.commodity_mix.glod: unknown commodity 'glod' \(did you mean 'gold'\?\)"),
    ({"metals": -0.1, "gold": 1.0, "src": "x"}, r"states.KGZ.commodity_mix.metals: must be a share >= 0, got -0.1"),
    ({"metals": 0.0, "src": "x"}, r"states.KGZ.commodity_mix: the shares sum to 0"),
    ({"metals": 0.35, "gold": 0.65}, r"states.KGZ.commodity_mix: must be \{commodity: share, ..., src"),
])
def test_a_states_commodity_mix_is_checked_at_its_line(tmp_path, entry, message):
    refused_at_its_line(tmp_path, ("states", "KGZ", "commodity_mix"), entry, message)


def test_commodities_a_mix_leaves_out_are_zero_and_gold_is_apart_from_base_metals():
    # Kyrgyzstan's mix names metals 0.35 and gold 0.65 only (kgz_gold_export_share); Turkmenistan's no metal at all
    actors = load_actors()
    k = {c: actors.commodities.index(c) for c in actors.commodities}
    kgz, tkm = actors.commodity_mix[actors.state_index("KGZ")], actors.commodity_mix[actors.state_index("TKM")]
    assert (kgz[k["gold"]], kgz[k["metals"]], kgz[k["oil"]]) == (0.65, 0.35, 0.0)
    assert tkm[k["gold"]] == tkm[k["metals"]] == 0.0
    assert actors.sources["states.KGZ.commodity_mix"].startswith("kg_main_exports")


def test_flows_without_their_own_commodities_are_priced_like_their_state():
    actors = load_actors()
    basket = actors.state["commodity_export_share"][:, None] * actors.commodity_mix
    uzb, chn = actors.state_index("UZB"), actors.power_index("CHN")
    for i in range(actors.n_states):
        for j in range(actors.n_powers):
            expected = [0.0, 0.23, 0.12, 0.0, 0.0] if (i, j) == (uzb, chn) else basket[i]
            np.testing.assert_allclose(actors.export_commodity_weights[i, j], expected, rtol=1e-12)
