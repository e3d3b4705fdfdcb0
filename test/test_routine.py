"""The Routine end to end on small generated datasets: parameters, splits, checkpoints, early stopping, resume."""

import itertools
import math
import os
from pathlib import Path
from typing import Any

import pytest
import torch

from kac_prediction.pipeline import Model, Parameters, Routine
from kac_prediction.pipeline.checkpoints import loadCheckpoint
from kac_prediction.pipeline.early_stopping import EarlyStopping
from kac_prediction.pipeline.parameters import loadYAML, mergeParameters
from kac_prediction.pipeline.splits import splitByDrum
from kac_prediction.samplers import BesselModel, TestTone

SAMPLER = {'duration': 0.064, 'sample_rate': 8000}
REPRESENTATION = {'output_type': 'fft', 'n_bins': 128, 'window_length': 128, 'hop_length': 128}


class TinyNet(Model):
    """log-spectrum → linear → f_0 (normalised), for tests."""

    class ModelHyperParameters(Parameters):
        learning_rate: float

    def __init__(self, inputs: int, learning_rate: float) -> None:
        super().__init__()
        self.model_kwargs = {'inputs': inputs, 'learning_rate': learning_rate}
        self.linear = torch.nn.Linear(inputs, 1)
        self.criterion = torch.nn.MSELoss()
        self.optimiser = torch.optim.Adam(self.parameters(), lr=learning_rate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.log1p(x.flatten(1)))

    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        self.optimiser.zero_grad()
        loss = self.criterion(self(x), target(y))
        loss.backward()
        self.optimiser.step()
        self.training_loss += loss.item()


def target(y: Any) -> torch.Tensor:
    return (y['f_0'] - 440.0) / 220.0


def defaults(**changes: Any) -> dict[str, Any]:
    P = TinyNet.ModelHyperParameters(
        batch_size=8, dataset_split=(0.6, 0.2, 0.2), learning_rate=0.05, num_of_epochs=6, testing=False,
        with_early_stopping=False,
    )  # fmt: skip
    return {**P, 'dataset_size': 60, 'checkpoint_every': 5, **changes}


def makeRoutine(tmp_path: Path, P: dict[str, Any], resume: str = '') -> Routine:
    routine = Routine(exports_dir=os.fspath(tmp_path / 'model'), resume=resume)
    routine.setParameters(P)
    routine.importDataset(os.fspath(tmp_path / 'data'), LocalSampler=TestTone, representation_settings=REPRESENTATION,
                          sampler_settings=SAMPLER)  # type: ignore[arg-type]  # fmt: skip
    routine.setModel(TinyNet(inputs=65 * 5, learning_rate=routine.P['learning_rate']))
    return routine


def lossLoop(routine: Routine) -> Any:
    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        routine.M.testing_loss['aggregate'] += routine.M.criterion(routine.M(x), target(y)).item() / loop_length

    return innerTestingLoop


# --- parameters ---


def test_parameters_merge_defaults_yaml_and_wandb(tmp_path: Path) -> None:
    P = mergeParameters(defaults())
    assert P['batch_size'] == 8 and P['seed'] == 0 and P['patience'] == 10 and P['dataset_split'] == (0.6, 0.2, 0.2)
    (tmp_path / 'empty.yaml').write_text('')
    assert mergeParameters(defaults(), loadYAML(tmp_path / 'empty.yaml')) == P
    old = 'batch_size: 4\ndataset_split: !!python/tuple [0.8, 0.1, 0.1]\nlearning_rate: 1\n'
    (tmp_path / 'old.yaml').write_text(old)
    custom = mergeParameters(defaults(), loadYAML(tmp_path / 'old.yaml'), {'learning_rate': 0.5, '_wandb': {}})
    assert custom['batch_size'] == 4 and custom['dataset_split'] == (0.8, 0.1, 0.1) and custom['learning_rate'] == 0.5
    assert isinstance(mergeParameters(defaults(), {'learning_rate': 1})['learning_rate'], float)
    with pytest.raises(ValueError, match="unknown parameter 'batchsize' in the YAML config; valid keys: batch_size"):
        mergeParameters(defaults(), {'batchsize': 4})
    with pytest.raises(TypeError, match='batch_size from wandb.config must be like the default 8'):
        mergeParameters(defaults(), None, {'batch_size': 'four'})
    with pytest.raises(TypeError, match='testing'):
        mergeParameters(defaults(), {'testing': 1})
    with pytest.raises(ValueError, match='dataset_split must be three fractions'):
        mergeParameters(defaults(), {'dataset_split': [0.5, 0.5, 0.5]})
    with pytest.raises(ValueError, match='precision'):
        mergeParameters(defaults(), {'precision': 'float64'})
    with pytest.raises(FileNotFoundError, match='does not exist'):
        loadYAML(tmp_path / 'missing.yaml')


