"""Robustness of polygon checkpoints (shape_of_polygonal_drum: FDTDModel convex polygons, OutlineCRePE): outline-mask
IoU of the model and of the mean training mask beside the size RMSEs (kac_prediction/inference/robustness.py)."""

import importlib.util
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from kac_prediction.architecture import OutlineCRePE
from kac_prediction.inference import evaluateRobustness, loadPredictor, renderCondition, robustnessTable
from kac_prediction.inference.robustness import trainingMeanMask
from kac_prediction.pipeline.checkpoints import saveCheckpoint
from kac_prediction.pipeline.metrics import maskIoU
from kac_prediction.routines.regression import REALISTIC_SAMPLER
from kac_prediction.routines.shape_of_polygonal_drum import REPRESENTATION, SAMPLER_SETTINGS, outlineMasks
from kac_prediction.samplers import FDTDModel

SCRIPT = Path(__file__).resolve().parent.parent / 'scripts' / 'evaluate_robustness.py'
SETTINGS = {**SAMPLER_SETTINGS, 'drum_size': [0.15, 0.25], 'seed': 0, 'strikes_per_drum': 1}  # small drums: fast
DATASET: dict[str, Any] = {
    'dataset_dir': '', 'dataset_size': 40, 'representation_settings': dict(REPRESENTATION),
    'sampler': {'name': 'FDTDModel', 'version': 'test'}, 'sampler_settings': dict(SETTINGS),
}  # fmt: skip
CONDITIONS = ['clean', 'snr20', 'rate']
G = 16  # not the routine's 32: the grid comes from the model


def _save(directory: Path, model: OutlineCRePE, dataset: dict[str, Any]) -> Path:
    directory.mkdir()
    checkpoint: Any = {
        'dataset': dataset, 'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(),
        'run_info': {'epoch': 1, 'exports_dir': '', 'id': directory.name,
                     'model': {'name': 'OutlineCRePE', 'version': 'test'}},
    }  # fmt: skip
    saveCheckpoint(checkpoint, directory / 'best.pt')
    return directory


def _labels(settings: dict[str, Any], count: int) -> list[dict[str, Any]]:
    sampler = FDTDModel(**settings)
    found = []
    for i in range(count):
        sampler.updateProperties(i)
        found.append(sampler.getLabels())
    return found


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """best.pt of an untrained tiny OutlineCRePE of drum_size (fitted to the training drums' sizes), as the default
    polygon routine's."""
    torch.manual_seed(0)
    model = OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=G)
    sizes = [[y['drum_size'][0]] for y in _labels(SETTINGS, 40)]
    model.fitLabels(torch.tensor(sizes, dtype=torch.float64))
    return _save(tmp_path_factory.mktemp('model') / 'polygon', model, DATASET)


@pytest.fixture(scope='module')
def rows(run: Path) -> list[dict[str, Any]]:
    return evaluateRobustness(run, CONDITIONS, n_drums=4, progressbar=False)


def test_one_row_per_condition_with_the_iou_columns(rows: list[dict[str, Any]]) -> None:
    assert [row['key'] for row in rows] == CONDITIONS and rows[-1]['condition'] == '44.1 kHz input'
    expected = {'condition', 'key', 'n', 'model_rmse_cm', 'mean_rmse_cm', 'physics_rmse_cm', 'physics_failures',
                'physics_off_10pct', 'model_iou', 'mean_iou', 'seconds'}  # fmt: skip
    for row in rows:
        assert set(row) == expected and row['n'] == 4
        assert 0.0 <= row['model_iou'] <= 1.0 and 0.0 <= row['mean_iou'] <= 1.0
        for key in ('model_rmse_cm', 'mean_rmse_cm'):
            assert isinstance(row[key], float) and row[key] >= 0.0
    clean = rows[0]
    assert clean['physics_failures'] == 0 and clean['physics_rmse_cm'] < 5.0  # Weyl's law given the true c
    assert rows[1]['mean_iou'] == clean['mean_iou']  # the same drums, whatever the audio


