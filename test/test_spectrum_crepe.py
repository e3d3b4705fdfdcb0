"""SpectrumCRePE: log input invariant to gain, labels standardised (in log space for sizes) and decoded exactly."""

import math
from pathlib import Path
from typing import Any

import pytest
import torch
from _checkpoints import reloaded

from kac_prediction.architecture import CRePE, SpectrumCRePE


def model(**changes: Any) -> SpectrumCRePE:
    torch.manual_seed(0)
    arguments: dict[str, Any] = {
        'depth': 'tiny', 'dropout': 0.0, 'learning_rate': 1e-3, 'optimiser': 'adam',
        'labels': ['drum_size', 'aspect_ratio'], 'log_labels': ['drum_size'], **changes,
    }  # fmt: skip
    return SpectrumCRePE(**arguments)


def test_labels_round_trip_and_are_standardised() -> None:
    m = model()
    y = torch.tensor([[0.1, 1.0], [0.5, 2.5], [2.0, 4.0], [1.0, 1.5]], dtype=torch.float64)
    m.fitLabels(y)
    z = m.encode(y)
    assert z.dtype == torch.float32
    assert torch.allclose(z.double().mean(dim=0), torch.zeros(2, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(z.double().std(dim=0), torch.ones(2, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(m.decode(m.encode(y)), y, rtol=1e-6)
    # drum_size in log space: equal ratios are equal steps; aspect_ratio linear
    assert m.label_mean[0].item() == pytest.approx(float(torch.log(y[:, 0]).mean()))
    assert m.label_mean[1].item() == pytest.approx(float(y[:, 1].mean()))
    assert m.model_kwargs['label_mean'] == pytest.approx(m.label_mean.tolist())
    assert m.model_kwargs['log_labels'] == ['drum_size'] and 'outputs' not in m.model_kwargs


def test_input_is_read_relative_to_its_peak() -> None:
    m = model().eval()
    x = torch.rand(3, 1024) ** 8
    with torch.no_grad():
        assert torch.allclose(m(x), m(1000.0 * x), atol=1e-5)  # gain does not matter
        predicted = m.predict(x)
    assert sorted(predicted) == ['aspect_ratio', 'drum_size'] and predicted['drum_size'].shape == (3,)
    assert bool((predicted['drum_size'] > 0).all())  # a log label decodes positive
    assert isinstance(m, CRePE) and m.outputs == 2


def test_checkpoint_rebuilds_the_model(tmp_path: Path) -> None:
    m = model()
    m.fitLabels(torch.tensor([[0.2, 1.0], [1.8, 3.0]], dtype=torch.float64))
    loaded = reloaded(m, tmp_path)
    x = torch.rand(2, 1024)
    with torch.no_grad():
        assert torch.equal(loaded(x), m.eval()(x))
    assert loaded.labels == m.labels and torch.equal(loaded.label_spread, m.label_spread)


@pytest.mark.parametrize(
    ('changes', 'match'),
    [
        ({'labels': []}, 'labels must be distinct'),
        ({'labels': ['a', 'a']}, 'labels must be distinct'),
        ({'log_labels': ['size']}, r"log_labels \['size'\] are not among"),
        ({'label_mean': [0.0]}, 'one value per label'),
        ({'label_spread': [1.0, 0.0]}, 'spreads > 0'),
        ({'dynamic_range': math.inf}, 'dynamic_range'),
        ({'depth': 'huge'}, 'depth'),
    ],
)
def test_bad_arguments(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        model(**changes)


def test_bad_inputs() -> None:
    m = model()
    with pytest.raises(ValueError, match=r'\(batch, 1024\)'):
        m(torch.rand(2, 512))
    with pytest.raises(ValueError, match='must be > 0'):
        m.fitLabels(torch.tensor([[0.0, 1.0], [1.0, 2.0]]))
