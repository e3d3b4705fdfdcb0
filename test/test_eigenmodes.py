"""physics.eigenmodes against analytic and published eigenvalues, and against the FDTD solver on non-convex drums."""

import math

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from scipy import special
from spectral import spectralPeaks

from kac_prediction.physics import eigenmodes, fdtdSynthesis, polygonMesh
from kac_prediction.samplers import FDTDModel

Array = npt.NDArray[np.float64]
L_SHAPE = np.array([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]], dtype=np.float64)  # three unit squares
L_SHAPE_LAMBDA_1 = 9.6397238440  # Trefethen & Betcke, "Computed eigenmodes of planar regions" (2006)
# The simplest Gordon–Webb–Wolpert pair (vertices as in Driscoll, "Eigenmodes of isospectral drums", SIAM Review 39,
# 1997, whose triangles have legs of 2; here legs of 1, so λ is 4× his): seven right isosceles triangles each.
GWW_1 = np.array([[0, 0], [0, 1], [2, 3], [2, 2], [3, 2], [2, 1], [1, 1], [1, 0]], dtype=np.float64)
GWW_2 = np.array([[1, 0], [0, 1], [0, 2], [2, 2], [2, 3], [3, 2], [2, 1], [1, 1]], dtype=np.float64)
GWW_DRISCOLL = 4.0 * np.array([2.53794399980, 3.65550971352, 5.17555935622])  # his first three, rescaled


def _relative(a: Array, b: Array) -> float:
    return float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1.0)))


def _circleEigenvalues(count: int) -> Array:
    """The `count` lowest Dirichlet eigenvalues of the unit disc, j_{n,m}², with multiplicity (2 for n ≥ 1)."""
    values = [special.jn_zeros(n, 8)[m] ** 2 for n in range(16) for m in range(8) for _ in range(1 if n == 0 else 2)]
    return np.sort(values)[:count]


def test_first_20_eigenvalues_of_a_circle_are_bessel_zeros_within_0_1_percent() -> None:
    angles = np.linspace(0.0, 2.0 * np.pi, 512, endpoint=False)
    disc = np.column_stack([np.cos(angles), np.sin(angles)])  # the inscribed 512-gon: λ high by ≈ 2.5e-5
    modes = eigenmodes(disc, 20)
    assert _relative(modes.eigenvalues, _circleEigenvalues(20)) < 1e-3


@pytest.mark.parametrize('sides', [(2.0, 1.0), (1.3, 0.7), (0.25, 0.25)])
def test_first_20_eigenvalues_of_rectangles_within_0_1_percent(sides: tuple[float, float]) -> None:
    a, b = sides
    modes = eigenmodes([[0, 0], [a, 0], [a, b], [0, b]], 20)
    m = np.arange(1, 25)
    exact = np.sort((np.pi**2 * ((m[:, None] / a) ** 2 + (m[None, :] / b) ** 2)).ravel())[:20]
    assert _relative(modes.eigenvalues, exact) < 1e-3


def test_l_shape_first_eigenvalue_within_0_2_percent() -> None:
    assert abs(eigenmodes(L_SHAPE, 1).eigenvalues[0] / L_SHAPE_LAMBDA_1 - 1.0) < 2e-3


def test_l_shape_needs_the_corner_refinement() -> None:
    """The re-entrant corner's singularity: without grading the error is ≥ 10× larger at the same mesh size."""
    graded = abs(eigenmodes(L_SHAPE, 1, mesh_size=0.2).eigenvalues[0] / L_SHAPE_LAMBDA_1 - 1.0)
    uniform = abs(eigenmodes(L_SHAPE, 1, mesh_size=0.2, corner_levels=0).eigenvalues[0] / L_SHAPE_LAMBDA_1 - 1.0)
    assert graded < 2e-3 and uniform > 10.0 * graded, (graded, uniform)


def test_gordon_webb_wolpert_drums_are_isospectral_within_0_1_percent() -> None:
    first, second = eigenmodes(GWW_1, 10), eigenmodes(GWW_2, 10)
    assert not shapely.Polygon(GWW_1).equals(shapely.Polygon(GWW_2))
    assert _relative(first.eigenvalues, second.eigenvalues) < 1e-3
    assert _relative(first.eigenvalues[:3], GWW_DRISCOLL) < 1e-3  # and they are the right spectrum


def test_eigenvalues_scale_as_one_over_size_squared_and_ignore_position_and_orientation() -> None:
    V = GWW_1
    turn = np.array([[math.cos(0.7), -math.sin(0.7)], [math.sin(0.7), math.cos(0.7)]])
    moved = 0.3 * V @ turn.T + np.array([5.0, -2.0])
    assert _relative(eigenmodes(moved, 6).eigenvalues * 0.3**2, eigenmodes(V, 6).eigenvalues) < 5e-4
    assert _relative(eigenmodes(V[::-1], 6).eigenvalues, eigenmodes(V, 6).eigenvalues) < 5e-4  # clockwise input


