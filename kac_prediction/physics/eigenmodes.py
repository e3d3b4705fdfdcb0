"""Dirichlet eigenmodes of any simple polygon, convex or not, by finite elements.

−Δφ = λφ inside, φ = 0 on the boundary. Method: a conforming triangle mesh of the polygon (`polygonMesh`: boundary
points every ≈ h along each edge, interior points on a hexagonal lattice of spacing h, Delaunay-triangulated by
scipy with every boundary segment recovered as a mesh edge, triangles outside dropped), refined `corner_levels`
times around each re-entrant (reflex) corner, where the modes are singular (φ ~ r^(π/α)); Lagrange elements of
`order` 2 (scikit-fem assembles the stiffness and mass matrices); the lowest eigenpairs of K·v = λ·M·v by
scipy.sparse.linalg.eigsh in shift-invert mode about 0.

Convergence: for P2 elements on a polygon without reflex corners, the relative error of λ_k falls as h⁴, measured
≈ 8e-4·(√λ_k·h)⁴, which sizes the default mesh for a `tolerance` on the highest λ asked for; a reflex corner of
angle α slows it to h^(2π/α) unless the mesh is graded there, which the corner refinement does (each level halves
the elements within a disc about the corner that halves too). Defaults give the first 20 eigenvalues of the disc (as
a 512-gon) and of rectangles within 0.021 % and λ₁ of the L-shaped drum within 0.009 % (0.25 % without the
grading; test/test_eigenmodes.py). Cost, one core: 0.1 s for 20 modes; 0.1–0.5 s for 50 modes at tolerance 4e-3
(1 600–6 200 unknowns); a narrow neck forces a fine mesh (seen: 56 000 unknowns, 9 s).
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg
from scipy.spatial import Delaunay, cKDTree

from .._checks import checkCount, checkNumber

__all__ = ['Eigenmodes', 'eigenmodes', 'polygonMesh', 'reflexCorners']

_P2_ERROR = (
    8e-4  # relative error of λ ≈ _P2_ERROR·(√λ·h)⁴ for P2 elements (measured: disc, rectangles, random polygons)
)
_MAX_NODES = 400_000  # mesh points: refuse work that would take minutes and gigabytes


def _polygon(vertices: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], Any]:
    """Counter-clockwise float64 (n, 2) vertices without a repeated last vertex, and the shapely polygon; ValueError
    for anything that is not a simple polygon with an area."""
    V = np.asarray(vertices, dtype=np.float64)
    if V.ndim != 2 or V.shape[1] != 2 or V.shape[0] < 3:
        raise ValueError(f'vertices must be an array of shape (n, 2) with n ≥ 3, got shape {V.shape}.')
    if not np.all(np.isfinite(V)):
        raise ValueError('vertices must be finite numbers.')
    if np.array_equal(V[0], V[-1]):
        V = V[:-1]
    region = shapely.Polygon(V)
    if not (region.is_valid and region.area > 0.0):
        raise ValueError(
            'vertices must trace a simple polygon with a positive area (no edge crossing another, no repeated '
            'point); the drum is undefined otherwise. Reorder them (e.g. by angle about an inside point) or fix them.'
        )
    if not region.exterior.is_ccw:
        V = V[::-1].copy()
    keep = np.abs(_turns(V)) > 1e-12 * region.length**2  # drop vertices on a straight edge
    return V[keep], region


def _turns(V: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The cross product of the edges in and out of every vertex: > 0 convex, < 0 reflex (counter-clockwise V)."""
    before = V - np.roll(V, 1, axis=0)
    after = np.roll(V, -1, axis=0) - V
    return np.asarray(before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0], dtype=np.float64)


