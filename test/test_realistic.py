"""Realistic training: the recording chain per (item, epoch), fixed evaluation conditions, exact resume, the
transit_time label, `predict --wave-speed`, and the realistic routine end to end (docs/architecture.md, "Training")."""

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, SequentialSampler

from kac_prediction.acoustics import RecordingSettings, RoomBank, roomBank
from kac_prediction.cli import main
from kac_prediction.dataset import TorchDataset, generateDataset
from kac_prediction.dataset.augmented import FIXED_EPOCH, EpochSampler, RecordedDataset
from kac_prediction.pipeline import Model, Parameters, Routine
from kac_prediction.pipeline.checkpoints import loadCheckpoint
from kac_prediction.routines import runRoutine
from kac_prediction.routines.regression import REALISTIC_SAMPLER, addTransitTime, warnCentreStrikes
from kac_prediction.samplers import BesselModel, PoissonModel, TestTone

SAMPLER = {'duration': 0.064, 'sample_rate': 8000}
REPRESENTATION = {'output_type': 'fft', 'n_bins': 128, 'window_length': 128, 'hop_length': 128}
SETTINGS = RecordingSettings(rt60=(0.2, 0.3), room_dimensions=((3.0, 4.0), (3.0, 4.0), (2.4, 3.0)))


@pytest.fixture(scope='module')
def bank(tmp_path_factory: pytest.TempPathFactory) -> RoomBank:
    path = tmp_path_factory.mktemp('rooms') / 'rooms.npy'
    return roomBank(2, 0, 8000, settings=SETTINGS, path=os.fspath(path))


@pytest.fixture(scope='module')
def tones(tmp_path_factory: pytest.TempPathFactory) -> TorchDataset:
    directory = tmp_path_factory.mktemp('tones')
    dataset = generateDataset(TestTone, directory, 12, REPRESENTATION, SAMPLER, seed=0, num_workers=1)  # type: ignore[arg-type]
    assert dataset is not None
    return dataset


def test_recordings_change_with_the_epoch_and_repeat_for_the_same_item_and_epoch(
    tones: TorchDataset, bank: RoomBank
) -> None:
    recorded = RecordedDataset(tones, [3, 5, 7], seed=1, settings=SETTINGS, bank=bank)
    again = RecordedDataset(tones, [7, 5, 3], seed=1, settings=SETTINGS, bank=bank)
    x0, y0 = recorded[(0, 0)]
    assert x0.shape == tones.X[3].shape and x0.dtype == torch.float32
    assert y0 is tones.Y[3]
    assert not torch.equal(x0, recorded[(0, 1)][0])
    assert torch.equal(x0, again[(2, 0)][0])  # the same (seed, item, epoch), another position
    assert not torch.equal(x0, RecordedDataset(tones, [3], seed=2, settings=SETTINGS, bank=bank)[(0, 0)][0])
    assert not torch.equal(x0, tones.X[3])  # not the clean X
    assert torch.equal(recorded[0][0], recorded[(0, FIXED_EPOCH)][0])  # evaluation: the fixed epoch


def test_epoch_pairs_reach_dataloader_workers(tones: TorchDataset, bank: RoomBank) -> None:
    recorded = RecordedDataset(tones, list(range(6)), seed=0, settings=SETTINGS, bank=bank)
    sampler = EpochSampler(SequentialSampler(recorded))
    sampler.set_epoch(3)
    assert list(sampler) == [(k, 3) for k in range(6)]
    batches = {}
    for workers in (0, 2):
        loader = DataLoader(recorded, batch_size=4, sampler=sampler, num_workers=workers)
        batches[workers] = torch.cat([x for x, _ in loader])
    assert torch.equal(batches[0], batches[2])
    assert torch.equal(batches[0][1], recorded[(1, 3)][0])


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
        loss = self.criterion(self(x), (y['f_0'] - 440.0) / 220.0)  # type: ignore[index]
        loss.backward()
        self.optimiser.step()
        self.training_loss += loss.item()


