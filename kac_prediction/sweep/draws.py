"""Drawing parameters: random draws from wandb's distributions, grid values, quantisation.

log_uniform's min and max are natural-log exponents (exp(U(min, max))), log_uniform_values' are values. Quantised
draws are round(x / q) · q: ints when q is an int (q: 8), floats otherwise (the default 1.0). Grid values: int_uniform
is min…max and q_uniform is arange(min, max, q), as in wandb.
"""

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ['clean', 'draw', 'gridValues', 'parametersKey', 'quantise', 'sampleParameters']


def clean(value: float) -> float:
    """A float with the last-digit noise of x / q · q removed (12 significant digits)."""
    return float(f'{value:.12g}')


def quantise(value: float, q: float) -> int | float:
    """wandb's quantisation: round(value / q) · q, an int when q is an int."""
    quantised = float(np.round(value / q) * q)
    return round(quantised) if isinstance(q, int) else clean(quantised)


def draw(spec: Mapping[str, Any], rng: np.random.Generator) -> Any:
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
    return quantise(x, spec['q']) if distribution.startswith('q_') else x


def sampleParameters(sweep: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One configuration drawn at random (method random) from `sweep` (as loadSweep returns it), in file order."""
    return {name: draw(spec, rng) for name, spec in sweep['parameters'].items()}


def gridValues(spec: Mapping[str, Any]) -> list[Any]:
    """The values method grid runs for the parameter `spec` (constant, categorical, int_uniform or q_uniform)."""
    if spec['distribution'] == 'constant':
        return [spec['value']]
    if spec['distribution'] == 'categorical':
        return list(spec['values'])
    if spec['distribution'] == 'int_uniform':
        return list(range(spec['min'], spec['max'] + 1))
    values = np.arange(spec['min'], spec['max'], spec['q']).tolist()  # q_uniform, as wandb's grid: max excluded
    return [v if isinstance(v, int) else clean(v) for v in values]


def parametersKey(parameters: Mapping[str, Any]) -> str:
    """`parameters` as text that compares equal for equal configurations (a grid run already done)."""
    return json.dumps(parameters, sort_keys=True)
