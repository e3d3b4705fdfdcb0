"""Equilateral-triangle modes checked against independent computations: a P1 finite-element eigen-solve of the
Dirichlet Laplacian, Gauss-Legendre quadrature over the triangle, and direct evaluation on the sides."""

import functools
import itertools

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from kac_prediction.physics.triangle import (
    barycentricToCartesian,
    cartesianToBarycentric,
    equilateralTriangleModes,
    equilateralTriangleNorms,
    equilateralTriangleSeries,
)

AREA = np.sqrt(3.0) / 4.0  # of the unit-side triangle
LAME = (4.0 * np.pi / 3.0) ** 2  # λ_pq = LAME·(p² + pq + q²) for L = 1


def lameEigenvalues(count: int) -> npt.NDArray[np.float64]:
    """The `count` smallest Dirichlet eigenvalues (L = 1) with multiplicity, straight from Lamé's formula."""
    p, q = np.meshgrid(np.arange(1, 30), np.arange(1, 30))
    return np.sort(LAME * (p * p + p * q + q * q).ravel())[:count].astype(np.float64)


class FEProblem:
    """P1 elements on the structured mesh that splits each side into n parts (n² equilateral triangles), L = 1."""

    def __init__(self, n: int) -> None:
        a, b = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing='ij')
        keep = a + b <= n
        a, b = a[keep], b[keep]
        index = -np.ones((n + 1, n + 1), dtype=np.int64)
        index[a, b] = np.arange(a.size)
        self.bary = np.stack([1.0 - (a + b) / n, a / n, b / n], axis=-1)
        self.xy = barycentricToCartesian(self.bary)
        up = [(i, j) for i in range(n) for j in range(n - i)]
        down = [(i, j) for i in range(n - 1) for j in range(n - 1 - i)]
        tri = np.array(
            [(index[i, j], index[i + 1, j], index[i, j + 1]) for i, j in up]
            + [(index[i + 1, j], index[i + 1, j + 1], index[i, j + 1]) for i, j in down]
        )
        assert len(tri) == n * n
        # element matrices from the vertex coordinates: K_e = area·∇φᵢ·∇φⱼ, M_e = area/12·(1 + δᵢⱼ)
        X = self.xy[tri]  # (E, 3, 2)
        P = np.concatenate([np.ones((len(tri), 3, 1)), X], axis=-1)
        grads = np.linalg.inv(P)[:, 1:, :]  # (E, 2, 3)
        area = 0.5 * np.abs(np.linalg.det(P))
        Ke = area[:, None, None] * np.einsum('eki,ekj->eij', grads, grads)
        Me = area[:, None, None] / 12.0 * (np.ones((3, 3)) + np.eye(3))
        rows = np.repeat(tri, 3, axis=1).ravel()
        cols = np.tile(tri, (1, 3)).ravel()
        size = a.size
        self.K = sp.csr_matrix((Ke.ravel(), (rows, cols)), shape=(size, size))
        self.M = sp.csr_matrix((Me.ravel(), (rows, cols)), shape=(size, size))
        self.interior = np.flatnonzero((a > 0) & (b > 0) & (a + b < n))
        self.centroid = int(index[n // 3, n // 3]) if n % 3 == 0 else -1

    def eigen(self, k: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The k smallest eigenvalues and their M-orthonormal eigenvectors on all nodes (0 on the boundary)."""
        i = self.interior
        K = self.K[i][:, i].tocsc()
        M = self.M[i][:, i].tocsc()
        values, vectors = spla.eigsh(K, k=k, M=M, sigma=0.0, which='LM')
        order = np.argsort(values)
        full = np.zeros((self.bary.shape[0], k))
        full[i] = vectors[:, order]
        return values[order], full


@functools.lru_cache(maxsize=8)
def feSolution(n: int, k: int = 13) -> tuple[FEProblem, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    problem = FEProblem(n)
    values, vectors = problem.eigen(k)
    return problem, values, vectors


def gaussTriangle(order: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Barycentric nodes and weights (summing to 1) of a collapsed Gauss-Legendre rule: ∫_T f / area = Σ wᵢ f(xᵢ)."""
    x, wx = np.polynomial.legendre.leggauss(order)
    s, ws = (x + 1.0) / 2.0, wx / 2.0
    S, T = np.meshgrid(s, s, indexing='ij')
    v = S.ravel()
    w = ((1.0 - S) * T).ravel()
    weights = 2.0 * (np.outer(ws, ws) * (1.0 - S)).ravel()
    return np.stack([1.0 - v - w, v, w], axis=-1), weights


def eigenspaces(N: int, M: int) -> dict[int, list[tuple[int, int]]]:
    """Table entries (row, column), 0-based, grouped by m² + mn + n²."""
    groups: dict[int, list[tuple[int, int]]] = {}
    for n in range(1, N + 1):
        for m in range(1, M + 1):
            groups.setdefault(m * m + m * n + n * n, []).append((n - 1, m - 1))
    return groups


# series


def test_series_values_and_shape() -> None:
    S = equilateralTriangleSeries(3, 4)
    assert S.shape == (3, 4) and S.dtype == np.float64
    assert S[0, 0] == pytest.approx(np.sqrt(3.0))
    assert S[1, 0] == pytest.approx(np.sqrt(7.0)) and S[0, 1] == pytest.approx(np.sqrt(7.0))
    assert S[2, 3] == pytest.approx(np.sqrt(16 + 12 + 9))
    # f = 2cS/(3L): fundamental of a 1-m drum with c = 1 m/s is 2/√3 Hz
    assert 2.0 * S[0, 0] / 3.0 == pytest.approx(2.0 / np.sqrt(3.0))


# finite elements


def test_fe_eigenvalues_match_lame() -> None:
    _, values, _ = feSolution(60)
    exact = lameEigenvalues(13)
    assert np.all(values >= exact * (1 - 1e-9))  # conforming FE eigenvalues bound from above
    assert np.max(np.abs(values[:10] / exact[:10] - 1.0)) < 0.01
    assert np.max(np.abs(values / exact - 1.0)) < 0.015


def test_fe_eigenvalues_converge_at_second_order() -> None:
    exact = lameEigenvalues(13)
    errors = [np.max(np.abs(feSolution(n)[1] / exact - 1.0)) for n in (16, 32, 64)]
    assert errors[0] > errors[1] > errors[2]
    for coarse, fine in itertools.pairwise(errors):
        assert 3.5 < coarse / fine < 4.5  # O(h²) for P1


def test_fe_eigenvectors_lie_in_analytic_eigenspaces() -> None:
    """The mesh is a piece of the hexagonal lattice, invariant under W and the reflection in BC, so the FE stencils
    map the antisymmetrised plane waves to multiples of themselves: the nodal values of the analytic modes span the FE
    eigenspaces up to rounding, not just up to O(h²)."""
    problem, _, vectors = feSolution(60)
    modes = equilateralTriangleModes(problem.bary, 6, 6)
    groups = eigenspaces(6, 6)
    exact = lameEigenvalues(13)
    for s in sorted(groups)[:7]:
        entries = groups[s]
        fe = vectors[:, np.isclose(exact, LAME * s)]
        assert fe.shape[1] == len(entries)
        A = np.stack([modes[:, r, c] for r, c in entries], axis=-1)
        gram = A.T @ (problem.M @ A)
        projected = A @ np.linalg.solve(gram, A.T @ (problem.M @ fe))
        residual = fe - projected
        relative = np.sqrt(np.abs(np.einsum('ik,ik->k', residual, problem.M @ residual)))  # fe is M-orthonormal
        assert np.all(relative < 1e-9), (s, relative)


def test_discrete_laplacian_of_analytic_modes() -> None:
    problem = FEProblem(64)
    modes = equilateralTriangleModes(problem.bary, 4, 4).reshape(-1, 16)
    lam = LAME * equilateralTriangleSeries(4, 4).ravel() ** 2
    lumped = np.asarray(problem.M.sum(axis=1)).ravel()
    i = problem.interior
    laplacian = (problem.K @ modes)[i] / lumped[i, None]  # −Δ_h, the hexagonal 7-point stencil
    scale = lam * np.max(np.abs(modes[i]), axis=0)
    error = np.max(np.abs(laplacian - lam * modes[i]), axis=0) / scale
    assert np.all(error < 0.02), error
    # the stencil is −Δ − (h²/16)·Δ² + O(h⁴), and Δ²ψ = λ²ψ for an eigenfunction
    h2 = (1.0 / 64) ** 2
    corrected = np.max(np.abs(laplacian - lam * (1.0 - lam * h2 / 16.0) * modes[i]), axis=0) / scale
    assert np.all(corrected < 2e-4), corrected


# boundary, symmetry, norms, orthogonality


def test_modes_vanish_on_the_sides() -> None:
    t = np.linspace(0.0, 1.0, 201)
    zero = np.zeros_like(t)
    for side in (np.stack([t, 1 - t, zero], -1), np.stack([t, zero, 1 - t], -1), np.stack([zero, t, 1 - t], -1)):
        assert np.max(np.abs(equilateralTriangleModes(side, 12, 12))) < 1e-12


def test_symmetry_about_the_altitude_through_A() -> None:
    rng = np.random.default_rng(1)
    bary = rng.dirichlet(np.ones(3), size=50)
    psi = equilateralTriangleModes(bary, 7, 7)
    mirrored = equilateralTriangleModes(bary[:, [0, 2, 1]], 7, 7)
    sign = np.where(np.arange(7)[None, :] > np.arange(7)[:, None], -1.0, 1.0)  # column > row: R, antisymmetric
    np.testing.assert_allclose(mirrored, sign * psi, atol=1e-12)


def test_norms_and_orthogonality_by_quadrature() -> None:
    N = M = 9  # includes the accidental degeneracy (1, 9) ~ (5, 6): 91 = 1 + 9 + 81 = 25 + 30 + 36
    S = equilateralTriangleSeries(N, M)
    assert S[0, 8] == pytest.approx(S[4, 5])
    nodes, weights = gaussTriangle(80)
    psi = equilateralTriangleModes(nodes, N, M).reshape(-1, N * M)
    gram = psi.T @ (weights[:, None] * psi)
    norms = equilateralTriangleNorms(N, M).ravel()
    np.testing.assert_allclose(np.diag(gram), norms, rtol=1e-9)
    np.testing.assert_allclose(equilateralTriangleNorms(2, 2), [[6.0, 3.0], [3.0, 6.0]])
    off = gram - np.diag(np.diag(gram))
    assert np.max(np.abs(off) / np.sqrt(np.outer(norms, norms))) < 1e-9


def test_norms_with_the_fe_mass_matrix() -> None:
    problem = FEProblem(128)
    psi = equilateralTriangleModes(problem.bary, 3, 3).reshape(-1, 9)
    gram = psi.T @ (problem.M @ psi) / AREA
    norms = equilateralTriangleNorms(3, 3).ravel()
    np.testing.assert_allclose(np.diag(gram), norms, rtol=1e-2)
    assert np.max(np.abs(gram - np.diag(np.diag(gram)))) < 1e-2


# centroid


def test_centroid_values_follow_the_mod_3_rule() -> None:
    N = M = 12
    psi = equilateralTriangleModes([1 / 3, 1 / 3, 1 / 3], N, M)
    n = np.arange(1, N + 1)[:, None]
    m = np.arange(1, M + 1)[None, :]
    nonzero = (m <= n) & (m % 3 == n % 3) & (m % 3 != 0)
    expected = np.where(nonzero, np.where(m % 3 == 1, 1.0, -1.0) * 3.0 * np.sqrt(3.0), 0.0)
    np.testing.assert_allclose(psi, expected, atol=1e-12)


def test_centroid_kernel_matches_fe() -> None:
    """Basis-free: Σ ψ(c)²/∫ψ² over each eigenspace equals Σ v(c)² over M-orthonormal FE eigenvectors."""
    problem, _, vectors = feSolution(60)
    assert problem.centroid >= 0
    groups = eigenspaces(6, 6)
    exact = lameEigenvalues(13)
    psi = equilateralTriangleModes([1 / 3, 1 / 3, 1 / 3], 6, 6)
    norms = equilateralTriangleNorms(6, 6) * AREA
    for s in sorted(groups)[:7]:
        analytic = sum(psi[r, c] ** 2 / norms[r, c] for r, c in groups[s])
        fe = np.sum(vectors[problem.centroid, np.isclose(exact, LAME * s)] ** 2)
        if analytic == 0.0:
            assert fe < 1e-6, s
        else:
            assert fe == pytest.approx(analytic, rel=0.03), s


# shapes, coordinates, bad input


def test_shapes_and_independence_of_L() -> None:
    rng = np.random.default_rng(2)
    bary = rng.dirichlet(np.ones(3), size=(2, 5))
    psi = equilateralTriangleModes(bary, 3, 4)
    assert psi.shape == (2, 5, 3, 4) and psi.dtype == np.float64
    assert equilateralTriangleModes(bary[0, 0], 3, 4).shape == (3, 4)
    for L in (0.5, 2.0):
        again = equilateralTriangleModes(cartesianToBarycentric(barycentricToCartesian(bary, L), L), 3, 4)
        np.testing.assert_allclose(again, psi, atol=1e-12)


def test_coordinate_helpers() -> None:
    vertices = np.eye(3)
    np.testing.assert_allclose(barycentricToCartesian(vertices, 2.0), [[0, 0], [2, 0], [1, np.sqrt(3)]], atol=1e-15)
    np.testing.assert_allclose(cartesianToBarycentric([1.0, np.sqrt(3) / 3], 2.0), [1 / 3, 1 / 3, 1 / 3])
    assert cartesianToBarycentric([3.0, 0.0]).min() < 0  # outside: a negative coordinate


@pytest.mark.parametrize(
    ('points', 'match'),
    [
        ([0.5, 0.5], 'last axis'),
        ([np.nan, 0.5, 0.5], 'finite'),
        ([0.5, 0.5, 0.5], 'not barycentric'),
        ([-0.1, 0.6, 0.5], 'outside the triangle'),
        (0.5, 'last axis'),
    ],
)
def test_bad_points(points: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        equilateralTriangleModes(points, 2, 2)  # type: ignore[arg-type]


def test_bad_counts_and_sides() -> None:
    with pytest.raises(ValueError, match='N'):
        equilateralTriangleSeries(0, 2)
    with pytest.raises(TypeError, match='M'):
        equilateralTriangleNorms(2, 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='N'):
        equilateralTriangleModes([1, 0, 0], True, 2)
    with pytest.raises(ValueError, match='L'):
        barycentricToCartesian([1, 0, 0], L=0.0)
    with pytest.raises(ValueError, match='L'):
        cartesianToBarycentric([0, 0], L=-1.0)
    with pytest.raises(ValueError, match='not barycentric'):
        barycentricToCartesian([1, 1, 0])


def test_fe_many_modes_fine_mesh() -> None:
    """41 eigenvalues at n = 128 (through 79 = 9 + 21 + 49, the pair (3, 7)), and their eigenspaces."""
    problem = FEProblem(128)
    values, vectors = problem.eigen(41)
    exact = lameEigenvalues(41)
    assert np.max(np.abs(values / exact - 1.0)) < 0.01
    modes = equilateralTriangleModes(problem.bary, 8, 8).reshape(-1, 64)
    A = modes[:, LAME * equilateralTriangleSeries(8, 8).ravel() ** 2 <= exact[-1] * (1 + 1e-9)]
    projected = A @ np.linalg.solve(A.T @ (problem.M @ A), A.T @ (problem.M @ vectors))
    residual = vectors - projected
    assert np.all(np.sqrt(np.abs(np.einsum('ik,ik->k', residual, problem.M @ residual))) < 1e-9)
