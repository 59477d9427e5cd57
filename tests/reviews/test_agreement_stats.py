"""The agreement statistics against worked examples computed by hand (issue 16), with
Gwet's own irrCAC package (Python port) as a cross-check of the standard error and CI."""

import math
import warnings
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.agreement import agreement_among, agreement_from_table, t_quantile

SCALE = ["met", "partly_met", "not_met"]


def _irrcac(table, cats):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd  # noqa: PLC0415 -- test-only dependency of irrCAC
        from irrCAC.table import CAC  # noqa: PLC0415 -- test-only cross-check

        frame = pd.DataFrame([[table.get((a, b), 0) for b in cats] for a in cats])
        return CAC(frame).gwet()["est"]


def test_all_met_but_two_kappa_fails_and_ac1_holds():
    # 40 criteria; both say "met" on 38; they swap "met"/"partly met" on the other two.
    table = {("met", "met"): 38, ("met", "partly_met"): 1, ("partly_met", "met"): 1}
    result = agreement_from_table(table, SCALE)
    # By hand: pa = 38/40. Kappa's chance term is the product of the marginals:
    # (39/40)^2 + (1/40)^2 = 1522/1600, so kappa = (1520 - 1522) / (1600 - 1522) = -1/39.
    pa = Fraction(38, 40)
    pe_kappa = Fraction(39, 40) ** 2 + Fraction(1, 40) ** 2
    kappa = (pa - pe_kappa) / (1 - pe_kappa)
    assert kappa == Fraction(-1, 39)
    # AC1: pi(met) = 78/80, pi(partly) = 2/80, pi(not) = 0; pe = sum pi(1-pi) / (q-1).
    pi_met, pi_partly = Fraction(78, 80), Fraction(2, 80)
    pe = (pi_met * (1 - pi_met) + pi_partly * (1 - pi_partly)) / 2
    ac1 = (pa - pe) / (1 - pe)
    assert ac1 == Fraction(1481, 1561)
    assert result is not None
    assert (result.n, result.agreed, result.percent) == (40, 38, 95.0)
    assert result.kappa == pytest.approx(float(kappa))
    assert result.kappa < 0  # kappa says "worse than chance" for 95% agreement
    assert result.ac1 == pytest.approx(float(ac1))  # 0.9488: AC1 says "very good"
    est = _irrcac(table, SCALE)
    assert result.se == pytest.approx(float(est["se"][0]), abs=1e-5)
    assert result.ci_low == pytest.approx(float(est["confidence_interval"][0][0]), abs=1e-4)
    assert result.ci_high == 1.0


def test_everything_met_kappa_undefined_ac1_one():
    result = agreement_from_table({("met", "met"): 40}, SCALE)
    assert result is not None
    assert result.kappa is None  # 0/0: both raters used one value throughout
    assert result.ac1 == 1.0
    assert result.percent == 100.0
    assert result.se == 0.0


def test_three_by_three_table_by_hand_and_irrcac():
    # Gwet's own 3x3 example (cont3x3abstractors): rows rater A, columns rater B.
    cats = ["a", "b", "c"]
    table = {("a", "a"): 13, ("b", "b"): 20, ("b", "c"): 7, ("c", "b"): 4, ("c", "c"): 56}
    # By hand: n = 100, pa = 89/100; rows 13, 27, 60; columns 13, 24, 63;
    # pi = (26, 51, 123) / 200; pe = sum pi(1-pi) / 2 = 0.53985 / 2 = 0.269925;
    # AC1 = (0.89 - 0.269925) / (1 - 0.269925) = 0.620075 / 0.730075.
    pi = [Fraction(26, 200), Fraction(51, 200), Fraction(123, 200)]
    pe = sum(p * (1 - p) for p in pi) / 2
    assert pe == Fraction(269925, 1000000)
    expected = (Fraction(89, 100) - pe) / (1 - pe)
    result = agreement_from_table(table, cats)
    assert result is not None
    assert result.ac1 == pytest.approx(float(expected))
    assert round(result.ac1, 5) == 0.84933
    # Kappa by hand: pe = (13*13 + 27*24 + 60*63) / 100^2 = 0.4597.
    assert result.kappa == pytest.approx((0.89 - 0.4597) / (1 - 0.4597))
    est = _irrcac(table, cats)
    assert result.se == pytest.approx(float(est["se"][0]), abs=1e-5)
    assert result.ci_low == pytest.approx(float(est["confidence_interval"][0][0]), abs=1e-4)
    assert result.ci_high == pytest.approx(float(est["confidence_interval"][1][0]), abs=1e-4)


