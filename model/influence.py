"""Influence indices and the great powers' reaction rules (the balance measures are output columns, `outputs.py`).

Pure functions over arrays (run R, state S, power P).
"""
from __future__ import annotations

import numpy as np

from .arrays import sum_axis1


def state_influence(channel_shares, weights):
    """Influence of each power in each state: weighted mean of its shares of each channel.

    I_ij = sum_c w_c s_cij / sum_c w_c [channel c present in state i]. A channel whose total is
    zero in a state (no debt to any power, say) is dropped and the weights renormalised, so
    rows always sum to 1.

    Args:
        channel_shares: dict channel -> (shares (R, S, P), present (R, S) bool), as from
            `politics.shares_and_presence` of the channel's non-negative levels.
        weights: dict channel -> (R,) weights.
    Returns:
        (R, S, P) influence shares.
    """
    total = weight_sum = None
    for name, (channel, present) in channel_shares.items():
        w = weights[name][:, None, None] * present[..., None]
        if total is None:
            total, weight_sum = w * channel, w
        else:
            total += w * channel
            weight_sum = weight_sum + w
    total /= weight_sum
    return total


def regional_influence(influence, gdp):
    """GDP-weighted mean over states: (R, S, P), (R, S) -> (R, P)."""
    return sum_axis1(influence * gdp[:, :, None]) / sum_axis1(gdp)[:, None]


def russia_reaction(regional_russia, base_regional_russia, gain, switch):
    """Russia, losing ground, offers security and EAEU ties: offer = switch * gain * max(0, I0 - I)."""
    return switch * gain * np.maximum(base_regional_russia - regional_russia, 0.0)


def china_russia_friction(china_ties, russia_ties, tolerance):
    """Friction in [0, 1] rises when China's regional security ties pass Russia's tolerance.

    friction = logistic((sum_i tie_i,CHN / sum_i tie_i,RUS - tolerance) / 0.05)
    china_ties, russia_ties: (R, S). tolerance: (R,).
    """
    ratio = sum_axis1(china_ties) / np.maximum(sum_axis1(russia_ties), 1e-9)
    return 1.0 / (1.0 + np.exp(-(ratio - tolerance) / 0.05))
