"""The abstract `Shape`, shared type aliases, and the geometry-specific argument checks (vertices, points, grid
sizes, generators); the generic ones are in `kac_prediction._checks`."""

from abc import ABC, abstractmethod
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from .._checks import checkInteger, isNumericArray

__all__ = ['Shape', 'ShapeLabels', 'ShapeSettings', 'Vertices']

Vertices = npt.NDArray[np.float64]
"""An array of polygon vertices: float64, shape (n, 2), one (x, y) row per vertex."""

ShapeLabels = dict[str, list[Any]]
"""Labels of a shape: each value a list of plain Python numbers (or of [x, y] pairs for `vertices`)."""

RELATIVE_TOLERANCE = 1e-9
"""Points within this fraction of the shape's larger bounding-box side of the boundary count as on the boundary."""


class ShapeSettings(TypedDict, total=False):
    """Placeholder for the keyword arguments of a shape's constructor; each shape extends it as `Shape.Settings`."""


class Shape(ABC):
    """
    A closed planar shape in its own (x, y) coordinates.

    Subclasses implement the measures (`area`, `centroid`, `perimeter`), `getLabels`, and two hooks,
    `_boundingBox` and `_containsPoints`, from which `isPointInside` and `draw` are built.
    """

    class Settings(ShapeSettings, total=False):
        """Keyword arguments of the shape's constructor (none for the abstract shape)."""

    @property
    @abstractmethod
    def area(self) -> float:
        """The area of the shape (units², float)."""

    @area.setter
    @abstractmethod
    def area(self, value: float) -> None:
        """Rescale the shape about its centroid so that its area is `value` (> 0, units²)."""

    @property
    @abstractmethod
    def centroid(self) -> tuple[float, float]:
        """The area centroid (x, y) of the shape."""

    @centroid.setter
    @abstractmethod
    def centroid(self, value: tuple[float, float]) -> None:
        """Translate the shape so that its centroid is `value` = (x, y)."""

    @property
    @abstractmethod
    def perimeter(self) -> float:
        """The length of the shape's boundary (units, float)."""

    @abstractmethod
    def getLabels(self) -> ShapeLabels:
        """The shape's labels: a dict from name to a list of plain Python numbers."""

    def __getLabels__(self) -> ShapeLabels:
        """Alias of `getLabels`, the name used by the original kac_drumset library."""
        return self.getLabels()

    @abstractmethod
    def _boundingBox(self) -> tuple[float, float, float, float]:
        """The axis-aligned bounding box (x_min, y_min, x_max, y_max) in the shape's coordinates."""

    @abstractmethod
    def _containsPoints(
        self,
        x: npt.NDArray[np.float64],
        y: npt.NDArray[np.float64],
        tolerance: float,
    ) -> npt.NDArray[np.bool_]:
        """Elementwise: is (x, y) inside the shape or within `tolerance` (units) of its boundary? Same shape as x."""

    def isPointInside(self, p: npt.ArrayLike) -> bool:
        """
        Whether the point p = (x, y), in the shape's own coordinates, lies inside the shape or on its boundary.
        Points within 1e-9 × (larger bounding-box side) of the boundary count as on it.
        """
        x, y = checkPoint('p', p)
        x_min, y_min, x_max, y_max = self._boundingBox()
        tolerance = RELATIVE_TOLERANCE * max(x_max - x_min, y_max - y_min)
        return bool(self._containsPoints(np.array([x]), np.array([y]), tolerance)[0])

    def draw(self, grid_size: int) -> npt.NDArray[np.bool_]:
        """
        Rasterise the shape onto a square grid: a bool array of shape (grid_size, grid_size).

        The shape is normalised to fill the grid: its larger bounding-box side spans the whole grid and the other
        side is centred. Node (i, j) is the point (x, y) = (i / (G − 1), j / (G − 1)) of that unit frame, so the
        mask is indexed `mask[x_index, y_index]` (x along the first axis). A node is True when it lies inside the
        shape or on its boundary (within 1e-9 of the unit frame).
        """
        G = checkGridSize(grid_size)
        x_min, y_min, x_max, y_max = self._boundingBox()
        half_extent = max(x_max - x_min, y_max - y_min) / 2.0
        if not half_extent > 0.0:
            raise ValueError('The shape has zero extent and cannot be drawn; give it a positive size.')
        unit = np.arange(G, dtype=np.float64) / (G - 1)
        xs = (x_min + x_max) / 2.0 + (2.0 * unit - 1.0) * half_extent
        ys = (y_min + y_max) / 2.0 + (2.0 * unit - 1.0) * half_extent
        X, Y = np.meshgrid(xs, ys, indexing='ij')
        return self._containsPoints(X, Y, RELATIVE_TOLERANCE * 2.0 * half_extent)


def asVertices(vertices: npt.ArrayLike, name: str = 'vertices', minimum: int = 3) -> Vertices:
    """
    Check and copy `vertices` into a new float64 array of shape (n, 2) with n ≥ `minimum`.
    Raises ValueError naming `name` when the array is not numeric, has the wrong shape, too few rows or
    non-finite values.
    """
    if not isNumericArray(vertices):
        raise ValueError(f'{name} must be an array of numbers of shape (n, 2), got {vertices!r}.')
    array = np.array(vertices, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f'{name} must have shape (n, 2), one (x, y) row per vertex; got shape {array.shape}.')
    if array.shape[0] < minimum:
        raise ValueError(f'{name} must have at least {minimum} rows (vertices); got {array.shape[0]}.')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be finite; it contains NaN or infinite values.')
    return array


def checkGridSize(grid_size: object) -> int:
    """Check that `grid_size` is an integer ≥ 2 and return it; else TypeError/ValueError."""
    return checkInteger('grid_size', grid_size, 2, 'nodes per side')


def checkPoint(name: str, value: object) -> tuple[float, float]:
    """Check that `value` is a finite pair (x, y) of numbers and return it as a tuple of floats; else ValueError."""
    if not isNumericArray(value):
        raise ValueError(f'{name} must be a pair (x, y) of numbers, got {value!r}.')
    point = np.asarray(value, dtype=np.float64)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f'{name} must be a finite pair (x, y) of numbers, got {value!r}.')
    return float(point[0]), float(point[1])


def resolveRng(rng: object) -> np.random.Generator:
    """Return `rng` if it is a numpy.random.Generator, a fresh `np.random.default_rng()` if None; else TypeError."""
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f'rng must be a numpy.random.Generator or None, got {type(rng).__name__}.')
    return rng


def drawVertexCount(N: object, max_vertices: object, rng: np.random.Generator) -> int:
    """
    The number of vertices of a generated polygon: `N` when nonzero (N ≥ 3), else drawn uniformly from
    {3, …, max_vertices} with `rng`. Raises ValueError when N is 1, 2 or negative, or max_vertices < 3.
    """
    n = checkInteger('N', N)
    maximum = checkInteger('max_vertices', max_vertices, 3)
    if n == 0:
        return int(rng.integers(3, maximum + 1))
    if n < 3:
        raise ValueError(f'N must be at least 3 (or 0 to draw it at random), got {n}.')
    return n
