"""ABC-SMC engine (calibration/smc.py) on problems whose posterior is known in closed form.

Each toy states its tolerance. The Monte Carlo error of a weighted mean with ESS ~1,000 is about 3% of a
posterior standard deviation, of a standard deviation about 2-3%, so the bounds below leave room for that
and still fail for a sampler that returns the prior, the wrong centre or the wrong width.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from calibration.smc import (Generation, Prior, SMCConfig, StandardisedDistance, abc_smc, birge_ratio, ess,
                             log_abc_likelihood,
                             log_mixture_density, next_tolerance, propose, weighted_cov, weighted_quantile)

N_OBS = 20


def _gaussian_mean_data():
    data = np.random.default_rng(0).normal(1.0, 1.0, N_OBS)  # known variance 1
    return data.mean()


def _normal_posterior(prior_var, ybar, like_var):
    var = 1.0 / (1.0 / prior_var + 1.0 / like_var)
    return var * ybar / like_var, np.sqrt(var)


@pytest.mark.parametrize("kernel", ["olcm", "gaussian"])
def test_gaussian_mean_matches_the_exact_posterior(kernel):
    """Deterministic summary (the mean itself) with error scale sigma/sqrt(n): at eps = 1 the ABC
    likelihood IS the likelihood of the sample mean, so the ABC posterior is the exact conjugate posterior."""
    ybar = _gaussian_mean_data()
    prior = Prior(["mu"], [stats.norm(0.0, 2.0)])
    result = abc_smc(prior, lambda theta: theta.copy(), StandardisedDistance([ybar], [1 / np.sqrt(N_OBS)]),
                     SMCConfig(n_particles=2000, seed=3, inflate_errors=False, kernel=kernel))
    mean, sd = _normal_posterior(4.0, ybar, 1.0 / N_OBS)
    assert result.stopped == "reached eps_min" and result.eps == pytest.approx(1.0)
    assert abs(result.mean()[0] - mean) < 0.1 * sd
    assert np.sqrt(result.cov()[0, 0]) == pytest.approx(sd, rel=0.08)
    low, high = result.interval(0.9)[0]
    assert low == pytest.approx(mean - 1.645 * sd, abs=0.15 * sd) and high == pytest.approx(mean + 1.645 * sd, abs=0.15 * sd)


def test_stochastic_simulator_with_seeds_matches_the_abc_posterior():
    """A simulator that draws a fresh sample of 20 per seed (M = 8 seeds per particle): the ABC likelihood is
    N(ybar; mu, 1/n + s^2) exactly (the kernel averaged over the seeds is unbiased). With a small kernel
    s = 0.3/sqrt(n) this is within 5% (sd) of the exact posterior; both are checked."""
    ybar = _gaussian_mean_data()
    rng = np.random.default_rng(11)

    def simulate(theta):
        return rng.normal(theta[:, None, :], 1.0, (len(theta), 8, N_OBS)).mean(axis=2, keepdims=True)

    s = 0.3 / np.sqrt(N_OBS)
    result = abc_smc(Prior(["mu"], [stats.norm(0.0, 2.0)]), simulate, StandardisedDistance([ybar], [s]),
                     SMCConfig(n_particles=2000, seed=5, inflate_errors=False))
    mean, sd = _normal_posterior(4.0, ybar, 1.0 / N_OBS + (result.eps * s) ** 2)
    exact_mean, exact_sd = _normal_posterior(4.0, ybar, 1.0 / N_OBS)
    assert result.eps == pytest.approx(1.0)
    assert abs(result.mean()[0] - mean) < 0.1 * sd
    assert np.sqrt(result.cov()[0, 0]) == pytest.approx(sd, rel=0.1)
    assert np.sqrt(result.cov()[0, 0]) == pytest.approx(exact_sd, rel=0.15)
    assert abs(result.mean()[0] - exact_mean) < 0.15 * exact_sd


def test_linear_gaussian_model_recovers_the_correlated_posterior():
    """y = A theta + e, e ~ N(0, 0.3^2 I), prior N(0, 4 I): the posterior is Gaussian with a strong correlation."""
    A = np.array([[1.0, 1.0], [1.0, -0.5], [2.0, 1.5]])
    s, truth = 0.3, np.array([0.7, -0.4])
    y = A @ truth + np.array([0.2, -0.1, 0.15])
    prior = Prior(["a", "b"], [stats.norm(0, 2), stats.norm(0, 2)])
    result = abc_smc(prior, lambda theta: theta @ A.T, StandardisedDistance(y, np.full(3, s)),
                     SMCConfig(n_particles=2000, seed=7, inflate_errors=False))
    cov = np.linalg.inv(A.T @ A / s ** 2 + np.eye(2) / 4.0)
    mean = cov @ A.T @ y / s ** 2
    sd = np.sqrt(np.diag(cov))
    assert result.eps == pytest.approx(1.0)
    assert np.all(np.abs(result.mean() - mean) < 0.1 * sd)
    got = result.cov()
    assert np.sqrt(np.diag(got)) == pytest.approx(sd, rel=0.1)
    corr, got_corr = cov[0, 1] / sd.prod(), got[0, 1] / np.sqrt(np.diag(got)).prod()
    assert abs(corr) > 0.5 and got_corr == pytest.approx(corr, abs=0.06)


def test_a_parameter_the_data_do_not_inform_keeps_its_prior_width():
    """Two uniform parameters; the summary depends on the first only. The second's 90% interval stays the
    prior's (0.05, 0.95) within 0.04 at each end; the first's shrinks to about 2 x 1.645 x 0.05."""
    prior = Prior.uniform(["informed", "ignored"], [0.0, 0.0], [1.0, 1.0])
    result = abc_smc(prior, lambda theta: theta[:, :1] * 1.0, StandardisedDistance([0.4], [0.05]),
                     SMCConfig(n_particles=2000, seed=2, inflate_errors=False))
    informed, ignored = result.interval(0.9)
    assert ignored == pytest.approx([0.05, 0.95], abs=0.04)
    assert informed[1] - informed[0] == pytest.approx(2 * 1.645 * 0.05, rel=0.15)
    assert informed.mean() == pytest.approx(0.4, abs=0.02)


def test_same_seed_same_result_other_seed_other_draws():
    prior = Prior.uniform(["x"], [-3.0], [3.0])
    config = SMCConfig(n_particles=300, seed=9)
    run = lambda cfg: abc_smc(prior, lambda theta: theta.copy(), StandardisedDistance([0.5], [0.2]), cfg)
    first, second, other = run(config), run(config), run(SMCConfig(n_particles=300, seed=10))
    assert len(first.generations) == len(second.generations)
    for a, b in zip(first.generations, second.generations):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(first.posterior.theta, other.posterior.theta)


def test_the_simulator_is_called_once_per_generation_with_every_particle():
    calls = []

    def simulate(theta):
        calls.append(theta.shape)
        return theta.copy()

    result = abc_smc(Prior.uniform(["x"], [0.0], [1.0]), simulate, StandardisedDistance([0.5], [0.1]),
                     SMCConfig(n_particles=400, seed=1))
    assert calls == [(400, 1)] * len(result.generations)
    assert result.n_simulations == 400 * len(result.generations)


def test_an_unreachable_target_inflates_the_errors_instead_of_concentrating():
    """The model can only produce values in [0, 1] but the datum is 3 with error 0.1. The best particle
    (x near 1) misses by 20 errors, so the tolerance floors at the Birge ratio ~20: the errors are inflated
    to ~2, and the posterior stays wide (90% interval wider than 0.7) instead of piling up at x = 1.
    Without the floor the same run concentrates within 0.03 of the bound: the overconfidence it prevents."""
    prior, distance = Prior.uniform(["x"], [0.0], [1.0]), StandardisedDistance([3.0], [0.1])
    honest = abc_smc(prior, lambda theta: theta.copy(), distance, SMCConfig(n_particles=1000, seed=4))
    assert honest.stopped == "reached the error floor"
    assert honest.eps == pytest.approx(20.0, rel=0.01) and honest.posterior.eps_floor == honest.eps
    low, high = honest.interval(0.9)[0]
    assert high - low > 0.7
    naive = abc_smc(prior, lambda theta: theta.copy(), distance, SMCConfig(n_particles=1000, seed=4, inflate_errors=False))
    assert naive.eps == pytest.approx(1.0) and naive.interval(0.9)[0][0] > 0.97


def test_birge_ratio_by_hand():
    assert birge_ratio(36.0, 10, 1) == pytest.approx(2.0)      # chi2 36 over 9 degrees of freedom
    assert birge_ratio(4.0, 2, 3) == pytest.approx(2.0)        # fewer data than parameters: one degree


def test_bad_simulator_output_and_failed_simulations_are_reported():
    prior = Prior.uniform(["x"], [0.0], [1.0])
    with pytest.raises(ValueError, match="simulate must return"):
        abc_smc(prior, lambda theta: theta[:5], StandardisedDistance([0.5], [0.1]), SMCConfig(n_particles=10))
    with pytest.raises(RuntimeError, match="non-finite"):
        abc_smc(prior, lambda theta: theta * np.nan, StandardisedDistance([0.5], [0.1]), SMCConfig(n_particles=10))
    with pytest.raises(ValueError, match="kernel"):
        SMCConfig(kernel="uniform")


# ---- the pieces, by hand --------------------------------------------------------------------------------------
def test_weighted_quantile_by_hand():
    values = np.array([4.0, 1.0, 3.0, 2.0])
    assert weighted_quantile(values, np.ones(4), 0.5) == pytest.approx(2.5)   # CDF points 1/8, 3/8, 5/8, 7/8
    # weights (1, 1, 2, 0) on (1, 2, 3, 4): CDF points 1/8, 3/8, 3/4, 1 -> q = 0.5 lies 1/3 of the way from 2 to 3
    assert weighted_quantile(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 2.0, 0.0]), 0.5) == pytest.approx(2 + 1 / 3)


def test_ess_and_covariance_by_hand():
    assert ess(np.array([1.0, 1.0, 0.0, 0.0])) == pytest.approx(2.0)
    assert ess(np.array([0.5, 0.25, 0.25])) == pytest.approx(1 / (0.25 + 0.0625 + 0.0625))
    theta = np.array([[0.0, 0.0], [2.0, 4.0]])
    np.testing.assert_allclose(weighted_cov(theta, np.array([0.5, 0.5])), [[1.0, 2.0], [2.0, 4.0]])


def test_abc_likelihood_by_hand():
    d2 = np.array([[0.0, 2.0]])   # two seeds: kernel values 1 and exp(-1) at eps = 1
    assert log_abc_likelihood(d2, 1.0)[0] == pytest.approx(np.log((1 + np.exp(-1)) / 2))
    assert log_abc_likelihood(d2, 2.0)[0] == pytest.approx(np.log((1 + np.exp(-0.25)) / 2))


def test_mixture_density_matches_scipy():
    rng = np.random.default_rng(0)
    centres, x = rng.normal(size=(5, 3)), rng.normal(size=(7, 3))
    covs = np.array([np.eye(3) * (k + 1) + 0.3 for k in range(5)])
    weights = np.arange(1, 6) / 15
    expected = np.log(sum(w * stats.multivariate_normal(c, s).pdf(x) for w, c, s in zip(weights, centres, covs)))
    got = log_mixture_density(x, centres, weights, np.linalg.cholesky(covs))
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_proposals_stay_inside_the_prior_and_carry_their_density():
    prior = Prior.uniform(["x", "y"], [0.0, 0.0], [1.0, 1.0])
    theta = np.array([[0.02, 0.5], [0.98, 0.5], [0.5, 0.5]])
    population = Generation(theta, np.array([0.5, 0.25, 0.25]), np.zeros((3, 1, 1)), np.zeros((3, 1)), 1.0, 2.7, np.zeros(3))
    draws, log_q = propose(population, prior, np.random.default_rng(0), "olcm")
    assert draws.shape == (3, 2) and np.all((draws > 0) & (draws < 1)) and np.all(np.isfinite(log_q))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 50), min_size=4, max_size=40), st.floats(0.2, 0.95), st.floats(0.5, 3.0))
def test_next_tolerance_keeps_the_target_ess_within_its_bounds(d2, fraction, eps_min):
    d2 = np.array(d2)[:, None]
    target = fraction * len(d2)
    eps = next_tolerance(d2, np.zeros(len(d2)), np.inf, eps_min, target)
    assert eps >= eps_min
    weights = np.exp(log_abc_likelihood(d2, eps) - log_abc_likelihood(d2, eps).max())
    assert ess(weights) >= target * (1 - 1e-6)
    if eps > eps_min * (1 + 1e-6):   # not at the floor: a slightly smaller eps would break the target
        smaller = np.exp(log_abc_likelihood(d2, eps * 0.999) - log_abc_likelihood(d2, eps * 0.999).max())
        assert ess(smaller) < target * (1 + 1e-3)
    assert next_tolerance(d2, np.zeros(len(d2)), eps * 1.5, eps_min, target) <= eps * 1.5


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30), st.data())
def test_weighted_quantiles_lie_in_the_sample_and_rise_with_q(values, data):
    weights = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=len(values), max_size=len(values))))
    qs = weighted_quantile(np.array(values), weights, [0.05, 0.5, 0.95])
    assert min(values) <= qs[0] <= qs[1] <= qs[2] <= max(values)


def test_synthetic_likelihood_distance_by_hand():
    """Two seeds at 1 and 3 (mean 2, variance 2), observed 0 with error 1: d2 = 4 / 3 + ln 3; per vector."""
    from calibration.smc import SyntheticLikelihoodDistance

    d = SyntheticLikelihoodDistance([0.0], [1.0])
    x = np.array([[[1.0], [3.0]], [[0.0], [0.0]]])
    np.testing.assert_allclose(d(x), [[4.0 / 3.0 + np.log(3.0)], [0.0]])
    with pytest.raises(ValueError, match="M >= 2"):
        d(np.zeros((2, 1, 1)))
