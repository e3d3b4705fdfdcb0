"""init_from: a routine's network starts from a shipped model's or an earlier run's weights (fine-tuning), and says
clearly when the source does not fit."""

import os
from pathlib import Path

import pytest
import torch

from kac_prediction.architecture import SpectrumCRePE, SpectrumLocator
from kac_prediction.models import loadPretrained
from kac_prediction.routines.initial_weights import initialWeights, loadInitialWeights


def rectangleNetwork(depth: str = 'small') -> SpectrumLocator:
    torch.manual_seed(0)
    return SpectrumLocator(depth, 0.0, 1e-3, 'adam', labels=['transit_time', 'aspect_ratio'],
                           log_labels=['transit_time'])  # fmt: skip


def test_a_shipped_family_gives_its_weights_and_predictions() -> None:
    model = rectangleNetwork()
    shipped = loadPretrained('rectangle').model
    x = torch.rand(3, 1024)
    assert not torch.allclose(model.eval()(x), shipped(x))
    loadInitialWeights(model, 'rectangle')
    for key, value in shipped.state_dict().items():
        assert torch.equal(model.state_dict()[key], value.to(model.state_dict()[key].dtype)), key
    torch.testing.assert_close(model.eval()(x), shipped(x))


def test_a_source_that_does_not_fit_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='differs from this run.*set depth, labels and grid_size'):
        loadInitialWeights(rectangleNetwork('tiny'), 'rectangle')
    crepe = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['transit_time', 'aspect_ratio'])
    with pytest.raises(ValueError, match='holds a SpectrumLocator, this run trains a SpectrumCRePE'):
        loadInitialWeights(crepe, 'rectangle')
    from kac_prediction.routines import routineParameters

    with pytest.raises(ValueError, match="pretrained: true and init_from: 'circle' both set the initial weights"):
        routineParameters('size_of_circular_drum', overrides={'pretrained': True, 'init_from': 'circle'})
    with pytest.raises(FileNotFoundError, match="'square' is neither a shipped family"):
        loadInitialWeights(rectangleNetwork(), 'square')
    with pytest.raises(FileNotFoundError, match='neither a shipped family'):
        loadInitialWeights(rectangleNetwork(), os.fspath(tmp_path / 'absent'))


def test_a_run_starts_from_an_earlier_runs_weights(tmp_path: Path) -> None:
    from kac_prediction.inference import loadPredictor
    from kac_prediction.routines import runRoutine

    data, exports = os.fspath(tmp_path / 'data'), os.fspath(tmp_path / 'model')
    overrides = {'architecture': 'locator', 'dataset_size': 20, 'num_of_epochs': 1, 'batch_size': 8}
    first = runRoutine('size_of_circular_drum', overrides=overrides, dataset_dir=data, exports_dir=exports)
    # a learning rate of 1e-9 barely moves the weights: the second run's network is the first's
    tuned = {**overrides, 'init_from': first['exports_dir'], 'learning_rate': 1e-9}
    second = runRoutine('size_of_circular_drum', overrides=tuned, dataset_dir=data, exports_dir=exports)
    assert second['exports_dir'] != first['exports_dir']
    before, after = (loadPredictor(run['exports_dir']).model for run in (first, second))
    for (name, a), (_, b) in zip(before.named_parameters(), after.named_parameters(), strict=True):
        torch.testing.assert_close(b, a, atol=1e-6, rtol=0.0, msg=name)


def test_the_source_is_checked_before_any_data_are_made_and_leaves_the_random_state(tmp_path: Path) -> None:
    from kac_prediction.routines import runRoutine

    data = tmp_path / 'data'
    overrides = {'architecture': 'locator', 'dataset_size': 20, 'num_of_epochs': 1, 'init_from': 'rectangle'}
    with pytest.raises(ValueError, match='differs from this run.*set depth, labels and grid_size'):
        runRoutine('size_of_circular_drum', overrides=overrides, dataset_dir=os.fspath(data),
                   exports_dir=os.fspath(tmp_path / 'model'))  # fmt: skip
    assert not data.exists()
    state = torch.get_rng_state()
    initial = initialWeights(rectangleNetwork, 'rectangle')
    assert initial is not None and torch.equal(torch.get_rng_state(), state)
    assert initialWeights(rectangleNetwork, '') is None
