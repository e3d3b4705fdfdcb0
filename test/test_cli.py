"""The `kac-prediction` command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kac_prediction.cli import main
from kac_prediction.dataset import loadDataset

ROOT = Path(__file__).resolve().parent.parent


def test_generate_writes_a_dataset(tmp_path: Path) -> None:
    target = tmp_path / 'circles'
    arguments = ['generate', 'BesselModel', str(target), '--size', '6', '--seed', '3', '--duration', '0.05',
                 '--sample-rate', '8000', '--settings', json.dumps({'drum_size': 0.5}), '--workers', '1']  # fmt: skip
    assert main(arguments) == 0
    dataset = loadDataset(target, progressbar=False)
    assert len(dataset) == 6 and dataset.sampler_settings['seed'] == 3
    assert all(y['drum_size'] == [0.5] for y in dataset.labels)
    assert main([*arguments[:-2], '--seed', '4']) == 2  # another dataset in that directory: refused


def test_bad_arguments_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['generate', 'BesselModel', str(tmp_path / 'x'), '--settings', '{"tension": -1}']) == 2
    assert 'tension' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['generate', 'CircleModel', str(tmp_path)])
    assert main(['install-dataset', 'no-such-dataset', str(tmp_path)]) == 2


def test_console_script_and_train_help(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, '-m', 'kac_prediction.cli', 'train', '--help'], cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ}, timeout=120)  # fmt: skip
    assert result.returncode == 0 and '--routine' in result.stdout and 'shape_of_polygonal_drum' in result.stdout


def test_train_needs_no_checkout(tmp_path: Path) -> None:
    """`kac-prediction train` from a directory that is not the repository: the routines ship in the package."""
    (tmp_path / 'tiny.yaml').write_text('dataset_size: 20\nnum_of_epochs: 1\nbatch_size: 8\n')
    arguments = ['train', '--routine', 'size_of_circular_drum', '--config', 'tiny.yaml', '--learning_rate=0.002']
    environment = {**os.environ, 'PYTHONPATH': ''}
    result = subprocess.run([sys.executable, '-m', 'kac_prediction.cli', *arguments], cwd=tmp_path,
                            capture_output=True, text=True, env=environment, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'drum_size' in result.stdout and 'checkpoints in' in result.stdout
    (run,) = (tmp_path / 'model').iterdir()
    assert (run / 'best.pt').exists() and (tmp_path / 'data' / 'BesselModel-20' / 'metadata.json').exists()
    from kac_prediction.pipeline.checkpoints import loadCheckpoint

    P = loadCheckpoint(run / 'best.pt')['hyperparameters']
    assert (P['dataset_size'], P['num_of_epochs'], P['learning_rate']) == (20, 1, 0.002)  # the config, the override
