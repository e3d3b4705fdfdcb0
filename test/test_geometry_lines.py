"""Tests of kac_prediction.geometry.lines: isColinear, largestVector, lineIntersection."""

import numpy as np
import pytest

from kac_prediction.geometry import isColinear, largestVector, lineIntersection


def test_isColinear() -> None:
    assert isColinear([[0, 0], [1, 1], [3, 3]])
    assert isColinear([[0, 0], [0, 1], [0, -5]])
    assert isColinear([[1, 1], [1, 1], [2, 7]])  # a repeated point
    assert not isColinear([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0000001]])
    assert isColinear([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0000001]], tol=1e-6)


def test_isColinear_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match='vertices must have shape \\(3, 2\\)'):
        isColinear([[0, 0], [1, 1], [2, 2], [3, 3]])
    with pytest.raises(ValueError, match='vertices must be finite'):
        isColinear([[0.0, 0.0], [1.0, np.nan], [2.0, 2.0]])
    with pytest.raises(ValueError, match='tol must be ≥ 0'):
        isColinear([[0, 0], [1, 1], [2, 2]], tol=-1.0)


def test_largestVector() -> None:
    square = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=np.float64)
    length, pair = largestVector(square)
    assert length == pytest.approx(np.sqrt(2.0))
    assert pair == (0, 2)  # the first of the two equal diagonals
    length, pair = largestVector([[0.0, 0.0], [5.0, 0.0], [1.0, 1.0], [-2.0, 0.5]])
    assert length == pytest.approx(np.hypot(7.0, 0.5))
    assert pair == (1, 3)
    assert all(isinstance(i, int) for i in pair) and isinstance(length, float)


def test_largestVector_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match='vertices must have at least 2 rows'):
        largestVector([[0, 0]])
    with pytest.raises(ValueError, match='vertices must have shape \\(n, 2\\)'):
        largestVector([0, 1, 2])


@pytest.mark.parametrize(
    ('A', 'B', 'kind', 'point'),
    [
        # proper crossing
        ([[0, 0], [2, 2]], [[0, 2], [2, 0]], 'intersect', (1.0, 1.0)),
        # shared endpoint
        ([[0, 0], [1, 0]], [[1, 0], [1, 1]], 'vertex', (1.0, 0.0)),
        ([[0, 0], [1, 0]], [[0, 0], [-1, 0]], 'vertex', (0.0, 0.0)),  # colinear, touching only at the endpoint
        # T-junctions: an endpoint of one segment inside the other
        ([[0, 0], [2, 0]], [[1, 0], [1, 3]], 'adjacent', (1.0, 0.0)),
        ([[1, -1], [1, 1]], [[0, 0], [1, 0]], 'adjacent', (1.0, 0.0)),
        # colinear overlap
        ([[0, 0], [2, 0]], [[1, 0], [3, 0]], 'colinear', (1.5, 0.0)),
        ([[0, 0], [0, 4]], [[0, 1], [0, 2]], 'colinear', (0.0, 1.75)),
        ([[0, 0], [2, 0]], [[0, 0], [1, 0]], 'colinear', (0.75, 0.0)),  # overlapping beyond the shared endpoint
        # disjoint
        ([[0, 0], [1, 0]], [[0, 1], [1, 1]], 'none', (0.0, 0.0)),  # parallel
        ([[0, 0], [1, 0]], [[2, 0], [3, 0]], 'none', (0.0, 0.0)),  # colinear, apart
        ([[0, 0], [1, 1]], [[3, 0], [2, 1]], 'none', (0.0, 0.0)),  # lines cross outside the segments
    ],
)
def test_lineIntersection(A: list[list[float]], B: list[list[float]], kind: str, point: tuple[float, float]) -> None:
    assert lineIntersection(A, B) == (kind, point)
    # symmetric in A and B, and in the direction of each segment
    assert lineIntersection(B, A) == (kind, point)
    assert lineIntersection(A[::-1], B[::-1]) == (kind, point)


def test_lineIntersection_returns_plain_floats() -> None:
    kind, point = lineIntersection(np.array([[0, 0], [2, 2]]), np.array([[0, 2], [2, 0]]))
    assert kind == 'intersect'
    assert all(type(c) is float for c in point)


def test_lineIntersection_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match='A must have shape \\(2, 2\\)'):
        lineIntersection([[0, 0], [1, 1], [2, 2]], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match='B must be finite'):
        lineIntersection([[0, 0], [1, 1]], [[0.0, np.inf], [1.0, 0.0]])
