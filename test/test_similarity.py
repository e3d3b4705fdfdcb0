"""Tests of kac_prediction.geometry.similarity: the principal pose, IoU at the best alignment, the disc baseline."""

import numpy as np
import numpy.typing as npt
import pytest
import shapely
import shapely.affinity
from scipy.integrate import quad

from kac_prediction.geometry import bestAlignment, discIoU, outlineIoU, principalPose

# a simple, non-convex polygon with no symmetry
ARROW = np.array([[0.0, 0.0], [3.0, 0.5], [1.2, 1.0], [2.5, 2.2], [0.3, 1.8], [-0.4, 0.9]])
SQUARE = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
# crosses itself at (0.5, 0.5): its region is two triangles of area 1/4 inside the unit square
BOWTIE = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])


def _turn(angle: float) -> npt.NDArray[np.float64]:
    """The matrix of an anticlockwise turn by `angle` (radians), applied as V @ matrix.T."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _moved(
    V: npt.NDArray[np.float64], angle: float, reflect: bool, shift: tuple[float, float]
) -> npt.NDArray[np.float64]:
    """V mirrored in the line x = 0.3 (if `reflect`), turned by `angle` about (1, −2) and then translated."""
    W = (V * [-1.0, 1.0] + [0.6, 0.0]) if reflect else V.copy()
    return (W - [1.0, -2.0]) @ _turn(angle).T + [1.0, -2.0] + shift


def _star(rng: np.random.Generator, n: int = 10) -> npt.NDArray[np.float64]:
    """A random simple polygon, non-convex in general: sorted angles about the origin with random radii."""
    angles = np.sort(rng.uniform(0.0, 2.0 * np.pi, n))
    radii = rng.uniform(0.4, 1.6, n)
    return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]) * [1.5, 0.8]


def _regularPolygon(n: int, radius: float = 1.0) -> npt.NDArray[np.float64]:
    angles = 2.0 * np.pi * np.arange(n) / n
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def _moments(V: npt.NDArray[np.float64]) -> dict[str, float]:
    """Area, ∫x, ∫y, ∫x², ∫xy, ∫y², ∫x³, ∫y³ over the polygon V, independent of the library's Green's-theorem sums:
    a constrained Delaunay triangulation and the 7-point rule on each triangle, exact for cubics (vertices 3/60,
    edge midpoints 8/60, centroid 27/60 of the triangle's area)."""
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(shapely.Polygon(V)))
    totals = dict.fromkeys(['area', 'x', 'y', 'xx', 'xy', 'yy', 'xxx', 'yyy'], 0.0)
    for triangle in triangles:
        p = np.asarray(triangle.exterior.coords)[:3]
        area = triangle.area
        midpoints = (p + np.roll(p, -1, axis=0)) / 2.0
        points = np.vstack([p, midpoints, p.mean(axis=0)])
        weights = area * np.array([3, 3, 3, 8, 8, 8, 27]) / 60.0
        x, y = points[:, 0], points[:, 1]
        for key, values in [
            ('area', np.ones_like(x)),
            ('x', x),
            ('y', y),
            ('xx', x * x),
            ('xy', x * y),
            ('yy', y * y),
            ('xxx', x**3),
            ('yyy', y**3),
        ]:
            totals[key] += float(np.sum(weights * values))
    return totals