def test_splits_keep_every_drum_in_one_split() -> None:
    groups = [i // 5 for i in range(500)]
    training, validation, test = splitByDrum(groups, (0.7, 0.15, 0.15), seed=3)
    drums = [{groups[i] for i in split} for split in (training, validation, test)]
    assert not (drums[0] & drums[1] or drums[0] & drums[2] or drums[1] & drums[2])
    assert sorted(training + validation + test) == list(range(500))
    assert [len(d) for d in drums] == [70, 15, 15]
    assert splitByDrum(groups, (0.7, 0.15, 0.15), seed=3) == (training, validation, test)
    assert splitByDrum(groups, (0.7, 0.15, 0.15), seed=4) != (training, validation, test)
    with pytest.raises(ValueError, match='cannot be split'):
        splitByDrum([0, 0, 1, 1], (0.5, 0.25, 0.25), seed=0)


def test_early_stopping_waits_for_patience() -> None:
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    improvements = [stopper.step(loss, epoch) for epoch, loss in enumerate([1.0, 0.95, 0.5, 0.45, 0.44])]
    assert improvements == [True, True, True, True, True] and stopper.shouldStop  # 0.45 and 0.44 beat 0.5 by < 0.1
    assert stopper.best == 0.44 and stopper.best_epoch == 4


# --- the Routine ---


def test_routine_trains_checkpoints_and_tests_once(tmp_path: Path) -> None:
    routine = makeRoutine(tmp_path, defaults())
    assert routine.device.type == 'cpu' and len(routine.D) == 60
    metrics = routine.train(lossLoop(routine))
    directory = Path(routine.R['exports_dir'])
    assert directory.parent == tmp_path / 'model' and directory.name == routine.R['id']
    assert sorted(p.name for p in directory.iterdir()) == ['best.pt', 'epoch_005.pt', 'last.pt', 'learning_curves.png']
    last, best = loadCheckpoint(directory / 'last.pt'), loadCheckpoint(directory / 'best.pt')
    assert last['run_info']['epoch'] == 6 and last['testing_loss'] is None
    assert best['testing_loss'] == metrics['testing_loss'] and math.isfinite(metrics['testing_loss']['aggregate'])
    assert (
        best['evaluation_loss']['aggregate']
        == metrics['validation_loss']
        == min(h['validation_loss'] for h in last['training_state']['history'])
    )
    assert best['model_kwargs'] == {'inputs': 325, 'learning_rate': 0.05}
    assert best['run_info']['model']['name'] == 'TinyNet'
    assert best['dataset']['sampler']['name'] == 'TestTone' and best['hyperparameters']['batch_size'] == 8
    first = last['training_state']['history'][0]
    assert metrics['validation_loss'] < first['validation_loss']  # it learns
    for name, tensor in routine.M.state_dict().items():  # the best weights are restored for the test
        assert torch.equal(tensor, best['model_state_dict'][name])


def test_the_routine_trains_validates_and_tests_on_its_splits(tmp_path: Path) -> None:
    routine = makeRoutine(tmp_path, defaults(num_of_epochs=2))
    training, validation, test = routine.splits
    drums = [{int(routine.D.groups[i]) for i in split} for split in routine.splits]
    assert sorted(training + validation + test) == list(range(60)) and not (drums[0] & (drums[1] | drums[2]))
    assert routine.splits == splitByDrum(routine.D.groups, (0.6, 0.2, 0.2), 0)
    seen: list[int] = []

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        seen.append(len(x))
        lossLoop(routine)(i, loop_length, x, y)

    routine.train(innerTestingLoop)
    assert sum(seen) == 2 * len(validation) + len(test)  # validation each epoch, the test split once


def test_overrides_come_between_the_yaml_file_and_wandb(tmp_path: Path) -> None:
    (tmp_path / 'c.yaml').write_text('batch_size: 4\nlearning_rate: 0.1\n')
    routine = Routine(exports_dir=os.fspath(tmp_path / 'model'))
    routine.setParameters(defaults(), config_path=os.fspath(tmp_path / 'c.yaml'), overrides={'batch_size': 16})
    assert routine.P['batch_size'] == 16 and routine.P['learning_rate'] == 0.1
    with pytest.raises(ValueError, match="unknown parameter 'batchsize' in the overrides"):
        routine.setParameters(defaults(), overrides={'batchsize': 16})
    with pytest.raises(RuntimeError, match='importDataset'):
        routine.splits  # noqa: B018


def test_resume_continues_exactly(tmp_path: Path) -> None:
    whole = makeRoutine(tmp_path / 'a', defaults())
    whole.train(lossLoop(whole))
    part = makeRoutine(tmp_path / 'b', defaults(num_of_epochs=3))
    part.train(lossLoop(part))
    resumed = makeRoutine(tmp_path / 'b', defaults(), resume=part.R['id'])
    metrics = resumed.train(lossLoop(resumed))
    assert resumed.R['epoch'] == 6
    a = loadCheckpoint(Path(whole.R['exports_dir']) / 'last.pt')
    b = loadCheckpoint(Path(resumed.R['exports_dir']) / 'last.pt')
    for name, tensor in a['model_state_dict'].items():
        assert torch.equal(tensor, b['model_state_dict'][name])
    assert a['training_state']['history'] == b['training_state']['history']
    assert metrics['validation_loss'] == min(h['validation_loss'] for h in a['training_state']['history'])
    with pytest.raises(FileNotFoundError, match='cannot resume'):
        Routine(exports_dir=os.fspath(tmp_path / 'model'), resume='nothing')


def test_early_stopping_restores_the_best_weights(tmp_path: Path) -> None:
    routine = makeRoutine(tmp_path, defaults(num_of_epochs=0, with_early_stopping=True, patience=2))
    scripted = iter([3.0, 2.0, 1.0, 1.5, 1.7, 0.5])

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        if i == 0:
            routine.M.testing_loss['aggregate'] = next(scripted, 0.0)

    metrics = routine.train(innerTestingLoop)
    assert metrics['epochs'] == 5 and metrics['validation_loss'] == 1.0  # stopped after 2 epochs without improvement
    best = loadCheckpoint(Path(routine.R['exports_dir']) / 'best.pt')
    assert best['run_info']['epoch'] == 3
    for name, tensor in routine.M.state_dict().items():
        assert torch.equal(tensor, best['model_state_dict'][name])


def test_a_diverging_loss_names_the_epoch_and_batch(tmp_path: Path) -> None:
    routine = makeRoutine(tmp_path, defaults())
    with torch.no_grad():
        routine.M.linear.weight.fill_(math.nan)
    with pytest.raises(FloatingPointError, match='at epoch 1, batch 0'):
        routine.train(lossLoop(routine))


def test_import_dataset_semantics(tmp_path: Path) -> None:
    routine = Routine(exports_dir=os.fspath(tmp_path / 'model'))
    with pytest.raises(RuntimeError, match='call setParameters'):
        routine.importDataset(os.fspath(tmp_path / 'data'), LocalSampler=TestTone)
    routine.setParameters(defaults(testing=True))
    routine.importDataset(os.fspath(tmp_path / 'data'), LocalSampler=TestTone, sampler_settings=SAMPLER)
    assert len(routine.D) == 200 and routine.D.dataset_dir.endswith('testing-TestTone')
    routine.setParameters(defaults())
    with pytest.raises(ValueError, match='needs a LocalSampler'):
        routine.importDataset(os.fspath(tmp_path / 'data'))
    routine.importDataset(os.fspath(tmp_path / 'tones'), LocalSampler=TestTone, sampler_settings=SAMPLER)
    with pytest.raises(ValueError, match='holds a dataset of TestTone, not BesselModel'):
        routine.importDataset(os.fspath(tmp_path / 'tones'), LocalSampler=BesselModel, sampler_settings=SAMPLER)
    with pytest.raises(RuntimeError, match=r'Routine.M is not set: call setModel\(\)'):
        routine.train(lambda *args: None)


def test_clipping_and_bfloat16_train(tmp_path: Path) -> None:
    routine = makeRoutine(tmp_path, defaults(num_of_epochs=2, gradient_clipping=1e-3, precision='bfloat16'))
    before = routine.M.linear.weight.detach().clone()
    steps = 2 * math.ceil(len(routine.D) * 0.6 / 8)
    metrics = routine.train(lossLoop(routine))
    assert math.isfinite(metrics['validation_loss'])
    # Adam's step is ≈ lr per parameter whatever the gradient norm, so check the hook ran: clipped gradients are tiny
    assert routine.M.linear.weight.grad is not None and routine.M.linear.weight.grad.norm() <= 1e-3 + 1e-6
    assert (routine.M.linear.weight.detach() - before).abs().max() <= steps * 0.05 + 1e-6


def test_cosine_schedule_warms_up_decays_and_resumes_exactly(tmp_path: Path) -> None:
    from kac_prediction.pipeline.routine import _setCosineRate

    optimiser = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    optimiser.param_groups[0]['initial_lr'] = 0.1
    rates = []
    for step in range(100):
        _setCosineRate(optimiser, step, 100)
        rates.append(optimiser.param_groups[0]['lr'])
    assert rates[0] == pytest.approx(0.1 / 5) and rates[4] == pytest.approx(0.1)  # warm-up: 5 % of the steps
    assert rates[5] == pytest.approx(0.1) and rates[52] == pytest.approx(0.05, rel=0.02)  # half way down
    assert rates[-1] < 1e-3 and all(a >= b for a, b in itertools.pairwise(rates[4:]))
    whole = makeRoutine(tmp_path / 'a', defaults(learning_rate_schedule='cosine'))
    whole.train(lossLoop(whole))
    assert whole.M.optimiser.param_groups[0]['lr'] < 0.05 * 0.01  # decayed to ≈ 0 by the last step
    part = makeRoutine(tmp_path / 'b', defaults(learning_rate_schedule='cosine'))
    validations = 0
    loop = lossLoop(part)

    def interrupted(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        nonlocal validations
        validations += i == 0
        if validations == 4:  # during the 4th epoch's validation: last.pt holds epoch 3
            raise KeyboardInterrupt
        loop(i, loop_length, x, y)

    with pytest.raises(KeyboardInterrupt):
        part.train(interrupted)
    resumed = makeRoutine(tmp_path / 'b', defaults(learning_rate_schedule='cosine'), resume=part.R['id'])
    resumed.train(lossLoop(resumed))
    a = loadCheckpoint(Path(whole.R['exports_dir']) / 'last.pt')
    b = loadCheckpoint(Path(resumed.R['exports_dir']) / 'last.pt')
    for name, tensor in a['model_state_dict'].items():
        assert torch.equal(tensor, b['model_state_dict'][name])
    assert a['training_state']['history'] == b['training_state']['history']
    with pytest.raises(ValueError, match='num_of_epochs > 0'):
        makeRoutine(tmp_path / 'c', defaults(learning_rate_schedule='cosine', num_of_epochs=0)).train(lossLoop(whole))