def test_the_ious_are_the_models_and_the_mean_training_masks(run: Path, rows: list[dict[str, Any]]) -> None:
    mean = trainingMeanMask(DATASET, G)
    masks = outlineMasks([y['vertices'] for y in _labels(SETTINGS, 40)], G)
    torch.testing.assert_close(mean, masks.double().mean(dim=0))
    held = renderCondition(DATASET, 'clean', 4)
    assert held.vertices is not None and len(held.vertices) == 4
    true = outlineMasks(held.vertices, G)
    assert rows[0]['mean_iou'] == pytest.approx(float(maskIoU(mean.expand(4, G, G), true).mean()), rel=1e-12)
    predictor = loadPredictor(run)
    X = torch.stack([predictor.inputs(x, r) for x, r in zip(held.waveforms, held.rates, strict=True)])
    predicted = predictor.model.predict(X)['mask']
    assert rows[0]['model_iou'] == pytest.approx(float(maskIoU(predicted, true).mean()), rel=1e-12)
    sizes = predictor.model.predict(X)['drum_size'].numpy()
    assert rows[0]['model_rmse_cm'] == pytest.approx(100.0 * math.sqrt(np.mean((sizes - held.drum_size) ** 2)))


def test_refusals(run: Path) -> None:
    with pytest.raises(ValueError, match='training seed'):
        evaluateRobustness(run, ['clean'], n_drums=2, seed=0, progressbar=False)
    with pytest.raises(ValueError, match='BesselModel'):
        renderCondition(DATASET, 'fdtd', 2)  # polygons are FDTD-rendered already
    circles = {**DATASET, 'sampler_settings': {**SETTINGS, 'arbitrary_shape': 'Circle'}}
    with pytest.raises(ValueError, match='ConvexPolygon'):
        renderCondition(circles, 'clean', 2)
    with pytest.raises(ValueError, match='FDTDModel'):
        trainingMeanMask({**DATASET, 'sampler': {'name': 'BesselModel'}}, G)


def test_the_table_and_the_script_show_the_iou_columns(
    run: Path, rows: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    header = robustnessTable(rows).splitlines()[0]
    assert 'model IoU' in header and 'mean-only IoU' in header
    assert 'IoU' not in robustnessTable([{k: v for k, v in row.items() if 'iou' not in k} for row in rows])
    spec = importlib.util.spec_from_file_location('evaluate_robustness', SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main([str(run), '--drums', '2', '--conditions', 'clean', '--markdown']) == 0
    assert 'model IoU' in capsys.readouterr().out.splitlines()[0]


def test_a_realistic_polygon_checkpoint_is_sized_with_each_drums_true_wave_speed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = {**SETTINGS, **REALISTIC_SAMPLER, 'strikes_per_drum': 2}
    dataset = {**DATASET, 'dataset_size': 8, 'sampler_settings': settings}
    torch.manual_seed(1)
    model = OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=G, size_label='transit_time')
    model.fitLabels(torch.tensor([[0.001], [0.002], [0.004]], dtype=torch.float64))
    run = _save(tmp_path_factory.mktemp('model') / 'realistic', model, dataset)
    held = renderCondition(dataset, 'clean', 3)
    predictor = loadPredictor(run)
    X = torch.stack([predictor.inputs(x, r) for x, r in zip(held.waveforms, held.rates, strict=True)])
    transit = predictor.model.predict(X)['transit_time'].numpy()
    expected = 100.0 * math.sqrt(np.mean((held.wave_speed * transit - held.drum_size) ** 2))
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no 'no wave_speed given' warning: each drum's c is used
        (row,) = evaluateRobustness(run, ['clean'], n_drums=3, progressbar=False)
    assert row['model_rmse_cm'] == pytest.approx(expected, rel=1e-9) and 0.0 <= row['model_iou'] <= 1.0
    assert len(set(held.wave_speed.tolist())) == 3  # a material range: every drum its own c
