"""The sweep file: a wandb sweep YAML read and checked, every parameter's distribution and defaults filled in.

Parameters follow wandb's sweep configuration: `value` (constant), `values` (categorical, optional `probabilities`),
or `distribution` with its keys (`DISTRIBUTIONS`). Without `distribution`, `min`/`max` mean int_uniform when both are
ints, else uniform. Nested `parameters` and inv_log_uniform(_values) are not supported here.
"""

import math
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml

from .._checks import isNumber

__all__ = ['DEFAULT_COMMAND', 'DISTRIBUTIONS', 'ENVVAR', 'MACROS', 'METHODS', 'loadSweep']

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
# the macros a sweep's `command` may use (besides ${envvar:NAME}), as `wandb agent` expands them
MACROS = ('env', 'interpreter', 'program', 'args', 'args_no_hyphens', 'args_no_boolean_flags', 'args_no_equals',
          'args_json')  # fmt: skip
_ARGUMENT_MACROS = {f'${{{name}}}' for name in MACROS if name.startswith('args')}
DEFAULT_COMMAND = ['${env}', '${interpreter}', '${program}', '${args}']
ENVVAR = re.compile(r'\$\{envvar:([A-Za-z0-9_]*)\}')


def _number(where: str, name: str, spec: Mapping[str, Any], key: str, integer: bool = False) -> Any:
    value = spec.get(key, _DEFAULTS.get(key))
    if value is None:
        raise ValueError(f'{where} needs `{key}`.')
    if integer and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ValueError(f'{where}: `{key}` must be an integer, not {value!r} (use distribution: uniform for reals).')
    if not (isNumber(value) and math.isfinite(value)):
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
            if not (
                isinstance(p, list)
                and len(p) == len(values)
                and all(isNumber(x) and math.isfinite(x) and float(x) >= 0 for x in p)
            ):
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
        if 'target' in metric and not (isNumber(metric['target']) and math.isfinite(metric['target'])):
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
    command = sweep.get('command', DEFAULT_COMMAND)
    if not isinstance(command, list) or not command or not all(isinstance(c, str | int | float) for c in command):
        raise ValueError(f'{path}: `command` must be a list of strings such as {DEFAULT_COMMAND}.')
    command = [str(c) for c in command]
    for token in command:
        for macro in re.findall(r'\$\{([^}]*)\}', ENVVAR.sub('', token)):
            if macro not in MACROS:
                raise ValueError(f'{path}: command macro ${{{macro}}} is not supported here; use '
                                 f'{", ".join(f"${{{m}}}" for m in MACROS)} or ${{envvar:NAME}}.')  # fmt: skip
    if not _ARGUMENT_MACROS & set(command):
        raise ValueError(f'{path}: `command` passes no parameters to the program: add ${{args}} (--key=value).')
    sweep['command'] = command
    if 'run_cap' in sweep and not (isinstance(sweep['run_cap'], int) and sweep['run_cap'] > 0):
        raise ValueError(f'{path}: run_cap must be a positive integer, not {sweep["run_cap"]!r}.')
    return sweep
