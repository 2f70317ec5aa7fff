"""Identifiability of a fit: prior against posterior widths, posterior correlations, and which patterns inform each parameter.

- widths: the central 90% interval of each parameter's prior and posterior; `ratio` = posterior width / prior
  width. A parameter is called identified when the ratio is below `IDENTIFIED_BELOW` (the data removed at
  least a third of its prior width); otherwise it stays at its sourced prior.
- which patterns inform it: the Fisher information each pattern carries about each parameter, from a
  weighted linear fit of the simulated summaries on the parameters over the posterior particles (a local
  linearisation, G_p = d summaries_p / d theta):
      J_p = G_p^T diag(1 / (eps sigma_p)^2) G_p,    share_pk = J_p[k, k] / sum_q J_q[k, k]
  `share` says which data pin a parameter down (nan where the total is rounding noise); a parameter with a
  small total information is not identified whatever the shares say.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .smc import Generation, Prior, weighted_cov

IDENTIFIED_BELOW = 2.0 / 3.0


def width_table(names: Sequence[str], prior: Prior, posterior_interval: np.ndarray, level: float = 0.9) -> pd.DataFrame:
    """One row per parameter: prior and posterior interval ends, widths, their ratio and `identified`."""
    prior_iv = prior.interval(level)
    post_iv = np.asarray(posterior_interval, float)
    prior_w, post_w = prior_iv[:, 1] - prior_iv[:, 0], post_iv[:, 1] - post_iv[:, 0]
    ratio = post_w / prior_w
    return pd.DataFrame({"parameter": list(names), "prior_lo": prior_iv[:, 0], "prior_hi": prior_iv[:, 1],
                         "post_lo": post_iv[:, 0], "post_hi": post_iv[:, 1], "prior_width": prior_w,
                         "post_width": post_w, "ratio": ratio, "identified": ratio < IDENTIFIED_BELOW})


def correlations(generation: Generation, names: Sequence[str]) -> pd.DataFrame:
    """Weighted posterior correlation matrix of the parameters."""
    cov = weighted_cov(generation.theta, generation.weights)
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    return pd.DataFrame(corr, index=list(names), columns=list(names))


def sensitivities(generation: Generation) -> np.ndarray:
    """(n_obs, d) slopes of the seed-mean summaries on the parameters: weighted least squares over the particles."""
    theta, w = generation.theta, generation.weights
    y = generation.summaries.mean(axis=1)                       # (N, n_obs)
    x = np.column_stack([np.ones(len(theta)), theta - w @ theta])
    xtw = x.T * w
    coef = np.linalg.lstsq(xtw @ x, xtw @ y, rcond=None)[0]     # (1 + d, n_obs)
    return coef[1:].T


def pattern_information(generation: Generation, names: Sequence[str], sigma: np.ndarray,
                        columns: Mapping[str, Sequence[int]], eps: float = 1.0) -> pd.DataFrame:
    """Fisher information about each parameter from each pattern (see the module docstring).

    Args:
        generation: the posterior population (its summaries are the fit observations' model values).
        names: parameter names; sigma: (n_obs,) error scales of the summaries.
        columns: pattern -> indices of its observations among the summaries.
        eps: the fit's final tolerance (errors inflated by it).
    Returns:
        One row per parameter: `information_<pattern>` for each pattern, `information` (the total) and
        `share_<pattern>`, the pattern's share of the total.
    """
    slopes = sensitivities(generation)
    scale = 1.0 / (eps * np.asarray(sigma, float)) ** 2
    out = pd.DataFrame({"parameter": list(names)})
    total = np.zeros(len(names))
    for pattern, cols in columns.items():
        cols = list(cols)
        info = np.einsum("ok,o,ok->k", slopes[cols], scale[cols], slopes[cols])
        out[f"information_{pattern}"] = info
        total += info
    out["information"] = total
    informed = total > 1e-12 * max(total.max(), 0.0)    # rounding noise is no information
    for pattern in columns:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"share_{pattern}"] = np.where(informed, out[f"information_{pattern}"] / total, np.nan)
    return out
