"""Elementary tests on points and line segments: colinearity, the longest vertex pair, segment intersection."""

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial.distance import pdist

from .._checks import checkReal
from .types import asVertices

__all__ = ['IntersectionType', 'isColinear', 'largestVector', 'lineIntersection']

IntersectionType = Literal['none', 'vertex', 'colinear', 'adjacent', 'intersect']
"""How two segments meet; see `lineIntersection`."""


def isColinear(vertices: npt.ArrayLike, tol: float = 0.0) -> bool:
    """
    Whether the three points a, b, c = `vertices` (array-like of shape (3, 2)) lie on one line.
    Tests (c.y − b.y)(b.x − a.x) == (b.y − a.y)(c.x − b.x), exactly when `tol` = 0, else with the absolute
    tolerance |lhs − rhs| ≤ tol (units² of the coordinates).
    """
    points = asVertices(vertices, 'vertices')
    if points.shape != (3, 2):
        raise ValueError(f'vertices must have shape (3, 2), three (x, y) points; got shape {points.shape}.')
    tolerance = checkReal('tol', tol, 0.0, inclusive=True)
    a, b, c = points
    lhs = (c[1] - b[1]) * (b[0] - a[0])
    rhs = (b[1] - a[1]) * (c[0] - b[0])
    return bool(lhs == rhs) if tolerance == 0.0 else bool(abs(lhs - rhs) <= tolerance)


def largestVector(vertices: npt.ArrayLike) -> tuple[float, tuple[int, int]]:
    """
    The longest Euclidean distance between two of the points `vertices` (array-like of shape (n, 2), n ≥ 2),
    and the indices (i, j), i < j, of that pair. On ties the first pair in the order (0, 1), (0, 2), …, (1, 2), …
    wins.
    """
    points = asVertices(vertices, 'vertices', minimum=2)
    distances = pdist(points)
    k = int(np.argmax(distances))
    rows, columns = np.triu_indices(points.shape[0], k=1)
    return float(distances[k]), (int(rows[k]), int(columns[k]))


def _cross(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> float:
    """The z component of the cross product of two 2-vectors."""
    return float(u[0] * v[1] - u[1] * v[0])


def _asSegment(segment: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    """Check and copy a segment: array-like of shape (2, 2), rows the two endpoints (x, y)."""
    points = asVertices(segment, name, minimum=2)
    if points.shape != (2, 2):
        raise ValueError(f'{name} must have shape (2, 2), two (x, y) endpoints; got shape {points.shape}.')
    return points


def _point(p: npt.NDArray[np.float64]) -> tuple[float, float]:
    return float(p[0]), float(p[1])


def _colinearIntersection(
    A: npt.NDArray[np.float64],
    B: npt.NDArray[np.float64],
) -> tuple[IntersectionType, tuple[float, float]]:
    """Classify two parallel segments: 'colinear' overlap, a single touching point, or 'none'."""
    base, direction = (A[0], A[1] - A[0]) if np.any(A[1] != A[0]) else (B[0], B[1] - B[0])
    if not np.any(direction != 0.0):
        # both segments are single points
        return ('vertex', _point(A[0])) if np.array_equal(A[0], B[0]) else ('none', (0.0, 0.0))
    if any(_cross(direction, p - base) != 0.0 for p in (*A, *B)):
        return 'none', (0.0, 0.0)
    axis = int(np.argmax(np.abs(direction)))
    low = max(A[:, axis].min(), B[:, axis].min())
    high = min(A[:, axis].max(), B[:, axis].max())
    if low < high:
        return 'colinear', _point(np.concatenate([A, B]).mean(axis=0))
    if low > high:
        return 'none', (0.0, 0.0)
    touching = A[int(np.argmin(np.abs(A[:, axis] - low)))]
    shared = any(np.array_equal(touching, q) for q in B)
    return ('vertex' if shared else 'adjacent'), _point(touching)


def lineIntersection(A: npt.ArrayLike, B: npt.ArrayLike) -> tuple[IntersectionType, tuple[float, float]]:
    """
    How the closed segments A and B (each array-like of shape (2, 2), rows the endpoints (x, y)) meet, and where.
    Exact floating-point tests, in this order:
    - 'colinear': the segments lie on one line and overlap in a segment of positive length; the point is the mean
      of the four endpoints.
    - 'vertex': the segments meet only at an endpoint they share; the point is that endpoint.
    - 'adjacent': they meet at one point that is an endpoint of exactly one of them (a T-junction); that endpoint.
    - 'intersect': they cross at a point interior to both; the crossing point.
    - 'none': they do not meet; the point is (0., 0.).
    A zero-length segment is treated as a point.
    """
    a = _asSegment(A, 'A')
    b = _asSegment(B, 'B')
    dA = a[1] - a[0]
    dB = b[1] - b[0]
    denominator = _cross(dA, dB)
    if denominator == 0.0:
        return _colinearIntersection(a, b)
    for p in a:
        if any(np.array_equal(p, q) for q in b):
            return 'vertex', _point(p)
    offset = b[0] - a[0]
    t = _cross(offset, dB) / denominator
    u = _cross(offset, dA) / denominator
    if not (0.0 <= t <= 1.0 and 0.0 <= u <= 1.0):
        return 'none', (0.0, 0.0)
    if t in (0.0, 1.0):
        return 'adjacent', _point(a[int(t)])
    if u in (0.0, 1.0):
        return 'adjacent', _point(b[int(u)])
    return 'intersect', _point(a[0] + t * dA)
