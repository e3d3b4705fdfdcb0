"""kac_prediction.sweep and `kac-prediction sweep`: a wandb sweep file run locally, with a stand-in program."""

import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from kac_prediction.cli import main
from kac_prediction.sweep import (
    METRICS_VARIABLE,
    buildCommand,
    formatValue,
    loadSweep,
    runSweep,
    sampleParameters,
    writeRunMetrics,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

# Reads --key=value as scripts/train.py does; loss (x - 3)² + (0 for adam, 1 otherwise); `fail` picks a failure.
PROGRAM = """
import json, os, sys, yaml
args = dict(a[2:].split('=', 1) for a in sys.argv[1:] if a.startswith('--') and '=' in a)
args = {k: yaml.safe_load(v) for k, v in args.items()}
print('arguments', args)
fail = args.get('fail', 0)
if fail == 1:
    sys.exit(3)
loss = float('nan') if fail == 2 else (args.get('x', 3) - 3) ** 2 + (0 if args.get('opt', 'adam') == 'adam' else 1)
metrics = {'nested': {'v': -loss}, 'args': args, 'argv': sys.argv[1:]}
if fail != 3:
    metrics['validation_loss'] = loss
with open(os.environ['KAC_SWEEP_METRICS'], 'w') as file:
    json.dump(metrics, file)
"""


def _sweep(tmp_path: Path, method: str, parameters: dict[str, Any], name: str = 'sweep', **more: Any) -> Path:
    """A sweep file running the stand-in program (absolute path, so any working directory will do)."""
    program = tmp_path / 'program.py'
    program.write_text(PROGRAM)
    content = {'program': str(program), 'method': method, 'metric': {'name': 'validation_loss', 'goal': 'minimize'},
               'parameters': parameters, **more}  # fmt: skip
    path = tmp_path / f'{name}.yaml'
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def _lines(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (directory / 'runs.jsonl').read_text().splitlines()]


def test_grid_runs_every_combination_once_in_file_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sweep(tmp_path, 'grid', {'x': {'values': [1, 2, 3]}, 'opt': {'values': ['adam', 'sgd']}, 'c': {'value': 5}})
    result = runSweep(path, 100, tmp_path / 'out', progressbar=False)
    runs = result['runs']
    assert [(r['parameters']['x'], r['parameters']['opt']) for r in runs] == list(
        itertools.product([1, 2, 3], ['adam', 'sgd'])
    )
    assert all(r['parameters']['c'] == 5 and r['status'] == 'finished' for r in runs)
    assert result['best'] == {'parameters': {'x': 3, 'opt': 'adam', 'c': 5}, 'value': 0.0, 'index': 4}
    assert _lines(tmp_path / 'out') == runs
    assert (tmp_path / 'out' / 'run_005.log').read_text().startswith('$ ')
    assert 'x: 3\nopt: adam\nc: 5\n' in capsys.readouterr().out  # the best configuration, as YAML


def test_random_respects_count_and_bounds(tmp_path: Path) -> None:
    parameters = {
        'x': {'distribution': 'uniform', 'min': 0.0, 'max': 10.0},
        'opt': {'values': ['adam', 'sgd']},
        'lr': {'distribution': 'log_uniform_values', 'min': 1e-5, 'max': 1e-1},
        'n': {'min': 1, 'max': 4},  # no distribution, int bounds: int_uniform
    }
    result = runSweep(_sweep(tmp_path, 'random', parameters), 12, tmp_path / 'out', seed=1, progressbar=False)
    runs = result['runs']
    assert len(runs) == 12 and all(r['status'] == 'finished' for r in runs)
    x, lr = [r['parameters']['x'] for r in runs], [r['parameters']['lr'] for r in runs]
    assert all(0 <= v < 10 for v in x) and all(1e-5 <= v <= 1e-1 for v in lr) and max(lr) / min(lr) > 100
    assert all(isinstance(r['parameters']['n'], int) and 1 <= r['parameters']['n'] <= 4 for r in runs)
    assert result['best']['value'] == min(r['value'] for r in runs)
    again = runSweep(_sweep(tmp_path, 'random', parameters), 12, tmp_path / 'again', seed=1, progressbar=False)
    assert [r['parameters'] for r in again['runs']] == [r['parameters'] for r in runs]  # seeded


def test_distributions_are_sampled_as_wandb_defines_them() -> None:
    sweep = {'parameters': {
        'lv': {'distribution': 'log_uniform_values', 'min': 1e-4, 'max': 1.0},
        'le': {'distribution': 'log_uniform', 'min': -2.0, 'max': 0.0},  # natural-log exponents
        'qu': {'distribution': 'q_uniform', 'min': 0.0, 'max': 1.0, 'q': 0.25},
        'qlv': {'distribution': 'q_log_uniform_values', 'min': 16, 'max': 256, 'q': 8},
        'iu': {'distribution': 'int_uniform', 'min': -2, 'max': 2},
        'no': {'distribution': 'normal', 'mu': 5.0, 'sigma': 2.0},
        'ln': {'distribution': 'log_normal', 'mu': 0.0, 'sigma': 0.5},
        'c': {'distribution': 'categorical', 'values': ['a', 'b'], 'probabilities': [0.9, 0.1]},
        'k': {'distribution': 'constant', 'value': [1, 2]},
    }}  # fmt: skip
    rng = np.random.default_rng(0)
    draws = [sampleParameters(sweep, rng) for _ in range(4000)]
    column = {name: [d[name] for d in draws] for name in sweep['parameters']}
    assert min(column['lv']) < 1e-3 and max(column['lv']) > 0.1 and abs(np.median(np.log10(column['lv'])) + 2) < 0.1
    assert (
        math.exp(-2) <= min(column['le'])
        and max(column['le']) <= 1
        and abs(np.median(column['le']) - 1 / math.e) < 0.02
    )
    assert set(column['qu']) == {0.0, 0.25, 0.5, 0.75, 1.0}
    assert all(isinstance(v, int) and v % 8 == 0 and 16 <= v <= 256 for v in column['qlv'])
    assert set(column['iu']) == {-2, -1, 0, 1, 2}
    assert abs(np.mean(column['no']) - 5) < 0.1 and abs(np.std(column['no']) - 2) < 0.1
    assert min(column['ln']) > 0 and abs(np.median(column['ln']) - 1) < 0.05
    assert abs(column['c'].count('a') / 4000 - 0.9) < 0.02
    assert all(v == [1, 2] for v in column['k'])


def test_bayes_finds_a_value_near_the_optimum(tmp_path: Path) -> None:
    parameters = {'x': {'distribution': 'uniform', 'min': 0.0, 'max': 10.0}, 'opt': {'values': ['adam', 'sgd']},
                  'lr': {'distribution': 'log_uniform_values', 'min': 1e-4, 'max': 1e-2}}  # fmt: skip
    result = runSweep(_sweep(tmp_path, 'bayes', parameters), 20, tmp_path / 'out', seed=0, progressbar=False)
    values = [r['value'] for r in result['runs']]
    assert len(values) == 20 and result['best']['value'] == min(values)
    assert result['best']['value'] < 0.5 < max(values)
    assert abs(result['best']['parameters']['x'] - 3) < 0.75 and result['best']['parameters']['opt'] == 'adam'


def test_the_best_run_follows_the_goal_and_dotted_metric_names(tmp_path: Path) -> None:
    path = _sweep(tmp_path, 'random', {'x': {'distribution': 'uniform', 'min': 0.0, 'max': 6.0}},
                  metric={'name': 'nested.v', 'goal': 'maximize'})  # fmt: skip
    result = runSweep(path, 6, tmp_path / 'out', progressbar=False)
    values = [r['value'] for r in result['runs']]
    assert result['best']['value'] == max(values) and result['best']['index'] == values.index(max(values))
    assert all(v == -((r['parameters']['x'] - 3) ** 2) for v, r in zip(values, result['runs'], strict=True))


def test_a_failed_run_is_recorded_and_the_sweep_continues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sweep(tmp_path, 'grid', {'fail': {'values': [1, 0, 2, 3]}})
    runs = runSweep(path, 10, tmp_path / 'out', progressbar=False)['runs']
    assert [r['status'] for r in runs] == ['failed', 'finished', 'failed', 'failed']
    assert runs[0]['error'] == 'exit status 3' and 'NaN' in runs[2]['error'] and 'validation_loss' in runs[3]['error']
    assert 'run 0 failed: exit status 3' in capsys.readouterr().err
    assert [r['status'] for r in _lines(tmp_path / 'out')] == ['failed', 'finished', 'failed', 'failed']
    # bayes tells optuna the failures and goes on
    parameters = {'fail': {'values': [0, 1]}, 'x': {'distribution': 'uniform', 'min': 0.0, 'max': 6.0}}
    bayes = _sweep(tmp_path, 'bayes', parameters)
    runs = runSweep(bayes, 6, tmp_path / 'bayes', progressbar=False)['runs']
    assert len(runs) == 6 and {r['status'] for r in runs} == {'failed', 'finished'}


def test_args_round_trip_through_yaml(tmp_path: Path) -> None:
    import train

    parameters = {'split': [0.8, 0.1, 0.1], 'flag': True, 'off': False, 'opt': 'adam', 'text': 'yes', 'lr': 1e-05,
                  'none': None, 'n': 3, 'name': "it's a: b"}  # fmt: skip
    sweep = {'program': 'p.py', 'command': ['${env}', '${interpreter}', '${program}', '--fixed=1', '${args}']}
    command = buildCommand(sweep, parameters, python='py', extra_args=['--extra=2'])
    assert command[:4] == ['py', 'p.py', '--fixed=1', '--split=[0.8, 0.1, 0.1]'] and command[-1] == '--extra=2'
    assert '--flag=true' in command and '--lr=1.0e-05' in command
    assert train.parseOverrides(command[3:-1]) == parameters
    assert all(yaml.safe_load(formatValue(v)) == v for v in parameters.values())
    no_hyphens = buildCommand({'program': 'p.py', 'command': ['${program}', '${args_no_hyphens}']}, {'a': [1, 2]})
    assert no_hyphens == ['p.py', 'a=[1, 2]']
    # and through a real run: the program gets back what was sampled
    path = _sweep(tmp_path, 'grid', {k: {'value': v} for k, v in parameters.items()})
    runSweep(path, 1, tmp_path / 'out', extra_args=['--more=[1, 2]'], progressbar=False)
    echoed = json.loads((tmp_path / 'out' / 'run_000.json').read_text())['args']
    assert echoed == {**parameters, 'more': [1, 2]}


@pytest.mark.parametrize(
    ('content', 'message'),
    [
        ({'parameters': {'x': {'distribution': 'gaussian', 'min': 0, 'max': 1}}}, "unknown distribution 'gaussian'"),
        ({'method': 'grid', 'parameters': {'x': {'distribution': 'uniform', 'min': 0, 'max': 1}}}, 'grid'),
        ({'parameters': {'x': {'distribution': 'uniform', 'min': 2.0, 'max': 1.0}}}, 'min 2.0 ≥ max 1.0'),
        ({'parameters': {'x': {'min': 5, 'max': 5}}}, 'min must be below max'),
        ({'parameters': None}, 'no `parameters`'),
        ({'method': None}, 'no `method`'),
        ({'method': 'hyperband'}, "unknown method 'hyperband'"),
        ({'program': None}, 'no `program`'),
        ({'metric': {'name': 'loss', 'goal': 'lowest'}}, "goal 'lowest' must be minimize or maximize"),
        ({'parameters': {'lr': {'distribution': 'log_uniform_values', 'min': '1e-4', 'max': 1.0}}}, 'with a dot'),
        ({'parameters': {'lr': {'distribution': 'uniform', 'mn': 0.0, 'max': 1.0}}}, r'unexpected key\(s\) mn'),
        ({'command': ['${interpreter}', '${program}']}, 'passes no parameters'),
    ],
)
def test_bad_sweep_files_are_clear_errors(tmp_path: Path, content: dict[str, Any], message: str) -> None:
    sweep = {'program': 'p.py', 'method': 'random', 'metric': {'name': 'loss'},
             'parameters': {'x': {'values': [1, 2]}}, **content}  # fmt: skip
    path = tmp_path / 'bad.yaml'
    path.write_text(yaml.safe_dump({k: v for k, v in sweep.items() if v is not None}))
    with pytest.raises(ValueError, match=message) as error:
        loadSweep(path)
    assert str(path) in str(error.value)


def test_a_missing_sweep_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match='missing.yaml does not exist'):
        loadSweep(tmp_path / 'missing.yaml')
    path = _sweep(tmp_path, 'random', {'x': {'values': [1]}})
    path.write_text(path.read_text().replace(str(tmp_path / 'program.py'), 'no/such/program.py'))
    with pytest.raises(FileNotFoundError, match='no/such/program.py does not exist relative to the current'):
        runSweep(path, 1, tmp_path / 'out', progressbar=False)


