"""`UnitRectangle`: a rectangle of unit area with a given side ratio."""

from typing import TypedDict

import numpy as np

from .._checks import checkReal
from .polygon import Polygon
from .types import ShapeLabels, resolveRng

__all__ = ['UnitRectangle']


class UnitRectangle(Polygon):
    """
    A rectangle of area 1 centred on the origin with aspect ratio ε = width / height ≥ 1: width √ε along x and height
    1/√ε along y. Vertices clockwise from the bottom left: (−, −), (−, +), (+, +), (+, −).
    """

    class Settings(TypedDict, total=False):
        """Keyword arguments of `UnitRectangle` (besides `rng`)."""

        epsilon: float

    def __init__(self, epsilon: float = 0.0, rng: np.random.Generator | None = None) -> None:
        """`epsilon`: the aspect ratio width / height (≥ 1), or 0 to draw it from U(1, 4) with `rng`."""
        ratio = checkReal('epsilon', epsilon)
        if ratio == 0.0:
            ratio = float(resolveRng(rng).uniform(1.0, 4.0))
        elif ratio < 1.0:
            hint = f' (use epsilon = {1.0 / ratio:g}, the same drum turned by 90°)' if ratio > 0.0 else ''
            raise ValueError(f'epsilon must be at least 1, or 0 to draw it at random; got {ratio}{hint}.')
        self._epsilon = ratio
        half_width, half_height = np.sqrt(ratio) / 2.0, 1.0 / (2.0 * np.sqrt(ratio))
        super().__init__(
            [
                [-half_width, -half_height],
                [-half_width, half_height],
                [half_width, half_height],
                [half_width, -half_height],
            ],
        )

    @property
    def epsilon(self) -> float:
        """The aspect ratio width / height given at construction (≥ 1)."""
        return self._epsilon

    def getLabels(self) -> ShapeLabels:
        """`{'epsilon': [ε], 'N': [4], 'vertices': [[x, y], …]}` with plain Python numbers."""
        return {'epsilon': [self._epsilon], **super().getLabels()}
