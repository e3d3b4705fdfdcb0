"""The runner: each run the sweep's command, built as `wandb agent` builds it, run as a subprocess; the runs.jsonl
journal, resuming a sweep, and the best run.

In `sweep_dir`: run_NNN.log (the command, stdout and stderr), run_NNN.json (the metrics, see `results`), runs.jsonl
(one line per finished run: index, parameters, value, status 'finished' or 'failed', seconds, command, error) and
sweep_config.json (the sweep, to check a resumed sweep is the same one).
"""

import itertools
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from tqdm import tqdm

from .._checks import checkCount
from .._io import appendLine, writeText
from .bayes import Bayes
from .draws import gridValues, parametersKey, sampleParameters
from .results import METRICS_VARIABLE, readMetric
from .spec import DEFAULT_COMMAND, ENVVAR, loadSweep

__all__ = ['buildCommand', 'formatValue', 'runSweep']


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
    for token in sweep.get('command', DEFAULT_COMMAND):
        token = str(token)
        if token in macros:
            command += macros[token]
        else:
            command.append(ENVVAR.sub(lambda m: os.environ.get(m.group(1), m.group(1)), token))
    return [*command, *extra_args]


def _runOne(
    command: list[str], index: int, directory: Path, parameters: dict[str, Any], metric: str | None
) -> dict[str, Any]:
    """Run `command` once, output to run_NNN.log, metrics to run_NNN.json; returns its runs.jsonl record."""
    log, metrics_path = directory / f'run_{index:03d}.log', directory / f'run_{index:03d}.json'
    metrics_path.unlink(missing_ok=True)  # this runner's own file, left by an interrupted attempt at this run
    environment = {**os.environ, METRICS_VARIABLE: str(metrics_path.resolve())}
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
            record['value'] = readMetric(metrics_path, metric)
        except FileNotFoundError:
            error = f'the program wrote no metrics to ${METRICS_VARIABLE} (scripts/train.py does)'
        except ValueError as exception:
            error = str(exception)
    if error:
        record['error'] = error
    else:
        record['status'] = 'finished'
    record['command'] = command
    return record


def _readJournal(journal: Path) -> list[dict[str, Any]]:
    """The run records in runs.jsonl; lines that are not run records (a partial last line) are warned of and left
    out."""
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


def _best(runs: Sequence[Mapping[str, Any]], goal: str) -> dict[str, Any] | None:
    scored = [run for run in runs if run['status'] == 'finished' and run.get('value') is not None]
    if not scored:
        return None
    pick = max if goal == 'maximize' else min
    best = pick(scored, key=lambda run: run['value'])
    return {'parameters': best['parameters'], 'value': best['value'], 'index': best['index']}


def _sampler(
    sweep: Mapping[str, Any], seed: int, done: Sequence[Mapping[str, Any]]
) -> tuple[Iterator[dict[str, Any]], int | None, Bayes | None]:
    """The parameters of the runs to come (after `done`), how many remain (None: unlimited), the optuna wrapper."""
    rng = np.random.default_rng(seed)
    if sweep['method'] == 'grid':
        names = list(sweep['parameters'])
        seen = {parametersKey(run['parameters']) for run in done}
        combinations = itertools.product(*(gridValues(spec) for spec in sweep['parameters'].values()))
        remaining = [p for c in combinations if parametersKey(p := dict(zip(names, c, strict=True))) not in seen]
        return iter(remaining), len(remaining), None
    if sweep['method'] == 'bayes':
        bayes = Bayes(sweep, seed, rng)
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
    or grid is exhausted, or metric.target is reached; see the package docstring. Returns {'best': {'parameters',
    'value', 'index'} or None, 'runs': [runs.jsonl records]} and prints the best configuration as YAML."""
    sweep = loadSweep(sweep_path)
    count = checkCount('count', count, meaning='runs in all')
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
    writeText(stored, json.dumps(sweep, indent=1) + '\n')  # not writeJSON: a NaN constant stays NaN, as in runs.jsonl
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
            appendLine(journal, json.dumps(record))
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
