"""Tests of the shapes in kac_prediction.geometry: Polygon, Ellipse, Circle, UnitRectangle and weylCondition."""

import math

import numpy as np
import pytest

from kac_prediction.geometry import Circle, Ellipse, Polygon, Shape, UnitRectangle, weylCondition

UNIT_SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
RIGHT_TRIANGLE = [[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]]
L_SHAPE = [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]]


# Polygon: measures


@pytest.mark.parametrize(
    ('vertices', 'area', 'centroid', 'perimeter'),
    [
        (UNIT_SQUARE, 1.0, (0.5, 0.5), 4.0),
        (RIGHT_TRIANGLE, 6.0, (1.0, 4.0 / 3.0), 12.0),
        (L_SHAPE, 3.0, (5.0 / 6.0, 5.0 / 6.0), 8.0),
        (L_SHAPE[::-1], 3.0, (5.0 / 6.0, 5.0 / 6.0), 8.0),  # the other orientation
    ],
)
def test_polygon_measures(
    vertices: list[list[float]],
    area: float,
    centroid: tuple[float, float],
    perimeter: float,
) -> None:
    P = Polygon(vertices)
    assert P.N() == len(vertices)
    assert P.area == pytest.approx(area, rel=1e-12)
    assert P.centroid == pytest.approx(centroid, rel=1e-12)
    assert P.perimeter == pytest.approx(perimeter, rel=1e-12)


def test_polygon_area_and_centroid_setters() -> None:
    P = Polygon(L_SHAPE)
    P.area = 12.0
    assert P.area == pytest.approx(12.0)
    assert P.centroid == pytest.approx((5.0 / 6.0, 5.0 / 6.0))
    assert P.perimeter == pytest.approx(16.0)  # lengths scale by 2
    P.centroid = (10.0, -3.0)
    assert P.centroid == pytest.approx((10.0, -3.0))
    assert P.area == pytest.approx(12.0)


def test_polygon_does_not_share_or_expose_writable_vertices() -> None:
    source = np.array(UNIT_SQUARE)
    P = Polygon(source)
    source[0, 0] = 7.0
    assert P.vertices[0, 0] == 0.0
    assert P.vertices.dtype == np.float64
    with pytest.raises(ValueError):
        P.vertices[0, 0] = 1.0


def test_polygon_convex_and_simple() -> None:
    assert Polygon(UNIT_SQUARE).convex()
    assert Polygon(UNIT_SQUARE[::-1]).convex()
    assert Polygon(RIGHT_TRIANGLE).convex()
    assert not Polygon(L_SHAPE).convex()
    # colinear consecutive vertices count as not convex
    assert not Polygon([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]).convex()
    # a pentagram turns one way at every vertex but is not convex
    angles = np.pi / 2 + np.arange(5) * 4 * np.pi / 5
    pentagram = Polygon(np.column_stack([np.cos(angles), np.sin(angles)]))
    assert not pentagram.convex()
    assert not pentagram.simple()
    assert Polygon(L_SHAPE).simple()
    assert Polygon([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]).simple()
    assert not Polygon([[0, 0], [1, 1], [1, 0], [0, 1]]).simple()  # bow tie
    assert not Polygon([[0, 0], [1, 0], [1, 1], [1, 1], [0, 1]]).simple()  # repeated vertex
    assert not Polygon([[0, 0], [2, 0], [2, 2], [1, 0]]).simple()  # a vertex touching an edge


def test_polygon_labels() -> None:
    P = Polygon(RIGHT_TRIANGLE)
    labels = P.getLabels()
    assert labels == {'N': [3], 'vertices': RIGHT_TRIANGLE}
    assert type(labels['N'][0]) is int and type(labels['vertices'][0][0]) is float
    assert P.__getLabels__() == labels


# Polygon: inside test and rasterisation


