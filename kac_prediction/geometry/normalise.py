"""Similarity transforms of polygons: fit to a box, canonical poses of convex and simple polygons, scale to an area.
Every function takes vertices (array-like (n, 2)) and returns a new float64 array of the same shape."""

import numpy as np
import numpy.typing as npt
import shapely

from .lines import largestVector
from .polygon import Polygon
from .types import RELATIVE_TOLERANCE, Vertices, asVertices

__all__ = ['normaliseConvexPolygon', 'normalisePolygon', 'normaliseSimplePolygon', 'scalePolygonByArea']

_DIAMETER_TIE = 1e-12
"""Vertex pairs whose distance is within this fraction of the diameter are all candidates for the diameter."""


def normalisePolygon(vertices: npt.ArrayLike, signed: bool = False) -> Vertices:
    """
    Fit the polygon `vertices` (array-like (n, 2)) to a square by translation and uniform scaling.
    The larger side of the bounding box spans exactly [−1, 1] (`signed=True`) or [0, 1] (`signed=False`) and the
    other side is centred in that interval. Returns a new float64 array (n, 2).
    """
    V = asVertices(vertices, 'vertices')
    low = V.min(axis=0)
    extent = V.max(axis=0) - low
    larger = float(extent.max())
    if larger == 0.0:
        raise ValueError('vertices must not all be the same point; a polygon needs a positive extent.')
    # written so that the larger axis lands exactly on −1 and 1
    fitted: Vertices = (2.0 * (V - low) - extent) / larger
    return fitted if signed else (fitted + 1.0) / 2.0


def _clockwise(V: Vertices) -> Vertices:
    """The vertices in clockwise order (negative shoelace area, y up), reversed if necessary."""
    x, y = V[:, 0], V[:, 1]
    signed_area = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    return V[::-1].copy() if signed_area > 0.0 else V


def _alignDiameter(V: Vertices, i: int, j: int) -> Vertices:
    """Translate the midpoint of V[i]–V[j] to the origin and rotate so that V[j] − V[i] points along +x."""
    direction = V[j] - V[i]
    angle = np.arctan2(direction[1], direction[0])
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])  # applied on the right, this rotates by −angle
    aligned: Vertices = (V - (V[i] + V[j]) / 2.0) @ rotation
    return aligned


def _quadrantAreas(V: Vertices) -> npt.NDArray[np.float64]:
    """The polygon's area in the quadrants (+, +), (+, −), (−, −), (−, +), in that order."""
    region = shapely.Polygon(V)
    R = 2.0 * float(np.abs(V).max()) + 1.0
    boxes = [shapely.box(0, 0, R, R), shapely.box(0, -R, R, 0), shapely.box(-R, -R, 0, 0), shapely.box(-R, 0, 0, R)]
    return np.array([region.intersection(box).area for box in boxes])


def _reflectLargestQuadrant(V: Vertices) -> Vertices:
    """Reflect V (clockwise, diameter on the x axis) so that its largest quadrant area lies in x ≥ 0, y ≥ 0,
    preferring no change when (+, +) is within a relative 1e-9 of the largest; stays clockwise."""
    areas = _quadrantAreas(V)
    largest = float(areas.max())
    if areas[0] >= largest * (1.0 - RELATIVE_TOLERANCE):
        return V
    quadrant = int(np.argmax(areas))
    if quadrant == 2:  # (−, −): a half turn, which keeps the orientation
        return -V
    flip = np.array([1.0, -1.0]) if quadrant == 1 else np.array([-1.0, 1.0])
    reflected: Vertices = (V * flip)[::-1].copy()
    return reflected


def _halfTurnUpwards(V: Vertices) -> Vertices:
    """Turn V (diameter on the x axis) by a half turn unless its largest quadrant area already lies in y ≥ 0."""
    areas = _quadrantAreas(V)
    upper = max(areas[0], areas[3])
    return V if upper >= float(areas.max()) * (1.0 - RELATIVE_TOLERANCE) else -V


