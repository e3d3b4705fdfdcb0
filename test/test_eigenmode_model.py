"""EigenmodeModel: modal synthesis on computed eigenmodes, checked against analytic modes; PolygonFamily."""

import math

import numpy as np
import pytest
import shapely
from spectral import matchedPeaks

from kac_prediction.geometry import FAMILIES, PolygonFamily
from kac_prediction.physics import eigenmodes
from kac_prediction.samplers import EigenmodeModel, FDTDModel

FS = 48000


def test_a_rectangles_modes_are_the_analytic_ones_within_0_2_percent() -> None:
    """The default tolerance (4e-3 on λ of the highest mode) puts every frequency within 0.2 %."""
    sampler = EigenmodeModel(0.5, FS, arbitrary_shape='UnitRectangle', shape_settings={'epsilon': 2.0},
                             drum_size=0.3, n_modes=20, seed=0)  # fmt: skip
    F, _ = sampler.modes(0)
    c, L, eps = 100.0, 0.3, 2.0  # the default membrane: 2000 N/m over 0.2 kg/m²
    m = np.arange(1, 12)
    exact = np.sort((c / (2.0 * L) * np.sqrt(m[:, None] ** 2 / eps + eps * m[None, :] ** 2)).ravel())[:20]
    assert np.max(np.abs(F / exact - 1.0)) < 2e-3


def test_spectral_peaks_of_a_rendered_rectangle_sit_on_the_analytic_modes() -> None:
    sampler = EigenmodeModel(1.0, FS, arbitrary_shape='UnitRectangle', shape_settings={'epsilon': 1.5},
                             drum_size=0.25, n_modes=30, seed=1, strike_width=0.0)  # fmt: skip
    w, _ = sampler.generateBatch([1])  # a random strike: most modes sound
    m = np.arange(1, 12)
    modes = 100.0 / (2.0 * 0.25) * np.sqrt(m[:, None] ** 2 / 1.5 + 1.5 * m[None, :] ** 2)
    assert matchedPeaks(w[0], FS, np.sort(modes.ravel())[:30], count=10) >= 5


def test_one_eigen_solve_per_shape_serves_every_strike_size_and_material() -> None:
    sampler = EigenmodeModel(0.2, FS, arbitrary_shape='IrregularStar', strikes_per_drum=5, seed=3, n_modes=12)
    sampler.generateBatch(range(15))
    assert sampler.solves == 3
    ellipse = {'major': 1.0, 'minor': 0.6}
    fixed = EigenmodeModel(0.2, FS, arbitrary_shape='Ellipse', shape_settings=ellipse, drum_size=(0.1, 0.5),
                           tension=(1000.0, 3000.0), strikes_per_drum=1, n_modes=8, seed=0)  # fmt: skip
    _, labels = fixed.generateBatch(range(4))
    assert fixed.solves == 1 and len({y['drum_size'][0] for y in labels}) == 4
    assert len({round(fixed.modes(i)[0][0], 6) for i in range(4)}) == 4  # four different fundamentals


def test_size_and_wave_speed_scaled_together_sound_the_same() -> None:
    """λ scales as 1/L²: a drum twice as large on a membrane twice as fast (4× the tension) has the same audio."""
    common = {'arbitrary_shape': 'TravellingSalesmanPolygon', 'seed': 5, 'n_modes': 20, 'strike_width': 0.0}
    small = EigenmodeModel(0.3, FS, drum_size=0.2, tension=2000.0, **common)
    large = EigenmodeModel(0.3, FS, drum_size=0.4, tension=8000.0, **common)
    a, b = small.generateBatch([2])[0], large.generateBatch([2])[0]
    assert np.allclose(a, b, atol=1e-9)


def test_batches_are_bit_identical_to_single_items_and_labels_are_fdtd_models() -> None:
    settings = {'arbitrary_shape': 'TravellingSalesmanPolygon', 'seed': 11, 'strikes_per_drum': 3}
    sampler = EigenmodeModel(0.2, FS, n_modes=10, **settings)
    batch, labels = sampler.generateBatch(range(5))
    for i in range(5):
        sampler.updateProperties(i)
        sampler.generateWaveform()
        assert np.array_equal(sampler.waveform, batch[i])
        assert sampler.getLabels() == labels[i]
    fdtd = FDTDModel(0.2, FS, **settings)
    fdtd.updateProperties(0)
    reference = fdtd.getLabels()
    assert set(labels[0]) == set(reference)
    assert np.allclose(labels[0]['vertices'], reference['vertices'], atol=1e-12)
    assert labels[0]['drum_size'] == reference['drum_size']