def test_modes_are_normalised_and_match_the_rectangle_analytically() -> None:
    a, b = 2.0, 1.0
    modes = eigenmodes([[0, 0], [a, 0], [a, b], [0, b]], 3)
    points = np.random.default_rng(0).uniform((0.05, 0.05), (a - 0.05, b - 0.05), (50, 2))
    for k, (m, n) in enumerate([(1, 1), (2, 1), (3, 1)]):  # λ = π²(m²/4 + n²): 12.3, 19.7, 32.1 (simple)
        exact = 2.0 / math.sqrt(a * b) * np.sin(m * np.pi * points[:, 0] / a) * np.sin(n * np.pi * points[:, 1] / b)
        computed = modes.at(points)[:, k]
        assert np.max(np.abs(computed - exact)) < 2e-3 * np.max(np.abs(exact))  # ∫φ² dA = 1, positive maximum
    assert modes.at([1.0, 0.0]) == pytest.approx(np.zeros(3), abs=1e-12)  # zero on the boundary


def test_the_mesh_covers_a_non_convex_polygon_exactly() -> None:
    points, triangles = polygonMesh(GWW_2, 0.2)
    corners = points[triangles]
    doubled = (corners[:, 1, 0] - corners[:, 0, 0]) * (corners[:, 2, 1] - corners[:, 0, 1]) - (
        corners[:, 2, 0] - corners[:, 0, 0]
    ) * (corners[:, 1, 1] - corners[:, 0, 1])
    assert np.all(doubled > 0.0)  # counter-clockwise, none degenerate
    assert math.isclose(doubled.sum() / 2.0, 3.5, rel_tol=1e-12)
    union = shapely.union_all(shapely.polygons(corners))
    assert union.symmetric_difference(shapely.Polygon(GWW_2)).area < 1e-9


@pytest.mark.parametrize(
    ('vertices', 'message'),
    [
        ([[0, 0], [1, 1], [1, 0], [0, 1]], 'simple polygon'),  # a bow tie
        ([[0, 0], [1, 0]], 'shape'),
        ([[0, 0], [1, 0], [np.nan, 1]], 'finite'),
    ],
)
def test_bad_polygons_are_refused_with_the_fix(vertices: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        eigenmodes(vertices, 3)  # type: ignore[arg-type]


def test_points_outside_and_impossible_requests_are_refused() -> None:
    modes = eigenmodes(L_SHAPE, 2, mesh_size=0.25)
    with pytest.raises(ValueError, match='outside the polygon'):
        modes.at([1.5, 1.5])  # in the missing square
    with pytest.raises(ValueError, match='n_modes'):
        eigenmodes(L_SHAPE, 0)
    with pytest.raises(ValueError, match='too few'):
        eigenmodes(L_SHAPE, 40, mesh_size=1.0, corner_levels=0)


def test_fdtd_peaks_of_a_random_non_convex_drum_sit_on_its_eigenvalues_within_0_5_percent() -> None:
    """A travelling-salesman polygon rendered by the FDTD solver at 4× oversampling (grid 0.74 mm on a 0.3 m drum):
    every resolved, audible mode among its 12 lowest has a spectral peak within 0.5 % of c·√λ/2π."""
    c, fs, R = 100.0, 48000, 4
    sampler = FDTDModel(0.6, fs, arbitrary_shape='TravellingSalesmanPolygon', drum_size=0.3, oversampling=R, seed=3)
    drum = sampler._describe(1).drum
    assert not shapely.Polygon(drum.shape.vertices).convex_hull.equals(shapely.Polygon(drum.shape.vertices))
    grid = sampler.grid(1)  # a random strike; metres in the mask's frame
    modes = eigenmodes([drum.metres(p) for p in drum.shape.vertices], 12)
    w = fdtdSynthesis([grid['mask']], grid['h'], c, 4.0, fs, sampler.length, grid['strike'], grid['listening'],
                      0.002, R)[0]  # fmt: skip
    f = c * np.sqrt(modes.eigenvalues) / (2.0 * np.pi)
    weights = np.abs(modes.at(grid['strike']) * modes.at(grid['listening'])) / f
    peaks = spectralPeaks(w, fs, count=60, floor_db=-70.0)
    checked = 0
    for k in range(12):
        isolated = np.all(np.abs(np.delete(f, k) - f[k]) > 12.0)  # Hz: the window's main lobe is ±6.7 Hz
        if isolated and weights[k] > 0.05 * weights.max():
            assert np.min(np.abs(peaks - f[k])) / f[k] < 5e-3, (k, f[k], peaks[np.argmin(np.abs(peaks - f[k]))])
            checked += 1
    assert checked >= 6
