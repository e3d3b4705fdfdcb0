"""Robustness evaluation: held-out drums under degraded conditions (kac_prediction/inference/robustness.py) and its
script, scripts/evaluate_robustness.py."""

import importlib.util
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from kac_prediction.architecture import SpectrumCRePE
from kac_prediction.inference import (
    CONDITIONS,
    evaluateRobustness,
    heldOutItems,
    loadPredictor,
    renderCondition,
    robustnessTable,
)
from kac_prediction.pipeline.checkpoints import saveCheckpoint
from kac_prediction.samplers import BesselModel

SCRIPT = Path(__file__).resolve().parent.parent / 'scripts' / 'evaluate_robustness.py'
REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}
SETTINGS = {'duration': 0.5, 'sample_rate': 48000, 'seed': 0, 'drum_size': [0.3, 1.0]}
DATASET: dict[str, Any] = {
    'dataset_dir': '', 'dataset_size': 200, 'representation_settings': dict(REPRESENTATION),
    'sampler': {'name': 'BesselModel', 'version': 'test'}, 'sampler_settings': dict(SETTINGS),
}  # fmt: skip
FAST = ['clean', 'snr30', 'snr10', 'material', 'rate']


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """best.pt of an untrained tiny SpectrumCRePE of drum_size (labels fitted to training drums), as test_predict's."""
    directory = tmp_path_factory.mktemp('model') / 'run'
    directory.mkdir()
    torch.manual_seed(0)
    _, labels = BesselModel(**SETTINGS).generateBatch(range(0, 40, 5))  # type: ignore[arg-type]
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([[y['drum_size'][0]] for y in labels], dtype=torch.float64))
    checkpoint: Any = {
        'dataset': DATASET, 'evaluation_loss': {'aggregate': 0.5}, 'hyperparameters': {'batch_size': 4},
        'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(), 'optimizer_state_dict': {},
        'run_info': {'epoch': 1, 'exports_dir': str(directory), 'id': directory.name,
                     'model': {'name': 'SpectrumCRePE', 'version': 'test'}},
        'testing_loss': None, 'training_loss': 0.5, 'training_state': {},
    }  # fmt: skip
    saveCheckpoint(checkpoint, directory / 'best.pt')
    return directory


@pytest.fixture(scope='module')
def transit_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """best.pt of an untrained tiny SpectrumCRePE of transit_time (s), as a realistic routine's."""
    directory = tmp_path_factory.mktemp('model') / 'transit'
    directory.mkdir()
    torch.manual_seed(1)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['transit_time'], log_labels=['transit_time'])
    model.fitLabels(torch.tensor([[0.003], [0.006], [0.01]], dtype=torch.float64))
    checkpoint: Any = {
        'dataset': DATASET, 'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(),
        'run_info': {'epoch': 1, 'exports_dir': '', 'id': 'transit', 'model': {'name': 'SpectrumCRePE', 'version': ''}},
    }  # fmt: skip
    saveCheckpoint(checkpoint, directory / 'best.pt')
    return directory


@pytest.fixture(scope='module')
def rows(run: Path) -> list[dict[str, Any]]:
    return evaluateRobustness(run, FAST, n_drums=8, progressbar=False)


def test_one_row_per_condition_with_every_column(rows: list[dict[str, Any]]) -> None:
    assert [row['key'] for row in rows] == FAST
    assert [row['condition'] for row in rows][:3] == ['clean', 'noise 30 dB', 'noise 10 dB']
    assert rows[-1]['condition'] == '44.1 kHz input'
    for row in rows:
        assert row['n'] == 8
        for key in ('model_rmse_cm', 'mean_rmse_cm', 'physics_rmse_cm'):
            assert isinstance(row[key], float) and row[key] >= 0.0
        assert isinstance(row['physics_failures'], int) and 0 <= row['physics_off_10pct'] <= 8
    assert 'note' in rows[FAST.index('material')]
    table = robustnessTable(rows)
    assert table.splitlines()[0].startswith('condition') and len(table.splitlines()) == 1 + len(FAST)
    assert robustnessTable(rows, markdown=True).splitlines()[1].startswith('|---|')


def test_physics_only_is_near_exact_on_clean_bessel_drums(rows: list[dict[str, Any]]) -> None:
    clean = rows[0]
    assert clean['physics_failures'] == clean['physics_off_10pct'] == 0
    assert clean['physics_rmse_cm'] < 0.1  # < 1 mm given the true c
    assert rows[FAST.index('rate')]['physics_rmse_cm'] < 0.1


def test_noise_conditions_have_their_snr_exactly() -> None:
    clean = renderCondition(DATASET, 'clean', 4)
    for key, snr in (('snr30', 30.0), ('noise 20 dB', 20.0), ('snr10', 10.0)):
        noisy = renderCondition(DATASET, key, 4)
        for x, y in zip(clean.waveforms, noisy.waveforms, strict=True):
            measured = 10.0 * math.log10(np.sum(x**2) / np.sum((y - x) ** 2))
            assert abs(measured - snr) < 0.5
        np.testing.assert_array_equal(noisy.drum_size, clean.drum_size)


def test_physics_only_fails_more_under_10_db_noise(run: Path) -> None:
    clean, noisy = evaluateRobustness(run, ['clean', 'snr10'], n_drums=16, progressbar=False)
    assert (noisy['physics_failures'], noisy['physics_rmse_cm']) > (clean['physics_failures'], clean['physics_rmse_cm'])
    assert noisy['physics_rmse_cm'] > 10.0 * max(clean['physics_rmse_cm'], 1e-3)
    assert (
        noisy['physics_failures'] + noisy['physics_off_10pct'] > clean['physics_failures'] + clean['physics_off_10pct']
    )