@pytest.mark.parametrize(
    ('vertices', 'point', 'inside'),
    [
        (UNIT_SQUARE, (0.5, 0.5), True),
        (UNIT_SQUARE, (0.0, 0.0), True),  # vertex
        (UNIT_SQUARE, (1.0, 0.3), True),  # edge
        (UNIT_SQUARE, (0.3, 1.0), True),  # edge
        (UNIT_SQUARE, (1.0 + 1e-6, 0.5), False),
        (UNIT_SQUARE, (-0.5, 0.5), False),
        (RIGHT_TRIANGLE, (1.5, 2.0), True),  # hypotenuse midpoint
        (RIGHT_TRIANGLE, (1.6, 2.0), False),
        (L_SHAPE, (1.0, 1.0), True),  # reflex vertex
        (L_SHAPE, (1.5, 1.0), True),  # edge of the notch
        (L_SHAPE, (1.0, 1.5), True),
        (L_SHAPE, (1.5, 1.5), False),  # inside the notch
        (L_SHAPE, (0.5, 1.9), True),
        (L_SHAPE, (1.9, 0.5), True),
        (L_SHAPE, (0.0, 2.0), True),
        (L_SHAPE, (2.0, 2.0), False),
    ],
)
def test_polygon_isPointInside(vertices: list[list[float]], point: tuple[float, float], inside: bool) -> None:
    assert Polygon(vertices).isPointInside(point) is inside


def test_draw_square_fills_the_grid() -> None:
    mask = Polygon(UNIT_SQUARE).draw(16)
    assert mask.shape == (16, 16) and mask.dtype == np.bool_
    assert mask.all()


def test_draw_triangle_node_by_node() -> None:
    G = 33
    mask = Polygon([[0, 0], [1, 0], [0, 1]]).draw(G)
    i, j = np.indices((G, G))
    np.testing.assert_array_equal(mask, i + j <= G - 1)  # nodes on the hypotenuse are inside
    assert abs(mask.mean() - 0.5) < 2.0 / G


def test_draw_indexing_and_centring() -> None:
    G = 21
    # 4 wide along x, 2 high along y: x spans the grid, y covers the middle half
    mask = Polygon([[0, 0], [4, 0], [4, 2], [0, 2]]).draw(G)
    np.testing.assert_array_equal(mask[:, 5:16], True)
    np.testing.assert_array_equal(mask[:, :5], False)
    np.testing.assert_array_equal(mask[:, 16:], False)
    # the same drawing whatever the position and size
    np.testing.assert_array_equal(Polygon([[-8, 10], [0, 10], [0, 14], [-8, 14]]).draw(G), mask)


def test_draw_L_shape_area_fraction() -> None:
    G = 64
    mask = Polygon(L_SHAPE).draw(G)
    assert abs(mask.mean() - 0.75) < 2.0 / G
    assert not mask[-1, -1] and mask[0, 0] and mask[-1, 0] and mask[0, -1]


def test_draw_rejects_bad_grid_size() -> None:
    with pytest.raises(ValueError, match='grid_size must be ≥ 2'):
        Polygon(UNIT_SQUARE).draw(1)
    with pytest.raises(TypeError, match='grid_size must be an integer'):
        Polygon(UNIT_SQUARE).draw(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='grid_size'):
        Circle(1.0).draw(0)


# Polygon: bad input