def _symmetricDifference(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> float:
    return float(shapely.Polygon(A).symmetric_difference(shapely.Polygon(B)).area)


@pytest.mark.parametrize('reflect', [False, True])
def test_outline_iou_of_moved_copy_is_one(reflect: bool) -> None:
    rng = np.random.default_rng(3)
    for V in [ARROW, _star(rng)]:
        # 1.234 rad lies between the 2° grid steps, so the refinement is needed to reach 1
        moved = _moved(V, 1.234 + rng.uniform(0.0, 0.01), reflect, (4.0, -7.5))
        assert outlineIoU(moved, V) == pytest.approx(1.0, abs=1e-6)
        assert outlineIoU(V, moved) == pytest.approx(1.0, abs=1e-6)


def test_best_alignment_lands_on_true() -> None:
    rng = np.random.default_rng(4)
    for reflect in (False, True):
        moved = _moved(ARROW, 2.5, reflect, (-3.0, 1.0))
        aligned = bestAlignment(moved, ARROW)
        assert aligned.shape == ARROW.shape and aligned.dtype == np.float64
        assert _symmetricDifference(aligned, ARROW) < 1e-6
    # for two different shapes the aligned prediction overlaps the truth by outlineIoU
    P, T = _star(rng), _star(rng) + np.array([5.0, 2.0])
    aligned = bestAlignment(P, T)
    a, t = shapely.Polygon(aligned), shapely.Polygon(T)
    overlap = a.intersection(t).area
    assert overlap / a.union(t).area == pytest.approx(outlineIoU(P, T), abs=1e-12)
    # shape_only takes the truth's area
    assert shapely.Polygon(bestAlignment(P, T * 3.0, shape_only=True)).area == pytest.approx(9.0 * t.area)


def test_principal_pose_is_invariant() -> None:
    rng = np.random.default_rng(5)
    pose = principalPose(ARROW)
    for reflect in (False, True):
        for _ in range(3):
            moved = _moved(ARROW, rng.uniform(0.0, 2.0 * np.pi), reflect, tuple(rng.normal(size=2) * 10.0))
            moved = np.roll(moved, int(rng.integers(ARROW.shape[0])), axis=0)
            assert _symmetricDifference(principalPose(moved), pose) < 1e-9
    # and idempotent
    assert np.allclose(principalPose(pose), pose, atol=1e-12)


def test_principal_pose_moments() -> None:
    rng = np.random.default_rng(6)
    for V in [ARROW, _star(rng), _star(rng) + np.array([3.0, 1.0])]:
        pose = principalPose(V)
        assert pose.shape == V.shape and pose.dtype == np.float64
        m = _moments(pose)
        assert m['area'] == pytest.approx(abs(_moments(V)['area']), rel=1e-12)  # size unchanged
        scale = m['area'] ** 0.5
        assert abs(m['x']) < 1e-12 * scale**3 and abs(m['y']) < 1e-12 * scale**3
        assert abs(m['xy']) < 1e-12 * scale**4
        assert m['xx'] > m['yy']
        assert m['xxx'] > 0.0 and m['yyy'] > 0.0


def test_principal_pose_of_rectangle() -> None:
    rectangle = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]])
    pose = principalPose(_moved(rectangle, 0.3, False, (5.0, 5.0)))
    assert np.allclose(np.sort(np.abs(pose), axis=0), [[1.0, 0.5]] * 4, atol=1e-12)
    assert np.allclose(pose.mean(axis=0), 0.0, atol=1e-12)


