"""Run a wandb sweep file locally, without a wandb server (`kac-prediction sweep CONFIG --count N`).

    sweep = loadSweep('scripts/config/wandb/size_of_circular_drum.yaml')  # validated, defaults filled in
    result = runSweep('scripts/config/wandb/size_of_circular_drum.yaml', 8, 'sweeps/size_of_circular_drum')
    result['best']  # {'parameters': {'batch_size': 16, ...}, 'value': 0.0123, 'index': 5}

Parameters follow wandb's sweep configuration: `value` (constant), `values` (categorical, optional `probabilities`),
or `distribution` with its keys: int_uniform, uniform, q_uniform, log_uniform (min, max are natural-log exponents:
exp(U(min, max))), log_uniform_values (min, max are values), q_log_uniform, q_log_uniform_values (`q`, default
1.0), normal, q_normal, log_normal, q_log_normal (`mu` default 0, `sigma` default 1), beta, q_beta (`a`, `b`, default
1). Quantised draws are round(x / q) · q: ints when q is an int (q: 8), floats otherwise (the default 1.0). Without
`distribution`, `min`/`max` mean int_uniform when both are ints, else uniform. Nested `parameters` and
inv_log_uniform(_values) are not supported here.

Methods: `random` draws every parameter from a numpy Generator seeded by `seed`. `grid` runs the Cartesian product of
the `values` in file order (the last parameter varies fastest; constants fixed; int_uniform is min…max and q_uniform
is arange(min, max, q), as in wandb) and stops when it is exhausted. `bayes` asks optuna's TPE sampler
(`pip install optuna`): categorical, int_uniform, uniform, log_uniform(_values) map onto optuna's distributions;
q_uniform onto its step grid min + k·q; q_log_uniform(_values) are quantised after optuna's draw; normal, log_normal
and beta parameters (and their q_ forms) are drawn at random, as optuna has no such distributions; categorical
`probabilities` only steer `random`. `early_terminate` is ignored; `run_cap` caps the count; `metric.target` stops
the sweep once a run reaches it.

Each run is the sweep's `command` (default `${env} ${interpreter} ${program} ${args}`) built as `wandb agent` builds
it, with `${interpreter}` the given Python and values written as YAML (lists `[a, b]`, bools `true`), run from the
current directory with `KAC_SWEEP_METRICS` naming the JSON file the program writes its metrics to (scripts/train.py
does). In `sweep_dir`: run_NNN.log (the command, stdout and stderr), run_NNN.json (the metrics), runs.jsonl (one line
per finished run: index, parameters, value, status 'finished' or 'failed', seconds, command, error) and
sweep_config.json (the sweep, to check a resumed sweep is the same one).
"""

import itertools
import json
import math
import numbers
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from tqdm import tqdm

if TYPE_CHECKING:
    import optuna

__all__ = ['buildCommand', 'formatValue', 'loadSweep', 'runSweep', 'sampleParameters']

METHODS = ('random', 'grid', 'bayes')
# the keys each distribution takes besides `distribution`
DISTRIBUTIONS: dict[str, frozenset[str]] = {
    'constant': frozenset({'value'}),
    'categorical': frozenset({'values', 'probabilities'}),
    'int_uniform': frozenset({'min', 'max'}),
    'uniform': frozenset({'min', 'max'}),
    'q_uniform': frozenset({'min', 'max', 'q'}),
    'log_uniform': frozenset({'min', 'max'}),
    'log_uniform_values': frozenset({'min', 'max'}),
    'q_log_uniform': frozenset({'min', 'max', 'q'}),
    'q_log_uniform_values': frozenset({'min', 'max', 'q'}),
    'normal': frozenset({'mu', 'sigma'}),
    'q_normal': frozenset({'mu', 'sigma', 'q'}),
    'log_normal': frozenset({'mu', 'sigma'}),
    'q_log_normal': frozenset({'mu', 'sigma', 'q'}),
    'beta': frozenset({'a', 'b'}),
    'q_beta': frozenset({'a', 'b', 'q'}),
}
_DEFAULTS = {'q': 1.0, 'mu': 0.0, 'sigma': 1.0, 'a': 1.0, 'b': 1.0}
_GRID = ('constant', 'categorical', 'int_uniform', 'q_uniform')
_MACROS = ('env', 'interpreter', 'program', 'args', 'args_no_hyphens', 'args_no_boolean_flags', 'args_no_equals',
           'args_json')  # fmt: skip
