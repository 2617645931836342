"""Queues: what service level a number of agents gives (Erlang C, the M/M/N queue).

Phone and chat contacts wait in a queue until an agent is free. **Erlang C** (A. K. Erlang 1917;
the M/M/N queue of queueing theory) is the standard model for staffing such queues: contacts
arrive at random (a Poisson process) at ``λ`` per unit of time, each takes an agent an
exponentially distributed handle time with mean ``AHT`` (talk + hold + after-contact work), and
nobody hangs up while waiting. The **offered load** ``A = λ · AHT`` (in *Erlangs*) is the average
number of agents kept busy; with ``N > A`` agents:

* probability that a contact waits at all: ``C(N, A) = N·B / (N − A·(1 − B))`` with ``B`` the
  Erlang B blocking probability, computed by the stable recursion ``B₀ = 1``,
  ``B_k = A·B_{k−1} / (k + A·B_{k−1})`` (no factorials, no overflow);
* **service level** (share answered within ``t``): ``SL(t) = 1 − C(N, A)·exp(−(N − A)·t/AHT)``;
* average speed of answer ``ASA = C(N, A)·AHT/(N − A)``; occupancy ``A/N``.

With ``N ≤ A`` the queue grows without end: every contact waits (``C = 1``), the service level
is 0 and the ASA infinite. References: Gross, Shortle, Thompson & Harris (2008), *Fundamentals of
Queueing Theory*, 4th ed., §2.3 (M/M/c); Cleveland (2019), *Call Center Management on Fast
Forward*, 4th ed., ch. 6 (staffing with Erlang C). Erlang C ignores abandonment, so it
overstates the waiting of real queues a little (Erlang A models it); read it as a planning guide.

Values are pinned in ``tests/test_queue.py`` to published figures: the pyworkforce library's
test case (100 contacts per 30 minutes, AHT 3 minutes, 14 agents: waiting probability 0.174,
service level 0.888 within 0.33 minutes, occupancy 0.714) and the staffing example of
jonesthenet.com's "Erlang uplift" page (250 calls an hour, AHT 330 s: 28 agents answer 80 % within
30 s), plus the closed forms ``C(1, A) = A`` and ``C(2, A) = A²/(2 + A)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["agents_needed", "asa", "erlang_c", "offered_load", "service_level", "staffing_table"]


def _arr(name: str, x, *, integer: bool = False, positive: bool = False) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {x!r}") from None
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(a) & (~np.isfinite(a) | (a <= 0 if positive else a < 0) |
                              ((np.mod(a, 1) != 0) if integer else False))
    if bad.any():
        kind = "whole numbers" if integer else "numbers"
        raise ValueError(f"{name} must be {kind} {'> 0' if positive else '>= 0'}; got {a[bad][:3].tolist()}")
    return a


def _out(a: np.ndarray, scalar: bool):
    return float(a) if scalar else a


def offered_load(arrivals, aht, *, interval: float = 60.0):
    """Offered load in Erlangs: arrivals per interval × AHT ÷ interval length.

    Parameters
    ----------
    arrivals : float or array-like
        Contacts arriving per interval (e.g. per hour).
    aht : float or array-like
        Average handle time, in the same unit as ``interval`` (minutes by default).
    interval : float, default 60
        Length of the interval (minutes: 60 for an hour, 30 for a half-hour).

    Returns
    -------
    float or ndarray
        ``A = arrivals · aht / interval``: the average number of agents busy.

    Examples
    --------
    >>> offered_load(100, 3, interval=30)
    10.0
    """
    scalar = np.ndim(arrivals) == 0 and np.ndim(aht) == 0
    a = _arr("arrivals", arrivals) * _arr("aht", aht) / float(interval)
    return _out(a, scalar)


def erlang_c(agents, load):
    """Probability that a contact has to wait (Erlang C), for ``agents`` agents and ``load`` Erlangs.

    Parameters
    ----------
    agents : int or array-like of int
        Agents answering the queue (``N``).
    load : float or array-like
        Offered load ``A`` in Erlangs (see :func:`offered_load`).

    Returns
    -------
    float or ndarray
        ``C(N, A)`` in 0–1; 1 when ``N <= A`` (the queue never empties); 0 when ``A == 0``;
        NaN where an input is missing.

    Notes
    -----
    See the module docstring: ``C = N·B/(N − A(1 − B))`` with the Erlang B recursion.

    Examples
    --------
    >>> round(erlang_c(14, 10.0), 4)       # pyworkforce test case: 0.174
    0.1741
    >>> erlang_c([1, 2], 0.5).round(4).tolist()    # closed forms A and A²/(2 + A)
    [0.5, 0.1]
    """
    scalar = np.ndim(agents) == 0 and np.ndim(load) == 0
    n, a = np.broadcast_arrays(_arr("agents", agents, integer=True), _arr("load", load))
    n, a = n.astype(float), a.astype(float)
    out = np.full(n.shape, np.nan)
    ok = ~np.isnan(n) & ~np.isnan(a)
    stable = ok & (n > a)
    out[ok & ~stable] = 1.0
    if stable.any():
        nn, aa = n[stable], a[stable]
        b = np.ones_like(aa)
        for k in range(1, int(nn.max()) + 1):
            upd = k <= nn
            b = np.where(upd, aa * b / (k + aa * b), b)
        out[stable] = nn * b / (nn - aa * (1 - b))
    out[ok & (a == 0)] = 0.0
    return _out(out, scalar)


def _queue(agents, load, aht):
    """(all inputs scalars, ``C(N, A)``, ``N``, ``A``, ``AHT``), the arrays broadcast together."""
    scalar = np.ndim(agents) == 0 and np.ndim(load) == 0 and np.ndim(aht) == 0
    c = np.asarray(erlang_c(agents, load), dtype=float)
    n, a, h = np.broadcast_arrays(np.asarray(agents, float), np.asarray(load, float),
                                  _arr("aht", aht, positive=True))
    return scalar, c, n, a, h


def service_level(agents, load, *, aht, target):
    """Share of contacts answered within ``target``, in percent (Erlang C).

    Parameters
    ----------
    agents : int or array-like of int
        Agents answering the queue.
    load : float or array-like
        Offered load in Erlangs.
    aht : float or array-like
        Average handle time.
    target : float
        Answer-time target, in the same unit as ``aht`` (e.g. 20 s = 1/3 min).

    Returns
    -------
    float or ndarray
        ``100 · (1 − C(N, A)·exp(−(N − A)·target/aht))``; 0 when ``N <= A`` and ``A > 0``;
        100 when ``A == 0``.

    Examples
    --------
    >>> round(service_level(14, 10.0, aht=3, target=0.33), 1)    # pyworkforce: 0.888
    88.8
    """
    scalar, c, n, a, h = _queue(agents, load, aht)
    t = float(_arr("target", target))
    with np.errstate(invalid="ignore", over="ignore"):
        sl = np.where(n > a, 1 - c * np.exp(-(n - a) * t / h), 0.0)
    sl = np.where(a == 0, 1.0, sl)
    sl = np.where(np.isnan(c), np.nan, sl)
    return _out(100 * sl, scalar)


def asa(agents, load, *, aht):
    """Average speed of answer (mean wait of all contacts), in the unit of ``aht``.

    Parameters
    ----------
    agents, load, aht
        As in :func:`service_level`.

    Returns
    -------
    float or ndarray
        ``C(N, A)·aht/(N − A)``; infinite when ``N <= A`` and ``A > 0``.

    Examples
    --------
    >>> round(asa(14, 10.0, aht=3) * 60, 1)    # seconds
    7.8
    """
    scalar, c, n, a, h = _queue(agents, load, aht)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > a, c * h / (n - a), np.inf)
    w = np.where(a == 0, 0.0, w)
    w = np.where(np.isnan(c), np.nan, w)
    return _out(w, scalar)


def agents_needed(load, *, aht, target, level: float = 80.0, max_agents: int = 10_000):
    """Fewest agents whose service level within ``target`` reaches ``level`` percent.

    Parameters
    ----------
    load : float or array-like
        Offered load in Erlangs.
    aht : float or array-like
        Average handle time.
    target : float
        Answer-time target in the unit of ``aht``.
    level : float, default 80
        Service-level goal in percent (80 for "80/20": 80 % within 20 seconds).
    max_agents : int
        Search limit.

    Returns
    -------
    int or ndarray of int
        The smallest ``N`` with ``service_level(N, load) >= level``; 0 when ``load == 0``.

    Examples
    --------
    >>> agents_needed(250 * 330 / 3600, aht=330, target=30)   # jonesthenet.com "Erlang uplift": 28
    28
    """
    if not 0 < float(level) < 100:
        raise ValueError(f"level is a service-level goal in percent, strictly between 0 and 100 (e.g. 80); "
                         f"got {level!r}")
    scalar = np.ndim(load) == 0 and np.ndim(aht) == 0
    a, h = np.broadcast_arrays(_arr("load", load), _arr("aht", aht, positive=True))
    shape = a.shape
    a, h = a.astype(float).ravel(), h.astype(float).ravel()
    out = np.zeros(a.shape, dtype=np.int64)
    todo = np.flatnonzero(~np.isnan(a) & (a > 0))
    n = np.floor(a[todo]).astype(np.int64) + 1  # the fewest agents that keep the queue stable
    while todo.size:  # all rows at once: raise N where the goal is not reached yet
        ok = np.asarray(service_level(n, a[todo], aht=h[todo], target=target), dtype=float) >= level
        out[todo[ok]] = n[ok]
        todo, n = todo[~ok], n[~ok] + 1
        if n.size and n.max() > max_agents:
            raise ValueError(f"more than {max_agents} agents needed for a load of {a[todo].max():g} Erlangs; "
                             "check the inputs")
    return int(out[0]) if scalar else out.reshape(shape)


def staffing_table(arrivals, aht, agents, *, target, interval: float = 60.0, level: float = 80.0) -> pd.DataFrame:
    """Erlang C figures for each row of arrivals and agents (e.g. one row per weekday and hour).

    Parameters
    ----------
    arrivals : float or array-like
        Contacts arriving per interval.
    aht : float or array-like
        Average handle time, in the unit of ``interval`` (minutes).
    agents : int or array-like of int
        Agents on the queue in each interval (0: closed). The three inputs are broadcast together.
    target : float
        Answer-time target, in the unit of ``aht`` (e.g. 20/60 minutes).
    interval : float, default 60
        Interval length (minutes).
    level : float, default 80
        Service-level goal in percent, for ``agents_needed``.

    Returns
    -------
    DataFrame
        ``arrivals``, ``load`` (Erlangs), ``agents``, ``occupancy`` (percent, NaN when no agent),
        ``p_wait`` (percent), ``service_level`` (percent answered within ``target``), ``asa``
        (unit of ``aht``), ``agents_needed`` (for ``level``).

    Examples
    --------
    >>> staffing_table([100], 3, [14], target=0.33, interval=30).round(1).iloc[0].tolist()  # pyworkforce: 14 needed
    [100.0, 10.0, 14.0, 71.4, 17.4, 88.8, 0.1, 14.0]
    """
    arr, n, h = (np.atleast_1d(a).astype(float) for a in np.broadcast_arrays(
        _arr("arrivals", arrivals), _arr("agents", agents, integer=True), _arr("aht", aht, positive=True)))
    load = np.asarray(offered_load(arr, h, interval=interval), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, 100 * np.minimum(load / n, 1.0), np.nan)
    return pd.DataFrame({
        "arrivals": arr, "load": load, "agents": n, "occupancy": occ,
        "p_wait": 100 * np.asarray(erlang_c(n, load), dtype=float),
        "service_level": np.asarray(service_level(n, load, aht=h, target=target), dtype=float),
        "asa": np.asarray(asa(n, load, aht=h), dtype=float),
        "agents_needed": agents_needed(load, aht=h, target=target, level=level),
    })