def _routine(tmp_path: Path, bank: RoomBank, epochs: int, resume: str = '') -> Routine:
    routine = Routine(exports_dir=os.fspath(tmp_path / 'model'), resume=resume)
    P = TinyNet.ModelHyperParameters(batch_size=4, dataset_split=(0.5, 0.25, 0.25), learning_rate=0.05,
                                     num_of_epochs=epochs, testing=False, with_early_stopping=False)  # fmt: skip
    routine.setParameters({**P, 'dataset_size': 16, 'num_workers': 2})
    routine.importDataset(os.fspath(tmp_path / 'data'), LocalSampler=TestTone, representation_settings=REPRESENTATION,
                          sampler_settings=SAMPLER)  # type: ignore[arg-type]  # fmt: skip
    routine.setRecording(7, SETTINGS, bank)
    routine.setModel(TinyNet(inputs=65 * 5, learning_rate=routine.P['learning_rate']))
    return routine


def _loop(routine: Routine) -> Any:
    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        loss = routine.M.criterion(routine.M(x), (y['f_0'] - 440.0) / 220.0).item()
        routine.M.testing_loss['aggregate'] += loss / loop_length

    return innerTestingLoop


def test_recorded_training_resumes_exactly_and_validates_on_fixed_conditions(tmp_path: Path, bank: RoomBank) -> None:
    whole = _routine(tmp_path / 'a', bank, 3)
    train, validation, _, sampler = whole._loaders()
    first = torch.cat([x for x, _ in validation])
    sampler.set_epoch(0)
    epoch0 = torch.cat([x for x, _ in train])
    sampler.set_epoch(1)
    epoch1 = torch.cat([x for x, _ in train])
    assert not torch.equal(epoch0, epoch1)  # training items heard differently each epoch
    assert torch.equal(first, torch.cat([x for x, _ in whole._loaders()[1]]))  # validation: the same every time
    whole.train(_loop(whole))
    part = _routine(tmp_path / 'b', bank, 2)
    part.train(_loop(part))
    resumed = _routine(tmp_path / 'b', bank, 3, resume=part.R['id'])
    resumed.train(_loop(resumed))
    a = loadCheckpoint(Path(whole.R['exports_dir']) / 'last.pt')
    b = loadCheckpoint(Path(resumed.R['exports_dir']) / 'last.pt')
    for name, tensor in a['model_state_dict'].items():
        assert torch.equal(tensor, b['model_state_dict'][name])
    assert a['training_state']['history'] == b['training_state']['history']


def test_transit_time_is_drum_size_over_wave_speed() -> None:
    labels: list[dict[str, Any]] = [
        {'drum_size': [0.5], 'wave_speed': [100.0]},
        {'drum_size': torch.tensor([1.2]), 'wave_speed': torch.tensor([60.0])},
    ]
    addTransitTime(labels)
    assert labels[0]['transit_time'] == [0.005]
    assert torch.allclose(labels[1]['transit_time'], torch.tensor([0.02]))


