"""The array helpers add in a fixed order, so a run's sums do not depend on the arrays around it."""
import numpy as np
from hypothesis import given, settings, strategies as st

from model.arrays import max_last, runs_fastest, sum_axis1, sum_last, sum_last_chained


def chain(parts):
    total = parts[0].copy()
    for part in parts[1:]:
        total = total + part
    return total


@settings(max_examples=60, deadline=None)
@given(n_runs=st.integers(1, 40), n_rows=st.integers(1, 12), n_last=st.integers(1, 12),
       seed=st.integers(0, 2 ** 32 - 1), layout=st.sampled_from(["C", "F", "runs_fastest"]))
def test_sums_go_left_to_right_in_every_layout(n_runs, n_rows, n_last, seed, layout):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_runs, n_rows, n_last)) * 10.0 ** rng.integers(-6, 6, (n_runs, n_rows, n_last))
    x = runs_fastest(x) if layout == "runs_fastest" else np.asarray(x, order=layout)
    np.testing.assert_array_equal(sum_last(x), chain([x[..., k] for k in range(n_last)]))
    np.testing.assert_array_equal(sum_last_chained(x), sum_last(x))   # the output contract's sum on histories
    np.testing.assert_array_equal(sum_axis1(x), chain([x[:, k] for k in range(n_rows)]))
    np.testing.assert_array_equal(max_last(x), x.max(axis=-1))


@settings(max_examples=30, deadline=None)
@given(n_runs=st.integers(2, 300), n_last=st.integers(1, 12), seed=st.integers(0, 2 ** 32 - 1))
def test_a_run_sums_the_same_alone_and_in_an_ensemble(n_runs, n_last, seed):
    rng = np.random.default_rng(seed)
    x = runs_fastest(rng.standard_normal((n_runs, 5, n_last)) * 10.0 ** rng.integers(-6, 6, (n_runs, 5, n_last)))
    together = sum_last(x)
    for k in (0, n_runs // 2, n_runs - 1):
        np.testing.assert_array_equal(sum_last(runs_fastest(x[k:k + 1]))[0], together[k])