@pytest.mark.parametrize(
    ('vertices', 'message'),
    [
        ([[0, 0], [1, 0]], 'vertices must have at least 3 rows'),
        ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], 'vertices must have shape \\(n, 2\\)'),
        ([0, 1, 2, 3], 'vertices must have shape \\(n, 2\\)'),
        ([[0, 0], [1, np.nan], [0, 1]], 'vertices must be finite'),
        ([[0, 0], [1, np.inf], [0, 1]], 'vertices must be finite'),
        ([['a', 'b'], ['c', 'd'], ['e', 'f']], 'vertices must be an array of numbers'),
    ],
)
def test_polygon_rejects_bad_vertices(vertices: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Polygon(vertices)  # type: ignore[arg-type]
    P = Polygon(UNIT_SQUARE)
    with pytest.raises(ValueError, match=message):
        P.vertices = vertices  # type: ignore[assignment]


def test_polygon_rejects_bad_area_and_points() -> None:
    P = Polygon(UNIT_SQUARE)
    with pytest.raises(ValueError, match='area must be > 0'):
        P.area = 0.0
    with pytest.raises(ValueError, match='area must be > 0'):
        P.area = -1.0
    with pytest.raises(ValueError, match='zero area'):
        Polygon([[0, 0], [1, 1], [2, 2]]).area = 1.0
    with pytest.raises(ValueError, match='p must be a finite pair'):
        P.isPointInside((0.5, np.nan))
    with pytest.raises(ValueError, match='p must be a'):
        P.isPointInside((0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match='centroid must be a finite pair'):
        P.centroid = (1.0, 2.0, 3.0)  # type: ignore[assignment]


def test_shape_is_abstract() -> None:
    with pytest.raises(TypeError):
        Shape()  # type: ignore[abstract]


# Ellipse and Circle


def test_ellipse_measures() -> None:
    E = Ellipse(2.0, 1.0, centroid=(1.0, -1.0))
    assert (E.major, E.minor) == (2.0, 1.0)
    assert E.area == pytest.approx(2.0 * np.pi)
    assert E.perimeter == pytest.approx(9.688448220547675, rel=1e-12)
    assert E.eccentricity == pytest.approx(np.sqrt(3.0) / 2.0)
    assert E.focalDistance == pytest.approx(np.sqrt(3.0))
    (x1, y1), (x2, y2) = E.foci()
    assert (x1, y1) == pytest.approx((1.0 - np.sqrt(3.0), -1.0))  # on the major (x) axis
    assert (x2, y2) == pytest.approx((1.0 + np.sqrt(3.0), -1.0))
    assert E.centroid == (1.0, -1.0)
    assert E.getLabels() == {'major': [2.0], 'minor': [1.0]}


def test_ellipse_setters_keep_the_aspect_ratio() -> None:
    E = Ellipse(2.0, 1.0)
    E.area = 8.0 * np.pi
    assert (E.major, E.minor) == pytest.approx((4.0, 2.0))
    E.centroid = (3.0, 4.0)
    assert E.isPointInside((7.0, 4.0)) and E.isPointInside((3.0, 6.0))
    assert not E.isPointInside((3.0, 6.01))


def test_ellipse_isPointInside() -> None:
    E = Ellipse(2.0, 1.0)
    assert E.isPointInside((0.0, 0.0))
    assert E.isPointInside((2.0, 0.0)) and E.isPointInside((-2.0, 0.0))
    assert E.isPointInside((0.0, 1.0)) and E.isPointInside((0.0, -1.0))
    assert E.isPointInside((np.sqrt(2.0), np.sqrt(0.5)))  # on the boundary
    assert not E.isPointInside((0.0, 1.01))
    assert not E.isPointInside((1.9, 0.5))


def test_ellipse_draw() -> None:
    G = 65
    mask = Ellipse(2.0, 1.0, centroid=(5.0, 5.0)).draw(G)
    assert mask[0, 32] and mask[64, 32]  # ends of the major axis, along the first index
    assert mask[32, 16] and mask[32, 48]  # ends of the minor axis
    assert not mask[32, 15] and not mask[32, 49]
    assert abs(mask.mean() - np.pi / 8.0) < 4.0 / G


def test_ellipse_axes_are_ordered_and_drawn() -> None:
    E = Ellipse(1.0, 2.0)
    assert (E.major, E.minor) == (2.0, 1.0)
    rng = np.random.default_rng(3)
    for _ in range(20):
        E = Ellipse(3.0, rng=rng)
        assert E.major == 3.0 and 0.0 < E.minor <= 3.0
    assert Ellipse(3.0, rng=np.random.default_rng(1)).minor == Ellipse(3.0, rng=np.random.default_rng(1)).minor


def test_ellipse_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match='major must be > 0'):
        Ellipse(-1.0, 0.5)
    with pytest.raises(ValueError, match='major must be > 0'):
        Ellipse(0.0, 0.5)
    with pytest.raises(ValueError, match='minor must be positive'):
        Ellipse(1.0, -0.5)
    with pytest.raises(ValueError, match='minor must be finite'):
        Ellipse(1.0, np.nan)
    with pytest.raises(TypeError, match='major must be a real number'):
        Ellipse('1')  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='centroid'):
        Ellipse(1.0, 1.0, centroid=(0.0,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='area must be > 0'):
        Ellipse(1.0, 1.0).area = -2.0
    with pytest.raises(TypeError, match=r'rng must be a numpy\.random\.Generator'):
        Ellipse(1.0, rng=42)  # type: ignore[arg-type]


def test_circle() -> None:
    C = Circle(2.0, centroid=(1.0, 1.0))
    assert C.r == 2.0 and C.major == C.minor == 2.0
    assert C.area == pytest.approx(4.0 * np.pi)
    assert C.perimeter == pytest.approx(4.0 * np.pi, rel=1e-12)
    assert C.foci() == ((1.0, 1.0), (1.0, 1.0))
    assert C.getLabels() == {'r': [2.0], 'major': [2.0], 'minor': [2.0]}
    assert C.isPointInside((3.0, 1.0)) and not C.isPointInside((3.0, 1.1))
    C.area = np.pi
    assert C.r == pytest.approx(1.0)
    G = 64
    mask = Circle(0.3).draw(G)
    assert abs(mask.mean() - np.pi / 4.0) < 4.0 / G
    np.testing.assert_array_equal(mask, mask.T)
    np.testing.assert_array_equal(mask, mask[::-1])


def test_circle_random_radius_and_bad_input() -> None:
    radii = [Circle(rng=np.random.default_rng(seed)).r for seed in range(20)]
    assert all(0.0 < r <= 1.0 for r in radii) and len(set(radii)) == 20
    with pytest.raises(ValueError, match='r must be positive'):
        Circle(-1.0)


# UnitRectangle


@pytest.mark.parametrize('epsilon', [1.0, 2.25, 4.0, 10.0])
def test_unit_rectangle(epsilon: float) -> None:
    R = UnitRectangle(epsilon)
    V = R.vertices
    width = V[:, 0].max() - V[:, 0].min()
    height = V[:, 1].max() - V[:, 1].min()
    assert width / height == pytest.approx(epsilon, rel=1e-12)
    assert R.area == pytest.approx(1.0, rel=1e-12)
    assert R.centroid == pytest.approx((0.0, 0.0), abs=1e-15)
    assert V[0, 0] < 0 and V[0, 1] < 0  # starts at (−, −)
    x, y = V[:, 0], V[:, 1]
    assert np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) < 0  # clockwise
    assert R.convex() and R.epsilon == epsilon
    labels = R.getLabels()
    assert labels['epsilon'] == [epsilon] and labels['N'] == [4] and len(labels['vertices']) == 4


