"""Shipped models: releasing a run (slim file + card), checking and loading them, `predict` without a checkpoint,
`kac-prediction models`, and the models in the package predicting drums of their family."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import torch

from kac_prediction.architecture import SpectrumCRePE
from kac_prediction.cli import main
from kac_prediction.inference import evaluateRobustness, loadPredictor
from kac_prediction.models import (
    FAMILIES,
    HALF_MIN_ELEMENTS,
    ModelCardError,
    fileDigest,
    loadPretrained,
    modelCard,
    modelCards,
    modelFile,
    releaseModel,
    verifyModel,
)
from kac_prediction.pipeline.checkpoints import loadCheckpoint, saveCheckpoint
from kac_prediction.samplers import BesselModel

RATE = 48000
SHIPPED_LIMIT = 25 * 2**20  # bytes: every shipped weights file together
WAVEFORMS, LABELS = BesselModel(duration=1.0, sample_rate=RATE, seed=0, strikes_per_drum=1).generateBatch(range(4))


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory with a best.pt of a SpectrumCRePE predicting drum_size of BesselModel drums (labels fitted to
    four drums, weights untrained: releasing only needs them to be deterministic)."""
    directory = tmp_path_factory.mktemp('model') / 'run'
    directory.mkdir()
    torch.manual_seed(0)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([label['drum_size'] for label in LABELS], dtype=torch.float64))
    checkpoint: Any = {
        'dataset': {
            'dataset_dir': '', 'dataset_size': 4, 'sampler': {'name': 'BesselModel', 'version': 'test'},
            'representation_settings': {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0},
            'sampler_settings': {'duration': 1.0, 'sample_rate': RATE, 'seed': 0},
        },
        'evaluation_loss': {'aggregate': 0.5}, 'hyperparameters': {'batch_size': 4, 'routine': 'size_of_circular_drum'},
        'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(),
        'optimizer_state_dict': {'state': {}, 'param_groups': []},
        'run_info': {'epoch': 3, 'exports_dir': str(directory), 'id': 'run',
                     'model': {'name': 'SpectrumCRePE', 'version': 'test'}},
        'testing_loss': {'aggregate': 0.4}, 'training_loss': 0.5, 'training_state': {'epoch': 3},
    }  # fmt: skip
    saveCheckpoint(checkpoint, directory / 'best.pt')
    return directory


