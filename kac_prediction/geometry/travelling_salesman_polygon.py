"""`TravellingSalesmanPolygon`: a random simple polygon obtained by uncrossing a random tour with 2-opt moves."""

from typing import TypedDict

import numpy as np
import numpy.typing as npt

from .normalise import canonicalSimplePose
from .polygon import Polygon, drawPolygon
from .types import Vertices

__all__ = ['TravellingSalesmanPolygon']


def _orientation(a: Vertices, b: Vertices, c: Vertices) -> npt.NDArray[np.float64]:
    """Rowwise z component of (b − a) × (c − a): > 0 when a, b, c turn counter-clockwise."""
    return (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0])


def _crossingEdgePairs(tour: Vertices) -> npt.NDArray[np.int64]:
    """
    The pairs (i, j), i < j, of non-adjacent edges (tour[i], tour[i+1]) and (tour[j], tour[j+1 mod n]) that cross
    properly (at a point interior to both); int64 (k, 2).
    """
    n = tour.shape[0]
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))  # the last edge is adjacent to the first
    i, j = i[keep], j[keep]
    a, b = tour[i], tour[(i + 1) % n]
    c, d = tour[j], tour[(j + 1) % n]
    crosses = (_orientation(a, b, c) * _orientation(a, b, d) < 0.0) & (
        _orientation(c, d, a) * _orientation(c, d, b) < 0.0
    )
    return np.column_stack([i[crosses], j[crosses]]).astype(np.int64)


def _uncross(tour: Vertices, rng: np.random.Generator) -> Vertices:
    """
    Apply 2-opt moves to randomly chosen (with `rng`) crossing edge pairs until no two edges cross properly.
    Each move strictly shortens the tour, so this ends; a RuntimeError guards against a bug looping forever.
    """
    tour = tour.copy()
    n = tour.shape[0]
    for _ in range(10 * n**3 + 100):
        pairs = _crossingEdgePairs(tour)
        if pairs.shape[0] == 0:
            return tour
        i, j = pairs[rng.integers(pairs.shape[0])]
        tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1].copy()
    raise RuntimeError(f'2-opt did not uncross a tour of {n} points within {10 * n**3 + 100} moves.')


class TravellingSalesmanPolygon(Polygon):
    """
    A random simple polygon with N vertices: N points ~ U(−1, 1)² visited in random order, with crossing edges
    removed by 2-opt moves. Stored in the signed canonical pose (`normaliseConvexPolygon` if convex, else
    `normaliseSimplePolygon`).
    """

    class Settings(TypedDict, total=False):
        """Keyword arguments of `TravellingSalesmanPolygon` (besides `rng`)."""

        N: int
        max_vertices: int

    def __init__(self, N: int = 0, max_vertices: int = 10, rng: np.random.Generator | None = None) -> None:
        """
        `N`: number of vertices (≥ 3), or 0 to draw it uniformly from {3, …, max_vertices}; `max_vertices` ≥ 3;
        `rng`: the source of all randomness (default a fresh `np.random.default_rng()`).
        """
        candidate = drawPolygon(
            N, max_vertices, rng, lambda n, g: _uncross(g.uniform(-1.0, 1.0, (n, 2)), g), Polygon.simple, 'Draws of a'
        )
        super().__init__(canonicalSimplePose(candidate.vertices))