def test_empty_table_is_none():
    assert agreement_from_table({}, SCALE) is None
    assert agreement_among([], SCALE) is None


def test_single_value_scale_has_no_ac1():
    result = agreement_from_table({("yes", "yes"): 3}, ["yes"])
    assert result is not None
    assert (result.ac1, result.percent) == (None, 100.0)


def test_t_quantile_close_to_tables():
    # Student's t tables: t(0.975, 5) = 2.5706, t(0.975, 10) = 2.2281, t(0.975, 39) = 2.0227.
    assert t_quantile(0.975, 5) == pytest.approx(2.5706, abs=2e-3)
    assert t_quantile(0.975, 10) == pytest.approx(2.2281, abs=1e-4)
    assert t_quantile(0.975, 39) == pytest.approx(2.0227, abs=1e-4)
    assert math.isinf(t_quantile(0.975, 0))


def test_two_assessors_per_criterion_matches_table():
    items = [("met", "met")] * 8 + [("met", "partly_met"), ("not_met", "not_met")]
    result = agreement_among(items, SCALE)
    table = agreement_from_table(
        {("met", "met"): 8, ("met", "partly_met"): 1, ("not_met", "not_met"): 1}, SCALE
    )
    assert result == table
    assert result is not None
    assert (result.n, result.agreed) == (10, 9)


def test_three_assessors_by_hand():
    # Three criteria rated by three assessors: (met, met, met), (met, met, partly), (not x3).
    items = [("met",) * 3, ("met", "met", "partly_met"), ("not_met",) * 3]
    result = agreement_among(items, SCALE)
    # pa per criterion: 1, (2*1)/(3*2) = 1/3, 1 -> pa = 7/9.
    # pi: met = (1 + 2/3 + 0)/3 = 5/9, partly = 1/9, not = 3/9.
    pa = Fraction(7, 9)
    pi = [Fraction(5, 9), Fraction(1, 9), Fraction(3, 9)]
    pe = sum(p * (1 - p) for p in pi) / 2
    assert result is not None
    assert result.ac1 == pytest.approx(float((pa - pe) / (1 - pe)))
    assert (result.n, result.agreed, result.se) == (3, 2, None)


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=30), min_size=9, max_size=9).filter(
        lambda c: sum(c) >= 6
    )
)
def test_ac1_se_and_ci_match_irrcac_on_any_table(counts):
    import numpy as np  # noqa: PLC0415 -- test-only, with irrCAC

    cats = ["met", "partly_met", "not_met"]
    table = {(a, b): counts[i * 3 + j] for i, a in enumerate(cats) for j, b in enumerate(cats)}
    table = {key: n for key, n in table.items() if n}
    result = agreement_from_table(table, cats)
    est = _irrcac(table, cats)
    assert result.ac1 == pytest.approx(est["coefficient_value"], abs=1e-5)
    assert result.se == pytest.approx(float(est["se"][0]), abs=1e-5)
    if result.se == 0:  # one cell only: no spread (irrCAC's interval is undefined there)
        assert result.ci_low == result.ci_high == result.ac1
        return
    # Cornish-Fisher t against scipy's exact t: within 2e-3 from 5 degrees of freedom.
    low, high = (float(np.ravel(bound)[0]) for bound in est["confidence_interval"])
    assert result.ci_low == pytest.approx(max(-1.0, low), abs=2e-3)
    assert result.ci_high == pytest.approx(min(1.0, high), abs=2e-3)