def reflexCorners(vertices: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The re-entrant corners (interior angle > π) of a simple polygon, float64 (k, 2), in its units."""
    V, _ = _polygon(vertices)
    return V[_turns(V) < 0.0]


def _boundary(V: npt.NDArray[np.float64], h: float) -> tuple[npt.NDArray[np.float64], list[tuple[int, int]]]:
    """Points every ≤ h along each edge (the vertices among them) and the segments between them, as point indices.
    Both edges at a vertex get their first point at the same distance from it (≤ h, ≤ 0.4 of either edge), so that
    splitting segments at their midpoints near a sharp corner ends (Ruppert's concentric shells)."""
    edges = np.roll(V, -1, axis=0) - V
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    guard = np.minimum(h, 0.4 * np.minimum(lengths, np.roll(lengths, 1)))  # at each vertex
    points: list[npt.NDArray[np.float64]] = []
    for k in range(V.shape[0]):
        a, u, length = V[k], edges[k] / lengths[k], lengths[k]
        start, end = guard[k], length - guard[(k + 1) % V.shape[0]]
        pieces = max(1, math.ceil((end - start) / h))
        t = np.concatenate([[0.0], start + (end - start) * np.arange(pieces + 1, dtype=np.float64) / pieces])
        points.append(a + t[:, None] * u)
    P = np.concatenate(points)
    n = P.shape[0]
    return P, [(i, (i + 1) % n) for i in range(n)]


def _recoverSegments(
    B: npt.NDArray[np.float64], segments: list[tuple[int, int]], inner: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], list[tuple[int, int]], npt.NDArray[np.float64]]:
    """Make every boundary segment a Delaunay edge: no other point may lie in its diametral circle (a Gabriel edge is
    a Delaunay edge). Interior points that encroach are dropped; boundary points that do (near sharp corners) split
    the segment at its midpoint, until none encroaches."""
    points = [p for p in B]
    segments = list(segments)
    for _ in range(256):
        boundary = np.asarray(points)
        ends = np.asarray(segments)
        middle = (boundary[ends[:, 0]] + boundary[ends[:, 1]]) / 2.0
        radius = np.hypot(*(boundary[ends[:, 0]] - boundary[ends[:, 1]]).T) / 2.0
        if inner.size:
            tree = cKDTree(inner)
            hits = tree.query_ball_point(middle, radius * (1.0 + 1e-6))
            drop = np.unique(np.concatenate([np.asarray(h, dtype=np.int64) for h in hits] + [np.zeros(0, np.int64)]))
            inner = np.delete(inner, drop, axis=0)
        tree = cKDTree(boundary)
        split = []
        for s, near in enumerate(tree.query_ball_point(middle, radius * (1.0 - 1e-9))):
            if any(k not in segments[s] for k in near):
                split.append(s)
        if not split:
            return boundary, segments, inner
        for s in sorted(split, reverse=True):
            i, j = segments[s]
            points.append((boundary[i] + boundary[j]) / 2.0)
            k = len(points) - 1
            segments[s : s + 1] = [(i, k), (k, j)]
    raise RuntimeError('the polygon mesh could not recover its boundary; its edges may be too close to each other.')


def polygonMesh(vertices: npt.ArrayLike, h: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """A conforming triangle mesh of the simple polygon `vertices` ((n, 2), any units) with edges of about `h` (same
    units): points float64 (p, 2), triangles int64 (t, 3) counter-clockwise. Its triangles cover the polygon exactly
    (their areas sum to the polygon's); RuntimeError otherwise."""
    V, region = _polygon(vertices)
    h = checkNumber('h', h, 'the edge length of the mesh, in the units of the vertices')
    x0, y0, x1, y1 = region.bounds
    if region.area / (h * h) > _MAX_NODES:
        raise ValueError(
            f'a mesh of edge {h:.3g} would need about {region.area / (h * h):.0f} points (more than {_MAX_NODES}); '
            'ask for fewer modes or a coarser mesh_size.'
        )
    B, segments = _boundary(V, h)
    rows = np.arange(y0, y1 + h, h * math.sqrt(3.0) / 2.0)
    X = np.concatenate([np.arange(x0 + (0.5 * h if r % 2 else 0.0), x1 + h, h) for r in range(rows.size)])
    Y = np.concatenate([np.full(np.arange(x0 + (0.5 * h if r % 2 else 0.0), x1 + h, h).size, y) for r, y in
                        enumerate(rows)])  # fmt: skip
    inside = shapely.contains_xy(region, X, Y)
    inner = np.column_stack([X[inside], Y[inside]])
    if inner.size:
        inner = inner[shapely.distance(region.exterior, shapely.points(inner)) > 0.45 * h]
    boundary, segments, inner = _recoverSegments(B, segments, inner)
    points = np.concatenate([boundary, inner]) if inner.size else boundary
    triangles = Delaunay(points).simplices.astype(np.int64)
    corners = points[triangles]
    doubled = (corners[:, 1, 0] - corners[:, 0, 0]) * (corners[:, 2, 1] - corners[:, 0, 1]) - (
        corners[:, 2, 0] - corners[:, 0, 0]
    ) * (corners[:, 1, 1] - corners[:, 0, 1])
    centroids = corners.mean(axis=1)
    keep = shapely.contains_xy(region, centroids[:, 0], centroids[:, 1]) & (np.abs(doubled) > 1e-12 * h * h)
    triangles = triangles[keep]
    triangles[doubled[keep] < 0.0] = triangles[doubled[keep] < 0.0][:, [0, 2, 1]]
    covered = float(np.abs(doubled[keep]).sum()) / 2.0
    if not math.isclose(covered, region.area, rel_tol=1e-9):
        raise RuntimeError(
            f'the polygon mesh covers {covered:.12g} of the area {region.area:.12g}; the polygon may have edges '
            'closer than the mesh size: give a smaller mesh_size.'
        )
    used = np.unique(triangles)
    renumber = np.full(points.shape[0], -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    return points[used], renumber[triangles]


@dataclass(frozen=True)
class Eigenmodes:
    """The lowest Dirichlet eigenpairs of a polygon (`eigenmodes`): `eigenvalues` λ_k (1/units², ascending,
    float64 (K,)) and the mode shapes, normalised so that ∫φ_k² dA = 1 over the polygon, evaluated by `at`."""

    eigenvalues: npt.NDArray[np.float64]
    vertices: npt.NDArray[np.float64]
    n_dofs: int  # unknowns of the discrete problem
    _basis: Any = field(repr=False)
    _vectors: npt.NDArray[np.float64] = field(repr=False)  # (all dofs, K), zero on the boundary
    _region: Any = field(repr=False)

    @property
    def area(self) -> float:
        """The polygon's area, units²."""
        return float(self._region.area)

    def at(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """φ_k at `points` ((P, 2) or (2,), the units of the vertices, inside or on the polygon): float64 (P, K) or
        (K,). ValueError naming the first point outside."""
        X = np.asarray(points, dtype=np.float64)
        single = X.ndim == 1
        X = np.atleast_2d(X)
        if X.ndim != 2 or X.shape[1] != 2 or not np.all(np.isfinite(X)):
            raise ValueError(f'points must be finite (x, y) pairs of shape (P, 2) or (2,), got shape {X.shape}.')
        scale = math.sqrt(self.area)
        outside = ~shapely.intersects_xy(self._region.buffer(1e-9 * scale), X[:, 0], X[:, 1])
        if np.any(outside):
            raise ValueError(
                f'point {tuple(X[np.flatnonzero(outside)[0]])} lies outside the polygon; modes are evaluated inside.'
            )
        values = np.asarray(self._basis.probes(X.T) @ self._vectors, dtype=np.float64)
        return values[0] if single else values


def eigenmodes(
    vertices: npt.ArrayLike,
    n_modes: int,
    mesh_size: float | None = None,
    order: int = 2,
    corner_levels: int = 4,
    tolerance: float = 2e-4,
) -> Eigenmodes:
    """The `n_modes` lowest Dirichlet eigenvalues of −Δ on the simple polygon `vertices` ((n, 2), convex or not,
    in metres or any unit: λ is in 1/unit²) and their normalised mode shapes (module docstring for the method).

    mesh_size: the mesh's edge length in the vertices' units; default: the h at which P2 elements reach the relative
    error `tolerance` on λ_K (estimated by Weyl's law), (tolerance / 8e-4)^(1/4) / √λ_K, at most sqrt(area)/12 (the
    error of the frequencies is half that of λ). order: 1, 2 or 3 (Lagrange elements; the default mesh is sized
    for 2). corner_levels: refinements about each reflex corner (0: none). Returns `Eigenmodes`."""
    n_modes = checkCount('n_modes', n_modes)
    V, region = _polygon(vertices)
    if order not in (1, 2, 3):
        raise ValueError(f'order must be 1, 2 or 3 (Lagrange elements), got {order!r}.')
    corner_levels = checkCount('corner_levels', corner_levels, 0)
    area, perimeter = region.area, region.length
    if mesh_size is None:
        # Weyl's law with its perimeter term: N(λ) ≈ Aλ/4π − P√λ/4π, solved for the K-th eigenvalue
        root = (perimeter + math.sqrt(perimeter**2 + 16.0 * math.pi * area * (n_modes + 1))) / (2.0 * area)
        tolerance = checkNumber('tolerance', tolerance, 'the relative error of the highest eigenvalue')
        mesh_size = min((tolerance / _P2_ERROR) ** 0.25 / root, math.sqrt(area) / 12.0)
    h = checkNumber('mesh_size', mesh_size, 'the edge length of the mesh, in the units of the vertices')
    import skfem
    from skfem.models.poisson import laplace, mass

    points, triangles = polygonMesh(V, h)
    mesh = skfem.MeshTri(np.ascontiguousarray(points.T), np.ascontiguousarray(triangles.T))
    corners = V[_turns(V) < 0.0]
    for level in range(corner_levels if corners.size else 0):
        radius = 3.0 * h * 0.5**level
        centres = mesh.p[:, mesh.t].mean(axis=1).T
        distance = cKDTree(corners).query(centres)[0]
        marked = np.flatnonzero(distance < radius)
        if marked.size:
            mesh = mesh.refined(marked)
    element = {1: skfem.ElementTriP1, 2: skfem.ElementTriP2, 3: skfem.ElementTriP3}[order]()
    basis = skfem.CellBasis(mesh, element)
    K = laplace.assemble(basis)
    M = mass.assemble(basis)
    interior = basis.complement_dofs(basis.get_dofs())
    if interior.size <= n_modes + 1:
        raise ValueError(
            f'the mesh has {interior.size} unknowns, too few for {n_modes} modes; give a smaller mesh_size.'
        )
    K_ii = sparse.csc_matrix(K[interior][:, interior])
    M_ii = sparse.csc_matrix(M[interior][:, interior])
    values, vectors = sparse_linalg.eigsh(K_ii, k=n_modes, M=M_ii, sigma=0.0, which='LM')
    order_ = np.argsort(values)
    values, vectors = values[order_], vectors[:, order_]
    # eigsh returns M-orthonormal vectors: ∫φ² dA = 1; fix the sign so that each mode is positive where it is largest
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(n_modes)])
    full = np.zeros((basis.N, n_modes), dtype=np.float64)
    full[interior] = vectors * signs
    return Eigenmodes(np.asarray(values, dtype=np.float64), V, int(interior.size), basis, full, region)
