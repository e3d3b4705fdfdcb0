"""OutlineLocator: SpectrumLocator's network with an outline head reads a shape from its pattern of peaks wherever
the size puts it, keeps OutlineCRePE's targets, loss and checkpoints, and trains inside both outline routines
(`architecture: locator`)."""

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from _checkpoints import reloaded

from kac_prediction.architecture import OutlineLocator, OutlineOutputs, SpectrumLocator

BANDS = np.geomspace(100.0, 10000.0, 1024)  # the band centres of shape_of_arbitrary_drum's spectrum, Hz
RATIOS = (  # the first eigenvalue ratios √(λ_k/λ_1) of a square and of a 1 × 3 rectangle
    np.sqrt(np.array([2, 5, 5, 8, 10, 10, 13, 13, 17, 17, 18, 20]) / 2.0),
    np.sqrt(np.sort([(m / 3.0) ** 2 + n**2 for m in range(1, 8) for n in range(1, 4)])[:12] / (1 / 9 + 1)),
)

STEPS = 100


def model(**changes: Any) -> OutlineLocator:
    torch.manual_seed(0)
    arguments: dict[str, Any] = {
        'depth': 'tiny', 'dropout': 0.0, 'learning_rate': 3e-3, 'optimiser': 'adam', 'grid_size': 8, **changes,
    }  # fmt: skip
    return OutlineLocator(**arguments)


