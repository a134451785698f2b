"""Time growthzones.mcda against pymcdm on seeded matrices.

Run: ``.venv/bin/python benchmarks/bench_mcda.py [--repeats 5]``

Each row times one method on the same seeded matrix (12 criteria, a third of them cost) in
both libraries, best of ``--repeats`` runs with ``time.perf_counter``, and checks that the
two agree (after converting conventions) before timing. pymcdm is timed as normally called
(input validation on) and with ``validation=False``; the ratio columns are pymcdm time /
growthzones time, so > 1 means growthzones is faster.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from pymcdm import normalizations as pn
from pymcdm import weights as pw
from pymcdm.methods import PROMETHEE_II, TOPSIS, VIKOR, WPM, WSM

from growthzones import mcda
from growthzones.mcda import weighting

M = 12


def best_of(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def problem(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 100.0, size=(n, M))
    w = rng.dirichlet(np.ones(M))
    d = np.where(np.arange(M) % 3 == 2, -1, 1)
    return x, w, d


def cases(x: np.ndarray, w: np.ndarray, d: np.ndarray) -> list[tuple[str, Callable, Callable, Callable]]:
    """(label, ours, pymcdm with validation, pymcdm without) with equal outputs."""

    def pm(method: object, conv: Callable[[np.ndarray], np.ndarray] = lambda a: a) -> tuple[Callable, Callable]:
        return (lambda: conv(method(x, w, d)), lambda: conv(method(x, w, d, validation=False)))  # type: ignore[operator]

    def pmw(func: Callable) -> tuple[Callable, Callable]:
        return (lambda: func(x), lambda: func(x))

    return [
        (
            "wlc (minmax)",
            lambda: mcda.aggregate("wlc", x, w, d, normalization="minmax"),
            *pm(WSM(pn.minmax_normalization)),
        ),
        ("wlc (sum)", lambda: mcda.aggregate("wlc", x, w, d, normalization="sum"), *pm(WSM())),
        ("wpm (sum)", lambda: mcda.aggregate("wpm", x, w, d, normalization="sum"), *pm(WPM())),
        ("topsis (minmax)", lambda: mcda.aggregate("topsis", x, w, d), *pm(TOPSIS())),
        (
            "topsis (vector)",
            lambda: mcda.aggregate("topsis", x, w, d, normalization="vector"),
            *pm(TOPSIS(pn.vector_normalization)),
        ),
        ("vikor", lambda: mcda.aggregate("vikor", x, w, d), *pm(VIKOR(), lambda q: 1 - q)),
        ("entropy weights", lambda: weighting.entropy(x), *pmw(pw.entropy_weights)),
        ("critic weights", lambda: weighting.critic(x), *pmw(pw.critic_weights)),
    ]


def promethee_cases(x: np.ndarray, w: np.ndarray, d: np.ndarray) -> list[tuple[str, Callable, Callable, Callable]]:
    def conv(phi: np.ndarray) -> np.ndarray:
        return (phi + 1) / 2

    # pymcdm keeps per-criterion preference functions in a one-shot generator when q or p
    # is given, so a PROMETHEE_II object is built for every call (a negligible cost).
    out = []
    for label, ours, theirs in [
        ("promethee2 usual", {"preference": "usual"}, lambda: PROMETHEE_II("usual")),
        ("promethee2 vshape", {"preference": "vshape", "p": 20.0}, lambda: PROMETHEE_II("vshape", p=[20.0] * M)),
        (
            "promethee2 linear",
            {"preference": "linear", "q": 5.0, "p": 20.0},
            lambda: PROMETHEE_II("vshape_2", q=[5.0] * M, p=[20.0] * M),
        ),
    ]:
        out.append(
            (
                label,
                lambda ours=ours: mcda.aggregate("promethee2", x, w, d, **ours),
                lambda theirs=theirs: conv(theirs()(x, w, d)),
                lambda theirs=theirs: conv(theirs()(x, w, d, validation=False)),
            )
        )
    return out


def run(sizes: list[int], promethee_n: int, repeats: int) -> list[tuple]:
    rows = []
    plans = [(n, cases) for n in sizes] + [(promethee_n, promethee_cases)]
    for n, make in plans:
        x, w, d = problem(n)
        for label, ours, theirs, theirs_nv in make(x, w, d):
            diff = float(np.max(np.abs(np.asarray(ours()) - np.asarray(theirs()))))
            if diff > 1e-9:
                msg = f"{label} at n={n}: growthzones and pymcdm differ by {diff:g}"
                raise AssertionError(msg)
            t_ours = best_of(ours, repeats)
            t_pm = best_of(theirs, repeats)
            t_pm_nv = best_of(theirs_nv, repeats)
            rows.append((label, n, t_ours, t_pm, t_pm_nv, diff))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 100_000])
    parser.add_argument("--promethee-n", type=int, default=2_000)
    args = parser.parse_args()
    rows = run(args.sizes, args.promethee_n, args.repeats)
    head = (
        f"{'method':<20} {'sites':>8} {'growthzones':>12} {'pymcdm':>12} {'ratio':>8} "
        f"{'pymcdm novalid':>15} {'ratio':>8} {'max |diff|':>11}"
    )
    print(f"{M} criteria, best of {args.repeats}; times in ms; ratio = pymcdm / growthzones")
    print(head)
    print("-" * len(head))
    for label, n, t_ours, t_pm, t_pm_nv, diff in rows:
        print(
            f"{label:<20} {n:>8} {t_ours * 1e3:>12.3f} {t_pm * 1e3:>12.3f} {t_pm / t_ours:>7.1f}x "
            f"{t_pm_nv * 1e3:>15.3f} {t_pm_nv / t_ours:>7.1f}x {diff:>11.1e}"
        )
    # pymcdm's PROMETHEE II builds n x n tables per criterion (80 GB each at 100,000 sites), so
    # at that size only growthzones is timed.
    x, w, d = problem(max(args.sizes))
    print()
    for pref, kw in [("usual", {}), ("linear", {"q": 5.0, "p": 20.0})]:
        t = best_of(lambda pref=pref, kw=kw: mcda.aggregate("promethee2", x, w, d, preference=pref, **kw), args.repeats)
        print(f"promethee2 {pref:<9} {x.shape[0]:>8} {t * 1e3:>12.3f}   (growthzones only)")


if __name__ == "__main__":
    main()
