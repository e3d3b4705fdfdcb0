"""Scoring drum outlines up to what their sound cannot tell (position, rotation, mirror image): the canonical principal
pose, the intersection over union at the best alignment, and the disc baseline.

An outline is given by its vertices (array-like (n, 2), metres, any frame, either orientation). A self-intersecting
outline stands for the region `shapely.make_valid` gives it (the even–odd rule, as in `Polygon.isPointInside`), so a
predicted outline that crosses itself is scored rather than rejected."""

from typing import cast

import numpy as np
import numpy.typing as npt
import shapely
from scipy.optimize import minimize_scalar
from shapely.geometry.polygon import orient

from .types import Vertices, asVertices

__all__ = ['bestAlignment', 'discIoU', 'outlineIoU', 'principalPose']

_GRID_STEPS = 180
"""Rotations tried per reflection by `outlineIoU` before refining (a step of 2°)."""

_REFINED = 4
"""The largest local maxima of the rotation grid that are refined by a bounded scalar search."""

_ANGLE_TOLERANCE = 1e-9
"""Absolute tolerance (radians) of the refining search."""

_DISC_VERTICES = 512
"""Vertices of the polygon that stands for the disc in `discIoU`."""

_POLYGON = 3
"""shapely's type id of a Polygon."""


def _region(vertices: Vertices) -> shapely.Geometry:
    """The region enclosed by `vertices` (n, 2): the polygon itself when it is valid, else the polygonal parts of
    `shapely.make_valid` (a Polygon or MultiPolygon); an empty Polygon when it encloses no area (n < 3 included)."""
    if vertices.shape[0] < 3:
        return shapely.Polygon()
    polygon = shapely.Polygon(vertices)
    if polygon.is_valid:
        return polygon
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(polygon)))  # collections hold multi-parts
    polygons = parts[(shapely.get_type_id(parts) == _POLYGON) & (shapely.area(parts) > 0.0)]
    if polygons.size == 0:
        return shapely.Polygon()
    return polygons[0] if polygons.size == 1 else shapely.multipolygons(polygons)


def _outline(vertices: npt.ArrayLike, name: str) -> tuple[Vertices, shapely.Geometry]:
    """`vertices` checked (array-like (n, 2), finite; n = 0 allowed) as a float64 array, and its region."""
    V = np.empty((0, 2)) if np.size(vertices) == 0 else asVertices(vertices, name, minimum=1)
    return V, _region(V)


def _filled(vertices: npt.ArrayLike, name: str) -> tuple[Vertices, shapely.Geometry]:
    """As `_outline`, but a ValueError naming `name` unless the region has a positive area."""
    V, region = _outline(vertices, name)
    if not region.area > 0.0:
        raise ValueError(f'{name} must enclose a positive area (at least 3 vertices, not all on one line).')
    return V, region


def _rings(region: shapely.Geometry, origin: npt.NDArray[np.float64]) -> list[Vertices]:
    """The boundary rings of `region` relative to `origin`, without the closing vertex, exteriors anticlockwise and
    holes clockwise, so that Green's theorem over all rings together integrates over the region."""
    rings = []
    for part in shapely.get_parts(region):
        oriented = orient(part, sign=1.0)
        for ring in [oriented.exterior, *oriented.interiors]:
            rings.append(np.asarray(ring.coords)[:-1] - origin)
    return rings


