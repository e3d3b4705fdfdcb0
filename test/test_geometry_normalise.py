"""Tests of kac_prediction.geometry.normalise: box fitting, canonical poses, scaling by area."""

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from scipy.spatial import ConvexHull

from kac_prediction.geometry import (
    Polygon,
    largestVector,
    normaliseConvexPolygon,
    normalisePolygon,
    normaliseSimplePolygon,
    scalePolygonByArea,
)

L_SHAPE = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]])
# a simple, non-convex polygon with no symmetry
ARROW = np.array([[0.0, 0.0], [3.0, 0.5], [1.2, 1.0], [2.5, 2.2], [0.3, 1.8], [-0.4, 0.9]])


def _signedArea(V: npt.NDArray[np.float64]) -> float:
    x, y = V[:, 0], V[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _randomConvex(rng: np.random.Generator, n_points: int = 12) -> npt.NDArray[np.float64]:
    """A convex polygon, independent of the library's generators: the hull of random points."""
    points = rng.normal(size=(n_points, 2)) * [2.0, 0.7]
    return points[ConvexHull(points).vertices]


def _similar(
    V: npt.NDArray[np.float64],
    rng: np.random.Generator,
    reflect: bool,
) -> npt.NDArray[np.float64]:
    """V moved by a random rotation, (optional) reflection, scaling, translation and cyclic shift."""
    angle = rng.uniform(0.0, 2.0 * np.pi)
    c, s = np.cos(angle), np.sin(angle)
    W = V @ np.array([[c, s], [-s, c]])
    if reflect:
        W = W * [-1.0, 1.0]
    W = W * rng.uniform(0.1, 10.0) + rng.uniform(-5.0, 5.0, 2)
    return np.roll(W, int(rng.integers(V.shape[0])), axis=0)


# normalisePolygon


def test_normalisePolygon_fits_the_larger_side() -> None:
    rectangle = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]) + np.array([3.0, 7.0])
    signed = normalisePolygon(rectangle, signed=True)
    np.testing.assert_array_equal(signed, [[-1, -0.5], [1, -0.5], [1, 0.5], [-1, 0.5]])
    unsigned = normalisePolygon(rectangle)
    np.testing.assert_array_equal(unsigned, [[0, 0.25], [1, 0.25], [1, 0.75], [0, 0.75]])
    assert rectangle[0, 0] == 3.0  # the input is untouched
    tall = normalisePolygon(rectangle[:, ::-1], signed=True)
    assert tall[:, 1].min() == -1.0 and tall[:, 1].max() == 1.0


def test_normalisePolygon_is_exact_and_invariant() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        V = rng.normal(size=(7, 2)) * rng.uniform(0.1, 10.0, 2)
        signed = normalisePolygon(V, signed=True)
        larger = int(np.argmax(np.ptp(V, axis=0)))
        assert signed[:, larger].min() == -1.0 and signed[:, larger].max() == 1.0
        other = signed[:, 1 - larger]
        assert other.min() == pytest.approx(-other.max(), abs=1e-15)
        moved = V * 3.5 + [10.0, -4.0]
        np.testing.assert_allclose(normalisePolygon(moved, signed=True), signed, atol=1e-12)
        np.testing.assert_allclose(normalisePolygon(V), (signed + 1.0) / 2.0, atol=1e-15)


def test_normalisePolygon_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match='positive extent'):
        normalisePolygon([[1, 1], [1, 1], [1, 1]])
    with pytest.raises(ValueError, match='vertices must be finite'):
        normalisePolygon([[0.0, 0.0], [1.0, np.nan], [0.0, 1.0]])


# normaliseConvexPolygon


def _assertCanonical(P: npt.NDArray[np.float64], signed: bool) -> None:
    low = -1.0 if signed else 0.0
    assert _signedArea(P) < 0.0  # clockwise
    assert P[:, 0].min() == low and P[:, 0].max() == 1.0
    assert P[0, 0] == low  # starts at the left end of the diameter
    assert np.all(P >= low) and np.all(P <= 1.0)
    # a diameter joins the first vertex to the rightmost one, horizontally
    length, _ = largestVector(P)
    right = int(np.argmax(P[:, 0]))
    assert length == pytest.approx(1.0 - low, rel=1e-12)
    assert np.hypot(*(P[right] - P[0])) == pytest.approx(length, rel=1e-12)
    assert P[right, 1] == pytest.approx(P[0, 1], abs=1e-12)


