"""`PolygonFamily`: a random polygon whose family (convex, irregular star or travelling-salesman) is itself drawn."""

from typing import TypedDict

import numpy as np

from .convex_polygon import ConvexPolygon
from .irregular_star import IrregularStar
from .polygon import Polygon
from .travelling_salesman_polygon import TravellingSalesmanPolygon
from .types import ShapeLabels, resolveRng

__all__ = ['FAMILIES', 'PolygonFamily']

FAMILIES = {'convex': ConvexPolygon, 'star': IrregularStar, 'tsp': TravellingSalesmanPolygon}
"""The polygon families by name; the label `family` is the index of the name in this order."""


class PolygonFamily(Polygon):
    """A random polygon of a family drawn uniformly from `families` (names of `FAMILIES`): a convex polygon (Valtr),
    an irregular star or a travelling-salesman polygon (both non-convex in general), with N vertices drawn from
    {3, …, max_vertices} (4 for stars and travelling-salesman polygons, which are convex below 4), in its family's
    pose. Labels: `N`, `vertices` and `family` [index into FAMILIES' order]."""

    class Settings(TypedDict, total=False):
        """Keyword arguments of `PolygonFamily` (besides `rng`)."""

        families: tuple[str, ...]
        max_vertices: int

    def __init__(
        self,
        families: tuple[str, ...] | list[str] = ('convex', 'star', 'tsp'),
        max_vertices: int = 10,
        rng: np.random.Generator | None = None,
    ) -> None:
        """`families`: names among 'convex', 'star', 'tsp' (drawn uniformly); `max_vertices` ≥ 4; `rng`: the source
        of all randomness (default a fresh `np.random.default_rng()`)."""
        names = list(families)
        unknown = [name for name in names if name not in FAMILIES]
        if not names or unknown:
            raise ValueError(f'families must be a non-empty list of {", ".join(FAMILIES)}, got {families!r}.')
        if not isinstance(max_vertices, int) or isinstance(max_vertices, bool) or max_vertices < 4:
            raise ValueError(f'max_vertices must be an integer ≥ 4, got {max_vertices!r}.')
        generator = resolveRng(rng)
        name = names[int(generator.integers(len(names)))]
        low = 3 if name == 'convex' else 4
        N = int(generator.integers(low, max_vertices + 1))
        shape = FAMILIES[name](N=N, max_vertices=max_vertices, rng=generator)
        super().__init__(shape.vertices)
        self.family = list(FAMILIES).index(name)

    def getLabels(self) -> ShapeLabels:
        """`N`, `vertices` and `family` (the index of the family's name in `FAMILIES`)."""
        return {**super().getLabels(), 'family': [self.family]}
