"""SpectrumLocator: the soft-argmax network reads a shift of a pattern of peaks along the log-frequency bands, keeps
SpectrumCRePE's labels and checkpoints, and trains inside the regression routines (`architecture: locator`)."""

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from _checkpoints import reloaded

from kac_prediction.architecture import SpectrumCRePE, SpectrumLabels, SpectrumLocator

BANDS = np.geomspace(20.0, 4000.0, 1024)  # the centres of the routines' log bands, Hz


def model(**changes: Any) -> SpectrumLocator:
    torch.manual_seed(0)
    arguments: dict[str, Any] = {
        'depth': 'tiny', 'dropout': 0.0, 'learning_rate': 3e-3, 'optimiser': 'adam',
        'labels': ['drum_size', 'aspect_ratio'], 'log_labels': ['drum_size'], **changes,
    }  # fmt: skip
    return SpectrumLocator(**arguments)


def drumSpectra(n: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n band spectra (n, 1024) of circular drums heard clean: Lorentzian peaks at the first 12 mode ratios of a
    circle (Bessel zeros / j₀₁) of a fundamental 40–400 Hz, random levels, a noise floor 60 dB down; and each
    drum's transit time (n, 1) ∝ 1 / fundamental (s)."""
    ratios = np.array([1.0, 1.594, 2.136, 2.296, 2.653, 2.918, 3.156, 3.501, 3.600, 3.652, 4.060, 4.154])
    f1 = np.exp(rng.uniform(np.log(40.0), np.log(400.0), n))
    levels = 10.0 ** rng.uniform(-2.0, 0.0, (n, ratios.size))
    peaks = f1[:, None] * ratios  # (n, modes)
    width = 0.004 * peaks[..., None]
    power = (levels[..., None] / (1.0 + ((BANDS - peaks[..., None]) / width) ** 2)).sum(axis=1)
    power += 1e-6 * rng.random((n, BANDS.size))
    return torch.tensor(power, dtype=torch.float32), torch.tensor(0.7655 / f1, dtype=torch.float64)[:, None]


def test_labels_and_input_scaling_are_spectrum_crepes() -> None:
    m, reference = model().eval(), SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', ['drum_size', 'aspect_ratio'],
                                                 ['drum_size'])  # fmt: skip
    assert isinstance(m, SpectrumLabels) and isinstance(reference, SpectrumLabels)
    y = torch.tensor([[0.1, 1.0], [0.5, 2.5], [2.0, 4.0]], dtype=torch.float64)
    m.fitLabels(y)
    reference.fitLabels(y)
    assert torch.equal(m.encode(y), reference.encode(y)) and torch.allclose(m.decode(m.encode(y)), y, rtol=1e-6)
    x = torch.rand(3, 1024) ** 8
    assert torch.equal(m.logSpectrum(x), reference.logSpectrum(x))
    with torch.no_grad():
        assert torch.allclose(m(x), m(1000.0 * x), atol=1e-5)  # gain does not matter
    predicted = m.predict(x)
    assert sorted(predicted) == ['aspect_ratio', 'drum_size'] and bool((predicted['drum_size'] > 0).all())
    weights = m.bandWeights(x)
    assert weights.shape == (3, 2, 512) and torch.allclose(weights.sum(dim=2), torch.ones(3, 2), atol=1e-5)


def test_width_follows_depth_and_checkpoints_rebuild_it(tmp_path: Path) -> None:
    assert model(depth='tiny').stem.out_channels == 16 and model(depth='small').stem.out_channels == 32
    m = model()
    m.fitLabels(torch.tensor([[0.2, 1.0], [1.8, 3.0]], dtype=torch.float64))
    loaded = reloaded(m, tmp_path)
    x = torch.rand(2, 1024)
    with torch.no_grad():
        assert torch.equal(loaded(x), m.eval()(x))
    assert loaded.labels == m.labels and torch.equal(loaded.label_mean, m.label_mean)


@pytest.mark.parametrize(
    ('changes', 'match'),
    [
        ({'labels': ['a', 'a']}, 'labels must be distinct'),
        ({'log_labels': ['size']}, r"log_labels \['size'\] are not among"),
        ({'label_spread': [1.0, 0.0]}, 'spreads > 0'),
        ({'dynamic_range': math.inf}, 'dynamic_range'),
        ({'depth': 'huge'}, 'depth'),
        ({'dropout': 1.0}, 'dropout'),
    ],
)
def test_bad_arguments(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        model(**changes)
    with pytest.raises(ValueError, match=r'band power of shape \(batch, 1024\)'):
        model()(torch.rand(2, 512))


def test_it_learns_the_size_of_drums_it_did_not_hear() -> None:
    """Trained for 120 steps on 1920 synthetic drum spectra, it names the transit time of 256 new drums far better
    than their mean does (a 10× range of fundamentals)."""
    rng = np.random.default_rng(0)
    X, y = drumSpectra(1920, rng)
    X_new, y_new = drumSpectra(256, rng)
    m = model(labels=['transit_time'], log_labels=['transit_time'])
    m.fitLabels(y)
    z = m.encode(y)
    m.train()
    for step in range(120):
        k = torch.arange(16 * step, 16 * step + 16) % len(X)
        m.innerTrainingLoop(step, 120, X[k], z[k])
    m.eval()
    error = (m.predict(X_new)['transit_time'] / y_new[:, 0]).log()
    spread = (y_new[:, 0].log() - y[:, 0].log().mean()).square().mean().sqrt()
    rms = error.square().mean().sqrt()
    print(f'ln transit-time error {rms:.3f} against {spread:.3f} for the mean')
    assert rms < 0.15 * spread


def test_the_routine_trains_it_and_predict_reads_its_checkpoint(tmp_path: Path) -> None:
    from kac_prediction.inference import loadPredictor
    from kac_prediction.routines import routineParameters, runRoutine

    overrides = {'architecture': 'locator', 'dataset_size': 20, 'num_of_epochs': 1, 'batch_size': 8}
    result = runRoutine('size_of_circular_drum', overrides=overrides, dataset_dir=os.fspath(tmp_path / 'data'),
                        exports_dir=os.fspath(tmp_path / 'model'))  # fmt: skip
    assert np.isfinite(result['metrics']['drum_size']['rmse'])
    predictor = loadPredictor(result['exports_dir'])
    assert isinstance(predictor.model, SpectrumLocator) and predictor.labels == ['drum_size']
    (row,) = predictor.predictFiles([os.fspath(tmp_path / 'data' / 'sample_00000.wav')], progressbar=False)
    assert row['drum_size'] > 0
    with pytest.raises(ValueError, match="architecture must be 'crepe' or 'locator', got 'resnet'"):
        routineParameters('size_of_circular_drum', overrides={'architecture': 'resnet'})
    with pytest.raises(ValueError, match='set pretrained: false or architecture: crepe'):
        routineParameters('size_of_circular_drum', overrides={'architecture': 'locator', 'pretrained': True})
