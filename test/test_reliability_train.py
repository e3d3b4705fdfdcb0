"""Reliability of `kac-prediction train`: settings checked before any work, one `error:` line for every failure the
user can fix, no empty run directory after a failure, and `--resume RUN_DIR` from the command line."""

import errno
from pathlib import Path

import pytest
import torch

from kac_prediction.cli import main, parseOverrides
from kac_prediction.pipeline.checkpoints import loadCheckpoint
from kac_prediction.pipeline.parameters import loadYAML, mergeParameters
from kac_prediction.routines import SizeOfCircularDrum

SMALL = ['--dataset_size=20', '--batch_size=8', '--learning_rate_schedule=constant']


def train(tmp_path: Path, *arguments: str) -> int:
    """`kac-prediction train` on a 20-drum dataset in tmp_path/data, checkpoints in tmp_path/model."""
    folders = ['--dataset-dir', str(tmp_path / 'data'), '--exports-dir', str(tmp_path / 'model')]
    return main(['train', *folders, *SMALL, *arguments])


def errorLines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if 'error:' in line]


def test_a_directory_as_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(['train', '--config', str(tmp_path)])
    assert exit.value.code == 2
    assert 'is a directory' in capsys.readouterr().err
    with pytest.raises(ValueError, match='is a directory'):
        loadYAML(tmp_path)


@pytest.mark.parametrize(
    ('setting', 'message'),
    [
        ('--device=tpu', "a torch device such as 'cpu'"),
        ('--device=cuda:7', 'CUDA device'),
        ('--depth=huge', 'depth must be one of'),
        ('--optimiser=foo', "optimiser must be 'adam' or 'sgd'"),
        ('--dropout=1.5', 'dropout must be a number in'),
        ('--dataset_split=[1, 0, 0]', 'dataset_split must be three fractions > 0'),
        ('--dataset_split=[0.8, 0.2, 0]', 'dataset_split must be three fractions > 0'),
    ],
)
def test_bad_settings_fail_before_the_dataset_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    assert train(tmp_path, setting) == 2
    (line,) = errorLines(capsys)
    assert message in line
    assert not (tmp_path / 'data').exists() and not (tmp_path / 'model').exists()


def test_routines_called_from_python_check_the_model_before_the_dataset(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='depth must be one of'):
        SizeOfCircularDrum(dataset_dir=str(tmp_path / 'data'), exports_dir=str(tmp_path / 'model'),
                           overrides={'depth': 'huge', 'dataset_size': 20})  # fmt: skip
    assert not (tmp_path / 'data').exists() and not (tmp_path / 'model').exists()


def test_a_zero_split_fraction_is_rejected() -> None:
    for split in ([1, 0, 0], [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]):
        with pytest.raises(ValueError, match='three fractions > 0'):
            mergeParameters({'dataset_split': (0.7, 0.15, 0.15)}, {'dataset_split': split})


def test_an_unknown_device_in_the_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from kac_prediction.pipeline import Routine

    monkeypatch.setenv('KAC_PREDICTION_DEVICE', 'tpu')
    with pytest.raises(ValueError, match='KAC_PREDICTION_DEVICE must be'):
        Routine()


def test_numbers_in_exponent_notation_are_numbers(tmp_path: Path) -> None:
    """PyYAML alone reads 1e-4 as the string '1e-4' (YAML 1.1 floats need a dot), which failed as a wrong type."""
    assert parseOverrides(['--learning_rate=1e-4', '--min_delta=2E3', '--seed=12']) == {
        'learning_rate': 1e-4, 'min_delta': 2000.0, 'seed': 12,
    }  # fmt: skip
    (tmp_path / 'config.yaml').write_text('learning_rate: 5e-4\nname: 1e-4x\n')
    assert loadYAML(tmp_path / 'config.yaml') == {'learning_rate': 5e-4, 'name': '1e-4x'}


def test_a_diverging_run_is_one_error_line_and_leaves_no_run_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert train(tmp_path, '--learning_rate=1e30', '--num_of_epochs=2') == 2
    (line,) = errorLines(capsys)
    assert 'the training loss became nan at epoch 1' in line and 'learning_rate' in line
    assert not (tmp_path / 'model').exists()  # no empty run directory, no empty exports directory
    assert (tmp_path / 'data' / 'metadata.json').exists()  # the dataset made is kept


def test_a_full_disk_while_saving_a_checkpoint_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(checkpoint: object, path: object) -> None:
        raise OSError(errno.ENOSPC, 'No space left on device', str(path))

    monkeypatch.setattr('kac_prediction.pipeline.routine.saveCheckpoint', full)
    assert train(tmp_path, '--num_of_epochs=1') == 2
    (line,) = errorLines(capsys)
    assert 'No space left on device' in line and 'last.pt' in line


def test_resume_from_the_command_line_continues_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One epoch, then `--resume RUN_DIR --num_of_epochs=2`, ends with the weights of two epochs in one go."""
    assert train(tmp_path / 'once', '--num_of_epochs=2') == 0
    assert train(tmp_path / 'twice', '--num_of_epochs=1') == 0
    (run,) = (tmp_path / 'twice' / 'model').iterdir()
    assert main(['train', '--resume', str(run), '--num_of_epochs=2']) == 0  # routine, parameters, dataset: the run's
    (reference,) = (tmp_path / 'once' / 'model').iterdir()
    resumed, uninterrupted = (loadCheckpoint(folder / 'last.pt') for folder in (run, reference))
    assert resumed['run_info']['epoch'] == 2 and resumed['hyperparameters']['num_of_epochs'] == 2
    for key, value in uninterrupted['model_state_dict'].items():
        assert torch.equal(resumed['model_state_dict'][key], value), key
    assert not (Path.cwd() / 'data' / 'BesselModel-20').exists()  # the run's own dataset was used
    capsys.readouterr()
    for arguments, message in [
        (['--seed=3'], 'cannot change seed when resuming'),
        (['--routine', 'dim_of_rectangular_drum'], 'was trained by the routine size_of_circular_drum'),
    ]:
        assert main(['train', '--resume', str(run), *arguments]) == 2
        (line,) = errorLines(capsys)
        assert message in line
    (tmp_path / 'config.yaml').write_text('num_of_epochs: 3\n')
    assert main(['train', '--resume', str(run), '--config', str(tmp_path / 'config.yaml')]) == 2
    assert 'not --config' in errorLines(capsys)[0]
    assert main(['train', '--resume', str(tmp_path / 'nowhere')]) == 2
    assert 'last.pt does not exist' in errorLines(capsys)[0]