def test_an_earlier_sweep_is_refused_unless_resumed(tmp_path: Path) -> None:
    parameters = {'x': {'distribution': 'uniform', 'min': 0.0, 'max': 6.0}, 'opt': {'values': ['adam', 'sgd']}}
    path, out = _sweep(tmp_path, 'random', parameters), tmp_path / 'out'
    runSweep(path, 3, out, progressbar=False)
    with pytest.raises(FileExistsError, match='resume'):
        runSweep(path, 5, out, progressbar=False)
    runs = runSweep(path, 5, out, resume=True, progressbar=False)['runs']
    assert [r['index'] for r in _lines(out)] == [0, 1, 2, 3, 4] == [r['index'] for r in runs]
    uninterrupted = runSweep(path, 5, tmp_path / 'whole', progressbar=False)['runs']
    assert [r['parameters'] for r in runs] == [r['parameters'] for r in uninterrupted]  # the same sequence
    assert len(runSweep(path, 5, out, resume=True, progressbar=False)['runs']) == 5  # count reached: nothing to run
    # grid skips what is done; bayes hears the earlier results
    grid = _sweep(tmp_path, 'grid', {'x': {'values': [1, 2, 3]}, 'opt': {'values': ['adam', 'sgd']}}, name='grid')
    runSweep(grid, 2, tmp_path / 'grid', progressbar=False)
    runs = runSweep(grid, 100, tmp_path / 'grid', resume=True, progressbar=False)['runs']
    assert len(runs) == 6 and len({json.dumps(r['parameters']) for r in runs}) == 6
    bayes = _sweep(tmp_path, 'bayes', parameters, name='bayes')
    runSweep(bayes, 2, tmp_path / 'bayes', progressbar=False)
    assert len(runSweep(bayes, 4, tmp_path / 'bayes', resume=True, progressbar=False)['runs']) == 4
    # a different sweep in that directory is refused
    changed = _sweep(tmp_path, 'random', {'x': {'values': [7]}}, name='changed')
    with pytest.raises(ValueError, match='parameters differ'):
        runSweep(changed, 5, out, resume=True, progressbar=False)


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sweep(tmp_path, 'grid', {'x': {'values': [2, 3]}})
    arguments = ['sweep', str(path), '--count', '5', '--sweep-dir', str(tmp_path / 'out')]
    assert main([*arguments, '--', '--extra=1']) == 0
    assert capsys.readouterr().out.endswith('x: 3\n')
    assert all(r['command'][-1] == '--extra=1' for r in _lines(tmp_path / 'out'))
    assert main(arguments) == 2 and 'error:' in capsys.readouterr().err  # runs.jsonl exists: --resume needed
    assert main([*arguments, '--resume']) == 0
    assert main(['sweep', str(tmp_path / 'missing.yaml')]) == 2
    failing = _sweep(tmp_path, 'grid', {'fail': {'value': 1}}, name='failing')
    assert main(['sweep', str(failing), '--sweep-dir', str(tmp_path / 'failing')]) == 1
    with pytest.raises(SystemExit) as exit_info:
        main(['sweep', '--help'])
    assert exit_info.value.code == 0 and '--resume' in capsys.readouterr().out