def _startAtLeftmost(V: Vertices) -> Vertices:
    """Rotate the order of V so that the vertex with the smallest x comes first."""
    return np.roll(V, -int(np.argmin(V[:, 0])), axis=0)


def _canonicalPose(V: Vertices, signed: bool, reflect: bool) -> Vertices:
    """Steps (a)–(e) of `normaliseConvexPolygon`; `reflect=False` replaces the reflection (c) by a half turn."""
    V = _clockwise(V)
    diameter, _ = largestVector(V)
    rows, columns = np.triu_indices(V.shape[0], k=1)
    lengths = np.hypot(*(V[rows] - V[columns]).T)
    candidates = np.flatnonzero(lengths >= diameter * (1.0 - _DIAMETER_TIE))
    poses = []
    for k in candidates:
        aligned = _alignDiameter(V, int(rows[k]), int(columns[k]))
        posed = _reflectLargestQuadrant(aligned) if reflect else _halfTurnUpwards(aligned)
        poses.append(_startAtLeftmost(normalisePolygon(posed, signed=signed)))
    # ties between diameters (symmetric polygons): choose a pose by its coordinates, not by the input order
    return min(poses, key=lambda pose: tuple(np.round(pose, 9).ravel()))


def normaliseConvexPolygon(vertices: npt.ArrayLike, signed: bool = False) -> Vertices:
    """
    The canonical pose of a strictly convex polygon `vertices` (array-like (n, 2)); a new float64 array (n, 2).

    (a) order the vertices clockwise; (b) translate the midpoint of the diameter (the longest vertex pair, see
    `largestVector`) to the origin and rotate it onto the x axis; (c) reflect so that the quadrant holding the most
    area is x ≥ 0, y ≥ 0 (keeping the order clockwise); (d) `normalisePolygon(signed)`; (e) start the order at the
    vertex with the smallest x. The diameter then spans x ∈ [−1, 1] (signed) or [0, 1] (unsigned). The result is
    idempotent and does not depend on the input's position, size, rotation, reflection or starting vertex.
    Raises ValueError for a polygon that is not strictly convex (see `Polygon.convex`).
    """
    polygon = Polygon(vertices)
    if not polygon.convex():
        raise ValueError(
            'vertices must describe a strictly convex polygon (no colinear consecutive vertices); '
            'use normaliseSimplePolygon for other simple polygons.'
        )
    return _canonicalPose(polygon.vertices, signed, reflect=True)


def normaliseSimplePolygon(vertices: npt.ArrayLike, signed: bool = False) -> Vertices:
    """
    The canonical pose of a simple polygon `vertices` (array-like (n, 2)); a new float64 array (n, 2).

    As `normaliseConvexPolygon` without reflections: clockwise order, the diameter centred on the origin along the x
    axis, turned by a half turn if needed so that the quadrant holding the most area lies in y ≥ 0, fitted by
    `normalisePolygon(signed)`, and started at the vertex with the smallest x. The result does not depend on the
    input's position, size, rotation or starting vertex (a mirror image gives a mirrored pose).
    Raises ValueError for a polygon that is not simple (see `Polygon.simple`).
    """
    polygon = Polygon(vertices)
    if not polygon.simple():
        raise ValueError('vertices must describe a simple polygon (distinct vertices, no crossing or touching edges).')
    return _canonicalPose(polygon.vertices, signed, reflect=False)


def canonicalSimplePose(vertices: npt.ArrayLike) -> Vertices:
    """The signed canonical pose of a simple polygon (array-like (n, 2)): `normaliseConvexPolygon` if it is strictly
    convex, else `normaliseSimplePolygon`; a new float64 array (n, 2)."""
    if Polygon(vertices).convex():
        return normaliseConvexPolygon(vertices, signed=True)
    return normaliseSimplePolygon(vertices, signed=True)


def scalePolygonByArea(vertices: npt.ArrayLike, area: float) -> Vertices:
    """The polygon `vertices` (array-like (n, 2)) scaled about its centroid to `area` (> 0, units²); a new array."""
    polygon = Polygon(vertices)
    polygon.area = area
    return np.array(polygon.vertices)
