"""checkDataset: what is wrong with a dataset directory, and the commands that repair it; nothing is changed.

Checked: the header files (metadata.json, shard.json, .generation/manifest.json) as `loadDataset` reads them, the
labels (the same keys and lengths for every item, every number finite), every WAV's header (missing, truncated,
unreadable, another rate, channel count or length: `format.checkWav`), every X cache (readable, float32, the shape of
its settings, finite) and an unfinished generation. `kac-prediction check DATASET` prints the report.
"""

import inspect
import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .format import (
    CACHE_DIR,
    METADATA,
    PROGRESS_DIR,
    SHARD_FILE,
    DatasetFormatError,
    cachePath,
    checkWav,
    decodeSettings,
    encodeSettings,
    isCacheFile,
    sampleLength,
    wavName,
)
from .input_representation import InputRepresentation, representationDefaults
from .legacy import isLegacy, readLegacyHeader
from .load import checkLabels
from .lock import lockHolder
from .regenerate import _readFinished, finiteLabels

__all__ = ['DatasetReport', 'checkDataset']

_SHOWN = 10  # items named per problem; the rest are counted
_CHUNK_VALUES = 1 << 24  # cache values checked per read (64 MiB of float32)


@dataclass
class DatasetReport:
    """What `checkDataset` found in one dataset directory.

    state: 'complete', 'shard' (a finished shard), 'unfinished' (a generation to resume), 'legacy' (the original
    kac_drumset layout: only its header is checked) or 'unreadable' (its header file is damaged). damaged_items:
    {item index: the problem of its WAV}. bad_labels: items whose labels are not all finite numbers. problems: one
    sentence per problem, naming the file. repair: shell commands that repair what can be repaired, in order.
    locked_by: the process writing the dataset now ('pid N (command)'), if any.
    """

    dataset_dir: str
    state: str = 'complete'
    sampler: str | None = None
    dataset_size: int | None = None
    damaged_items: dict[int, str] = field(default_factory=dict)
    bad_labels: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    repair: list[str] = field(default_factory=list)
    locked_by: str | None = None

    @property
    def healthy(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def asDict(self) -> dict[str, Any]:
        """The report as JSON values (damaged_items as a list of {item, problem})."""
        return {
            'dataset_dir': self.dataset_dir,
            'healthy': self.healthy,
            'state': self.state,
            'sampler': self.sampler,
            'dataset_size': self.dataset_size,
            'damaged_items': [{'item': i, 'problem': p} for i, p in sorted(self.damaged_items.items())],
            'bad_labels': self.bad_labels,
            'problems': self.problems,
            'repair': self.repair,
            'locked_by': self.locked_by,
        }

    def __str__(self) -> str:
        what = ', '.join(str(v) for v in (self.sampler, self.dataset_size and f'{self.dataset_size} items') if v)
        lines = [f'{self.dataset_dir}: {"healthy" if self.healthy else "damaged"} ({self.state}{", " if what else ""}'
                 f'{what})']  # fmt: skip
        if self.locked_by:
            lines.append(f'  being written now by {self.locked_by}: check again when it has finished')
        lines += [f'  - {problem}' for problem in self.problems]
        if self.repair:
            lines += ['repair with:', *(f'  {command}' for command in self.repair)]
        return '\n'.join(lines)


def _named(items: list[int], reasons: dict[int, str] | None = None) -> str:
    """'3, 5 and 7' (with the reasons, when given), at most _SHOWN items then a count."""
    shown = [f'{i} ({reasons[i]})' if reasons else str(i) for i in items[:_SHOWN]]
    more = f' and {len(items) - _SHOWN} more' if len(items) > _SHOWN else ''
    return ('; ' if reasons else ', ').join(shown) + more


def _generateCommand(directory: Path, header: dict[str, Any], shard: list[int] | None) -> str:
    """The `kac-prediction generate` command that made `header` (settings as stored): rerun, it resumes or repairs."""
    from .. import samplers

    name = str(header['sampler']['name'])
    stored = dict(header['sampler_settings'])
    settings = decodeSettings(stored)
    seed, duration, rate = settings.pop('seed', None), settings.pop('duration'), settings.pop('sample_rate')
    arguments = ['kac-prediction', 'generate', name, os.fspath(directory), '--size', str(header['dataset_size'])]
    if seed is not None:
        arguments += ['--seed', str(seed)]
    arguments += ['--duration', repr(float(duration)), '--sample-rate', str(int(rate))]
    Sampler = getattr(samplers, name, None)
    parameters = inspect.signature(Sampler).parameters if isinstance(Sampler, type) else {}
    defaults = encodeSettings({k: p.default for k, p in parameters.items() if p.default is not inspect.Parameter.empty})
    differ = {k: v for k, v in settings.items() if k not in defaults or defaults[k] != stored[k]}
    if differ:  # non-finite numbers as JSON's Infinity / NaN, which the command reads back as floats
        arguments += ['--settings', json.dumps(differ)]
    representation = decodeSettings(header['representation_settings'])
    default_representation: dict[str, Any] = dict(representationDefaults())
    differ = {k: v for k, v in representation.items() if default_representation.get(k, ...) != v}
    if differ:
        arguments += ['--representation', json.dumps(differ)]
    if shard is not None:
        arguments += ['--shard', str(shard[0]), str(shard[1])]
    return shlex.join(arguments)


def _checkCaches(report: DatasetReport, directory: Path, header: dict[str, Any], size: int) -> None:
    """Every X cache of `directory`: readable, float32, the shape of its settings, finite."""
    folder = directory / CACHE_DIR
    if not folder.is_dir():
        return
    settings = decodeSettings(header['sampler_settings'])
    rate, length = int(settings['sample_rate']), sampleLength(settings)
    for path in sorted(folder.glob('*.npy')):
        if not isCacheFile(path):
            continue  # not the dataset's
        fix = f'delete it (it is rebuilt from the WAVs on the next load): rm {shlex.quote(os.fspath(path))}'
        try:
            X = np.load(path, mmap_mode='r')
        except (OSError, ValueError, EOFError) as error:
            report.problems.append(f'{path} is not a readable .npy cache ({error}); {fix}')
            report.repair.append(f'rm {shlex.quote(os.fspath(path))}')
            continue
        expected: tuple[int, ...] | None = None
        try:
            sidecar = decodeSettings(json.loads(path.with_suffix('.json').read_text(encoding='utf-8')))
            representation = InputRepresentation(rate, sidecar)
            if cachePath(directory, representation.settings, length) == path:
                expected = (size, *InputRepresentation.transformShape(length, representation.settings))
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        wrong = X.dtype != np.float32 or X.shape[:1] != (size,) or (expected is not None and X.shape != expected)
        if wrong:
            report.problems.append(
                f'{path} holds {X.dtype} {X.shape}, expected float32 {expected or (size, "…")}; {fix}'
            )
            report.repair.append(f'rm {shlex.quote(os.fspath(path))}')
            continue
        rows = max(1, _CHUNK_VALUES // max(1, int(np.prod(X.shape[1:]))))
        bad: list[int] = []
        for start in range(0, size, rows):
            block = np.asarray(X[start : start + rows]).reshape(min(rows, size - start), -1)
            bad += [start + int(i) for i in np.flatnonzero(~np.isfinite(block).all(axis=1))]
        if bad:
            report.problems.append(f'{path} holds non-finite values in the rows of items {_named(bad)}; {fix}')
            report.repair.append(f'rm {shlex.quote(os.fspath(path))}')
        del X


def _checkUnfinished(report: DatasetReport, directory: Path) -> None:
    manifest = directory / PROGRESS_DIR / 'manifest.json'
    report.state = 'unfinished'
    try:
        header = json.loads(manifest.read_text(encoding='utf-8'))
        report.sampler, report.dataset_size = str(header['sampler']['name']), int(header['dataset_size'])
        command = _generateCommand(directory, header, header.get('shard'))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
        report.problems.append(
            f'{directory} holds an unfinished generation whose {manifest} cannot be read ({error}): generate the '
            'dataset again with --overwrite.'
        )
        return
    logged = set()
    log = directory / PROGRESS_DIR / 'items.jsonl'
    if log.exists():
        for line in log.read_text(encoding='utf-8', errors='replace').splitlines():
            try:
                logged.add(int(json.loads(line)['i']))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
    report.problems.append(
        f'{directory} holds an unfinished generation ({len(logged)} items finished): run the command that started '
        'it again to resume it.'
    )
    report.repair.append(command)


def checkDataset(dataset_dir: str | os.PathLike[str]) -> DatasetReport:
    """Check the dataset (or shard, or unfinished generation) in `dataset_dir` and report what is wrong, changing
    nothing; `report.healthy` is True when nothing is. FileNotFoundError or NotADirectoryError (naming the path) when
    `dataset_dir` is not a directory or holds no dataset."""
    directory = Path(dataset_dir)
    if not directory.exists():
        raise FileNotFoundError(f'{directory} does not exist.')
    if not directory.is_dir():
        raise NotADirectoryError(f'{directory} is not a directory.')
    metadata, shard_file, progress = directory / METADATA, directory / SHARD_FILE, directory / PROGRESS_DIR
    if not (metadata.exists() or shard_file.exists() or progress.exists()):
        raise FileNotFoundError(
            f'{directory} holds no dataset (no {METADATA}, {SHARD_FILE} or {PROGRESS_DIR}/); give a dataset directory.'
        )
    report = DatasetReport(os.fspath(directory), locked_by=lockHolder(directory))
    if not (metadata.exists() or shard_file.exists()):
        _checkUnfinished(report, directory)
        return report
    source = metadata if metadata.exists() else shard_file
    if source == metadata and metadata.stat().st_size > 0 and isLegacy(metadata):
        report.state = 'legacy'
        try:
            legacy = readLegacyHeader(metadata)
            report.sampler, report.dataset_size = legacy['sampler']['name'], legacy['dataset_size']
        except DatasetFormatError as error:
            report.problems.append(str(error))
        return report
    try:
        content, items = _readFinished(directory)
        raw = json.loads(source.read_text(encoding='utf-8'))  # settings as stored, for the repair command
    except (DatasetFormatError, OSError, ValueError) as error:
        report.state = 'unreadable'
        report.problems.append(
            f'{error} The labels and settings are lost: generate the dataset again with --overwrite (its WAVs are '
            'kept only where they are the same).'
        )
        return report
    report.state = 'complete' if source == metadata else 'shard'
    report.sampler, report.dataset_size = str(content['sampler'].get('name')), int(content['dataset_size'])
    command = _generateCommand(directory, raw, raw.get('shard') if source == shard_file else None)
    if progress.exists():
        report.problems.append(f'{progress} was left by a generation stopped after it wrote {source.name}.')
    labels = [d['y'] for d in content['data']]
    try:
        checkLabels(source, labels)
    except DatasetFormatError as error:
        report.problems.append(str(error))
    report.bad_labels = [items.start + k for k, y in enumerate(labels) if not finiteLabels(y)]
    settings = content['sampler_settings']
    rate, length = int(settings['sample_rate']), sampleLength(settings)
    for i in items:
        try:
            checkWav(directory / wavName(i), rate, length)
        except DatasetFormatError as error:
            report.damaged_items[i] = str(error)
    damaged = sorted(report.damaged_items)
    if damaged:
        report.problems.append(f'{len(damaged)} damaged WAV(s), items {_named(damaged, report.damaged_items)}.')
    if report.bad_labels:
        report.problems.append(f'{source}: items {_named(report.bad_labels)} have labels that are not finite numbers.')
    _checkCaches(report, directory, raw, len(items))
    if damaged or report.bad_labels or progress.exists():  # rerun, generate re-renders these items
        report.repair.append(command)
    return report
