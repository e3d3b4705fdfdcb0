"""The realistic polygon routine (`shape_of_polygonal_drum` with `realistic: true`): the realistic membrane, the
transit_time label learnt beside the outline mask, recorded and clean metrics, and prediction sized by a wave speed
(kac_prediction/routines/shape_of_polygonal_drum.py)."""

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from kac_prediction.architecture import OutlineCRePE
from kac_prediction.inference import loadPredictor
from kac_prediction.pipeline.checkpoints import loadCheckpoint, saveCheckpoint
from kac_prediction.pipeline.splits import splitByDrum
from kac_prediction.routines import runRoutine
from kac_prediction.routines.shape_of_polygonal_drum import SAMPLER_SETTINGS, defaultParameters
from kac_prediction.samplers import FDTDModel


@pytest.fixture(scope='module')
def realistic(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """The realistic polygon routine on 12 drums × 2 strikes, 1 epoch, 2 rooms; (result, run dir, data dir)."""
    root = tmp_path_factory.mktemp('realistic_polygon')
    overrides = {'realistic': True, 'dataset_size': 24, 'strikes_per_drum': 2, 'num_of_epochs': 1, 'rooms': 2,
                 'batch_size': 8}  # fmt: skip
    result = runRoutine('shape_of_polygonal_drum', overrides=overrides, dataset_dir=os.fspath(root / 'data'),
                        exports_dir=os.fspath(root / 'model'))  # fmt: skip
    return result, Path(result['exports_dir']), root / 'data'


def test_the_dataset_holds_realistic_drums(realistic: tuple[dict[str, Any], Path, Path]) -> None:
    _, run, data = realistic
    settings = loadCheckpoint(run / 'best.pt')['dataset']['sampler_settings']
    assert list(settings['tension']) == [720.0, 6480.0] and settings['material_density'] == 0.2
    assert list(settings['decay_time']) == [0.5, 4.0] and list(settings['decay_time_high']) == [0.2, 0.5]
    assert settings['decay_frequency_high'] == 1000.0 and list(settings['strike_duration']) == [0.0, 0.002]
    assert settings['listening_location'] == 'random' and settings['strikes_per_drum'] == 2
    assert settings['arbitrary_shape'] == 'ConvexPolygon' and list(settings['drum_size']) == [0.15, 0.45]
    assert (data / 'rooms-2-0.npy').is_file()


def test_the_size_label_is_transit_time(realistic: tuple[dict[str, Any], Path, Path]) -> None:
    """The model's size is transit_time = drum_size / wave_speed: its ln-space mean is that of the training split."""
    _, run, _ = realistic
    checkpoint = loadCheckpoint(run / 'best.pt')
    kwargs = checkpoint['model_kwargs']
    assert kwargs['size_label'] == 'transit_time'
    settings = checkpoint['dataset']['sampler_settings']
    sampler = FDTDModel(**settings)
    labels = []
    for i in range(24):
        sampler.updateProperties(i)
        labels.append(sampler.getLabels())
    training, _, _ = splitByDrum([i // 2 for i in range(24)], (0.7, 0.15, 0.15), 0)
    transit = np.array([labels[i]['drum_size'][0] / labels[i]['wave_speed'][0] for i in training])
    speeds = np.array([y['wave_speed'][0] for y in labels])
    assert np.all((speeds >= 60.0 - 1e-9) & (speeds <= 180.0 + 1e-9)) and np.ptp(speeds) > 10.0
    assert kwargs['label_mean'][0] == pytest.approx(np.mean(np.log(transit)), rel=1e-6)  # labels held as float32
    assert 0.0005 < math.exp(kwargs['label_mean'][0]) < 0.0075  # 0.15–0.45 m at 60–180 m/s


def test_recorded_and_clean_metrics(realistic: tuple[dict[str, Any], Path, Path]) -> None:
    result, run, _ = realistic
    for metrics in (result['metrics'], result['clean_metrics']):
        assert set(metrics) == {'mask', 'transit_time', 'drum_size'}
        mask = metrics['mask']
        assert 0.0 <= mask['iou'] <= 1.0 and 0.0 <= mask['baseline_iou'] <= 1.0
        for key in ('rmse', 'baseline_rmse', 'physics_rmse'):
            assert np.isfinite(metrics['drum_size'][key]) and metrics['drum_size'][key] >= 0.0
            assert np.isfinite(metrics['transit_time'][key])
    # clean audio: Weyl's law given the true c is close; the mean mask is the same baseline for both
    assert result['clean_metrics']['drum_size']['physics_rmse'] < 0.1
    assert result['metrics']['mask']['baseline_iou'] == result['clean_metrics']['mask']['baseline_iou']
    assert (run / 'outlines.png').is_file() and (run / 'scatter.png').is_file()


def _area(outline: list[list[float]]) -> float:
    x, y = np.asarray(outline).T
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def test_the_checkpoint_predicts_sized_outlines(realistic: tuple[dict[str, Any], Path, Path]) -> None:
    _, run, data = realistic
    predictor = loadPredictor(run)
    assert predictor.labels == ['transit_time'] and predictor.sampler_name == 'FDTDModel'
    wav = data / 'sample_00000.wav'
    (slow,) = predictor.predictFiles([wav], progressbar=False, wave_speed=90.0)
    (fast,) = predictor.predictFiles([wav], progressbar=False, wave_speed=180.0)
    assert slow['drum_size'] == pytest.approx(90.0 * slow['transit_time'])
    assert fast['drum_size'] == pytest.approx(2.0 * slow['drum_size']) and slow['wave_speed_source'] == 'given'
    if slow['outline']:  # an untrained mask may hold no cell ≥ 0.5
        assert _area(slow['outline']) == pytest.approx(slow['drum_size'] ** 2, rel=1e-6)
        np.testing.assert_allclose(np.asarray(fast['outline']), 2.0 * np.asarray(slow['outline']), rtol=1e-9)
    with pytest.warns(UserWarning, match='training default'):
        (default,) = predictor.predictFiles([wav], progressbar=False)
    assert default['drum_size'] == pytest.approx(100.0 * default['transit_time'])


def test_the_default_routine_and_older_outline_checkpoints_are_unchanged(tmp_path: Path) -> None:
    P = defaultParameters()
    assert P['realistic'] is False and P['rooms'] == 32 and P['strikes_per_drum'] == 1
    model = OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=8)
    assert model.labels == ['drum_size'] and 'size_label' not in model.model_kwargs  # as before size_label existed
    with pytest.raises(ValueError, match='size_label'):
        OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=8, size_label='diameter')
    model.fitLabels(torch.tensor([[0.2], [0.3], [0.4]], dtype=torch.float64))
    settings = {**SAMPLER_SETTINGS, 'seed': 0, 'strikes_per_drum': 1}
    checkpoint: Any = {
        'dataset': {'representation_settings': {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0,
                                                'f_max': 10000.0},
                    'sampler': {'name': 'FDTDModel', 'version': 'test'}, 'sampler_settings': settings},
        'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(),
        'run_info': {'epoch': 1, 'exports_dir': '', 'id': 'old', 'model': {'name': 'OutlineCRePE', 'version': ''}},
    }  # fmt: skip
    saveCheckpoint(checkpoint, tmp_path / 'best.pt')
    predictor = loadPredictor(tmp_path)
    (row,) = predictor.predictInputs(torch.rand(1, 1024))
    assert set(row) == {'drum_size', 'outline'} and row['drum_size'] > 0.0
