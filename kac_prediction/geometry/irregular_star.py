"""`IrregularStar`: a random star-shaped polygon, its vertices sorted by angle about their bounding-box centre."""

from typing import TypedDict

import numpy as np

from .normalise import canonicalSimplePose
from .polygon import Polygon, drawPolygon
from .types import Vertices

__all__ = ['IrregularStar']


def _starVertices(N: int, rng: np.random.Generator) -> Vertices:
    """N points ~ U(−1, 1)², shifted so their bounding-box centre is the origin and sorted by polar angle."""
    points = rng.uniform(-1.0, 1.0, (N, 2))
    points -= (points.min(axis=0) + points.max(axis=0)) / 2.0
    return points[np.argsort(np.arctan2(points[:, 1], points[:, 0]), kind='stable')]


class IrregularStar(Polygon):
    """
    A random simple polygon with N vertices that is star-shaped about the centre of its points' bounding box
    (that centre always lies in the points' convex hull, so sorting by angle gives a simple polygon). Stored in the
    signed canonical pose (`normaliseConvexPolygon` if convex, else `normaliseSimplePolygon`).
    """

    class Settings(TypedDict, total=False):
        """Keyword arguments of `IrregularStar` (besides `rng`)."""

        N: int
        max_vertices: int

    def __init__(self, N: int = 0, max_vertices: int = 10, rng: np.random.Generator | None = None) -> None:
        """
        `N`: number of vertices (≥ 3), or 0 to draw it uniformly from {3, …, max_vertices}; `max_vertices` ≥ 3;
        `rng`: the source of all randomness (default a fresh `np.random.default_rng()`).
        """
        candidate = drawPolygon(N, max_vertices, rng, _starVertices, Polygon.simple, 'Draws of a star-shaped')
        super().__init__(canonicalSimplePose(candidate.vertices))