def _moments(rings: list[Vertices]) -> npt.NDArray[np.float64]:
    """The exact area moments ∫x² dA, ∫xy dA, ∫y² dA, ∫x³ dA, ∫y³ dA (units⁴ and units⁵) of the region bounded by
    `rings` (see `_rings`): Green's theorem, that is, sums over the triangles spanned by the origin and each edge."""
    total = np.zeros(5)
    for ring in rings:
        x0, y0 = ring[:, 0], ring[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        cross = x0 * y1 - x1 * y0  # twice the signed area of the triangle (origin, edge)
        total += [
            np.sum(cross * (x0 * x0 + x0 * x1 + x1 * x1)) / 12.0,
            np.sum(cross * (2.0 * x0 * y0 + x0 * y1 + x1 * y0 + 2.0 * x1 * y1)) / 24.0,
            np.sum(cross * (y0 * y0 + y0 * y1 + y1 * y1)) / 12.0,
            np.sum(cross * (x0 + x1) * (x0 * x0 + x1 * x1)) / 20.0,
            np.sum(cross * (y0 + y1) * (y0 * y0 + y1 * y1)) / 20.0,
        ]
    return total


def _centroid(region: shapely.Geometry) -> npt.NDArray[np.float64]:
    """The area centroid of `region` as a float64 array (2,)."""
    point = shapely.centroid(region)
    return np.array([shapely.get_x(point), shapely.get_y(point)])


def principalPose(vertices: npt.ArrayLike) -> Vertices:
    """
    The canonical frame of a drum outline `vertices` (array-like (n, 2), a simple polygon, convex or not); a new
    float64 array (n, 2) whose row i is the image of input vertex i (the order is kept, so a reflection reverses the
    orientation).

    The outline is translated so that its area centroid is the origin, rotated so that the principal axis of its
    area second-moment tensor along which the area spreads most (the long axis) lies along x, so that ∫xy dA = 0 and
    ∫x² dA ≥ ∫y² dA, and reflected in either axis so that the third moments ∫x³ dA and ∫y³ dA are ≥ 0; its size is
    unchanged. The moments are exact (Green's theorem over the edges), not rasterised, so the pose does not depend on
    the input's position, rotation, reflection or starting vertex. When the two principal moments are equal (regular
    polygons, squares) the direction of the x axis is arbitrary, and a third moment that vanishes (a mirror-symmetric
    shape) leaves its reflection to rounding; `outlineIoU` and `discIoU` do not depend on the pose. A self-intersecting
    outline is posed by the region `shapely.make_valid` gives it. Raises ValueError when it encloses no area.
    """
    V, region = _filled(vertices, 'vertices')
    centre = _centroid(region)
    second = _moments(_rings(region, centre))
    angle = 0.5 * np.arctan2(2.0 * second[1], second[0] - second[2])
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])  # applied on the right, this rotates by −angle
    third = _moments([ring @ rotation for ring in _rings(region, centre)])
    signs = np.where(third[3:] < 0.0, -1.0, 1.0)
    posed: Vertices = ((V - centre) @ rotation) * signs
    return posed


