"""FDTDModel: every shape of the geometry module, labels in the canonical frame, strikes, seeds, batches, the dataset
layer and the command line. Drums are tiny (short, low sample rate) to keep this fast."""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely

from kac_prediction.cli import main
from kac_prediction.dataset import generateDataset, loadDataset, mergeShards
from kac_prediction.geometry import (
    Circle,
    ConvexPolygon,
    Ellipse,
    IrregularStar,
    Polygon,
    Shape,
    TravellingSalesmanPolygon,
    UnitRectangle,
)
from kac_prediction.physics import fdtdCudaAvailable
from kac_prediction.samplers import FDTDModel

TINY = {'duration': 0.02, 'sample_rate': 16000}  # h = 8.8 mm: ≈ 1150 interior nodes for a 0.3-m drum, 320 steps

SHAPES = [
    ('ConvexPolygon', None),
    ('IrregularStar', None),
    ('TravellingSalesmanPolygon', None),
    ('UnitRectangle', None),
    ('Ellipse', None),
    ('Circle', {'r': 0.5}),
    (Polygon, {'vertices': [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0]]}),
]


def _vertices(labels: dict) -> np.ndarray:  # type: ignore[type-arg]
    return np.asarray(labels['vertices'], dtype=np.float64)


def _metresPerUnit(labels: dict) -> float:  # type: ignore[type-arg]
    """m per canonical unit, from the labels alone: drum_size / sqrt(area of the canonical polygon)."""
    return float(labels['drum_size'][0] / math.sqrt(shapely.Polygon(_vertices(labels)).area))


@pytest.mark.parametrize(
    ('shape', 'settings'), SHAPES, ids=[str(s[0]) if isinstance(s[0], str) else 'Polygon' for s in SHAPES]
)
def test_every_shape_renders_with_labels_in_the_canonical_frame(shape: object, settings: dict | None) -> None:  # type: ignore[type-arg]
    sampler = FDTDModel(**TINY, arbitrary_shape=shape, shape_settings=settings, seed=4, drum_size=(0.2, 0.4))  # type: ignore[arg-type]
    waveforms, labels = sampler.generateBatch(range(6))
    assert waveforms.shape == (6, 320) and np.all(np.isfinite(waveforms))
    assert np.allclose(np.abs(waveforms).max(axis=1), 1.0)  # peak = amplitude
    assert [y['drum_id'] for y in labels] == [[0]] * 5 + [[1]]
    for y in labels:
        assert 0.2 <= y['drum_size'][0] <= 0.4
        assert all(abs(v) <= 1.0 + 1e-9 for v in y['strike_location'] + y['sample_location'])
        if 'vertices' in y:
            V = _vertices(y)
            extent = V.max(axis=0) - V.min(axis=0)
            assert extent.max() == pytest.approx(2.0) and np.allclose(V.max(axis=0) + V.min(axis=0), 0.0)
            assert y['N'] == [len(V)]
        else:
            assert y['major'] == [1.0] and 0.0 < y['minor'][0] <= 1.0
    assert sampler.__settings__['arbitrary_shape'] == (shape if isinstance(shape, str) else 'Polygon')


def test_labels_of_circles_ellipses_and_rectangles() -> None:
    _, (circle, *_) = FDTDModel(**TINY, arbitrary_shape=Circle, shape_settings={'r': 0.3}, seed=0).generateBatch([0])
    assert circle['r'] == circle['major'] == circle['minor'] == [1.0]
    assert circle['strike_location'] == circle['sample_location'] == [0.0, 0.0]
    sampler = FDTDModel(**TINY, arbitrary_shape='Ellipse', shape_settings={'major': 2.0, 'minor': 0.5}, seed=0)
    _, (ellipse, *_) = sampler.generateBatch([0])
    assert ellipse['major'] == [1.0] and ellipse['minor'] == [0.25]
    _, (rectangle, *_) = FDTDModel(
        **TINY, arbitrary_shape='UnitRectangle', shape_settings={'epsilon': 2.0}
    ).generateBatch([0])
    assert rectangle['epsilon'] == [2.0] and rectangle['N'] == [4]
    assert np.allclose(np.abs(_vertices(rectangle)), [1.0, 0.5])  # width / height = ε