def test_principal_pose_puts_the_tail_along_plus_x() -> None:
    # the area of this triangle thins out towards the apex (3, 0.5): its skew, ∫x³ dA about the centroid, is positive
    # towards the apex, which the pose must put at +x
    triangle = np.array([[0.0, 0.0], [3.0, 0.5], [0.0, 1.0]])
    for reflect in (False, True):
        pose = principalPose(_moved(triangle, 2.0, reflect, (0.0, 0.0)))
        assert np.argmax(pose[:, 0]) == 1
        assert pose[1, 0] == pytest.approx(2.0) and pose[1, 1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize('s', [0.5, 0.9])
def test_concentric_squares(s: float) -> None:
    # the smaller square fits inside at best (s < 1/√2: at any rotation), so the IoU is its area, s²
    assert outlineIoU(s * SQUARE + [3.0, 3.0], _moved(SQUARE, 0.7, False, (0.0, 0.0))) == pytest.approx(s * s, abs=1e-9)
    assert outlineIoU(SQUARE, s * SQUARE) == pytest.approx(s * s, abs=1e-9)


def test_shape_only() -> None:
    assert outlineIoU(SQUARE, 2.0 * SQUARE) == pytest.approx(0.25, abs=1e-9)
    assert outlineIoU(SQUARE, 2.0 * SQUARE + [1.0, 9.0], shape_only=True) == pytest.approx(1.0, abs=1e-9)
    assert outlineIoU(ARROW * 0.01, _moved(ARROW, 1.0, True, (0.0, 0.0)), shape_only=True) == pytest.approx(
        1.0, abs=1e-6
    )


def test_agrees_with_dense_search() -> None:
    """Against a brute-force search over 0.1° steps: the grid and refinement miss nothing larger than 1e-3."""
    rng = np.random.default_rng(7)
    angles = np.deg2rad(np.arange(0.0, 360.0, 0.1))
    for _ in range(3):
        P, T = _star(rng), _star(rng)
        p = shapely.affinity.translate(shapely.Polygon(P), *(-np.asarray(shapely.Polygon(P).centroid.coords[0])))
        t = shapely.affinity.translate(shapely.Polygon(T), *(-np.asarray(shapely.Polygon(T).centroid.coords[0])))
        best = 0.0
        for mirror in (p, shapely.affinity.scale(p, -1.0, 1.0, origin=(0.0, 0.0))):
            turned = [shapely.affinity.rotate(mirror, a, origin=(0.0, 0.0), use_radians=True) for a in angles]
            overlaps = shapely.area(shapely.intersection(turned, t))
            best = max(best, float(np.max(overlaps / (p.area + t.area - overlaps))))
        iou = outlineIoU(P, T)
        assert iou >= best - 1e-3
        assert iou <= best + 1e-3  # 0.1° steps are within 1e-3 of the optimum for these outlines
        assert outlineIoU(T, P) == pytest.approx(iou, abs=1e-6)  # the best alignment is symmetric


def test_degenerate_prediction_scores_zero() -> None:
    for predicted in [[], np.empty((0, 2)), [[0.0, 0.0]], [[0.0, 0.0], [1.0, 1.0]], [[0, 0], [1, 1], [2, 2]]]:
        assert outlineIoU(predicted, SQUARE) == 0.0
    with pytest.raises(ValueError, match='true must enclose a positive area'):
        outlineIoU(SQUARE, [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match='predicted must enclose a positive area'):
        bestAlignment([[0.0, 0.0], [1.0, 1.0]], SQUARE)
    with pytest.raises(ValueError, match='finite'):
        outlineIoU([[0.0, 0.0], [1.0, np.nan], [1.0, 1.0]], SQUARE)
    with pytest.raises(ValueError, match='vertices must enclose a positive area'):
        principalPose([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])


def test_self_intersecting_outlines_are_repaired() -> None:
    # the bowtie's region (two triangles, area 1/2) lies inside the unit square with the same centroid
    assert outlineIoU(BOWTIE, SQUARE) == pytest.approx(0.5, abs=1e-9)
    assert outlineIoU(_moved(BOWTIE, 0.4, True, (2.0, 0.0)), BOWTIE) == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < discIoU(BOWTIE) < 1.0
    pose = principalPose(BOWTIE)
    assert np.allclose(np.abs(pose), 0.5, atol=1e-12)


def test_disc_iou_of_unit_square() -> None:
    # a disc of area 1 has radius r = 1/√π ∈ (1/2, 1/√2): it crosses each side of the unit square once and misses the
    # corners, so the intersection is the disc less four circular segments at distance d = 1/2 from the centre
    r, d = 1.0 / np.sqrt(np.pi), 0.5
    segment = r * r * np.arccos(d / r) - d * np.sqrt(r * r - d * d)
    overlap = 1.0 - 4.0 * segment
    # the same area as an integral over x of the overlap's height
    kink = np.sqrt(r * r - d * d)
    integral, _ = quad(lambda x: 2.0 * min(d, np.sqrt(max(r * r - x * x, 0.0))), -d, d, points=[-kink, kink])
    assert integral == pytest.approx(overlap, abs=1e-12)
    expected = overlap / (2.0 - overlap)
    assert discIoU(SQUARE) == pytest.approx(expected, abs=1e-4)
    assert discIoU(_moved(SQUARE * 3.0, 0.77, True, (5.0, -1.0))) == pytest.approx(expected, abs=1e-4)
    # extra vertices along one side move the vertex mean but not the region, whose area centroid centres the disc
    bottom = np.column_stack([np.linspace(0.0, 1.0, 12)[1:-1], np.zeros(10)])
    assert discIoU(np.vstack([SQUARE[:1], bottom, SQUARE[1:]])) == pytest.approx(expected, abs=1e-4)


def test_disc_iou_against_shapely_disc() -> None:
    region = shapely.Polygon(ARROW)
    disc = region.centroid.buffer(np.sqrt(region.area / np.pi), quad_segs=1024)
    overlap = region.intersection(disc).area
    assert discIoU(ARROW) == pytest.approx(overlap / region.union(disc).area, abs=1e-5)


def test_disc_iou_range() -> None:
    assert discIoU(_regularPolygon(256, radius=2.0) + np.array([1.0, 1.0])) == pytest.approx(1.0, abs=1e-3)
    rng = np.random.default_rng(8)
    values = [discIoU(V) for V in [ARROW, SQUARE, _star(rng), np.array([[0.0, 0.0], [20.0, 0.0], [20.0, 0.1]])]]
    assert all(0.0 < value <= 1.0 for value in values)
    assert values[-1] < 0.1  # a sliver is nothing like a disc
    assert discIoU(_regularPolygon(6)) > discIoU(SQUARE) > discIoU(_regularPolygon(3))