def shapeSpectra(n: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """n band spectra (n, 1024) of drums of two shapes (`RATIOS`) at fundamentals 150–1500 Hz: Lorentzian peaks of
    random levels over a floor 60 dB down; each drum's size (n,) ∝ 1 / fundamental; its shape (n,), 0 or 1."""
    shape = rng.integers(0, 2, n)
    f1 = np.exp(rng.uniform(np.log(150.0), np.log(1500.0), n))
    peaks = f1[:, None] * np.stack([RATIOS[s] for s in shape])
    levels = 10.0 ** rng.uniform(-2.0, 0.0, peaks.shape)
    width = 0.004 * peaks[..., None]
    power = (levels[..., None] / (1.0 + ((BANDS - peaks[..., None]) / width) ** 2)).sum(axis=1)
    power += 1e-6 * rng.random((n, BANDS.size))
    return torch.tensor(power, dtype=torch.float32), torch.tensor(50.0 / f1), torch.tensor(shape)


def masksOf(shape: torch.Tensor) -> torch.Tensor:
    """(n, 8, 8) masks: a full square for shape 0, a centred 8 × 3 strip for shape 1 (the 1 × 3 rectangle)."""
    masks = torch.zeros(shape.shape[0], 8, 8)
    masks[shape == 0] = 1.0
    masks[shape == 1, :, 3:6] = 1.0
    return masks


def test_targets_outputs_loss_and_checkpoint(tmp_path: Path) -> None:
    m = model(mirror_invariant=True, mask_weight=2.0)
    sizes = torch.tensor([0.15, 0.3, 0.45], dtype=torch.float64)
    m.fitLabels(sizes.unsqueeze(1))
    masks = torch.rand(3, 8, 8) > 0.5
    targets = m.encodeTargets(sizes, masks)
    assert targets.shape == (3, 65) and torch.equal(targets[:, 1:].reshape(3, 8, 8), masks.float())
    decoded, probabilities = m.decodeOutputs(torch.cat([targets[:, :1], 40.0 * targets[:, 1:] - 20.0], dim=1))
    assert torch.allclose(decoded, sizes, rtol=1e-6) and torch.equal(probabilities > 0.5, masks)
    assert isinstance(m, OutlineOutputs) and isinstance(m, SpectrumLocator) and m.labels == ['drum_size']
    assert m.criterion.mirror_invariant and m.criterion.mask_weight == 2.0
    x = torch.rand(2, 1024)
    with torch.no_grad():
        assert m.eval()(x).shape == (2, 65)
    predicted = m.predict(x)
    assert predicted['drum_size'].shape == (2,) and predicted['mask'].shape == (2, 8, 8)
    loaded = reloaded(m, tmp_path)
    with torch.no_grad():
        assert torch.equal(loaded(x), m(x))
    assert loaded.grid_size == 8 and loaded.criterion.mirror_invariant and loaded.criterion.mask_weight == 2.0
    transit = model(size_label='transit_time')
    assert transit.labels == ['transit_time'] and transit.model_kwargs['size_label'] == 'transit_time'
    assert set(transit.predict(x)) == {'transit_time', 'mask'}


@pytest.mark.parametrize(
    ('changes', 'match'),
    [({'grid_size': 2}, 'grid_size'), ({'mask_weight': 0}, 'mask_weight'), ({'size_label': 'area'}, 'size_label'),
     ({'depth': 'huge'}, 'depth')],
)  # fmt: skip
def test_bad_arguments(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        model(**changes)


def test_it_reads_the_shape_wherever_the_size_puts_its_peaks() -> None:
    """Two shapes at sizes over a decade: after STEPS steps the masks of new drums are right and their sizes close."""
    rng = np.random.default_rng(0)
    m = model()
    x, sizes, shape = shapeSpectra(1024, rng)
    m.fitLabels(sizes.unsqueeze(1))
    targets = m.encodeTargets(sizes, masksOf(shape))
    m.train()
    for step in range(STEPS):
        batch = torch.from_numpy(rng.integers(0, 1024, 32))
        m.innerTrainingLoop(step, STEPS, x[batch], targets[batch])
    x_new, sizes_new, shape_new = shapeSpectra(200, np.random.default_rng(1))
    predicted = m.eval().predict(x_new)
    wrong = ((predicted['mask'] > 0.5) != masksOf(shape_new).bool()).float().mean()
    error = (predicted['drum_size'].log() - sizes_new.log()).square().mean().sqrt()
    print(f'mask cells wrong {wrong:.3f}; ln size error {error:.3f} against {sizes_new.log().std():.3f}')
    assert wrong < 0.05 and error < 0.15 * sizes_new.log().std()


@pytest.mark.parametrize(
    ('routine', 'overrides'),
    [('shape_of_arbitrary_drum', {'dataset_size': 24, 'grid_size': 16}),
     ('shape_of_polygonal_drum', {'realistic': True, 'dataset_size': 12, 'rooms': 2, 'grid_size': 16})],
)  # fmt: skip
def test_the_outline_routines_train_it_and_predict_reads_it(
    routine: str, overrides: dict[str, Any], tmp_path: Path
) -> None:
    from kac_prediction.inference import loadPredictor
    from kac_prediction.routines import routineParameters, runRoutine

    overrides = {**overrides, 'architecture': 'locator', 'num_of_epochs': 1, 'batch_size': 8}
    result = runRoutine(routine, overrides=overrides, dataset_dir=os.fspath(tmp_path / 'data'),
                        exports_dir=os.fspath(tmp_path / 'model'))  # fmt: skip
    assert np.isfinite(result['metrics']['drum_size']['rmse'])
    predictor = loadPredictor(result['exports_dir'])
    assert isinstance(predictor.model, OutlineLocator) and predictor.model.grid_size == 16
    (row,) = predictor.predictFiles([os.fspath(tmp_path / 'data' / 'sample_00000.wav')], progressbar=False)
    assert row['drum_size'] > 0 and 'outline' in row
    with pytest.raises(ValueError, match="architecture must be 'crepe' or 'locator', got 'resnet'"):
        routineParameters(routine, overrides={'architecture': 'resnet'})


def test_the_soft_iou_term_and_its_parameter() -> None:
    from kac_prediction.architecture import OutlineLoss
    from kac_prediction.routines import routineParameters

    y_hat = torch.randn(4, 65)
    y = torch.cat([torch.randn(4, 1), (torch.rand(4, 64) > 0.5).float()], dim=1)
    p, t = torch.sigmoid(y_hat[:, 1:]), y[:, 1:]
    soft_iou = (p * t).sum(dim=1) / (p + t - p * t).sum(dim=1)
    plain, weighted = OutlineLoss(), OutlineLoss(iou_weight=0.5)
    expected = plain(y_hat, y) + 0.5 * (1.0 - soft_iou).mean()
    assert float(weighted(y_hat, y)) == pytest.approx(float(expected), rel=1e-5)
    assert model(iou_weight=0.5).model_kwargs['iou_weight'] == 0.5 and 'iou_weight' not in model().model_kwargs
    with pytest.raises(ValueError, match='iou_weight'):
        routineParameters('shape_of_arbitrary_drum', overrides={'iou_weight': -1.0})