@pytest.fixture(scope='module')
def released(run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp('weights')
    metrics = {'metrics': {'drum_size': {'rmse': 0.03}}, 'clean_metrics': {'drum_size': {'rmse': 0.02}}}
    card = releaseModel(
        run, 'circle', 'kac-prediction train --routine size_of_circular_drum', metrics, {'wall_s': 1.5}, directory,
        drums=3, conditions=['clean', 'snr10'],
    )  # fmt: skip
    return directory, card


# ----------------------------------------------------------------------------------------------------- releasing


def test_release_writes_a_slim_checkpoint_and_a_card_that_agree(run: Path, released: tuple[Path, Any]) -> None:
    directory, card = released
    weights = directory / 'circle.pt'
    assert sorted(path.name for path in directory.iterdir()) == ['circle.json', 'circle.pt']  # no scratch left
    assert card == modelCard('circle', directory)
    assert card['weights']['sha256'] == fileDigest(weights) and card['weights']['bytes'] == weights.stat().st_size
    assert card['routine'] == 'size_of_circular_drum' and card['model'] == 'SpectrumCRePE'
    assert card['labels'] == ['drum_size'] and card['training']['wall_s'] == 1.5
    assert card['held_out']['test_split']['recorded'] == {'drum_size': {'rmse': 0.03}}
    rows = card['held_out']['conditions']['rows']
    assert [row['key'] for row in rows] == ['clean', 'snr10'] and all(row['n'] == 3 for row in rows)
    slim = loadCheckpoint(weights, required_keys=('model_state_dict', 'run_info'))
    assert 'optimizer_state_dict' not in slim and 'training_state' not in slim
    full = loadCheckpoint(run / 'best.pt')
    for name, tensor in slim['model_state_dict'].items():
        large = tensor.is_floating_point() and tensor.numel() >= HALF_MIN_ELEMENTS
        expected = torch.float16 if large and card['weights']['dtype'].startswith('float16') else full[
            'model_state_dict'][name].dtype  # fmt: skip
        assert tensor.dtype == expected, name
    # the shipped file predicts as the run does, to float16 rounding
    x = torch.from_numpy(np.stack([w for w in WAVEFORMS]))
    original, shipped = loadPredictor(run), loadPretrained('circle', directory=directory)
    X = original.representation.transformBatch(x.numpy())
    a = np.array([r['drum_size'] for r in original.predictInputs(X)])
    b = np.array([r['drum_size'] for r in shipped.predictInputs(X)])
    np.testing.assert_allclose(b, a, rtol=2e-2)


def test_release_refuses_to_overwrite_without_the_flag(run: Path, released: tuple[Path, Any]) -> None:
    directory, card = released
    before = (directory / 'circle.pt').read_bytes()
    with pytest.raises(FileExistsError, match='overwrite'):
        releaseModel(run, 'circle', 'x', directory=directory, drums=2, conditions=['clean'])
    assert (directory / 'circle.pt').read_bytes() == before and modelCard('circle', directory) == card
    with pytest.raises(ValueError, match='choose one of circle, rectangle, polygon'):
        releaseModel(run, 'hexagon', 'x', directory=directory)


def test_release_script(run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'scripts'))
    try:
        import release_model
    finally:
        sys.path.pop(0)
    arguments = [str(run), '--family', 'circle', '--command', 'kac-prediction train --routine size_of_circular_drum',
                 '--directory', str(tmp_path), '--drums', '2', '--conditions', 'clean']  # fmt: skip
    assert release_model.main(arguments) == 0
    assert 'model RMSE (cm)' in capsys.readouterr().out and verifyModel('circle', tmp_path)
    assert release_model.main(arguments) == 2
    assert 'pass overwrite=True (--overwrite)' in capsys.readouterr().err
    assert release_model.main([*arguments, '--overwrite']) == 0


def test_damaged_models_are_refused_with_a_message(released: tuple[Path, Any], tmp_path: Path) -> None:
    directory, _ = released
    for name in ('circle.pt', 'circle.json'):
        (tmp_path / name).write_bytes((directory / name).read_bytes())
    assert verifyModel('circle', tmp_path) == tmp_path / 'circle.pt'
    data = bytearray((tmp_path / 'circle.pt').read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / 'circle.pt').write_bytes(bytes(data))
    with pytest.raises(ModelCardError, match='circle model is corrupted.*Reinstall'):
        loadPretrained('circle', directory=tmp_path)
    (tmp_path / 'circle.pt').unlink()
    with pytest.raises(FileNotFoundError, match='shipped circle model is missing'):
        verifyModel('circle', tmp_path)
    (tmp_path / 'circle.json').write_text('{"family": "circle"')
    with pytest.raises(ModelCardError, match='not a model card'):
        modelCard('circle', tmp_path)
    with pytest.raises(ValueError, match="no shipped model of family 'drum'"):
        modelCard('drum')
    assert modelCards(tmp_path / 'nowhere') == []


# ------------------------------------------------------------------------------------------ the shipped models


def test_every_family_is_shipped_within_the_size_budget_and_its_checksum() -> None:
    cards = modelCards()
    assert [card['family'] for card in cards] == list(FAMILIES)
    total = 0
    for card in cards:
        path = verifyModel(card['family'])
        total += path.stat().st_size
        assert card['routine'] == FAMILIES[card['family']]
        assert card['command'].startswith(f'kac-prediction train --routine {card["routine"]} ')
        assert card['dataset']['sampler_settings']['seed'] == card['config']['seed']
        assert {'recorded', 'clean'} <= set(card['held_out']['test_split'])
        assert card['labels'][0] == 'transit_time' and (card['labels'][-1] == 'outline') == (
            card['family'] == 'polygon'
        )
        keys = {row['key'] for row in card['held_out']['conditions']['rows']}
        assert {'clean', 'snr30', 'snr20', 'snr10', 'room', 'realistic', 'material'} <= keys
    assert total <= SHIPPED_LIMIT


