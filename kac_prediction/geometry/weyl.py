"""`weylCondition`: the necessary condition for isospectral drums that Weyl's law gives."""

import math

from .._checks import checkReal
from .types import Shape

__all__ = ['weylCondition']


def weylCondition(S1: Shape, S2: Shape, rel_tol: float = 1e-9) -> bool:
    """
    Whether shapes S1 and S2 could be isospectral by Weyl's law. The eigenvalue counting function of the Dirichlet
    Laplacian, N(λ) ~ Aλ/(4π) − P√λ/(4π) as λ → ∞, determines the area A and the perimeter P of a drum, so drums
    that sound the same must have equal areas and equal perimeters. Returns True when both are equal within the
    relative tolerance `rel_tol` (`math.isclose`). Necessary, not sufficient: True does not mean isospectral.
    """
    for name, shape in (('S1', S1), ('S2', S2)):
        if not isinstance(shape, Shape):
            raise TypeError(f'{name} must be a Shape (e.g. a Polygon or Circle), got {type(shape).__name__}.')
    tolerance = checkReal('rel_tol', rel_tol, 0.0, inclusive=True)
    return math.isclose(S1.area, S2.area, rel_tol=tolerance) and math.isclose(
        S1.perimeter, S2.perimeter, rel_tol=tolerance
    )
