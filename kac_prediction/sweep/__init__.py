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
current directory with `KAC_SWEEP_METRICS` (`METRICS_VARIABLE`) naming the JSON file the program writes its metrics
to with `writeRunMetrics` (scripts/train.py does). In `sweep_dir`: run_NNN.log (the command, stdout and stderr),
run_NNN.json (the metrics), runs.jsonl (one line per finished run: index, parameters, value, status 'finished' or
'failed', seconds, command, error) and sweep_config.json (the sweep, to check a resumed sweep is the same one).

Modules: `spec` (the sweep file), `draws` (random draws, grid values, quantisation), `bayes` (the optuna adapter),
`results` (the metrics file between the runner and a run), `runner` (commands, runs, runs.jsonl, resume, best run).
"""

from .draws import sampleParameters
from .results import METRICS_VARIABLE, writeRunMetrics
from .runner import buildCommand, formatValue, runSweep
from .spec import DISTRIBUTIONS, METHODS, loadSweep

__all__ = [
    'DISTRIBUTIONS',
    'METHODS',
    'METRICS_VARIABLE',
    'buildCommand',
    'formatValue',
    'loadSweep',
    'runSweep',
    'sampleParameters',
    'writeRunMetrics',
]