_ARGUMENT_MACROS = {f'${{{name}}}' for name in _MACROS if name.startswith('args')}
_DEFAULT_COMMAND = ['${env}', '${interpreter}', '${program}', '${args}']
_ENVVAR = re.compile(r'\$\{envvar:([A-Za-z0-9_]*)\}')
_METRICS_VARIABLE = 'KAC_SWEEP_METRICS'


def _isNumber(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _number(where: str, name: str, spec: Mapping[str, Any], key: str, integer: bool = False) -> Any:
    value = spec.get(key, _DEFAULTS.get(key))
    if value is None:
        raise ValueError(f'{where} needs `{key}`.')
    if integer and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ValueError(f'{where}: `{key}` must be an integer, not {value!r} (use distribution: uniform for reals).')
    if not _isNumber(value):
        hint = ''
        if isinstance(value, str):
            try:
                float(value)
                hint = f' (YAML reads {value} as text: write it with a dot, e.g. 1.0e-4)'
            except ValueError:
                pass
        raise ValueError(f'{where}: `{key}` must be a finite number, not {value!r}{hint}.')
    return value


def _parameter(path: str, name: str, spec: Any) -> dict[str, Any]:
    """One parameter spec, checked, with its distribution and defaults filled in."""
    where = f'{path}: parameter {name!r}'
    if not isinstance(spec, dict):
        raise ValueError(f'{where} must be a mapping such as {{values: [1, 2]}} or {{distribution: uniform, min: 0, '
                         f'max: 1}}, not {spec!r}.')  # fmt: skip
    if 'parameters' in spec:
        raise ValueError(f'{where} nests `parameters`: the local runner takes flat parameters only.')
    distribution = spec.get('distribution')
    if distribution is None:
        if 'value' in spec:
            distribution = 'constant'
        elif 'values' in spec:
            distribution = 'categorical'
        elif 'min' in spec and 'max' in spec:
            both_ints = all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ('min', 'max'))
            distribution = 'int_uniform' if both_ints else 'uniform'
        else:
            raise ValueError(f'{where} needs `value`, `values`, `min` and `max`, or a `distribution`.')
    if distribution == 'categorical_w_probabilities':
        distribution = 'categorical'
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f'{where} has unknown distribution {distribution!r}; use one of {", ".join(DISTRIBUTIONS)}.')
    where = f'{where} ({distribution})'
    unexpected = sorted(set(spec) - DISTRIBUTIONS[distribution] - {'distribution'})
    if unexpected:
        raise ValueError(f'{where} has unexpected key(s) {", ".join(unexpected)}; it takes '
                         f'{", ".join(sorted(DISTRIBUTIONS[distribution]))}.')  # fmt: skip
    result: dict[str, Any] = {'distribution': distribution}
    if distribution == 'constant':
        if 'value' not in spec:
            raise ValueError(f'{where} needs `value`.')
        result['value'] = spec['value']
        return result
    if distribution == 'categorical':
        values = spec.get('values')
        if not isinstance(values, list) or not values:
            raise ValueError(f'{where} needs `values`: a non-empty list such as [8, 16, 32].')
        result['values'] = values
        if 'probabilities' in spec:
            p = spec['probabilities']
            if not (isinstance(p, list) and len(p) == len(values) and all(_isNumber(x) and x >= 0 for x in p)):
                raise ValueError(f'{where}: `probabilities` must be {len(values)} non-negative numbers, one per value.')
            if abs(sum(p) - 1) > 1e-6:
                raise ValueError(f'{where}: `probabilities` must sum to 1, not {sum(p):g}.')
            result['probabilities'] = p
        return result
    for key in sorted(DISTRIBUTIONS[distribution]):
        result[key] = _number(where, name, spec, key, integer=distribution == 'int_uniform')
    if 'min' in result and result['min'] >= result['max']:
        raise ValueError(f'{where}: min {result["min"]} ≥ max {result["max"]}; min must be below max.')
    if distribution.endswith('log_uniform_values') and result['min'] <= 0:
        raise ValueError(f'{where}: min {result["min"]} must be > 0 (the bounds are values, sampled on a log scale; '
                         f'distribution: log_uniform takes natural-log exponents instead).')  # fmt: skip
    for key in ('q', 'a', 'b'):
        if key in result and result[key] <= 0:
            raise ValueError(f'{where}: `{key}` must be > 0, not {result[key]}.')
    if 'sigma' in result and result['sigma'] < 0:
        raise ValueError(f'{where}: `sigma` must be ≥ 0, not {result["sigma"]}.')
    return result