@pytest.fixture(scope='module')
def realistic(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """The realistic circle routine on 20 drums (one strike each), 1 epoch, 2 rooms; (result, run dir, data dir)."""
    root = tmp_path_factory.mktemp('realistic')
    overrides = {'realistic': True, 'dataset_size': 20, 'strikes_per_drum': 1, 'num_of_epochs': 1, 'rooms': 2,
                 'batch_size': 8}  # fmt: skip
    result = runRoutine('size_of_circular_drum', overrides=overrides, dataset_dir=os.fspath(root / 'data'),
                        exports_dir=os.fspath(root / 'model'))  # fmt: skip
    return result, Path(result['exports_dir']), root / 'data'


def test_the_realistic_routine_runs_end_to_end(
    realistic: tuple[dict[str, Any], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    result, run, data = realistic
    assert set(result['metrics']) == {'transit_time', 'drum_size'}
    for metrics in (result['metrics'], result['clean_metrics']):
        assert np.isfinite(metrics['transit_time']['rmse']) and np.isfinite(metrics['drum_size']['rmse'])
        assert 'baseline_rmse' in metrics['drum_size'] and 'physics_rmse' in metrics['drum_size']
    assert (data / 'rooms-2-0.npy').is_file()
    assert all((run / name).is_file() for name in ('scatter.png', 'drums.png', 'learning_curves.png'))
    settings = loadCheckpoint(run / 'best.pt')['dataset']['sampler_settings']
    assert settings['listening_location'] == 'random' and list(settings['tension']) == [720.0, 6480.0]


def test_predict_wave_speed_scales_drum_size(
    realistic: tuple[dict[str, Any], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, run, data = realistic
    wav = os.fspath(data / 'sample_00000.wav')
    found = {}
    for extra in (['--wave-speed', '100'], ['--wave-speed', '250'], ['--tension', '2000', '--density', '0.2'], []):
        assert main(['predict', os.fspath(run), wav, '--json', *extra]) == 0
        out, err = capsys.readouterr()
        found[' '.join(extra)] = (json.loads(out)[0], err)
    given, faster, material, default = found.values()
    assert given[0]['wave_speed'] == 100.0 and given[0]['wave_speed_source'] == 'given'
    assert given[0]['drum_size'] == pytest.approx(100.0 * given[0]['transit_time'])
    assert faster[0]['drum_size'] == pytest.approx(2.5 * given[0]['drum_size'])
    assert material[0]['drum_size'] == pytest.approx(given[0]['drum_size'])
    assert default[0]['wave_speed_source'] == 'training default' and default[0]['wave_speed'] == 100.0
    assert 'training default 100 m/s' in default[1] and 'training default' not in given[1]
    assert main(['predict', os.fspath(run), wav, '--tension', '2000']) == 2
    from kac_prediction.inference import loadPredictor

    predictor = loadPredictor(run)
    (row,) = predictor.predictFiles([wav], progressbar=False, wave_speed=150.0)
    assert row['drum_size'] == pytest.approx(150.0 * row['transit_time'])
    with pytest.warns(UserWarning, match='training default'):
        predictor.predictFiles([wav], progressbar=False)


def test_the_default_routine_keeps_drum_size(tmp_path: Path) -> None:
    from kac_prediction.routines.regression import REALISTIC_SAMPLER, defaultDatasetDir, defaultParameters

    P = defaultParameters()
    assert P['realistic'] is False
    assert defaultDatasetDir(BesselModel, P) == os.path.join('data', 'BesselModel-1500')
    assert defaultDatasetDir(BesselModel, {**P, 'realistic': True}).endswith('-realistic')
    BesselModel(duration=0.1, sample_rate=8000, **REALISTIC_SAMPLER)  # the realistic settings validate


def test_recorded_training_leaves_the_cores_to_its_workers(tmp_path: Path, bank: RoomBank) -> None:
    from kac_prediction.pipeline.routine import trainingThreads

    assert [trainingThreads(2, 1, 2), trainingThreads(2, 1, 16), trainingThreads(1, 2, 16), trainingThreads(0)] == [
        1, 14, 7, torch.get_num_threads()
    ]  # fmt: skip
    before = torch.get_num_threads()
    torch.set_num_threads(4)
    try:
        routine = _routine(tmp_path, bank, 1)  # num_workers 2
        seen: list[int] = []
        loop = _loop(routine)

        def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
            seen.append(torch.get_num_threads())
            loop(i, loop_length, x, y)

        routine.train(innerTestingLoop)
        assert set(seen) == {2} and torch.get_num_threads() == 4  # 4 threads − 2 workers while training; restored
    finally:
        torch.set_num_threads(before)


def test_one_strike_per_drum_is_a_centre_strike_and_a_realistic_run_says_so() -> None:
    """Every drum's first strike is at its centre, so a realistic run of one strike per drum never hears a strike
    anywhere else: the routines warn. Two strikes per drum hear off-centre strikes and do not warn."""
    for per, centred in ((1, True), (2, False)):
        sampler = PoissonModel(
            **{**REALISTIC_SAMPLER, 'duration': 0.05, 'sample_rate': 8000, 'strikes_per_drum': per, 'seed': 3}
        )
        strikes = []
        for i in range(6):
            sampler.updateProperties(i)
            strikes.append(sampler.getLabels()['strike_location'])
        assert all(np.allclose(s, [0.5, 0.5]) for s in strikes) is centred, strikes
    with pytest.warns(UserWarning, match='struck at its centre only.*set strikes_per_drum to 2 or more'):
        warnCentreStrikes({'realistic': True, 'strikes_per_drum': 1})
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        warnCentreStrikes({'realistic': True, 'strikes_per_drum': 2})
        warnCentreStrikes({'realistic': False, 'strikes_per_drum': 1})
