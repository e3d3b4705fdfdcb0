"""Tests of the random polygon generators: ConvexPolygon (Valtr), IrregularStar, TravellingSalesmanPolygon."""

import numpy as np
import numpy.typing as npt
import pytest
from scipy.stats import binomtest

from kac_prediction.geometry import (
    ConvexPolygon,
    IrregularStar,
    Polygon,
    TravellingSalesmanPolygon,
    largestVector,
    normaliseConvexPolygon,
    normaliseSimplePolygon,
)
from kac_prediction.geometry.convex_polygon import _valtrComponents

GENERATORS = [ConvexPolygon, IrregularStar, TravellingSalesmanPolygon]
Generator = type[ConvexPolygon] | type[IrregularStar] | type[TravellingSalesmanPolygon]


def _signedArea(V: npt.NDArray[np.float64]) -> float:
    x, y = V[:, 0], V[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


@pytest.mark.parametrize('generator', GENERATORS)
def test_generated_polygons_are_simple_and_normalised(generator: Generator) -> None:
    rng = np.random.default_rng(2024)
    for N in range(3, 13):
        for _ in range(12):
            P = generator(N=N, rng=rng)
            V = P.vertices
            assert P.N() == N and V.shape == (N, 2)
            assert P.simple()
            if generator is ConvexPolygon or N == 3:
                assert P.convex()
            # signed canonical pose: in [−1, 1]², clockwise, diameter along x from the first vertex
            assert np.all(np.abs(V) <= 1.0)
            assert V[:, 0].min() == -1.0 and V[:, 0].max() == 1.0
            assert V[0, 0] == -1.0
            assert _signedArea(V) < 0.0
            length, _ = largestVector(V)
            right = int(np.argmax(V[:, 0]))
            assert length == pytest.approx(2.0, rel=1e-12)
            assert V[right, 1] == pytest.approx(V[0, 1], abs=1e-12)
            assert V[:, 1].min() == pytest.approx(-V[:, 1].max(), abs=1e-12)
            # already in the pose the normalisation gives
            normalise = normaliseConvexPolygon if P.convex() else normaliseSimplePolygon
            np.testing.assert_allclose(normalise(V, signed=True), V, atol=1e-12)


@pytest.mark.parametrize('generator', GENERATORS)
def test_same_seed_same_polygon(generator: Generator) -> None:
    for seed in range(5):
        A = generator(rng=np.random.default_rng(seed))
        B = generator(rng=np.random.default_rng(seed))
        np.testing.assert_array_equal(A.vertices, B.vertices)
    C = generator(N=8, rng=np.random.default_rng(0))
    D = generator(N=8, rng=np.random.default_rng(1))
    assert not np.array_equal(C.vertices, D.vertices)


@pytest.mark.parametrize('generator', GENERATORS)
def test_random_vertex_count_covers_the_range(generator: Generator) -> None:
    rng = np.random.default_rng(7)
    counts = [generator(max_vertices=6, rng=rng).N() for _ in range(80)]
    assert set(counts) == {3, 4, 5, 6}
    assert {generator(N=0, max_vertices=3, rng=rng).N() for _ in range(5)} == {3}


@pytest.mark.parametrize('generator', GENERATORS)
def test_generators_reject_bad_input(generator: Generator) -> None:
    for N in (1, 2, -4):
        with pytest.raises(ValueError, match='N must be at least 3'):
            generator(N=N)
    with pytest.raises(ValueError, match='max_vertices must be ≥ 3'):
        generator(max_vertices=2)
    with pytest.raises(TypeError, match='N must be an integer'):
        generator(N=4.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='rng must be'):
        generator(rng=np.random.RandomState(0))  # type: ignore[arg-type]
    assert generator.Settings.__total__ is False
    assert set(generator.Settings.__annotations__) == {'N', 'max_vertices'}


def test_valtr_components() -> None:
    rng = np.random.default_rng(11)
    values = np.sort(rng.uniform(-1.0, 1.0, 9))
    steps = _valtrComponents(values, rng)
    assert steps.shape == (9,)
    assert abs(steps.sum()) < 1e-12
    assert steps[steps > 0].sum() == pytest.approx(values[-1] - values[0])


def test_valtr_chain_split_is_fair() -> None:
    """Each interior value joins chain 1 with probability 1/2 (the original assigned ≈ 1/4)."""
    rng = np.random.default_rng(12345)
    n, draws = 40, 2000
    in_first = 0
    for _ in range(draws):
        steps = _valtrComponents(np.sort(rng.uniform(-1.0, 1.0, n)), rng)
        in_first += int(np.count_nonzero(steps > 0)) - 1  # chain 1 has one more step than interior values
    trials = draws * (n - 2)
    assert binomtest(in_first, trials, 0.5).pvalue > 1e-3
    assert abs(in_first / trials - 0.5) < 4.0 * np.sqrt(0.25 / trials)


def test_generated_polygon_is_a_polygon() -> None:
    P = ConvexPolygon(N=5, rng=np.random.default_rng(0))
    assert isinstance(P, Polygon)
    assert P.getLabels()['N'] == [5]
    assert P.draw(32).any()