def _turned(region: shapely.Geometry, angles: npt.NDArray[np.float64], reflected: bool) -> npt.NDArray[np.object_]:
    """Copies of `region`, one per angle: mirrored in the y axis when `reflected`, then turned anticlockwise about the
    origin by `angles` (radians, shape (k,))."""
    count = shapely.get_num_coordinates(region)
    c, s = np.repeat(np.cos(angles), count), np.repeat(np.sin(angles), count)

    def turn(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x = -xy[:, 0] if reflected else xy[:, 0]
        return np.column_stack([c * x - s * xy[:, 1], s * x + c * xy[:, 1]])

    return cast(npt.NDArray[np.object_], shapely.transform(np.full(angles.size, region, dtype=object), turn))


def _overlaps(
    predicted: shapely.Geometry,
    true: shapely.Geometry,
    angles: npt.NDArray[np.float64],
    reflected: bool,
) -> npt.NDArray[np.float64]:
    """The intersection areas of `true` with `predicted` mirrored (if `reflected`) and turned by each of `angles`."""
    return cast(
        npt.NDArray[np.float64], shapely.area(shapely.intersection(_turned(predicted, angles, reflected), true))
    )


def _search(predicted: shapely.Geometry, true: shapely.Geometry) -> tuple[float, bool, float]:
    """The largest intersection area of `true` with `predicted` (both centred on the origin) over all rotations about
    the origin and the reflection, with the reflection and angle (radians) that give it."""
    step = 2.0 * np.pi / _GRID_STEPS
    grid = step * np.arange(_GRID_STEPS, dtype=np.float64)
    areas = np.stack([_overlaps(predicted, true, grid, reflected) for reflected in (False, True)])
    peaks = (areas >= np.roll(areas, 1, axis=1)) & (areas >= np.roll(areas, -1, axis=1))
    candidates = np.flatnonzero(peaks)
    candidates = candidates[np.argsort(-areas.ravel()[candidates], kind='stable')][:_REFINED]
    best = (-1.0, False, 0.0)
    for index in candidates:
        row, column = divmod(int(index), _GRID_STEPS)
        reflected = bool(row)
        start = float(grid[column])
        if areas[row, column] > best[0]:
            best = (float(areas[row, column]), reflected, start)

        def loss(angle: float, reflected: bool = reflected) -> float:
            return -float(_overlaps(predicted, true, np.array([angle]), reflected)[0])

        result = minimize_scalar(
            loss,
            bounds=(start - step, start + step),
            method='bounded',
            options={'xatol': _ANGLE_TOLERANCE},
        )
        if -float(result.fun) > best[0]:
            best = (-float(result.fun), reflected, float(result.x) % (2.0 * np.pi))
    return best


def _scaled(region: shapely.Geometry, factor: float) -> shapely.Geometry:
    """`region` scaled about the origin by `factor`."""
    return shapely.transform(region, lambda xy: xy * factor)


def _alignment(
    predicted: npt.ArrayLike,
    true: npt.ArrayLike,
    shape_only: bool,
) -> tuple[float, Vertices | None]:
    """The best IoU of `predicted` with `true` and `predicted`'s vertices moved onto `true` at that optimum (None,
    with IoU 0, when `predicted` encloses no area)."""
    _, true_region = _filled(true, 'true')
    P, predicted_region = _outline(predicted, 'predicted')
    if not predicted_region.area > 0.0:
        return 0.0, None
    true_centre, predicted_centre = _centroid(true_region), _centroid(predicted_region)
    moved_true = shapely.transform(true_region, lambda xy: xy - true_centre)
    moved = shapely.transform(predicted_region, lambda xy: xy - predicted_centre)
    true_area, area = float(true_region.area), float(predicted_region.area)
    if shape_only:
        moved_true = _scaled(moved_true, 1.0 / np.sqrt(true_area))
        moved = _scaled(moved, 1.0 / np.sqrt(area))
        true_area = area = 1.0
    overlap, reflected, angle = _search(moved, moved_true)
    iou = min(1.0, overlap / (area + true_area - overlap))
    scale = np.sqrt(float(true_region.area) / float(predicted_region.area)) if shape_only else 1.0
    c, s = np.cos(angle), np.sin(angle)
    mirrored = (P - predicted_centre) * ([-scale, scale] if reflected else [scale, scale])
    aligned: Vertices = mirrored @ np.array([[c, s], [-s, c]]) + true_centre  # on the right, a turn by +angle
    return iou, aligned


def outlineIoU(predicted: npt.ArrayLike, true: npt.ArrayLike, shape_only: bool = False) -> float:
    """
    The intersection over union (area of intersection / area of union, 0 … 1) of two outlines, `predicted` and `true`
    (array-like (n, 2) and (m, 2), metres, any frame), at their best alignment: each area centroid moved to the
    origin, then the largest IoU over all rotations θ ∈ [0, 2π) of `predicted` about its centroid, with and without
    reflecting it. With `shape_only=True` both are first scaled about their centroids to unit area, which scores
    shape alone.

    The rotations are searched on a grid of 2° steps for each reflection, and the four largest local maxima are
    refined by a bounded scalar search over ±2° (to about 1e-8 rad); the result is accurate to about 1e-3 (closer
    unless the best alignment is a peak narrower than 2°: within about 1e-7 of 1 for moved and mirrored copies, and
    exact to rounding for shapes that fit inside each other). A `predicted` outline that encloses no area (fewer than
    3 vertices, an empty array, or all on one line) scores 0.0; a self-intersecting one is scored by the region
    `shapely.make_valid` gives it. Raises ValueError for non-finite or misshaped arrays and when `true` has no area.
    """
    return _alignment(predicted, true, shape_only)[0]


def bestAlignment(predicted: npt.ArrayLike, true: npt.ArrayLike, shape_only: bool = False) -> Vertices:
    """
    `predicted` (array-like (n, 2)) moved onto `true` (array-like (m, 2)) at the optimum of `outlineIoU`: centroid on
    `true`'s centroid, rotated and, if that scores better, mirrored; with `shape_only=True` also scaled about its
    centroid to `true`'s area. A new float64 array (n, 2) whose row i is the image of vertex i of `predicted`, in
    `true`'s frame (for plotting the two together). Raises ValueError when either encloses no area.
    """
    _filled(predicted, 'predicted')
    return cast(Vertices, _alignment(predicted, true, shape_only)[1])


def discIoU(vertices: npt.ArrayLike) -> float:
    """
    The disc baseline of an outline `vertices` (array-like (n, 2)): the IoU (0 … 1] of the region with a disc of the
    same area centred at its area centroid. Rotation-invariant. The disc is a regular 512-gon with exactly that area,
    which differs from the true disc by less than 2e-5 of the radius, so the result is accurate to about 1e-4.
    A self-intersecting outline is scored by the region `shapely.make_valid` gives it; raises ValueError when it
    encloses no area.
    """
    _, region = _filled(vertices, 'vertices')
    area = float(region.area)
    # the circumradius of the regular polygon with `area`: area = (N / 2) r² sin(2π / N)
    radius = np.sqrt(2.0 * area / (_DISC_VERTICES * np.sin(2.0 * np.pi / _DISC_VERTICES)))
    angles = 2.0 * np.pi * np.arange(_DISC_VERTICES) / _DISC_VERTICES
    disc = shapely.Polygon(_centroid(region) + radius * np.column_stack([np.cos(angles), np.sin(angles)]))
    overlap = float(shapely.intersection(region, disc).area)
    return min(1.0, overlap / (area + float(disc.area) - overlap))