@pytest.mark.parametrize('signed', [True, False])
def test_normaliseConvexPolygon_canonical_pose(signed: bool) -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        V = _randomConvex(rng)
        P = normaliseConvexPolygon(V, signed=signed)
        assert P.shape == V.shape
        _assertCanonical(P, signed)
        # with the diameter on the x axis, the quadrant holding the most area is (+, +)
        centred = P if signed else P * 2.0 - 1.0
        centred = centred - [0.0, centred[0, 1]]
        areas = [_quadrantArea(centred, sx, sy) for sx, sy in [(1, 1), (1, -1), (-1, -1), (-1, 1)]]
        assert areas[0] == max(areas)
        # idempotent
        np.testing.assert_allclose(normaliseConvexPolygon(P, signed=signed), P, rtol=0, atol=1e-12)


def _quadrantArea(V: npt.NDArray[np.float64], sx: int, sy: int) -> float:
    """The area of polygon V in the quadrant with signs (sx, sy)."""
    box = shapely.box(min(0, 3 * sx), min(0, 3 * sy), max(0, 3 * sx), max(0, 3 * sy))
    return float(shapely.Polygon(V).intersection(box).area)


def test_normaliseConvexPolygon_invariances() -> None:
    rng = np.random.default_rng(2)
    for _ in range(30):
        V = _randomConvex(rng)
        P = normaliseConvexPolygon(V, signed=True)
        for reflect in (False, True):
            np.testing.assert_allclose(normaliseConvexPolygon(_similar(V, rng, reflect), signed=True), P, atol=1e-9)
        np.testing.assert_allclose(normaliseConvexPolygon(V[::-1], signed=True), P, atol=1e-9)


@pytest.mark.parametrize('sides', [3, 4, 6, 7])
def test_normaliseConvexPolygon_symmetric_shapes(sides: int) -> None:
    """Regular polygons and a rectangle have several diameters; the pose must not depend on which is found first."""
    rng = np.random.default_rng(sides)
    angles = 2.0 * np.pi * np.arange(sides) / sides
    shapes = [np.column_stack([np.cos(angles), np.sin(angles)]), np.array([[0, 0], [3, 0], [3, 1], [0, 1.0]])]
    for V in shapes:
        P = normaliseConvexPolygon(V, signed=True)
        _assertCanonical(P, True)
        for _ in range(10):
            np.testing.assert_allclose(normaliseConvexPolygon(_similar(V, rng, True), signed=True), P, atol=1e-9)
        np.testing.assert_allclose(normaliseConvexPolygon(P, signed=True), P, atol=1e-12)


def test_normaliseConvexPolygon_rejects_non_convex() -> None:
    with pytest.raises(ValueError, match='normaliseSimplePolygon'):
        normaliseConvexPolygon(L_SHAPE)
    with pytest.raises(ValueError, match='vertices must have at least 3 rows'):
        normaliseConvexPolygon([[0, 0], [1, 1]])


# normaliseSimplePolygon


@pytest.mark.parametrize('V', [L_SHAPE, ARROW], ids=['L', 'arrow'])
@pytest.mark.parametrize('signed', [True, False])
def test_normaliseSimplePolygon(V: npt.NDArray[np.float64], signed: bool) -> None:
    rng = np.random.default_rng(3)
    P = normaliseSimplePolygon(V, signed=signed)
    _assertCanonical(P, signed)
    assert Polygon(P).simple()
    np.testing.assert_allclose(normaliseSimplePolygon(P, signed=signed), P, atol=1e-12)
    for _ in range(10):
        np.testing.assert_allclose(normaliseSimplePolygon(_similar(V, rng, False), signed=signed), P, atol=1e-9)
    np.testing.assert_allclose(normaliseSimplePolygon(V[::-1], signed=signed), P, atol=1e-9)


def test_normaliseSimplePolygon_rejects_non_simple() -> None:
    with pytest.raises(ValueError, match='vertices must describe a simple polygon'):
        normaliseSimplePolygon([[0, 0], [1, 1], [1, 0], [0, 1]])


# scalePolygonByArea


def test_scalePolygonByArea() -> None:
    V = L_SHAPE.copy()
    S = scalePolygonByArea(V, 0.75)
    assert Polygon(S).area == pytest.approx(0.75)
    assert Polygon(S).centroid == pytest.approx(Polygon(V).centroid)
    np.testing.assert_array_equal(V, L_SHAPE)  # the input is untouched
    S[0, 0] = 100.0  # the result is a new, writable array
    with pytest.raises(ValueError, match='area must be > 0'):
        scalePolygonByArea(V, 0.0)
    with pytest.raises(ValueError, match='zero area'):
        scalePolygonByArea([[0, 0], [1, 1], [2, 2]], 1.0)
