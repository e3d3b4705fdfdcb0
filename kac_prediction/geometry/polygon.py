"""`Polygon`: a shape given by its vertices, with its measures, convexity and simplicity tests and rasterisation."""

from collections.abc import Callable
from typing import cast

import numpy as np
import numpy.typing as npt
import shapely

from .._checks import checkReal
from .types import Shape, ShapeLabels, Vertices, asVertices, checkPoint, drawVertexCount, resolveRng

__all__ = ['Polygon', 'drawPolygon']

_MAX_ATTEMPTS = 100
"""Redraws allowed when a draw is degenerate (colinear or repeated vertices, which happen with probability zero)."""


def _signedArea(vertices: Vertices) -> float:
    """Shoelace area of the closed polygon `vertices` (n, 2): positive when counter-clockwise (y up)."""
    x, y = vertices[:, 0], vertices[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


class Polygon(Shape):
    """
    A polygon with vertices (n, 2), float64, n ≥ 3, in order along its boundary (either orientation); the last
    vertex connects back to the first.
    """

    def __init__(self, vertices: npt.ArrayLike) -> None:
        """`vertices`: array-like of shape (n, 2), n ≥ 3, finite numbers."""
        self.vertices = vertices

    @property
    def vertices(self) -> Vertices:
        """The vertices, float64 of shape (n, 2), read-only (assign a new array to change them)."""
        return self._vertices

    @vertices.setter
    def vertices(self, value: npt.ArrayLike) -> None:
        array = asVertices(value, 'vertices')
        array.flags.writeable = False
        self._vertices = array
        self._region: tuple[float, shapely.Geometry] | None = None  # cache for _containsPoints

    def N(self) -> int:
        """The number of vertices."""
        return int(self._vertices.shape[0])

    @property
    def area(self) -> float:
        """The enclosed area (units², ≥ 0): the absolute shoelace sum."""
        return abs(_signedArea(self._vertices))

    @area.setter
    def area(self, value: float) -> None:
        target = checkReal('area', value, 0.0)
        current = self.area
        if current == 0.0:
            raise ValueError('This polygon has zero area and cannot be scaled to an area; give it distinct vertices.')
        centre = np.asarray(self.centroid)
        self.vertices = centre + (self._vertices - centre) * np.sqrt(target / current)

    @property
    def centroid(self) -> tuple[float, float]:
        """The area centroid (x, y); the mean of the vertices when the polygon has zero area."""
        V = self._vertices
        signed_area = _signedArea(V)
        if signed_area == 0.0:
            mean = V.mean(axis=0)
            return float(mean[0]), float(mean[1])
        following = np.roll(V, -1, axis=0)
        cross = V[:, 0] * following[:, 1] - following[:, 0] * V[:, 1]
        c = ((V + following) * cross[:, None]).sum(axis=0) / (6.0 * signed_area)
        return float(c[0]), float(c[1])

    @centroid.setter
    def centroid(self, value: tuple[float, float]) -> None:
        target = np.asarray(checkPoint('centroid', value))
        self.vertices = self._vertices + (target - np.asarray(self.centroid))

    @property
    def perimeter(self) -> float:
        """The total length of the edges, including the closing edge (units)."""
        edges = np.roll(self._vertices, -1, axis=0) - self._vertices
        return float(np.hypot(edges[:, 0], edges[:, 1]).sum())

    def convex(self) -> bool:
        """
        Whether the polygon is strictly convex: the cross products of all pairs of consecutive edges are nonzero
        and of one sign, and the boundary turns once around (which rules out stars such as the pentagram).
        Colinear consecutive vertices (a zero cross product) count as not convex.
        """
        V = self._vertices
        incoming = V - np.roll(V, 1, axis=0)
        outgoing = np.roll(V, -1, axis=0) - V
        cross = incoming[:, 0] * outgoing[:, 1] - incoming[:, 1] * outgoing[:, 0]
        if not (np.all(cross > 0.0) or np.all(cross < 0.0)):
            return False
        dot = (incoming * outgoing).sum(axis=1)
        turning = float(np.arctan2(cross, dot).sum())
        return abs(turning) < 3.0 * np.pi

    def simple(self) -> bool:
        """Whether the polygon is simple: its vertices are distinct and no two edges meet except consecutive
        edges at their shared vertex (touching or overlapping edges make it not simple)."""
        V = self._vertices
        if np.unique(V, axis=0).shape[0] != V.shape[0]:
            return False
        return bool(shapely.is_simple(shapely.LinearRing(V)))

    def getLabels(self) -> ShapeLabels:
        """`{'N': [n], 'vertices': [[x, y], …]}` with plain Python ints and floats."""
        return {'N': [self.N()], 'vertices': self._vertices.tolist()}

    def _boundingBox(self) -> tuple[float, float, float, float]:
        low = self._vertices.min(axis=0)
        high = self._vertices.max(axis=0)
        return float(low[0]), float(low[1]), float(high[0]), float(high[1])

    def _containsPoints(
        self,
        x: npt.NDArray[np.float64],
        y: npt.NDArray[np.float64],
        tolerance: float,
    ) -> npt.NDArray[np.bool_]:
        """The inside test behind `isPointInside` and `draw`. A self-intersecting polygon's inside is the region
        `shapely.make_valid` gives it (the even–odd rule)."""
        if self._region is None or self._region[0] != tolerance:
            region = shapely.Polygon(self._vertices)
            if not region.is_valid:
                region = shapely.make_valid(region)
            region = region.buffer(tolerance, join_style='mitre')
            shapely.prepare(region)
            self._region = (tolerance, region)
        region = self._region[1]
        return cast(npt.NDArray[np.bool_], np.asarray(shapely.intersects_xy(region, x, y), dtype=np.bool_))


def drawPolygon(
    N: int,
    max_vertices: int,
    rng: np.random.Generator | None,
    draw: Callable[[int, np.random.Generator], Vertices],
    accept: Callable[[Polygon], bool],
    description: str,
) -> Polygon:
    """The random polygon generators' common loop: N vertices (0: drawn from {3, …, max_vertices}), drawn by
    `draw(N, rng)` until `accept` holds (a RuntimeError naming `description` after 100 degenerate draws)."""
    generator = resolveRng(rng)
    n = drawVertexCount(N, max_vertices, generator)
    for _ in range(_MAX_ATTEMPTS):
        candidate = Polygon(draw(n, generator))
        if accept(candidate):
            return candidate
    raise RuntimeError(f'{description} {n}-gon were degenerate {_MAX_ATTEMPTS} times in a row.')