@pytest.mark.parametrize('family', list(FAMILIES))
def test_each_shipped_model_hears_new_drums_of_its_family(family: str, one_thread: None) -> None:
    """On clean drums it never saw (another seed than the card's), the model beats predicting the training mean by
    far; polygons: its outlines overlap better than the mean outline's."""
    (row,) = evaluateRobustness(modelFile(family), ['clean'], n_drums=8, seed=99, progressbar=False)
    assert row['model_rmse_cm'] < 0.5 * row['mean_rmse_cm'], row
    if family == 'polygon':
        assert row['model_iou'] > row['mean_iou'], row
    if family == 'rectangle':
        assert row['model_aspect_rmse'] < row['mean_aspect_rmse'], row


def test_predict_without_a_checkpoint_uses_a_shipped_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], one_thread: None
) -> None:
    sampler = BesselModel(duration=1.0, sample_rate=44100, seed=123, drum_size=(0.3, 1.2), strikes_per_drum=1)
    waveforms, labels = sampler.generateBatch(range(3))
    paths = []
    for k, waveform in enumerate(waveforms):
        paths.append(tmp_path / f'drum {k}.wav')
        sf.write(paths[-1], waveform, 44100, subtype='PCM_16')
    assert main(['predict', *map(str, paths), '--json', '--wave-speed', '100']) == 0
    captured = capsys.readouterr()
    assert 'note: the shipped circle model (size_of_circular_drum)' in captured.err
    results = json.loads(captured.out)
    for result, label in zip(results, labels, strict=True):
        assert result['wave_speed'] == 100.0
        assert abs(result['drum_size'] / float(np.ravel(label['drum_size'])[0]) - 1) < 0.25, (result, label)
    assert main(['predict', str(paths[0]), '--family', 'rectangle', '--json']) == 0
    captured = capsys.readouterr()
    assert 'aspect_ratio' in json.loads(captured.out)[0] and 'note: the shipped' not in captured.err
    assert main(['predict', str(paths[0]), '--family', 'polygon', '--json', '--wave-speed', '100']) == 0
    assert len(json.loads(capsys.readouterr().out)[0]['outline']) >= 3