def test_default_sweep_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _sweep(tmp_path, 'grid', {'x': {'value': 3}}, name='tiny')
    monkeypatch.chdir(tmp_path)
    assert main(['sweep', str(path)]) == 0
    assert len(_lines(tmp_path / 'sweeps' / 'tiny')) == 1


@pytest.mark.parametrize('name', ['size_of_circular_drum', 'dim_of_rectangular_drum'])
def test_the_repository_sweep_files(name: str) -> None:
    import train

    sweep = loadSweep(ROOT / 'scripts' / 'config' / 'wandb' / f'{name}.yaml')
    assert sweep['method'] == 'bayes' and sweep['metric'] == {'name': 'validation_loss', 'goal': 'minimize'}
    parameters = sampleParameters(sweep, np.random.default_rng(0))
    command = buildCommand(sweep, parameters, python='python')
    assert command[:4] == ['python', 'scripts/train.py', f'--routine={name}', '--wandb']
    assert command[4:] == [f'--{k}={formatValue(v)}' for k, v in parameters.items()]
    assert train.parseOverrides(command[4:]) == parameters
    assert parameters['batch_size'] in (8, 16, 32) and 1e-4 <= parameters['learning_rate'] <= 1e-2


def test_train_writes_its_metrics_for_the_sweep(tmp_path: Path) -> None:
    import torch

    metrics = {'validation_loss': np.float32(0.5), 'testing_loss': {'aggregate': 0.25, 'tensor': torch.ones(2)},
               'epochs': np.int64(3), 'exports_dir': 'model/x', 'metrics': {'drum_size': {'rmse': 0.1}}}  # fmt: skip
    writeRunMetrics(metrics, str(tmp_path / 'metrics.json'))  # as train does with $KAC_SWEEP_METRICS
    assert json.loads((tmp_path / 'metrics.json').read_text()) == {
        'validation_loss': 0.5, 'testing_loss': {'aggregate': 0.25}, 'epochs': 3, 'exports_dir': 'model/x',
        'metrics': {'drum_size': {'rmse': 0.1}},
    }  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ['metrics.json']