def test_every_listed_shape_renders() -> None:
    for shape in ('ConvexPolygon', 'IrregularStar', 'TravellingSalesmanPolygon', 'Ellipse', 'PolygonFamily'):
        sampler = EigenmodeModel(0.1, FS, arbitrary_shape=shape, seed=2, n_modes=8, strikes_per_drum=2)
        w, labels = sampler.generateBatch(range(4))
        assert w.shape == (4, 4800) and np.allclose(np.abs(w).max(axis=1), 1.0), shape
        assert all(math.isfinite(v) for y in labels for v in y['strike_location'])


def test_bad_settings_name_the_fix() -> None:
    with pytest.raises(ValueError, match='n_modes'):
        EigenmodeModel(0.1, FS, n_modes=0)
    with pytest.raises(ValueError, match='listening_location'):
        EigenmodeModel(0.1, FS, listening_location=(5.0, 5.0), seed=0)
    with pytest.raises(ValueError, match='not a shape of kac_prediction.geometry'):
        EigenmodeModel(0.1, FS, arbitrary_shape='Hexagon')


def test_polygon_family_draws_every_family_and_labels_it() -> None:
    drawn = [PolygonFamily(rng=np.random.default_rng(seed)) for seed in range(60)]
    families = {shape.getLabels()['family'][0] for shape in drawn}
    assert families == set(range(len(FAMILIES)))
    assert all(shape.N() >= 3 for shape in drawn)
    only = PolygonFamily(families=('tsp',), rng=np.random.default_rng(0))
    assert only.getLabels()['family'] == [list(FAMILIES).index('tsp')]
    with pytest.raises(ValueError, match='families'):
        PolygonFamily(families=('hexagon',))


def test_generate_on_the_command_line_is_identical_for_one_and_two_workers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    import soundfile

    from kac_prediction.cli import main

    settings = json.dumps({'arbitrary_shape': 'PolygonFamily', 'n_modes': 10, 'strikes_per_drum': 2})
    for workers in ('1', '2'):
        arguments = ['generate', 'EigenmodeModel', str(tmp_path / workers), '--size', '6', '--seed', '7',
                     '--duration', '0.05', '--settings', settings, '--workers', workers]  # fmt: skip
        assert main(arguments) == 0
    for k in range(6):
        one, _ = soundfile.read(tmp_path / '1' / f'sample_{k:05d}.wav')
        two, _ = soundfile.read(tmp_path / '2' / f'sample_{k:05d}.wav')
        assert np.array_equal(one, two)
    metadata = json.loads((tmp_path / '2' / 'metadata.json').read_text())
    assert metadata['sampler']['name'] == 'EigenmodeModel' and 'family' in metadata['data'][0]['y']


def test_material_and_damping_ranges_are_drawn_per_drum_and_heard() -> None:
    """The realistic membrane settings: wave speed from tension and density ranges, T60 ranges, a finite strike."""
    sampler = EigenmodeModel(1.0, FS, arbitrary_shape='IrregularStar', n_modes=20, seed=4, strikes_per_drum=1,
                             tension=(1000.0, 4000.0), decay_time=(0.5, 2.0), decay_time_high=(0.1, 0.4),
                             strike_duration=(0.0005, 0.002))  # fmt: skip
    w, labels = sampler.generateBatch(range(3))
    for y in labels:
        assert {'wave_speed', 'decay_time', 'decay_time_high', 'strike_duration'} <= set(y)
    c = np.array([y['wave_speed'][0] for y in labels])
    assert np.all((c > math.sqrt(1000 / 0.2)) & (c < math.sqrt(4000 / 0.2))) and len(set(c)) == 3
    V = np.asarray(labels[0]['vertices'])  # canonical frame: scaled to the drum's area for an independent solve
    V *= labels[0]['drum_size'][0] / math.sqrt(shapely.Polygon(V).area)
    fundamental = c[0] * math.sqrt(eigenmodes(V, 1).eigenvalues[0]) / (2.0 * math.pi)
    assert sampler.modes(0)[0][0] == pytest.approx(fundamental, rel=1e-3)
    tail = np.abs(w[:, -4800:]).max(axis=1)  # the last 0.1 s: decayed by ≥ 60 dB · 0.9 s / T60 ≥ 27 dB
    assert np.all(tail < 10 ** (-27 / 20))


def test_a_drum_thinner_than_the_strike_is_struck_inside_it() -> None:
    """A sliver 2 cm wide (drum_size 0.1 m) struck by a 5-cm stick: random strikes fall within it, not an error."""
    sliver = 'kac_prediction.geometry:UnitRectangle'
    sampler = EigenmodeModel(0.1, FS, arbitrary_shape=sliver, shape_settings={'epsilon': 25.0}, drum_size=0.1,
                             strike_width=0.05, n_modes=8, seed=0, strikes_per_drum=4)  # fmt: skip
    _, labels = sampler.generateBatch(range(4))
    for y in labels[1:]:
        x, z = y['strike_location']
        assert abs(x) < 1.0 and abs(z) < 0.04  # the canonical frame: the sliver spans [−1, 1] × [−0.04, 0.04]