def loadSweep(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check the wandb sweep YAML at `path`; returns it with every parameter's `distribution` (and `q`, `mu`,
    `sigma`, `a`, `b` defaults), metric `goal` and `command` filled in. Raises FileNotFoundError or ValueError."""
    path = str(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'sweep file {path} does not exist: give the path of a wandb sweep YAML such as '
                                f'scripts/config/wandb/size_of_circular_drum.yaml.')  # fmt: skip
    try:
        with open(path, encoding='utf-8') as file:
            content = yaml.safe_load(file)
    except yaml.YAMLError as error:
        raise ValueError(f'{path} is not valid YAML: {error}') from error
    if not isinstance(content, dict):
        raise ValueError(f'{path} must hold a mapping with program, method, metric and parameters.')
    sweep = dict(content)
    if not isinstance(sweep.get('program'), str) or not sweep['program']:
        raise ValueError(f'{path} has no `program`: add e.g. `program: scripts/train.py` (the script each run runs).')
    if 'method' not in sweep:
        raise ValueError(f'{path} has no `method`: add `method: random`, `grid` or `bayes`.')
    if sweep['method'] not in METHODS:
        raise ValueError(f'{path}: unknown method {sweep["method"]!r}; use random, grid or bayes.')
    metric = sweep.get('metric')
    if metric is None:
        if sweep['method'] == 'bayes':
            raise ValueError(f'{path}: method bayes needs a `metric`, e.g. {{name: validation_loss, goal: minimize}}.')
    else:
        if not isinstance(metric, dict) or not isinstance(metric.get('name'), str):
            raise ValueError(f'{path}: `metric` must be a mapping with a `name`, e.g. {{name: validation_loss, '
                             f'goal: minimize}}.')  # fmt: skip
        unexpected = sorted(set(metric) - {'name', 'goal', 'target'})
        if unexpected:
            raise ValueError(f'{path}: `metric` has unexpected key(s) {", ".join(unexpected)}; it takes name, goal, '
                             f'target.')  # fmt: skip
        metric = {'name': metric['name'], 'goal': metric.get('goal', 'minimize'), **metric}
        if metric['goal'] not in ('minimize', 'maximize'):
            raise ValueError(f'{path}: metric goal {metric["goal"]!r} must be minimize or maximize.')
        if 'target' in metric and not _isNumber(metric['target']):
            raise ValueError(f'{path}: metric target must be a number, not {metric["target"]!r}.')
        sweep['metric'] = metric
    parameters = sweep.get('parameters')
    if not isinstance(parameters, dict) or not parameters:
        raise ValueError(f'{path} has no `parameters`: add a mapping such as `parameters: {{batch_size: {{values: '
                         f'[8, 16]}}}}`.')  # fmt: skip
    sweep['parameters'] = {str(name): _parameter(path, str(name), spec) for name, spec in parameters.items()}
    if sweep['method'] == 'grid':
        for name, spec in sweep['parameters'].items():
            if spec['distribution'] not in _GRID or 'probabilities' in spec:
                raise ValueError(f'{path}: method grid needs discrete parameters, but {name!r} has '
                                 f'{"probabilities" if "probabilities" in spec else spec["distribution"]}; give it '
                                 f'`values: [...]` or `value:` as wandb requires for grid (or use method random or '
                                 f'bayes).')  # fmt: skip
    command = sweep.get('command', _DEFAULT_COMMAND)
    if not isinstance(command, list) or not command or not all(isinstance(c, str | int | float) for c in command):
        raise ValueError(f'{path}: `command` must be a list of strings such as {_DEFAULT_COMMAND}.')
    command = [str(c) for c in command]
    for token in command:
        for macro in re.findall(r'\$\{([^}]*)\}', _ENVVAR.sub('', token)):
            if macro not in _MACROS:
                raise ValueError(f'{path}: command macro ${{{macro}}} is not supported here; use '
                                 f'{", ".join(f"${{{m}}}" for m in _MACROS)} or ${{envvar:NAME}}.')  # fmt: skip
    if not _ARGUMENT_MACROS & set(command):
        raise ValueError(f'{path}: `command` passes no parameters to the program: add ${{args}} (--key=value).')
    sweep['command'] = command
    if 'run_cap' in sweep and not (isinstance(sweep['run_cap'], int) and sweep['run_cap'] > 0):
        raise ValueError(f'{path}: run_cap must be a positive integer, not {sweep["run_cap"]!r}.')
    return sweep


def _clean(value: float) -> float:
    """A float with the last-digit noise of x / q · q removed (12 significant digits)."""
    return float(f'{value:.12g}')


def _quantise(value: float, q: float) -> int | float:
    """wandb's quantisation: round(value / q) · q, an int when q is an int."""
    quantised = float(np.round(value / q) * q)
    return round(quantised) if isinstance(q, int) else _clean(quantised)