def test_unit_rectangle_random_and_bad_input() -> None:
    rng = np.random.default_rng(0)
    epsilons = [UnitRectangle(rng=rng).epsilon for _ in range(50)]
    assert all(1.0 <= e < 4.0 for e in epsilons)
    with pytest.raises(ValueError, match=r'epsilon must be at least 1.*epsilon = 2'):
        UnitRectangle(0.5)
    with pytest.raises(ValueError, match='epsilon must be at least 1'):
        UnitRectangle(-2.0)


# Weyl's condition


def test_weylCondition() -> None:
    square = Polygon(UNIT_SQUARE)
    c, s = math.cos(0.7), math.sin(0.7)
    rotated = Polygon(np.array(UNIT_SQUARE) @ np.array([[c, s], [-s, c]]) + [3.0, -2.0])
    assert weylCondition(square, rotated)
    assert not weylCondition(square, UnitRectangle(4.0))  # equal areas, perimeters 4 and 5
    assert not weylCondition(Circle(1.0), Polygon(UNIT_SQUARE))
    assert weylCondition(Circle(1.0), Ellipse(1.0, 1.0 + 1e-12))
    assert not weylCondition(Circle(1.0), Ellipse(1.0, 1.0 + 1e-12), rel_tol=0.0)
    with pytest.raises(TypeError, match='S2 must be a Shape'):
        weylCondition(square, UNIT_SQUARE)  # type: ignore[arg-type]
