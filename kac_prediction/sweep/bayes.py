"""Method bayes: optuna's TPE sampler (`pip install optuna`) over the parameters it can model.

categorical, int_uniform, uniform and log_uniform(_values) map onto optuna's distributions; q_uniform onto its step
grid min + k·q; q_log_uniform(_values) are quantised after optuna's draw; normal, log_normal and beta parameters (and
their q_ forms) are drawn at random, as optuna has no such distributions; categorical `probabilities` only steer
method random.
"""

import math
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .draws import clean, draw, quantise

if TYPE_CHECKING:
    import optuna

__all__ = ['Bayes']


class Bayes:
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
            return d.FloatDistribution(low, clean(low + steps * q), step=q)
        if kind in ('log_uniform', 'q_log_uniform'):
            return d.FloatDistribution(math.exp(spec['min']), math.exp(spec['max']), log=True)
        if kind in ('log_uniform_values', 'q_log_uniform_values'):
            return d.FloatDistribution(spec['min'], spec['max'], log=True)
        return None  # constant; normal, log_normal, beta and their q_ forms: drawn at random

    def _fallback(self) -> dict[str, Any]:
        return {n: draw(s, self.rng) for n, s in self.parameters.items() if n not in self.distributions}

    def ask(self) -> dict[str, Any]:
        """The parameters of the next run, in file order."""
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
                parameters[name] = quantise(chosen[name], spec['q'])
            elif kind == 'q_uniform' and isinstance(chosen[name], float):
                parameters[name] = clean(chosen[name])
            else:
                parameters[name] = chosen[name]
        return parameters

    def tell(self, value: float | None) -> None:
        """The result of the run `ask` gave last: its metric value, or None when it failed."""
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
