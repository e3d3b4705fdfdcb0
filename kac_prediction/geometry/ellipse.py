"""`Ellipse` (semi-axes along x and y) and `Circle`."""

from typing import TypedDict

import numpy as np
import numpy.typing as npt
from scipy.special import ellipe

from .._checks import checkReal
from .types import Shape, ShapeLabels, checkPoint, resolveRng

__all__ = ['Circle', 'Ellipse']


def _drawnOrGiven(value: float, name: str, scale: float, rng: np.random.Generator | None) -> float:
    """`value` if positive; if 0, `scale` × U(0, 1] drawn from `rng`; negative → ValueError naming `name`."""
    if value < 0.0:
        raise ValueError(f'{name} must be positive, or 0 to draw it at random; got {value}.')
    if value == 0.0:
        return scale * (1.0 - resolveRng(rng).random())
    return value


class Ellipse(Shape):
    """An ellipse with semi-axes `major` along x and `minor` along y (major ≥ minor > 0), centred on `centroid`."""

    class Settings(TypedDict, total=False):
        """Keyword arguments of `Ellipse` (besides `rng`)."""

        major: float
        minor: float
        centroid: tuple[float, float]

    def __init__(
        self,
        major: float = 1.0,
        minor: float = 0.0,
        centroid: tuple[float, float] = (0.0, 0.0),
        rng: np.random.Generator | None = None,
    ) -> None:
        """
        `major`, `minor`: semi-axes (units, > 0); minor = 0 draws minor = major × U(0, 1] from `rng`. The two are
        swapped if needed so that major ≥ minor. `centroid`: the centre (x, y).
        """
        a = checkReal('major', major, 0.0)
        b = _drawnOrGiven(checkReal('minor', minor), 'minor', a, rng)
        self._major, self._minor = max(a, b), min(a, b)
        self._centroid = checkPoint('centroid', centroid)

    @property
    def major(self) -> float:
        """The semi-major axis, along x (units)."""
        return self._major

    @property
    def minor(self) -> float:
        """The semi-minor axis, along y (units)."""
        return self._minor

    @property
    def area(self) -> float:
        """π · major · minor (units²)."""
        return float(np.pi * self._major * self._minor)

    @area.setter
    def area(self, value: float) -> None:
        scale = np.sqrt(checkReal('area', value, 0.0) / self.area)
        self._major *= float(scale)
        self._minor *= float(scale)

    @property
    def centroid(self) -> tuple[float, float]:
        """The centre (x, y)."""
        return self._centroid

    @centroid.setter
    def centroid(self, value: tuple[float, float]) -> None:
        self._centroid = checkPoint('centroid', value)

    @property
    def eccentricity(self) -> float:
        """√(1 − minor² / major²), in [0, 1)."""
        return float(np.sqrt(1.0 - (self._minor / self._major) ** 2))

    @property
    def focalDistance(self) -> float:
        """The distance from the centre to each focus, major · eccentricity = √(major² − minor²) (units)."""
        return self._major * self.eccentricity

    def foci(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The two foci, on the major (x) axis: centroid ∓ (focalDistance, 0)."""
        x, y = self._centroid
        c = self.focalDistance
        return (x - c, y), (x + c, y)

    @property
    def perimeter(self) -> float:
        """4 · major · E(e²), with E the complete elliptic integral of the second kind (units)."""
        return float(4.0 * self._major * ellipe(self.eccentricity**2))

    def getLabels(self) -> ShapeLabels:
        """`{'major': [major], 'minor': [minor]}` as plain floats."""
        return {'major': [self._major], 'minor': [self._minor]}

    def _boundingBox(self) -> tuple[float, float, float, float]:
        x, y = self._centroid
        return x - self._major, y - self._minor, x + self._major, y + self._minor

    def _containsPoints(
        self,
        x: npt.NDArray[np.float64],
        y: npt.NDArray[np.float64],
        tolerance: float,
    ) -> npt.NDArray[np.bool_]:
        """Inside the ellipse whose semi-axes are lengthened by `tolerance`."""
        cx, cy = self._centroid
        u = (x - cx) / (self._major + tolerance)
        v = (y - cy) / (self._minor + tolerance)
        inside: npt.NDArray[np.bool_] = u * u + v * v <= 1.0
        return inside


class Circle(Ellipse):
    """A circle of radius `r`: an `Ellipse` with major = minor = r."""

    class Settings(TypedDict, total=False):
        """Keyword arguments of `Circle` (besides `rng`)."""

        r: float
        centroid: tuple[float, float]

    def __init__(
        self,
        r: float = 0.0,
        centroid: tuple[float, float] = (0.0, 0.0),
        rng: np.random.Generator | None = None,
    ) -> None:
        """`r`: radius (units, > 0), or 0 to draw it from U(0, 1] with `rng`. `centroid`: the centre (x, y)."""
        radius = _drawnOrGiven(checkReal('r', r), 'r', 1.0, rng)
        super().__init__(major=radius, minor=radius, centroid=centroid)

    @property
    def r(self) -> float:
        """The radius (units)."""
        return self._major

    def getLabels(self) -> ShapeLabels:
        """`{'r': [r], 'major': [r], 'minor': [r]}` as plain floats."""
        return {'r': [self._major], **super().getLabels()}