def test_held_out_drums_differ_from_training_and_conditions_render_as_specified() -> None:
    training = BesselModel(**SETTINGS)  # type: ignore[arg-type]
    training.updateProperties(0)
    held = renderCondition(DATASET, 'clean', 3)
    assert held.drum_size[0] != training.getLabels()['drum_size'][0]
    assert np.all((held.drum_size >= 0.3) & (held.drum_size <= 1.0)) and np.all(held.wave_speed == 100.0)
    wide = renderCondition(DATASET, 'wider material', 40)
    assert wide.wave_speed.min() < 60.0 and wide.wave_speed.max() > 200.0
    assert np.all((wide.wave_speed >= 40.0 - 1e-9) & (wide.wave_speed <= 240.0 + 1e-9))
    other = renderCondition(DATASET, 'rate', 2)
    assert other.rates == [44100, 44100] and other.waveforms[0].size == 22050
    with pytest.raises(ValueError, match='training seed'):
        renderCondition(DATASET, 'clean', 2, seed=0)
    with pytest.raises(ValueError, match='unknown condition'):
        renderCondition(DATASET, 'underwater', 2)
    with pytest.raises(ValueError, match='room bank'):
        renderCondition(DATASET, 'room', 2)


def test_off_centre_strikes_no_held_out_drum_at_its_centre() -> None:
    """Every drum's first strike is central: the default items strike one drum in k there (as training did), off_centre
    none, on the same drums; a sampler of one strike per drum is asked for two, so it too is struck off-centre."""
    assert heldOutItems(4, 2) == [0, 3, 4, 7] and heldOutItems(3, 1) == [0, 1, 2]
    assert heldOutItems(4, 3, off_centre=True) == [1, 5, 7, 11]
    with pytest.raises(ValueError, match='strikes_per_drum ≥ 2'):
        heldOutItems(3, 1, off_centre=True)
    sampler = BesselModel(**{**SETTINGS, 'seed': 7})  # type: ignore[arg-type]
    for off_centre, centred in ((False, 2), (True, 0)):
        radii = []
        for i in heldOutItems(10, sampler.strikes_per_drum, off_centre):
            sampler.updateProperties(i)
            radii.append(sampler.getLabels()['strike_location'][0])
        assert sum(r == 0.0 for r in radii) == centred, radii
    one = {**DATASET, 'sampler_settings': {**SETTINGS, 'strikes_per_drum': 1}}
    centre, anywhere = renderCondition(one, 'clean', 3), renderCondition(one, 'clean', 3, off_centre=True)
    np.testing.assert_array_equal(anywhere.drum_size, centre.drum_size)
    assert all(not np.allclose(x, y) for x, y in zip(centre.waveforms, anywhere.waveforms, strict=True))


def test_fdtd_circles_have_the_same_diameters_range() -> None:
    held = renderCondition(DATASET, 'fdtd', 2, n_fdtd=2)
    assert len(held.waveforms) == 2 and np.all((held.drum_size >= 0.3 - 1e-9) & (held.drum_size <= 1.0 + 1e-9))
    from kac_prediction.physics import circleSizeFromSound

    for x, size in zip(held.waveforms, held.drum_size, strict=True):
        assert abs(circleSizeFromSound(x, 48000, 100.0) - size) < 0.03 * size  # a grid circle, not Bessel's


def test_the_same_seed_gives_the_same_table(run: Path, rows: list[dict[str, Any]]) -> None:
    again = evaluateRobustness(run, FAST[:2], n_drums=8, progressbar=False)
    strip = [{k: v for k, v in row.items() if k != 'seconds'} for row in rows[:2]]
    assert [{k: v for k, v in row.items() if k != 'seconds'} for row in again] == strip
    other = evaluateRobustness(run, ['clean'], n_drums=8, seed=5, progressbar=False)
    assert other[0]['mean_rmse_cm'] != rows[0]['mean_rmse_cm']


def test_every_condition_is_named() -> None:
    assert list(CONDITIONS) == ['clean', 'snr30', 'snr20', 'snr10', 'room', 'realistic', 'material', 'rate', 'fdtd']


def test_script_prints_the_table_and_writes_json(run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location('evaluate_robustness', SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / 'robust.json'
    arguments = [str(run), '--drums', '4', '--conditions', 'clean,snr20']
    assert script.main([*arguments, '--json', str(out), '--markdown']) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith('| condition |')
    report = json.loads(out.read_text())
    assert [row['key'] for row in report['rows']] == ['clean', 'snr20'] and report['off_centre'] is False
    assert script.main([*arguments, '--json', str(out), '--off-centre']) == 0
    assert json.loads(out.read_text())['off_centre'] is True
    assert script.main([str(run), '--conditions', 'underwater']) == 2
    assert 'unknown condition' in capsys.readouterr().err
    assert script.main([str(tmp_path / 'nope')]) == 2
    assert 'error:' in capsys.readouterr().err


def test_a_transit_time_model_is_sized_with_each_drums_true_wave_speed(transit_run: Path) -> None:
    held = renderCondition(DATASET, 'material', 6)
    predictor = loadPredictor(transit_run)
    X = torch.stack([predictor.inputs(x, r) for x, r in zip(held.waveforms, held.rates, strict=True)])
    transit = np.array([p['transit_time'] for p in predictor.predictInputs(X, wave_speed=1.0)])
    expected = 100.0 * math.sqrt(np.mean((held.wave_speed * transit - held.drum_size) ** 2))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        (row,) = evaluateRobustness(transit_run, ['material'], n_drums=6, progressbar=False)
    assert 'note' not in row and row['model_rmse_cm'] == pytest.approx(expected, rel=1e-9)
