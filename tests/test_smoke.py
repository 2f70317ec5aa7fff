from model import CentralAsiaModel


def test_model_runs_and_reports():
    model = CentralAsiaModel(n_runs=3, seed=1, end_year=2026).run()
    tables = model.results()
    assert len(tables["region"]) == 3 * (2 * 4 + 1)
    assert len(tables["states"]) == 3 * (2 * 4 + 1) * 5