def _draw(spec: Mapping[str, Any], rng: np.random.Generator) -> Any:
    """One value of the parameter `spec` (as loadSweep returns it), drawn with `rng`."""
    distribution = spec['distribution']
    if distribution == 'constant':
        return spec['value']
    if distribution == 'categorical':
        p = spec.get('probabilities')
        weights = None if p is None else np.asarray(p, dtype=float) / sum(p)
        return spec['values'][int(rng.choice(len(spec['values']), p=weights))]
    if distribution == 'int_uniform':
        return int(rng.integers(spec['min'], spec['max'], endpoint=True))
    if 'min' in spec:
        low, high = float(spec['min']), float(spec['max'])
        if distribution.endswith('_values'):
            low, high = math.log(low), math.log(high)
        x = float(rng.uniform(low, high))
        if 'log_uniform' in distribution:
            bounds = (math.exp(low), math.exp(high))
            x = min(max(math.exp(x), bounds[0]), bounds[1])
    elif 'mu' in spec:
        x = float(rng.normal(spec['mu'], spec['sigma']))
        if 'log_normal' in distribution:
            x = math.exp(x)
    else:
        x = float(rng.beta(spec['a'], spec['b']))
    return _quantise(x, spec['q']) if distribution.startswith('q_') else x


def sampleParameters(sweep: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One configuration drawn at random (method random) from `sweep` (as loadSweep returns it), in file order."""
    return {name: _draw(spec, rng) for name, spec in sweep['parameters'].items()}


def formatValue(value: Any) -> str:
    """`value` as YAML flow text that yaml.safe_load reads back: 32, 0.5, true, adam, [0.8, 0.1], 'yes'."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix('\n...\n').rstrip('\n')


def buildCommand(
    sweep: Mapping[str, Any],
    parameters: Mapping[str, Any],
    python: str = sys.executable,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The command `wandb agent` runs for `parameters`, from sweep['command'] (as loadSweep returns it), with
    ${interpreter} = `python`, ${program} the program path as written, ${env} dropped, then `extra_args`."""
    flags = {name: formatValue(value) for name, value in parameters.items()}
    macros = {
        '${env}': [],
        '${interpreter}': [python],
        '${program}': [str(sweep['program'])],
        '${args}': [f'--{k}={v}' for k, v in flags.items()],
        '${args_no_hyphens}': [f'{k}={v}' for k, v in flags.items()],
        '${args_no_boolean_flags}': [
            f'--{k}' if value is True else f'--{k}={flags[k]}' for k, value in parameters.items() if value is not False
        ],
        '${args_no_equals}': [item for k, v in flags.items() for item in (f'--{k}', v)],
        '${args_json}': [json.dumps(dict(parameters))],
    }
    command: list[str] = []
    for token in sweep.get('command', _DEFAULT_COMMAND):
        token = str(token)
        if token in macros:
            command += macros[token]
        else:
            command.append(_ENVVAR.sub(lambda m: os.environ.get(m.group(1), m.group(1)), token))
    return [*command, *extra_args]


def _gridValues(spec: Mapping[str, Any]) -> list[Any]:
    if spec['distribution'] == 'constant':
        return [spec['value']]
    if spec['distribution'] == 'categorical':
        return list(spec['values'])
    if spec['distribution'] == 'int_uniform':
        return list(range(spec['min'], spec['max'] + 1))
    values = np.arange(spec['min'], spec['max'], spec['q']).tolist()  # q_uniform, as wandb's grid: max excluded
    return [v if isinstance(v, int) else _clean(v) for v in values]


def _key(parameters: Mapping[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True)


def _metricValue(metrics: Any, name: str) -> float:
    """metrics[name], or the dotted path metrics['testing_loss']['aggregate'] for 'testing_loss.aggregate'."""
    if isinstance(metrics, dict) and name in metrics:
        value = metrics[name]
    else:
        value = metrics
        for part in name.split('.'):
            if not isinstance(value, dict) or part not in value:
                keys = ', '.join(sorted(metrics)) if isinstance(metrics, dict) else ''
                raise ValueError(f'metric {name!r} is not among the metrics the program wrote ({keys}).')
            value = value[part]
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool)):
        raise ValueError(f'metric {name!r} is {value!r}, not a number.')
    if math.isnan(value):
        raise ValueError(f'metric {name!r} is NaN.')
    return float(value)


def _runOne(
    command: list[str], index: int, directory: Path, parameters: dict[str, Any], metric: str | None
) -> dict[str, Any]:
    """Run `command` once, output to run_NNN.log, metrics to run_NNN.json; returns its runs.jsonl record."""
    log, metrics_path = directory / f'run_{index:03d}.log', directory / f'run_{index:03d}.json'
    metrics_path.unlink(missing_ok=True)  # this runner's own file, left by an interrupted attempt at this run
    environment = {**os.environ, _METRICS_VARIABLE: str(metrics_path.resolve())}
    record: dict[str, Any] = {'index': index, 'parameters': parameters, 'value': None, 'status': 'failed'}
    start = time.perf_counter()
    error = ''
    with open(log, 'w', encoding='utf-8') as file:
        file.write(f'$ {shlex.join(command)}\n')
        file.flush()
        try:
            status = subprocess.run(command, stdout=file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=environment, check=False).returncode  # fmt: skip
        except OSError as exception:
            status, error = -1, f'could not start {command[0]!r}: {exception}'
    record['seconds'] = round(time.perf_counter() - start, 3)
    if not error and status != 0:
        error = f'exit status {status}'
    if not error and metric is not None:
        try:
            with open(metrics_path, encoding='utf-8') as file:
                record['value'] = _metricValue(json.load(file), metric)
        except FileNotFoundError:
            error = f'the program wrote no metrics to ${_METRICS_VARIABLE} (scripts/train.py does)'
        except (ValueError, json.JSONDecodeError) as exception:
            error = str(exception)
    if error:
        record['error'] = error
    else:
        record['status'] = 'finished'
    record['command'] = command
    return record


def _append(journal: Path, record: Mapping[str, Any]) -> None:
    """Append one JSON line to `journal`, flushed and fsynced."""
    with open(journal, 'a', encoding='utf-8') as file:
        file.write(json.dumps(record) + '\n')
        file.flush()
        os.fsync(file.fileno())


def _readJournal(journal: Path) -> list[dict[str, Any]]:
    runs = []
    for number, line in enumerate(journal.read_text(encoding='utf-8').splitlines(), start=1):
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not {'index', 'parameters', 'status'} <= set(record):
                raise ValueError
        except ValueError:
            if line.strip():
                print(f'warning: {journal} line {number} is not a run record; ignored.', file=sys.stderr)
            continue
        runs.append(record)
    return runs


def _writeJSON(path: Path, content: Any) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(descriptor, 'w', encoding='utf-8') as file:
            json.dump(content, file, indent=1)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _best(runs: Sequence[Mapping[str, Any]], goal: str) -> dict[str, Any] | None:
    scored = [run for run in runs if run['status'] == 'finished' and run.get('value') is not None]
    if not scored:
        return None
    pick = max if goal == 'maximize' else min
    best = pick(scored, key=lambda run: run['value'])
    return {'parameters': best['parameters'], 'value': best['value'], 'index': best['index']}


class _Bayes:
    """optuna's TPE sampler over the parameters it can model; the others drawn at random."""

    def __init__(self, sweep: Mapping[str, Any], seed: int, rng: np.random.Generator) -> None:
        try:
            import optuna
        except ImportError as error:
            raise ImportError('method bayes runs optuna\'s TPE sampler: pip install optuna (or use method random '
                              'or grid).') from error  # fmt: skip
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.parameters: dict[str, Any] = dict(sweep['parameters'])
        self.rng = rng
        self.distributions = {
            name: distribution
            for name, spec in self.parameters.items()
            if (distribution := self._distribution(spec)) is not None
        }
        self.study = optuna.create_study(
            direction='maximize' if sweep['metric']['goal'] == 'maximize' else 'minimize',
            sampler=optuna.samplers.TPESampler(seed=seed),
        )
        self.trial: optuna.trial.Trial | None = None

    def _distribution(self, spec: Mapping[str, Any]) -> 'optuna.distributions.BaseDistribution | None':
        import optuna.distributions as d

        kind = spec['distribution']
        if kind == 'categorical':
            return d.CategoricalDistribution(list(range(len(spec['values']))))
        if kind == 'int_uniform':
            return d.IntDistribution(spec['min'], spec['max'])
        if kind == 'uniform':
            return d.FloatDistribution(spec['min'], spec['max'])
        if kind == 'q_uniform':
            low, q = spec['min'], spec['q']
            steps = math.floor((spec['max'] - low) / q + 1e-9)
            if all(isinstance(spec[k], int) for k in ('min', 'max', 'q')):
                return d.IntDistribution(low, low + steps * q, step=q)
            return d.FloatDistribution(low, _clean(low + steps * q), step=q)
        if kind in ('log_uniform', 'q_log_uniform'):
            return d.FloatDistribution(math.exp(spec['min']), math.exp(spec['max']), log=True)
        if kind in ('log_uniform_values', 'q_log_uniform_values'):
            return d.FloatDistribution(spec['min'], spec['max'], log=True)
        return None  # constant; normal, log_normal, beta and their q_ forms: drawn at random

    def _fallback(self) -> dict[str, Any]:
        return {n: _draw(s, self.rng) for n, s in self.parameters.items() if n not in self.distributions}

    def ask(self) -> dict[str, Any]:
        self.trial = self.study.ask(self.distributions)
        drawn, chosen = self._fallback(), self.trial.params
        parameters = {}
        for name, spec in self.parameters.items():
            kind = spec['distribution']
            if name not in chosen:
                parameters[name] = drawn[name]
            elif kind == 'categorical':
                parameters[name] = spec['values'][chosen[name]]
            elif kind.startswith('q_log'):
                parameters[name] = _quantise(chosen[name], spec['q'])
            elif kind == 'q_uniform' and isinstance(chosen[name], float):
                parameters[name] = _clean(chosen[name])
            else:
                parameters[name] = chosen[name]
        return parameters

    def tell(self, value: float | None) -> None:
        assert self.trial is not None
        state = self.optuna.trial.TrialState
        if value is None:
            self.study.tell(self.trial, state=state.FAIL)
        else:
            self.study.tell(self.trial, value)
        self.trial = None

    def retell(self, runs: Sequence[Mapping[str, Any]]) -> None:
        """Give optuna the results of earlier runs (a resumed sweep); runs it cannot place are left out."""
        for run in runs:
            self._fallback()  # the draws the earlier runs took, so the sequence continues
            params = {}
            try:
                for name, distribution in self.distributions.items():
                    value, spec = run['parameters'][name], self.parameters[name]
                    if spec['distribution'] == 'categorical':
                        params[name] = spec['values'].index(value)
                    else:
                        low, high = distribution.low, distribution.high  # type: ignore[attr-defined]
                        params[name] = min(max(value, low), high)
                finished = run['status'] == 'finished' and run.get('value') is not None
                state = self.optuna.trial.TrialState
                self.study.add_trial(self.optuna.trial.create_trial(
                    params=params, distributions=self.distributions, value=run['value'] if finished else None,
                    state=state.COMPLETE if finished else state.FAIL,
                ))  # fmt: skip
            except (KeyError, ValueError, TypeError):
                print(f'warning: run {run["index"]} does not fit the sweep\'s parameters; optuna does not see it.',
                      file=sys.stderr)  # fmt: skip


def _sampler(
    sweep: Mapping[str, Any], seed: int, done: Sequence[Mapping[str, Any]]
) -> tuple[Iterator[dict[str, Any]], int | None, _Bayes | None]:
    """The parameters of the runs to come (after `done`), how many remain (None: unlimited), the optuna wrapper."""
    rng = np.random.default_rng(seed)
    if sweep['method'] == 'grid':
        names = list(sweep['parameters'])
        seen = {_key(run['parameters']) for run in done}
        combinations = itertools.product(*(_gridValues(spec) for spec in sweep['parameters'].values()))
        remaining = [p for c in combinations if _key(p := dict(zip(names, c, strict=True))) not in seen]
        return iter(remaining), len(remaining), None
    if sweep['method'] == 'bayes':
        bayes = _Bayes(sweep, seed, rng)
        bayes.retell(done)
        return iter(bayes.ask, None), None, bayes
    for _ in done:  # the draws the earlier runs took: a resumed random sweep continues the same sequence
        sampleParameters(sweep, rng)
    return iter(lambda: sampleParameters(sweep, rng), None), None, None


def runSweep(
    sweep_path: str | os.PathLike[str],
    count: int,
    sweep_dir: str | os.PathLike[str],
    seed: int = 0,
    extra_args: Sequence[str] = (),
    python: str = sys.executable,
    resume: bool = False,
    progressbar: bool = True,
) -> dict[str, Any]:
    """Run the sweep file at `sweep_path` locally until `count` runs (earlier ones included when `resume`) are done,
    or grid is exhausted, or metric.target is reached; see the module docstring. Returns {'best': {'parameters',
    'value', 'index'} or None, 'runs': [runs.jsonl records]} and prints the best configuration as YAML."""
    sweep = loadSweep(sweep_path)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f'count must be a positive number of runs, not {count!r}.')
    count = min(count, sweep.get('run_cap', count))
    if '${program}' in sweep['command'] and not os.path.isfile(sweep['program']):
        raise FileNotFoundError(f'the sweep\'s program {sweep["program"]} does not exist relative to the current '
                                f'directory {os.getcwd()}: run the sweep from the directory its paths are relative '
                                f'to (the repository root for scripts/config/wandb/*.yaml).')  # fmt: skip
    directory = Path(sweep_dir)
    journal, stored = directory / 'runs.jsonl', directory / 'sweep_config.json'
    done: list[dict[str, Any]] = []
    if journal.exists():
        if not resume:
            raise FileExistsError(f'{journal} holds the runs of an earlier sweep: resume it (resume=True, '
                                  f'kac-prediction sweep --resume) or choose another sweep directory.')  # fmt: skip
        done = _readJournal(journal)
        if stored.exists():
            earlier = json.loads(stored.read_text(encoding='utf-8'))
            now = json.loads(json.dumps(sweep))
            changed = [k for k in ('method', 'metric', 'parameters') if earlier.get(k) != now.get(k)]
            if changed:
                raise ValueError(f'{directory} holds a sweep whose {", ".join(changed)} differ from {sweep_path}: '
                                 f'resume it with its own sweep file, or choose another sweep directory.')  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    _writeJSON(stored, sweep)
    metric = sweep.get('metric')
    goal = metric['goal'] if metric else 'minimize'
    samples, available, bayes = _sampler(sweep, seed, done)
    todo = max(count - len(done), 0) if available is None else min(max(count - len(done), 0), available)
    runs = list(done)
    index = max((int(run['index']) for run in done), default=-1) + 1
    best = _best(runs, goal)
    with tqdm(total=todo, desc=f'sweep {Path(sweep_path).stem}', unit='run', disable=not progressbar) as bar:
        for _ in range(todo):
            parameters = next(samples)
            command = buildCommand(sweep, parameters, python, extra_args)
            record = _runOne(command, index, directory, parameters, metric['name'] if metric else None)
            if bayes is not None:
                bayes.tell(record['value'] if record['status'] == 'finished' else None)
            _append(journal, record)
            runs.append(record)
            if record['status'] == 'failed':
                log = directory / f'run_{index:03d}.log'
                tqdm.write(f'run {index} failed: {record["error"]} (log: {log})', file=sys.stderr)
            best = _best(runs, goal)
            if best is not None:
                bar.set_postfix({metric['name'] if metric else 'value': f'{best["value"]:.4g}'})
            bar.update()
            index += 1
            target = metric.get('target') if metric else None
            if target is not None and best is not None:
                if best['value'] <= target if goal == 'minimize' else best['value'] >= target:
                    tqdm.write(f'metric target {target} reached by run {best["index"]}: sweep stopped.')
                    break
    failed = sum(run['status'] == 'failed' for run in runs)
    print(f'{len(runs)} runs in {directory} ({failed} failed).')
    if best is not None:
        name = metric['name'] if metric else 'value'
        print(f'best: run {best["index"]}, {name} = {best["value"]:.6g}, with')
        print(yaml.safe_dump(best['parameters'], sort_keys=False, default_flow_style=False), end='')
    elif metric is not None:
        print(f'no run finished with a value of {metric["name"]}: see the logs in {directory}.')
    return {'best': best, 'runs': runs}
