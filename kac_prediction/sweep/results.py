"""The metrics file between the runner and one run: the runner names a path in the environment variable
`METRICS_VARIABLE`, the run's program writes its metrics there as JSON (`writeRunMetrics`), the runner reads the
sweep's metric from it (`readMetric`).

    if os.environ.get(METRICS_VARIABLE):                   # in the program (scripts/train.py)
        writeRunMetrics(metrics, os.environ[METRICS_VARIABLE])
"""

import json
import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

from .._checks import isNumber
from .._io import writeText

__all__ = ['METRICS_VARIABLE', 'readMetric', 'writeRunMetrics']

METRICS_VARIABLE = 'KAC_SWEEP_METRICS'

_DROPPED = object()


def _jsonable(value: Any) -> Any:
    """`value` as JSON holds it (numbers as int / float, mappings and lists walked); _DROPPED for anything else."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        items = ((str(k), _jsonable(v)) for k, v in value.items())
        return {k: v for k, v in items if v is not _DROPPED}
    if isinstance(value, list | tuple):
        return [v for v in map(_jsonable, value) if v is not _DROPPED]
    return _DROPPED  # tensors, arrays, objects


def writeRunMetrics(metrics: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write the JSON-serialisable part of `metrics` to `path` atomically: numbers (numpy's too) as int / float,
    mappings and lists walked, anything else (tensors, arrays, objects) left out. NaN is written as NaN, so that the
    runner reports a diverged run's metric as NaN."""
    writeText(path, json.dumps(_jsonable(dict(metrics)), indent=1) + '\n')


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
    if not isNumber(value):
        raise ValueError(f'metric {name!r} is {value!r}, not a number.')
    if math.isnan(value):
        raise ValueError(f'metric {name!r} is NaN.')
    return float(value)


def readMetric(path: str | os.PathLike[str], name: str) -> float:
    """The metric `name` (dotted for nested metrics: 'testing_loss.aggregate') from the metrics file at `path`.
    Raises FileNotFoundError when the run wrote none, ValueError when it is not JSON or the metric is missing, not a
    number or NaN."""
    with open(path, encoding='utf-8') as file:
        return _metricValue(json.load(file), name)
