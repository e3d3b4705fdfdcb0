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


def test_console_script_and_train_help() -> None:
    result = subprocess.run([sys.executable, '-m', 'kac_prediction.cli', 'train', '--help'], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ}, timeout=120)  # fmt: skip
    assert result.returncode == 0 and '--routine' in result.stdout