def test_the_example_recordings_are_heard(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/*.wav (README's quick start): each family's model gives its drum's size within 25 % from a room
    recording at 44.1 kHz, given the membrane's 100 m/s."""
    examples = Path(__file__).resolve().parent.parent / 'examples'
    truth = json.loads((examples / 'examples.json').read_text())
    for family in FAMILIES:
        path = examples / f'{family}.wav'
        assert main(['predict', str(path), '--family', family, '--json', '--wave-speed', '100']) == 0
        (result,) = json.loads(capsys.readouterr().out)
        true = truth[path.name]
        assert result['warnings'] == [] and abs(result['drum_size'] / true['drum_size'][0] - 1) < 0.25, (result, true)
        if family == 'rectangle':
            assert abs(result['aspect_ratio'] - true['aspect_ratio'][0]) < 0.5, (result, true)


def test_predict_family_and_checkpoint_errors(run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = tmp_path / 'drum.wav'
    sf.write(wav, WAVEFORMS[0], RATE)
    assert main(['predict', str(run), str(wav), '--family', 'circle']) == 2
    assert '--family picks a shipped model' in capsys.readouterr().err
    assert main(['predict', str(run), str(wav), '--json']) == 0  # a checkpoint of one's own still works
    assert 'note: the shipped' not in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['predict', str(wav), '--family', 'hexagon'])
    assert "invalid choice: 'hexagon'" in capsys.readouterr().err


def test_models_lists_and_shows_the_cards(capsys: pytest.CaptureFixture[str]) -> None:
    from kac_prediction import cli

    assert cli._FAMILIES == tuple(FAMILIES)  # the parser's choices, kept without importing the models
    assert main(['models']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ['family', 'routine', 'labels', 'weights']
    assert [line.split()[0] for line in lines[1:4]] == list(FAMILIES) and all(
        line.endswith('ok') for line in lines[1:4]
    )
    assert main(['models', 'polygon']) == 0
    out = capsys.readouterr().out
    assert 'trained by: kac-prediction train --routine shape_of_polygonal_drum' in out and 'model IoU' in out
    assert main(['models', 'circle', '--json']) == 0
    card = json.loads(capsys.readouterr().out)
    assert card['weights']['sha256'] == fileDigest(modelFile('circle')) and card['check'] == 'ok'


def test_the_wheel_carries_the_models(tmp_path: Path) -> None:
    """A wheel built from the repository, unpacked on its own (no checkout on the path), predicts a WAV in a directory
    holding nothing else, with the shipped model it carries."""
    root = Path(__file__).resolve().parent.parent
    skip = shutil.ignore_patterns('.venv', '.git', 'out', 'data', 'model', 'build', 'dist', '*.egg-info', '__pycache__',
                                  '.mypy_cache', '.ruff_cache', '.pytest_cache', 'wandb', 'sweeps')  # fmt: skip
    shutil.copytree(root, tmp_path / 'source', ignore=skip)
    build = [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--quiet', '-w', 'wheels']
    subprocess.run([*build, str(tmp_path / 'source')], cwd=tmp_path, check=True)
    (wheel,) = (tmp_path / 'wheels').glob('kac_prediction-*.whl')
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / 'installed')
    assert {
        f'kac_prediction/models/weights/{family}.{suffix}' for family in FAMILIES for suffix in ('pt', 'json')
    } <= set(names)
    alone = tmp_path / 'alone'
    alone.mkdir()
    sf.write(alone / 'drum.wav', WAVEFORMS[0], RATE, subtype='PCM_24')
    code = (
        'import sys, kac_prediction; print(kac_prediction.__file__, file=sys.stderr); '
        'from kac_prediction.cli import main; sys.exit(main(sys.argv[1:]))'
    )
    environment = {**os.environ, 'PYTHONPATH': str(tmp_path / 'installed')}
    done = subprocess.run([sys.executable, '-c', code, 'predict', 'drum.wav', '--json', '--wave-speed', '100'],
                          cwd=alone, env=environment, capture_output=True, text=True, check=True)  # fmt: skip
    assert str(tmp_path / 'installed') in done.stderr.splitlines()[0]
    result = json.loads(done.stdout)[0]
    assert abs(result['drum_size'] / float(np.ravel(LABELS[0]['drum_size'])[0]) - 1) < 0.25, result


@pytest.mark.slow
@pytest.mark.parametrize('family', list(FAMILIES))
def test_retraining_from_the_card_reproduces_its_figures(family: str, tmp_path: Path) -> None:
    """The card's command, run again (as many cores as the card's machine: 2), gives the card's held-out test-split
    figures: the recorded drum_size RMSE within 20 %, the outline-mask IoU within 0.03.
    Hours on 2 cores (the card's training.wall_s)."""
    card = modelCard(family)
    metrics = tmp_path / 'metrics.json'
    command = [*card['command'].split()[1:], '--dataset-dir', str(tmp_path / 'data'), '--exports-dir', str(tmp_path)]
    environment = {**os.environ, 'KAC_SWEEP_METRICS': str(metrics)}
    code = 'import sys; from kac_prediction.cli import main; sys.exit(main(sys.argv[1:]))'
    subprocess.run([sys.executable, '-c', code, *command], check=True, env=environment)
    found = json.loads(metrics.read_text())['metrics']
    shipped = card['held_out']['test_split']['recorded']
    assert abs(found['drum_size']['rmse'] / shipped['drum_size']['rmse'] - 1) <= 0.2, (found, shipped)
    if 'mask' in shipped:
        assert abs(found['mask']['iou'] - shipped['mask']['iou']) <= 0.03, (found, shipped)