def test_a_run_writes_its_metrics_for_the_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    metrics: dict[Any, Any] = {'validation_loss': np.float32(0.5), 'history': (np.float64(1.5), torch.zeros(1), 2),
                               'array': np.ones(3), 'flag': True, 'none': None, 3: 'key as text',
                               'diverged': float('nan')}  # fmt: skip
    path = tmp_path / 'metrics.json'
    path.write_text('earlier')
    writeRunMetrics(metrics, path)
    written = json.loads(path.read_text())
    assert math.isnan(written.pop('diverged'))  # written as NaN: the runner reports the metric as NaN
    assert written == {'validation_loss': 0.5, 'history': [1.5, 2], 'flag': True, 'none': None, '3': 'key as text'}
    assert type(written['history'][1]) is int and [p.name for p in tmp_path.iterdir()] == ['metrics.json']

    # atomic: a write that fails leaves the earlier file whole and no temporary file behind
    def failing(*args: Any, **kwargs: Any) -> None:
        raise OSError('disk full')

    monkeypatch.setattr('kac_prediction._io.os.replace', failing)
    with pytest.raises(OSError, match='disk full'):
        writeRunMetrics({'validation_loss': 1.0}, path)
    assert json.loads(path.read_text())['validation_loss'] == 0.5
    assert [p.name for p in tmp_path.iterdir()] == ['metrics.json']
    monkeypatch.undo()
    # and the runner reads what writeRunMetrics wrote, from the file $KAC_SWEEP_METRICS names
    assert METRICS_VARIABLE == 'KAC_SWEEP_METRICS'
    program = tmp_path / 'writer.py'
    program.write_text(
        'import os, sys\n'
        'from kac_prediction.sweep import METRICS_VARIABLE, writeRunMetrics\n'
        "x = float(sys.argv[1].split('=')[1])\n"
        "writeRunMetrics({'validation_loss': (x - 3) ** 2, 'weights': object()}, os.environ[METRICS_VARIABLE])\n"
    )
    sweep = {'program': str(program), 'method': 'grid', 'metric': {'name': 'validation_loss'},
             'parameters': {'x': {'values': [1.0, 3.5]}}}  # fmt: skip
    (tmp_path / 'writer.yaml').write_text(yaml.safe_dump(sweep))
    result = runSweep(tmp_path / 'writer.yaml', 2, tmp_path / 'out', progressbar=False)
    assert [r['value'] for r in result['runs']] == [4.0, 0.25] and result['best']['index'] == 1


def test_bayes_without_optuna_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'optuna', None)  # import optuna now raises ImportError
    path = _sweep(tmp_path, 'bayes', {'x': {'values': [1, 2]}})
    with pytest.raises(ImportError, match='pip install optuna'):
        runSweep(path, 1, tmp_path / 'out', progressbar=False)
    assert main(['sweep', str(path), '--sweep-dir', str(tmp_path / 'cli'), '--resume']) == 2
    path = _sweep(tmp_path, 'random', {'x': {'values': [1, 2]}}, name='random')  # optuna only for bayes
    assert len(runSweep(path, 1, tmp_path / 'random', progressbar=False)['runs']) == 1
