"""scripts/train.py (`kac-prediction train`) and the example routines: smoke runs, flags, wandb-agent arguments,
config files."""

import sys
from pathlib import Path

import pytest
import yaml

SCRIPTS = Path(__file__).resolve().parent.parent / 'scripts'
sys.path.insert(0, str(SCRIPTS))

import train  # noqa: E402

ROUTINES = [
    ('size_of_circular_drum', ['drum_size'], 'BesselModel'),
    ('dim_of_rectangular_drum', ['drum_size', 'aspect_ratio'], 'PoissonModel'),
    ('shape_of_polygonal_drum', ['mask IoU', 'drum_size', 'Weyl'], 'FDTDModel'),
]
CONFIGS = sorted((SCRIPTS / 'config').glob('*/*.yaml'))


@pytest.mark.parametrize(('routine', 'labels', 'sampler'), ROUTINES)
def test_each_routine_runs_in_testing_mode(
    routine: str, labels: list[str], sampler: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    status = train.main([
        '--routine', routine, '--testing', '--num_of_epochs=1', '--batch_size=32',
        '--dataset-dir', str(tmp_path / 'data'), '--exports-dir', str(tmp_path / 'model'),
    ])  # fmt: skip
    assert status == 0
    out = capsys.readouterr().out
    for label in labels:
        assert label in out
    runs = list((tmp_path / 'model').iterdir())
    assert len(runs) == 1 and (runs[0] / 'best.pt').exists() and (runs[0] / 'learning_curves.png').exists()
    assert (tmp_path / 'data' / f'testing-{sampler}').is_dir()
    assert 'physics' in out  # the physics-only baseline beside the model
    figure = 'outlines.png' if routine.startswith('shape') else 'drums.png'
    assert (runs[0] / figure).exists() and (runs[0] / 'scatter.png').exists()


def test_wandb_agent_arguments_are_parsed() -> None:
    assert train.parseOverrides(['--batch_size=32', '--dataset_split=[0.8, 0.1, 0.1]', '--testing=true']) == {
        'batch_size': 32, 'dataset_split': [0.8, 0.1, 0.1], 'testing': True,
    }  # fmt: skip
    with pytest.raises(ValueError, match='--key=value'):
        train.parseOverrides(['stray'])


def test_bad_configs_are_clear_errors(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        train.main(['--config', str(tmp_path / 'missing.yaml')])
    assert exit_info.value.code == 2 and 'does not exist' in capsys.readouterr().err
    (tmp_path / 'bad.yaml').write_text('batch_sise: 4\n')
    assert train.main(['--config', str(tmp_path / 'bad.yaml'), '--testing', '--exports-dir', str(tmp_path)]) == 2
    assert "unknown parameter 'batch_sise'" in capsys.readouterr().err
    (tmp_path / 'bad.yaml').write_text('batch_size: four\n')
    assert train.main(['--config', str(tmp_path / 'bad.yaml'), '--testing', '--exports-dir', str(tmp_path)]) == 2
    assert 'batch_size' in capsys.readouterr().err


def test_bad_parameters_fail_before_anything_is_written(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    exports = tmp_path / 'model'
    for arguments in (['--batch_sise=4'], ['--routine', 'shape_of_polygonal_drum', '--grid_size=1.5']):
        status = train.main([*arguments, '--dataset-dir', str(tmp_path / 'data'), '--exports-dir', str(exports)])
        assert status == 2 and capsys.readouterr().err.startswith('error: ')
    assert not exports.exists() and not (tmp_path / 'data').exists()
    from kac_prediction.routines import routineParameters

    assert routineParameters('shape_of_polygonal_drum', overrides={'grid_size': 16})['grid_size'] == 16
    with pytest.raises(ValueError, match="unknown routine 'circle'; the routines are size_of_circular_drum"):
        routineParameters('circle')


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_config_files_hold_valid_parameters(path: Path) -> None:
    content = yaml.safe_load(path.read_text())
    if path.parent.name == 'wandb':  # a wandb sweep file
        assert content['program'] == 'scripts/train.py' and content['method'] in ('grid', 'random', 'bayes')
        assert content['metric'] == {'name': 'validation_loss', 'goal': 'minimize'}
        assert '${args}' in content['command']
        names = content['parameters']
        sample = {k: (v['values'][0] if 'values' in v else v['min']) for k, v in names.items()}
    else:
        sample = content
    routine = path.stem if path.parent.name == 'local' else content['command'][3].split('=')[1]
    from kac_prediction.routines import routineParameters

    # every key is known to its routine (realistic_*.yaml: the realistic mode's runs), of the right type and valid
    routineParameters(routine.removeprefix('realistic_'), overrides=sample)


def test_a_different_dataset_in_the_directory_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from kac_prediction.dataset import generateDataset
    from kac_prediction.samplers import BesselModel

    target = tmp_path / 'data' / 'testing-BesselModel'
    settings = {'duration': 0.1, 'sample_rate': 8000}
    generateDataset(BesselModel, target, 4, None, settings, seed=1, num_workers=1, progressbar=False)
    before = sorted(path.name for path in target.iterdir())
    status = train.main(['--testing', '--dataset-dir', str(tmp_path / 'data'), '--exports-dir', str(tmp_path / 'm')])
    assert status == 2 and 'already holds a different dataset' in capsys.readouterr().err
    assert sorted(path.name for path in target.iterdir()) == before  # nothing of the user's was touched