def test_first_strike_at_the_centroid_and_random_strikes_keep_clear_of_the_boundary() -> None:
    width = 0.04
    sampler = FDTDModel(**TINY, seed=9, strike_width=width, strikes_per_drum=8)
    _, labels = sampler.generateBatch(range(24))
    for i, y in enumerate(labels):
        polygon = shapely.Polygon(_vertices(y))
        strike = shapely.Point(y['strike_location'])
        assert y['sample_location'] == pytest.approx([polygon.centroid.x, polygon.centroid.y])
        if i % 8 == 0:
            assert y['strike_location'] == pytest.approx([polygon.centroid.x, polygon.centroid.y])
        else:  # at least strike_width/2 inside, measured in metres
            assert polygon.exterior.distance(strike) * _metresPerUnit(y) >= width / 2.0 - 1e-12
            assert polygon.contains(strike)
    strikes = np.array([y['strike_location'] for i, y in enumerate(labels) if i % 8])
    assert len(np.unique(strikes, axis=0)) == len(strikes)


def test_a_drum_whose_centroid_is_outside_is_struck_and_heard_farthest_inside() -> None:
    U = [[0.0, 0.0], [3.0, 0.0], [3.0, 3.0], [2.0, 3.0], [2.0, 1.0], [1.0, 1.0], [1.0, 3.0], [0.0, 3.0]]
    sampler = FDTDModel(**TINY, arbitrary_shape=Polygon, shape_settings={'vertices': U})
    _, (y,) = sampler.generateBatch([0])
    polygon = shapely.Polygon(_vertices(y))
    assert not polygon.contains(polygon.centroid)
    point = shapely.Point(y['strike_location'])
    assert y['strike_location'] == y['sample_location'] and polygon.contains(point)
    assert polygon.exterior.distance(point) > 0.9 * polygon.exterior.distance(shapely.Point(-2 / 3, -0.5))


def test_same_seed_same_audio_batches_and_single_items_agree() -> None:
    settings = {**TINY, 'seed': 21, 'decay_time': 0.5}
    a, labels_a = FDTDModel(**settings).generateBatch(range(12))
    b, labels_b = FDTDModel(**settings).generateBatch(range(12))
    assert np.array_equal(a, b) and labels_a == labels_b
    c, _ = FDTDModel(**{**settings, 'seed': 22}).generateBatch(range(12))
    assert not np.array_equal(a, c)
    sampler = FDTDModel(**settings)
    for i in (11, 0, 7):  # any item alone, in any order, with a fresh or a used sampler
        sampler.updateProperties(i)
        sampler.generateWaveform()
        assert np.array_equal(sampler.waveform, a[i]) and sampler.getLabels() == labels_a[i]
        assert np.array_equal(FDTDModel(**settings).generateBatch([i])[0][0], a[i])
    rebuilt = FDTDModel(**sampler.__settings__)  # what a dataset's metadata records
    assert np.array_equal(rebuilt.generateBatch(range(12))[0], a)


def test_settings_are_recorded_and_the_grid_follows_them() -> None:
    sampler = FDTDModel(**TINY, arbitrary_shape=ConvexPolygon, oversampling=2, seed=1)
    settings = sampler.__settings__
    assert settings['arbitrary_shape'] == 'ConvexPolygon' and settings['seed'] == 1
    assert settings['courant'] == pytest.approx(1.0 / math.sqrt(2.0)) and settings['strikes_per_drum'] == 5
    assert list(settings) == sorted(settings)
    assert sampler.h == pytest.approx(100.0 * math.sqrt(2.0) / (2 * 16000))  # h = c·k/λ, k = 1/(R·fs)
    assert sampler.generateBatch([0, 1])[0].shape == (2, 320)
    grid = sampler.grid(3)
    assert grid['mask'].dtype == np.bool_ and grid['h'] == sampler.h and grid['wave_speed'] == 100.0
    assert sampler.getLabels() == {}


