"""Erlang C, pinned to published values and to the closed forms of the M/M/1 and M/M/2 queues."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csa.metrics import queue as Q


def test_pyworkforce_test_case():
    # rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py: 100 transactions per 30 minutes,
    # AHT 3 minutes, answer target 0.33 minutes, 14 positions -> waiting probability 0.174, service level
    # 0.888, occupancy 0.714; 14 raw positions needed for a service level of 0.8
    load = Q.offered_load(100, 3, interval=30)
    assert load == 10
    assert round(Q.erlang_c(14, load), 3) == 0.174
    assert round(Q.service_level(14, load, aht=3, target=0.33) / 100, 3) == 0.888
    tab = Q.staffing_table([100], 3, [14], target=0.33, interval=30)
    assert round(tab["occupancy"].iloc[0] / 100, 3) == 0.714
    assert Q.agents_needed(load, aht=3, target=0.33, level=80) == 14
    # and with 15 positions (its over-occupancy case): waiting probability 0.102, service level 0.941
    assert round(Q.erlang_c(15, load), 3) == 0.102
    assert round(Q.service_level(15, load, aht=3, target=0.33) / 100, 3) == 0.941


def test_jonesthenet_erlang_uplift_example():
    # jonesthenet.com, "Erlang uplift": 250 calls in the average hour, AHT 330 s, 80 % answered within 30 s:
    # "Erlang thinks we need 28 advisors" (the workload alone is 250 × 330 / 3600 = 22.9)
    load = Q.offered_load(250, 330, interval=3600)
    assert round(load, 1) == 22.9
    assert Q.agents_needed(load, aht=330, target=30, level=80) == 28
    assert Q.service_level(27, load, aht=330, target=30) < 80 <= Q.service_level(28, load, aht=330, target=30)


@pytest.mark.parametrize("a", [0.1, 0.5, 0.9])
def test_closed_forms(a):
    # M/M/1: P(wait) = ρ; M/M/2: P(wait) = A² / (2 + A)  (e.g. Gross et al. 2008, §2.3)
    assert Q.erlang_c(1, a) == pytest.approx(a, abs=1e-12)
    assert Q.erlang_c(2, 2 * a) == pytest.approx((2 * a) ** 2 / (2 + 2 * a), abs=1e-12)
    # ASA of M/M/1: ρ/(1 − ρ) × AHT; service level at t: 1 − ρ·exp(−(1 − ρ)·t/AHT)
    assert Q.asa(1, a, aht=5) == pytest.approx(a / (1 - a) * 5)
    assert Q.service_level(1, a, aht=5, target=2) == pytest.approx(100 * (1 - a * math.exp(-(1 - a) * 2 / 5)))


def test_textbook_curve_reading():
    # a textbook exercise (120 customers an hour, 3 minutes each, 10 servers: 6 Erlangs): "from the Erlang C
    # curve, the probability of waiting is about 0.10"
    assert round(Q.erlang_c(10, 6.0), 2) == 0.10


def test_the_formula_against_factorials():
    def direct(n, a):
        top = a**n / math.factorial(n) * n / (n - a)
        return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)

    for n, a in [(3, 2.0), (14, 10.0), (55, 48.0), (100, 92.5)]:
        assert Q.erlang_c(n, a) == pytest.approx(direct(n, a), rel=1e-10)
    assert Q.erlang_c(400, 380.0) == pytest.approx(Q.erlang_c(np.array([400]), np.array([380.0]))[0])  # no overflow


def test_edges_and_vectors():
    assert Q.erlang_c(5, 5.0) == 1 and Q.erlang_c(3, 4.0) == 1  # unstable: everybody waits
    assert Q.service_level(3, 4.0, aht=3, target=1) == 0 and math.isinf(Q.asa(3, 4.0, aht=3))
    assert Q.erlang_c(0, 0.0) == 0 and Q.service_level(0, 0.0, aht=3, target=1) == 100  # nothing arrives
    v = Q.erlang_c([13, 14, 15], 10.0)
    assert isinstance(v, np.ndarray) and (np.diff(v) < 0).all()  # more agents, less waiting
    assert np.isnan(Q.erlang_c(np.nan, 1.0))
    np.testing.assert_array_equal(Q.agents_needed([0.0, 10.0], aht=3, target=0.33), [0, 14])


@pytest.mark.parametrize("call,match", [
    (lambda: Q.erlang_c(2.5, 1.0), "whole numbers"),
    (lambda: Q.erlang_c(2, -1.0), ">= 0"),
    (lambda: Q.service_level(2, 1.0, aht=0, target=1), "> 0"),
    (lambda: Q.agents_needed(1.0, aht=3, target=1, level=0.8 * 100 + 30), "percent"),
    (lambda: Q.offered_load("many", 3), "number"),
])
def test_bad_inputs_are_explained(call, match):
    with pytest.raises(ValueError, match=match):
        call()
