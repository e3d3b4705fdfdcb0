"""OutlineCRePE (size + outline mask), mask IoU, outline masks and plots, reading a dataset's audio back."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from _checkpoints import reloaded

from kac_prediction.architecture import OutlineCRePE, SpectrumCRePE
from kac_prediction.dataset import generateDataset, readAudio
from kac_prediction.geometry import ConvexPolygon, Polygon
from kac_prediction.inference import plotOutlines
from kac_prediction.pipeline.metrics import maskIoU
from kac_prediction.routines.shape_of_polygonal_drum import outlineMasks
from kac_prediction.samplers import BesselModel


def model(**changes: Any) -> OutlineCRePE:
    torch.manual_seed(0)
    arguments: dict[str, Any] = {
        'depth': 'tiny', 'dropout': 0.0, 'learning_rate': 1e-3, 'optimiser': 'adam', 'grid_size': 8, **changes,
    }  # fmt: skip
    return OutlineCRePE(**arguments)


def test_targets_and_outputs_round_trip() -> None:
    m = model()
    sizes = torch.tensor([0.15, 0.3, 0.45], dtype=torch.float64)
    m.fitLabels(sizes.unsqueeze(1))
    masks = torch.rand(3, 8, 8) > 0.5
    targets = m.encodeTargets(sizes, masks)
    assert targets.shape == (3, 1 + 64) and targets.dtype == torch.float32
    assert torch.equal(targets[:, 1:].reshape(3, 8, 8), masks.float())  # row-major, mask[x, y]
    # logits of ±20 decode to the mask; the size column decodes to metres
    logits = torch.cat([targets[:, :1], 40.0 * targets[:, 1:] - 20.0], dim=1)
    decoded_sizes, probabilities = m.decodeOutputs(logits)
    assert torch.allclose(decoded_sizes, sizes, rtol=1e-6)
    assert torch.equal(probabilities > 0.5, masks)
    assert isinstance(m, SpectrumCRePE) and m.outputs == 65
    with torch.no_grad():
        predicted = m.eval().predict(torch.rand(2, 1024))
    assert predicted['drum_size'].shape == (2,) and predicted['mask'].shape == (2, 8, 8)
    assert bool((predicted['drum_size'] > 0).all()) and bool(
        ((predicted['mask'] >= 0) & (predicted['mask'] <= 1)).all()
    )


def test_loss_is_size_error_plus_mask_cross_entropy() -> None:
    m = model(mask_weight=2.0)
    y_hat, y = torch.randn(4, 65), torch.cat([torch.randn(4, 1), (torch.rand(4, 64) > 0.5).float()], dim=1)
    expected = torch.mean((y_hat[:, 0] - y[:, 0]) ** 2) + 2.0 * torch.nn.functional.binary_cross_entropy(
        torch.sigmoid(y_hat[:, 1:]), y[:, 1:]
    )
    assert float(m.criterion(y_hat, y)) == pytest.approx(float(expected), rel=1e-5)


def test_a_training_step_lowers_the_loss_on_a_batch() -> None:
    m = model()
    x = torch.rand(8, 1024) ** 4
    y = torch.cat([torch.randn(8, 1), (torch.rand(8, 64) > 0.5).float()], dim=1)
    losses = []
    for _ in range(15):
        m.training_loss = 0.0
        m.innerTrainingLoop(0, 1, x, y)
        losses.append(m.training_loss)
    assert losses[-1] < 0.5 * losses[0]


def test_checkpoint_rebuilds_the_model(tmp_path: Path) -> None:
    m = model()
    m.fitLabels(torch.tensor([[0.2], [0.4]], dtype=torch.float64))
    loaded = reloaded(m, tmp_path)
    x = torch.rand(2, 1024)
    with torch.no_grad():
        assert torch.equal(loaded(x), m.eval()(x))
    assert loaded.grid_size == 8 and torch.equal(loaded.label_mean, m.label_mean)


@pytest.mark.parametrize(
    ('changes', 'match'),
    [({'grid_size': 2}, 'grid_size'), ({'grid_size': 8.0}, 'grid_size'), ({'mask_weight': 0}, 'mask_weight')],
)
def test_bad_arguments(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        model(**changes)
    with pytest.raises(ValueError, match=r'masks \(N, 8, 8\)'):
        model().encodeTargets(torch.ones(2), torch.ones(2, 4, 4))


def test_mask_iou() -> None:
    true = torch.zeros(4, 2, 2, dtype=torch.bool)
    true[:, 0, :] = True  # two cells
    predicted = torch.zeros(4, 2, 2)
    predicted[0, 0, :] = 0.9  # identical
    predicted[1, 1, :] = 0.9  # disjoint
    predicted[2, 0, 0] = 0.5  # one of two, counted at the threshold: 1/2
    predicted[3, :, :] = 0.7  # a superset: 2/4
    assert maskIoU(predicted, true).tolist() == [1.0, 0.0, 0.5, 0.5]
    assert maskIoU(torch.zeros(1, 3, 3), torch.zeros(1, 3, 3, dtype=torch.bool)).tolist() == [1.0]  # both empty
    with pytest.raises(ValueError, match='must both be'):
        maskIoU(torch.zeros(2, 3, 3), torch.zeros(2, 3, 4))


def test_outline_masks_follow_the_canonical_frame() -> None:
    square = [[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]]
    right_triangle = [[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0]]  # below the diagonal y = x
    masks = outlineMasks([square, right_triangle], 33)
    assert masks.shape == (2, 33, 33) and masks.dtype == torch.bool
    assert bool(masks[0].all())
    x, y = np.meshgrid(np.arange(33), np.arange(33), indexing='ij')
    assert np.array_equal(masks[1].numpy(), y <= x)  # mask[x, y], the diagonal on the boundary counts
    # Valtr polygons in their canonical pose: the mask's area matches the polygon's
    polygon = ConvexPolygon(rng=np.random.default_rng(3))
    area = float(outlineMasks([polygon.vertices], 129)[0].sum()) * (2 / 128) ** 2
    assert area == pytest.approx(Polygon(polygon.vertices).area, rel=0.05)


def test_outlines_plot(tmp_path: Path) -> None:
    polygons = [ConvexPolygon(rng=np.random.default_rng(k)).vertices for k in range(5)]
    masks = outlineMasks(polygons, 32).float()
    path = plotOutlines(polygons, [0.2, 0.3, 0.25, 0.4, 0.15], masks, [0.21, 0.3, 0.2, 0.38, 0.16],
                        tmp_path / 'outlines.png', n=4, iou=[1.0] * 5)  # fmt: skip
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with pytest.raises(ValueError, match='predicted_masks'):
        plotOutlines(polygons, [0.2] * 5, masks[:3], [0.2] * 5, tmp_path / 'bad.png')


def test_read_audio_gives_back_the_generated_waveforms(tmp_path: Path) -> None:
    settings = {'duration': 0.05, 'sample_rate': 16000, 'seed': 4}
    dataset = generateDataset(BesselModel, tmp_path, 3, {'output_type': 'end2end'}, settings, num_workers=1,
                              progressbar=False)  # fmt: skip
    audio = readAudio(dataset, [2, 0])
    sampler = BesselModel(**settings)  # type: ignore[arg-type]
    waveforms, _ = sampler.generateBatch([2, 0])
    assert audio.shape == (2, 800) and audio.dtype == np.float64
    assert np.max(np.abs(audio - waveforms)) <= 2.0**-23  # 24-bit quantisation
    with pytest.raises(ValueError, match='outside the dataset'):
        readAudio(dataset, [3])