def test_listening_location_setting() -> None:
    sampler = FDTDModel(**TINY, arbitrary_shape='Circle', listening_location=(0.5, -0.25), seed=2)
    _, labels = sampler.generateBatch(range(3))
    assert all(y['sample_location'] == [0.5, -0.25] for y in labels)
    with pytest.raises(ValueError, match='listening_location .* lies outside drum 0'):
        FDTDModel(**TINY, arbitrary_shape='Circle', listening_location=(0.9, 0.9))


@pytest.mark.parametrize(
    ('settings', 'error', 'message'),
    [
        ({'arbitrary_shape': int}, TypeError, 'arbitrary_shape must be a subclass of kac_prediction.geometry.Shape'),
        ({'arbitrary_shape': Shape}, TypeError, 'arbitrary_shape Shape is abstract'),
        ({'arbitrary_shape': 'Hexagon'}, ValueError, "arbitrary_shape 'Hexagon' is not a shape"),
        ({'shape_settings': {'rng': None}}, ValueError, 'shape_settings must not contain rng'),
        ({'shape_settings': {'sides': 5}}, TypeError, 'shape_settings .* do not fit ConvexPolygon'),
        ({'shape_settings': 5}, TypeError, 'shape_settings must be a dict'),
        ({'courant': 0.71}, ValueError, 'courant = 0.71 exceeds the 2-D stability bound'),
        ({'oversampling': 1.5}, ValueError, 'oversampling must be an int ≥ 1'),
        ({'drum_size': 0.005}, ValueError, 'covers no node of the 8.84-mm grid'),
        ({'drum_size': (0.4, 0.1)}, ValueError, 'drum_size must be finite'),
        ({'strike_width': 0.0}, ValueError, 'strike_width must be a finite number > 0'),
        ({'strikes_per_drum': 0}, ValueError, 'strikes_per_drum must be an int ≥ 1'),
        ({'tension': -1.0}, ValueError, 'tension must be a finite number > 0'),
        ({'decay_time': 0.0}, ValueError, 'decay_time must be > 0'),
        ({'device': 'gpu'}, ValueError, "device must be 'cpu' or 'cuda'"),
        ({'listening_location': (0.1,)}, ValueError, 'listening_location must be'),
    ],
)
def test_bad_settings_name_the_problem(settings: dict, error: type[Exception], message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=message):
        FDTDModel(**TINY, **settings)


def test_a_strike_width_too_wide_for_the_drum_is_reported() -> None:
    sampler = FDTDModel(**TINY, arbitrary_shape='Circle', drum_size=0.1, strike_width=0.2)
    sampler.generateBatch([0])  # the centre strike needs no margin
    with pytest.raises(ValueError, match='no point lies strike_width/2 .* inside'):
        sampler.generateBatch([1])


@pytest.mark.skipif(fdtdCudaAvailable(), reason='a CUDA device exists')
def test_device_cuda_without_a_device_warns_and_renders_on_the_cpu() -> None:
    cpu, _ = FDTDModel(**TINY, seed=3).generateBatch(range(2))
    with pytest.warns(RuntimeWarning, match='rendering on the CPU instead'):
        cuda, _ = FDTDModel(**TINY, seed=3, device='cuda').generateBatch(range(2))
    assert np.array_equal(cpu, cuda)


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob('sample_*.wav'))}


def _labels(directory: Path) -> list[dict]:  # type: ignore[type-arg]
    return [d['y'] for d in json.loads((directory / 'metadata.json').read_text())['data']]


