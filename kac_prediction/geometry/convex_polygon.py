"""`ConvexPolygon`: a random convex polygon drawn with Valtr's algorithm (P. Valtr, "Probability that n random points
are in convex position", Discrete Comput. Geom. 13, 1995)."""

from typing import TypedDict

import numpy as np
import numpy.typing as npt

from .normalise import normaliseConvexPolygon
from .polygon import Polygon, drawPolygon
from .types import Vertices

__all__ = ['ConvexPolygon']


def _valtrComponents(sorted_values: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """
    Split sorted coordinates into Valtr's two chains and return their steps: float64 (n,), summing to 0.

    `sorted_values` (n ≥ 2, ascending): the minimum and maximum belong to both chains; each interior value joins
    chain 1 or chain 2 with probability 1/2 (a fair coin from `rng`). The steps of chain 1 go up from the minimum
    to the maximum (positive), those of chain 2 come back down (negative); together they are n steps.
    """
    low, interior, high = sorted_values[:1], sorted_values[1:-1], sorted_values[-1:]
    in_first = rng.random(interior.shape[0]) < 0.5
    first = np.concatenate([low, interior[in_first], high])
    second = np.concatenate([low, interior[~in_first], high])
    return np.concatenate([np.diff(first), -np.diff(second)])


def _valtrPolygon(N: int, rng: np.random.Generator) -> Vertices:
    """N vertices of a random convex polygon in counter-clockwise order (Valtr's algorithm), float64 (N, 2)."""
    x_steps = _valtrComponents(np.sort(rng.uniform(-1.0, 1.0, N)), rng)
    y_steps = _valtrComponents(np.sort(rng.uniform(-1.0, 1.0, N)), rng)
    rng.shuffle(y_steps)
    steps = np.column_stack([x_steps, y_steps])
    steps = steps[np.argsort(np.arctan2(steps[:, 1], steps[:, 0]), kind='stable')]
    return np.cumsum(steps, axis=0)


class ConvexPolygon(Polygon):
    """A random strictly convex polygon with N vertices, in the canonical signed pose of `normaliseConvexPolygon`."""

    class Settings(TypedDict, total=False):
        """Keyword arguments of `ConvexPolygon` (besides `rng`)."""

        N: int
        max_vertices: int

    def __init__(self, N: int = 0, max_vertices: int = 10, rng: np.random.Generator | None = None) -> None:
        """
        `N`: number of vertices (≥ 3), or 0 to draw it uniformly from {3, …, max_vertices}; `max_vertices` ≥ 3;
        `rng`: the source of all randomness (default a fresh `np.random.default_rng()`).
        """
        candidate = drawPolygon(N, max_vertices, rng, _valtrPolygon, Polygon.convex, 'Valtr draws of a convex')
        super().__init__(normaliseConvexPolygon(candidate.vertices, signed=True))
