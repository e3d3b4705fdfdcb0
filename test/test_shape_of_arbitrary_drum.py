"""The arbitrary-polygon shape routine: its principal frame, its mirror-invariant loss, its scores and a short run."""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
import soundfile
import torch

from kac_prediction.architecture import OutlineCRePE
from kac_prediction.architecture.outline_crepe import OutlineLoss
from kac_prediction.geometry import TravellingSalesmanPolygon
from kac_prediction.inference import loadPredictor
from kac_prediction.routines import runRoutine
from kac_prediction.routines.shape_of_arbitrary_drum import outlineScores, principalMasks

G = 40


def _moved(V: np.ndarray, angle: float, mirror: bool) -> np.ndarray:
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    W = V * np.array([-1.0, 1.0]) if mirror else V
    return np.asarray(2.5 * W @ turn.T + np.array([3.0, -1.0]))


def test_principal_masks_ignore_position_size_rotation_and_mirror_image() -> None:
    V = TravellingSalesmanPolygon(N=8, rng=np.random.default_rng(4)).vertices
    reference = principalMasks([V], G)[0]
    assert 0.1 * G * G < reference.sum() < 0.9 * G * G
    for angle, mirror in [(0.4, False), (2.0, True), (4.4, True)]:
        mask = principalMasks([_moved(V, angle, mirror)], G)[0]
        flips = [mask, mask.flip(0), mask.flip(1), mask.flip(0, 1)]
        assert min(int((reference ^ m).sum()) for m in flips) <= 2  # equal but for nodes on the boundary


def test_the_mirror_invariant_loss_scores_every_flip_of_the_target_alike() -> None:
    torch.manual_seed(0)
    y_hat = torch.randn(3, 1 + G * G)
    target = torch.cat([torch.zeros(3, 1), (torch.rand(3, G * G) > 0.5).float()], dim=1)
    flipped = torch.cat([target[:, :1], target[:, 1:].reshape(3, G, G).flip(1).reshape(3, -1)], dim=1)
    invariant, plain = OutlineLoss(mirror_invariant=True), OutlineLoss()
    assert torch.isclose(invariant(y_hat, target), invariant(y_hat, flipped))
    assert not torch.isclose(plain(y_hat, target), plain(y_hat, flipped))
    assert invariant(y_hat, target) <= plain(y_hat, target)


def test_scores_of_true_masks_are_near_one_and_an_empty_mask_scores_zero() -> None:
    shapes = [TravellingSalesmanPolygon(N=7, rng=np.random.default_rng(seed)).vertices for seed in range(3)]
    masks = principalMasks(shapes, 64).float()
    sizes = np.array([0.2, 0.3, 0.4])
    scores = outlineScores(shapes, sizes, masks, sizes)
    assert np.all(scores['iou'] > 0.9) and np.all(scores['shape_iou'] > 0.9)
    assert np.all(scores['disc_iou'] < scores['iou'])  # a non-convex outline is far from a disc
    wrong_size = outlineScores(shapes, sizes, masks, 2.0 * sizes)
    assert np.all(wrong_size['iou'] < 0.3) and np.allclose(wrong_size['shape_iou'], scores['shape_iou'], atol=1e-6)
    empty = outlineScores(shapes[:1], sizes[:1], torch.zeros(1, 64, 64), sizes[:1])
    assert empty['iou'][0] == 0.0 and empty['shape_iou'][0] == 0.0


def test_a_short_run_scores_each_family_and_predicts_outlines(tmp_path: Path) -> None:
    overrides = {'dataset_size': 48, 'num_of_epochs': 1, 'batch_size': 8, 'grid_size': 16}
    result = runRoutine('shape_of_arbitrary_drum', overrides=overrides, dataset_dir=str(tmp_path / 'data'),
                        exports_dir=str(tmp_path / 'model'))  # fmt: skip
    outline = result['metrics']['outline']
    assert outline['all']['count'] == 8 and set(outline) <= {'all', 'convex', 'star', 'tsp'}
    for row in outline.values():
        assert 0.0 <= row['iou'] <= 1.0 and 0.0 < row['disc_iou'] <= 1.0
    assert math.isfinite(result['metrics']['drum_size']['rmse'])
    run = Path(result['exports_dir'])
    assert (run / 'outlines.png').stat().st_size > 0
    predictor = loadPredictor(run)
    assert isinstance(predictor.model, OutlineCRePE) and predictor.model.criterion.mirror_invariant
    waveform, rate = soundfile.read(tmp_path / 'data' / 'sample_00000.wav')
    row = predictor.predictWaveform(waveform, rate)
    if row['outline']:  # an untrained mask may be empty; any outline it gives encloses drum_size², about the centroid
        area = shapely.Polygon(row['outline']).area
        assert area == pytest.approx(row['drum_size'] ** 2, rel=1e-6)
    # new drums heard clean, FDTD-rendered, with noise, in a room and through the chain (scripts/evaluate_outlines.py)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'scripts'))
    import evaluate_outlines

    arguments = ['--drums', '3', '--json', str(tmp_path / 'outlines.json'), '--plot', str(tmp_path / 'o.png')]
    assert evaluate_outlines.main([str(run), *arguments]) == 0
    assert (tmp_path / 'o.png').stat().st_size > 0
    found = json.loads((tmp_path / 'outlines.json').read_text())
    assert set(found) == {'clean', 'fdtd', 'noise 20 dB', 'room', 'full chain'}
    assert all(found[name]['all']['count'] == 3 for name in found)
    assert evaluate_outlines.main([str(run), '--seed', '0']) == 2  # the training seed is refused