def test_generate_dataset_with_workers_and_shards_matches_one_worker(tmp_path: Path) -> None:
    settings = {'duration': 0.02, 'sample_rate': 8000, 'arbitrary_shape': 'IrregularStar'}
    one = tmp_path / 'one'
    dataset = generateDataset(FDTDModel, one, 12, sampler_settings=settings, seed=5, num_workers=1, progressbar=False)
    assert len(dataset) == 12 and dataset.sampler['name'] == 'FDTDModel'
    assert dataset.sampler_settings['arbitrary_shape'] == 'IrregularStar'
    generateDataset(FDTDModel, tmp_path / 'two', 12, sampler_settings=settings, seed=5, num_workers=2, batch_size=3,
                    progressbar=False)  # fmt: skip
    assert _files(tmp_path / 'two') == _files(one) and _labels(tmp_path / 'two') == _labels(one)
    for i in range(2):
        generateDataset(FDTDModel, tmp_path / f'shard{i}', 12, sampler_settings=settings, seed=5, shard=(i, 2),
                        progressbar=False)  # fmt: skip
    mergeShards([tmp_path / 'shard0', tmp_path / 'shard1'], tmp_path / 'merged')
    assert _files(tmp_path / 'merged') == _files(one) and _labels(tmp_path / 'merged') == _labels(one)


def test_command_line_generates_fdtd_drums(tmp_path: Path) -> None:
    target = tmp_path / 'polygons'
    arguments = ['generate', 'FDTDModel', str(target), '--size', '4', '--duration', '0.05', '--sample-rate', '8000',
                 '--settings', '{"arbitrary_shape": "ConvexPolygon"}', '--workers', '1', '--seed', '0']  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter('error', RuntimeWarning)
        assert main(arguments) == 0
    dataset = loadDataset(target, progressbar=False)
    assert len(dataset) == 4 and dataset.X.shape == (4, 400)
    assert {'N', 'drum_id', 'drum_size', 'sample_location', 'strike_location', 'vertices'} <= set(dataset.labels[0])
    assert main(['generate', 'FDTDModel', str(tmp_path / 'x'), '--settings', '{"courant": 0.8}']) == 2


def test_shapes_given_as_classes_are_recorded_by_name() -> None:
    for Class in (Circle, Ellipse, IrregularStar, TravellingSalesmanPolygon, UnitRectangle):
        assert FDTDModel(**TINY, arbitrary_shape=Class).__settings__['arbitrary_shape'] == Class.__name__


def test_slivers_are_drawn_again_and_both_samplers_draw_the_same_drums() -> None:
    """Convex drum 6274 of seed 0 is a needle (inradius 0.015·√area: silent, and too thin for a listening point of
    the realistic routine's grid); it is drawn again, every other drum stays as drawn from itemRNG(seed, 0, drum)."""
    from kac_prediction.samplers import EigenmodeModel
    from kac_prediction.samplers.audio_sampler import itemRNG
    from kac_prediction.samplers.shapes import MIN_INRADIUS, drawDrumShape, drawShape

    needle = drawShape(ConvexPolygon, {}, True, itemRNG(0, 0, 6274))
    region = shapely.Polygon(needle.vertices)
    assert shapely.maximum_inscribed_circle(region, 1e-4).length < MIN_INRADIUS * math.sqrt(region.area)
    for drum in (6273, 6274):
        shape, _ = drawDrumShape(ConvexPolygon, {}, True, 0, drum)
        region = shapely.Polygon(shape.vertices)
        assert shapely.maximum_inscribed_circle(region, 1e-4).length >= MIN_INRADIUS * math.sqrt(region.area)
        plain = drawShape(ConvexPolygon, {}, True, itemRNG(0, 0, drum))
        assert np.array_equal(shape.vertices, plain.vertices) == (drum == 6273)
    settings = {'arbitrary_shape': 'ConvexPolygon', 'drum_size': (0.15, 0.45), 'listening_location': 'random',
                'tension': (720.0, 6480.0), 'material_density': 0.2, 'seed': 0}  # fmt: skip
    fdtd = FDTDModel(0.05, 48000, **settings)
    assert min(fdtd.grid(6274)['mask'].shape) > 10  # the needle's grid was 2 nodes wide: no listening point fitted
    fdtd.updateProperties(6274)
    modal = EigenmodeModel(0.05, 48000, n_modes=5, **settings)
    modal.updateProperties(6274)
    assert np.allclose(fdtd.getLabels()['vertices'], modal.getLabels()['vertices'])
    assert fdtd.getLabels()['drum_size'] == modal.getLabels()['drum_size']
