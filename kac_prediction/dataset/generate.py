"""generateDataset: render a dataset in parallel, sharded, resumable, with atomic writes (docs/architecture.md,
"Dataset format").

Work in progress lives in `<dataset_dir>/.generation/`: `manifest.json` (what is being generated), `items.jsonl` (one
line per finished item: its index and labels) and `cache.npy` (X rows). Workers render a chunk of items, write their
WAVs atomically (a temporary name in a `.generation/wav-<pid>/` folder of their own, then a rename), transform the
samples as stored (X is always computed from the audio the WAVs hold) and write the X rows into the shared
`cache.npy`; the parent syncs X, then logs the items. A killed run leaves only finished items in the log; the next
call with the same arguments verifies them, renders the rest and finishes. `metadata.json` is written last.

Reliability: the whole call holds the directory's lock (`lock.py`), so a second process gets `DatasetLockedError`
instead of mixing its files in. A seed drawn for an unseeded run is resolved once, here, and given to every worker.
Workers exit when the parent dies (`_exitWithParent`); SIGTERM stops a run like Ctrl-C (`GenerationInterrupted`),
leaving it resumable. A full disk raises `DiskFullError` naming the directory. Rerun on a finished dataset, the same
call checks every WAV's header and re-renders the damaged items (`regenerate.regenerateItems`).
"""

import contextlib
import ctypes
import errno
import inspect
import json
import math
import multiprocessing
import numbers
import os
import shutil
import signal
import sys
import threading
import time
import warnings
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, overload

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from .._checks import checkCount
from .._io import appendLine, fsyncDirectory, writeText
from ..samplers import AudioSampler, Labels
from .cache import writeCacheSidecar
from .format import (
    CACHE_DIR,
    FORMAT_VERSION,
    METADATA,
    PROGRESS_DIR,
    SHARD_FILE,
    DatasetFormatError,
    cachePath,
    checkWav,
    encodeSettings,
    isCacheFile,
    samplerInfo,
    wavName,
    writeMetadata,
    writeWavs,
)
from .input_representation import InputRepresentation, RepresentationSettings
from .load import loadDataset, readHeader
from .lock import closeInheritedLocks, datasetLock
from .regenerate import _readFinished, finiteLabels, regenerateItems
from .torch_dataset import TorchDataset

__all__ = ['SHARD_FILE', 'DiskFullError', 'GenerationInterrupted', 'generateDataset', 'shardRange']

_DEFAULT_SETTINGS = {'duration': 1.0, 'sample_rate': 48000}
_SYNC_SECONDS = 1.0
_DISK_FULL = {errno.ENOSPC, getattr(errno, 'EDQUOT', errno.ENOSPC)}
_PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class DiskFullError(OSError):
    """The disk filled up (ENOSPC) or the disk quota ran out (EDQUOT) while generating. The message names the dataset
    directory; what was finished is kept, and the same call resumes once space is freed."""

    def __str__(self) -> str:
        return str(self.strerror)


class GenerationInterrupted(KeyboardInterrupt):
    """SIGTERM stopped `generateDataset` (raised in the main thread, as Ctrl-C raises KeyboardInterrupt): the workers
    were stopped, finished items kept, and the same call resumes. `signal_number` is the signal's number."""

    signal_number = int(signal.SIGTERM)


def shardRange(dataset_size: int, shard: tuple[int, int] | None) -> range:
    """The items of shard (i, n): a contiguous block, [size·i/n, size·(i+1)/n); all items when shard is None."""
    if shard is None:
        return range(dataset_size)
    i, n = shard
    return range(dataset_size * i // n, dataset_size * (i + 1) // n)


def _checkArguments(
    Sampler: object, dataset_size: object, seed: object, num_workers: object, shard: object, batch_size: object
) -> None:
    if not (isinstance(Sampler, type) and issubclass(Sampler, AudioSampler)):
        raise TypeError(f'Sampler must be a subclass of AudioSampler (e.g. BesselModel), got {Sampler!r}.')
    checkCount('dataset_size', dataset_size)
    checkCount('batch_size', batch_size)
    if seed is not None:
        checkCount('seed', seed, 0, 'or None')
    if num_workers is not None:
        checkCount('num_workers', num_workers, 1, 'or None: one per core')
    if shard is not None:
        valid = (
            isinstance(shard, (tuple, list))
            and len(shard) == 2
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in shard)
            and 0 <= shard[0] < shard[1]
        )
        if not valid:
            raise ValueError(f'shard must be (i, n) with 0 ≤ i < n, got {shard!r}.')


def _sameDataset(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two headers describe the same dataset (the package version may differ)."""
    keys = ('format_version', 'dataset_size', 'sampler_settings', 'representation_settings')
    return a.get('sampler', {}).get('name') == b['sampler']['name'] and all(a.get(k) == b[k] for k in keys)


def _makeDirectory(dataset_dir: str | os.PathLike[str]) -> Path:
    """Create `dataset_dir` (and its parents); NotADirectoryError naming the path when it, or a parent, is a file."""
    directory = Path(dataset_dir)
    for path in (directory, *directory.parents):
        if path.exists():
            if path.is_dir():
                break
            where = 'exists and is a file' if path == directory else f'cannot be created: {path} is a file'
            raise NotADirectoryError(f'dataset_dir {directory} {where}, not a directory; choose another dataset_dir.')
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _readPrevious(directory: Path, overwrite: bool) -> dict[str, Any] | None:
    """The header of what `directory` already holds or is generating, if anything. A header file that cannot be read
    is a DatasetFormatError naming it, unless `overwrite`: then that file (or progress folder) is removed."""
    for path in (directory / PROGRESS_DIR / 'manifest.json', directory / SHARD_FILE, directory / METADATA):
        if not path.exists():
            continue
        try:
            if path.name == METADATA:
                return readHeader(directory)
            header = json.loads(path.read_text(encoding='utf-8'))
            if not isinstance(header, dict):
                raise DatasetFormatError(f'{path} does not hold a JSON object.')
            return header
        except (json.JSONDecodeError, UnicodeDecodeError, DatasetFormatError) as error:
            if not overwrite:
                raise DatasetFormatError(
                    f'{path} cannot be read ({error}): {directory} can be neither resumed nor repaired; pass '
                    'overwrite=True (--overwrite) to generate it again.'
                ) from None
            if path.parent.name == PROGRESS_DIR:
                shutil.rmtree(path.parent)
            else:
                path.unlink()
    return None


def _removeOurFiles(directory: Path, previous: Mapping[str, Any]) -> None:
    """With overwrite=True: remove what the dataset of header `previous` owns, nothing else. That is its WAVs
    (`wavName(i)` for i < its dataset_size), the cache files `cachePath` names (16 hex digits, .npy and .json),
    .generation/, shard.json and, last, metadata.json; not `sample_2024.wav` of a 100-item dataset, not
    `cache/mine.npy`, not the lock file."""
    size = previous.get('dataset_size')
    for i in range(size if isinstance(size, int) and not isinstance(size, bool) else 0):
        (directory / wavName(i)).unlink(missing_ok=True)
    cache = directory / CACHE_DIR
    if cache.is_dir():
        for path in cache.iterdir():
            if isCacheFile(path) and path.is_file():
                path.unlink()
        if not any(cache.iterdir()):
            cache.rmdir()
    shutil.rmtree(directory / PROGRESS_DIR, ignore_errors=True)
    for name in (SHARD_FILE, METADATA):  # the header last: an interrupted removal is redone by the next call
        (directory / name).unlink(missing_ok=True)


def _repairDamaged(directory: Path, Sampler: type[AudioSampler], sampler: AudioSampler, items: range) -> None:
    """In a finished dataset (or shard), re-render the items whose WAV is missing, truncated, unreadable or of the
    wrong format (a header check of every WAV, as loading makes) or whose labels are not finite numbers, with a
    warning naming them; their X cache rows and labels are updated (`regenerateItems`)."""
    damaged: dict[int, str] = {}
    for i in items:
        try:
            checkWav(directory / wavName(i), sampler.sample_rate, sampler.length)
        except DatasetFormatError as error:
            damaged[i] = str(error)
    content, _ = _readFinished(directory)
    for i, item in zip(items, content['data'], strict=True):
        if not finiteLabels(item['y']):
            damaged[i] = damaged.get(i, f'labels {item["y"]} are not finite numbers')
    if not damaged:
        return
    named = [f'{i} ({damaged[i]})' for i in sorted(damaged)[:10]]
    more = f' and {len(damaged) - 10} more' if len(damaged) > 10 else ''
    warnings.warn(f'{directory}: re-rendering {len(damaged)} damaged item(s): {"; ".join(named)}{more}.', stacklevel=4)
    regenerateItems(directory, Sampler, sorted(damaged))


@contextlib.contextmanager
def _terminateAsInterrupt() -> Iterator[None]:
    """In the main thread: SIGTERM raises GenerationInterrupted there, so the cleanup Ctrl-C gets runs (workers
    stopped, finished items logged: a resumable directory); a second SIGTERM kills at once. Restores the previous
    handler. A SIGTERM the process ignores stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_IGN:
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise GenerationInterrupted(f'signal {signum} (SIGTERM)')

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


# --- workers: module-level so that spawned processes can import them ---

_WORKER: dict[str, Any] = {}


def _initWorker(parent: int, *setup: Any) -> None:
    _exitWithParent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork
    closeInheritedLocks()  # so that the dataset's lock ends with the parent
    torch.set_num_threads(1)  # n workers use n cores
    threadpool_limits(limits=1)
    _setupWorker(*setup)


def _exitWithParent(parent: int) -> None:
    """Make this worker exit when process `parent` (the one generating) dies, however it dies: on Linux the kernel
    kills it at once (prctl PR_SET_PDEATHSIG); everywhere, a thread checks every 0.5 s that its parent is `parent`."""
    if sys.platform.startswith('linux'):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)
    threading.Thread(target=_watchParent, args=(parent,), name='watch-parent', daemon=True).start()


def _watchParent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def _setupWorker(
    Sampler: type[AudioSampler],
    settings: dict[str, Any],
    representation: dict[str, Any],
    dataset_dir: str,
    cache_file: str,
    first: int,
) -> None:
    sampler = Sampler(**settings)
    # each process writes its WAVs under temporary names in a folder of its own, then renames them into dataset_dir:
    # creating files in one shared folder serialises the processes on its lock (the progress folder goes at the end)
    scratch = Path(cache_file).parent / f'wav-{os.getpid()}'
    scratch.mkdir(exist_ok=True)
    layout = np.load(cache_file, mmap_mode='r')  # where the rows start in the .npy file, and their size
    _WORKER.update(
        sampler=sampler,
        representation=InputRepresentation(sampler.sample_rate, representation),
        dataset_dir=dataset_dir,
        scratch=scratch,
        cache=os.open(cache_file, os.O_WRONLY),  # rows go in with pwrite: no page faults of a shared memory map
        rows_offset=layout.offset,
        row_bytes=layout[0].nbytes if len(layout) else 0,
        first=first,
    )
    del layout


def _closeWorker() -> None:
    os.close(_WORKER.pop('cache'))
    _WORKER.clear()


def _renderChunk(indices: list[int]) -> tuple[list[int], list[Labels]]:
    """Render items `indices`, write their WAVs and their X rows (from the audio as stored): (indices, labels)."""
    sampler: AudioSampler = _WORKER['sampler']
    directory = Path(_WORKER['dataset_dir'])
    waveforms, labels = sampler.generateBatch(indices)
    stored = writeWavs([directory / wavName(i) for i in indices], waveforms, sampler.sample_rate, _WORKER['scratch'])
    rows = np.ascontiguousarray(_WORKER['representation'].transformBatch(stored).numpy())
    for i, row in zip(indices, rows, strict=True):
        offset = _WORKER['rows_offset'] + (i - _WORKER['first']) * _WORKER['row_bytes']
        _writeAt(_WORKER['cache'], memoryview(row).cast('B'), offset)
    return indices, labels


def _writeAt(fd: int, data: memoryview, offset: int) -> None:
    """Write all of `data` into file `fd` at byte `offset` (pwrite may write less than asked; a full disk raises)."""
    while data:
        written = os.pwrite(fd, data, offset)
        data, offset = data[written:], offset + written


def _readLog(path: Path) -> dict[int, Labels]:
    """Logged items {index: labels}; a line cut short by a kill is dropped."""
    done: dict[int, Labels] = {}
    if path.exists():
        for line in path.read_text(encoding='utf-8').splitlines():
            try:
                entry = json.loads(line)
                done[int(entry['i'])] = entry['y']
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
    return done


@overload
def generateDataset(
    Sampler: type[AudioSampler],
    dataset_dir: str | os.PathLike[str],
    dataset_size: int = 10,
    representation_settings: RepresentationSettings | None = None,
    sampler_settings: Mapping[str, Any] | None = None,
    *,
    seed: int | None = None,
    num_workers: int | None = None,
    shard: None = None,
    overwrite: bool = False,
    progressbar: bool = True,
    batch_size: int = 32,
) -> TorchDataset: ...
@overload
def generateDataset(
    Sampler: type[AudioSampler],
    dataset_dir: str | os.PathLike[str],
    dataset_size: int = 10,
    representation_settings: RepresentationSettings | None = None,
    sampler_settings: Mapping[str, Any] | None = None,
    *,
    seed: int | None = None,
    num_workers: int | None = None,
    shard: tuple[int, int],
    overwrite: bool = False,
    progressbar: bool = True,
    batch_size: int = 32,
) -> None: ...
def generateDataset(
    Sampler: type[AudioSampler],
    dataset_dir: str | os.PathLike[str],
    dataset_size: int = 10,
    representation_settings: RepresentationSettings | None = None,
    sampler_settings: Mapping[str, Any] | None = None,
    *,
    seed: int | None = None,
    num_workers: int | None = None,
    shard: tuple[int, int] | None = None,
    overwrite: bool = False,
    progressbar: bool = True,
    batch_size: int = 32,
) -> TorchDataset | None:
    """Generate `dataset_size` items of `Sampler(**sampler_settings)` into `dataset_dir` and return the dataset.

    representation_settings: X's representation (defaults of `InputRepresentation`). sampler_settings: default
    {'duration': 1., 'sample_rate': 48000}. seed: overrides sampler_settings['seed']; without either, a resumed run
    reuses the seed of the run it resumes, and a new run draws one (recorded in the metadata). num_workers: processes
    (default: one per core, but none spawned for fewer than 4 batches per core; 1 renders in this process).
    shard: (i, n) renders only the i-th of n contiguous blocks of items into `dataset_dir` (a shard directory,
    joined by `mergeShards`) and returns None. A dataset_dir that holds the same dataset, finished or interrupted, is
    completed, not redone; one that holds a different dataset or stray sample WAVs is an error unless overwrite=True
    (which removes only files of this format). batch_size: items per vectorised render.
    """
    _checkArguments(Sampler, dataset_size, seed, num_workers, shard, batch_size)
    directory = Path(dataset_dir)
    try:
        directory = _makeDirectory(dataset_dir)
        with datasetLock(directory), _terminateAsInterrupt():
            arguments = (representation_settings, sampler_settings, seed, num_workers, shard, overwrite)
            return _generate(Sampler, directory, int(dataset_size), *arguments, progressbar, batch_size)
    except OSError as error:
        if error.errno not in _DISK_FULL or isinstance(error, DiskFullError):
            raise
        raise DiskFullError(
            error.errno,
            f'{directory}: no space left on the device or the disk quota is exceeded ({error}); the finished items '
            'are kept: free some space, then run the same command (generateDataset with the same arguments) to '
            'resume.',
        ) from error


def _generate(
    Sampler: type[AudioSampler],
    directory: Path,
    dataset_size: int,
    representation_settings: RepresentationSettings | None,
    sampler_settings: Mapping[str, Any] | None,
    seed: int | None,
    num_workers: int | None,
    shard: tuple[int, int] | None,
    overwrite: bool,
    progressbar: bool,
    batch_size: int,
) -> TorchDataset | None:
    """generateDataset, in `directory` (existing, locked)."""
    settings = dict(_DEFAULT_SETTINGS if sampler_settings is None else sampler_settings)
    takes_seed = 'seed' in inspect.signature(Sampler.__init__).parameters
    if seed is not None:
        if not takes_seed:
            raise ValueError(f'{Sampler.__name__} draws nothing at random: it takes no seed.')
        settings['seed'] = seed
    previous = _readPrevious(directory, overwrite)
    if takes_seed and settings.get('seed') is None and previous is not None:
        settings['seed'] = previous.get('sampler_settings', {}).get('seed')
    sampler = Sampler(**settings)
    if takes_seed:  # the seed drawn (if none was given) is the one recorded and the one every worker renders with
        settings['seed'] = sampler.__settings__['seed']
    representation = InputRepresentation(sampler.sample_rate, representation_settings or {})
    header: dict[str, Any] = {
        'format_version': FORMAT_VERSION,
        'dataset_size': dataset_size,
        'sampler': dict(samplerInfo(Sampler)),
        'sampler_settings': encodeSettings(sampler.__settings__),
        'representation_settings': encodeSettings(representation.settings),
    }
    shard_key = None if shard is None else [int(shard[0]), int(shard[1])]
    if previous is not None and not (_sameDataset(previous, header) and previous.get('shard') == shard_key):
        if not overwrite:
            raise FileExistsError(
                f'{directory} already holds a different dataset (or another shard); choose another dataset_dir, '
                'or pass overwrite=True to replace it.'
            )
        _removeOurFiles(directory, previous)
        previous = None
    if previous is None and not overwrite and any(directory.glob('sample_*.wav')):
        raise FileExistsError(
            f'{directory} holds sample_*.wav files that no dataset metadata describes; choose another dataset_dir, '
            'or pass overwrite=True to replace them.'
        )
    items = shardRange(dataset_size, shard)
    finished = directory / (METADATA if shard is None else SHARD_FILE)
    if finished.exists():  # already complete; a progress folder left by a kill after the metadata was written goes
        if (directory / PROGRESS_DIR).exists():
            shutil.rmtree(directory / PROGRESS_DIR)
        _repairDamaged(directory, Sampler, sampler, items)
        return loadDataset(directory) if shard is None else None
    job = _Job(Sampler, settings, sampler.sample_rate, sampler.length, representation, directory, items)
    _render(job, header | {'shard': shard_key}, num_workers, batch_size, progressbar)
    return _finish(job, header, shard_key)


@dataclass(frozen=True)
class _Job:
    Sampler: type[AudioSampler]
    settings: dict[str, Any]
    sample_rate: int
    length: int
    representation: InputRepresentation
    directory: Path
    items: range

    @property
    def progress(self) -> Path:
        return self.directory / PROGRESS_DIR


def _results(job: _Job, chunks: list[list[int]], workers: int) -> Generator[tuple[list[int], list[Labels]], None, None]:
    """Rendered chunks as they finish: in this process, or in `workers` worker processes (bounded in flight)."""
    initargs = (
        job.Sampler,
        job.settings,
        dict(job.representation.settings),
        os.fspath(job.directory),
        os.fspath(job.progress / 'cache.npy'),
        job.items.start,
    )
    if workers == 1:
        _setupWorker(*initargs)
        try:
            for chunk in chunks:
                yield _renderChunk(chunk)
        finally:
            _closeWorker()
        return
    # fork where it is the platform's default (Linux): workers start at once and scripts need no __main__ guard
    context = multiprocessing.get_context('fork' if sys.platform.startswith('linux') else 'spawn')
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_initWorker, initargs=(os.getpid(), *initargs)
    )
    with executor:
        pending: set[Future[tuple[list[int], list[Labels]]]] = set()
        queue = list(reversed(chunks))
        try:
            while True:
                while len(pending) < 2 * workers and queue:
                    pending.add(executor.submit(_renderChunk, queue.pop()))
                if not pending:
                    return
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        except BaseException:
            executor.shutdown(wait=True, cancel_futures=True)
            raise


def _render(job: _Job, manifest: dict[str, Any], num_workers: int | None, batch_size: int, progressbar: bool) -> None:
    """Render every item of job.items that the log does not already hold (verified), into the progress folder."""
    job.progress.mkdir(exist_ok=True)
    if not (job.progress / 'manifest.json').exists():
        writeText(job.progress / 'manifest.json', json.dumps(manifest))
    shape = (len(job.items), *InputRepresentation.transformShape(job.length, job.representation.settings))
    cache_file, log_file = job.progress / 'cache.npy', job.progress / 'items.jsonl'
    done = {i: y for i, y in _readLog(log_file).items() if i in job.items}
    cache: np.memmap[Any, Any] | None = None
    if cache_file.exists():
        try:
            cache = np.load(cache_file, mmap_mode='r+')
        except (ValueError, OSError):
            cache = None
        if cache is not None and (cache.shape != shape or cache.dtype != np.float32):
            cache = None
    if cache is None:  # no X rows to trust: every item is redone
        done = {}
        cache = np.lib.format.open_memmap(cache_file, mode='w+', dtype=np.float32, shape=shape)
    del cache  # the file now has X's shape: the workers write rows into it, the parent only syncs it (`_persist`)
    verified = {}
    for i, y in sorted(done.items()):
        try:
            checkWav(job.directory / wavName(i), job.sample_rate, job.length)
            verified[i] = y
        except DatasetFormatError:
            pass
    writeText(log_file, ''.join(json.dumps({'i': i, 'y': y}) + '\n' for i, y in verified.items()))
    todo = [i for i in job.items if i not in verified]
    chunks = [todo[k : k + batch_size] for k in range(0, len(todo), batch_size)]
    # by default, one process per core, but none spawned for little work (a worker's start-up costs seconds)
    workers = num_workers or max(1, min(os.cpu_count() or 1, len(chunks) // 4))
    workers = min(workers, max(1, len(chunks)))
    with (
        contextlib.ExitStack() as stack,
        open(cache_file, 'rb') as cache_handle,
        ThreadPoolExecutor(1) as syncer,
        tqdm(
            total=len(job.items),
            initial=len(verified),
            disable=not progressbar,
            desc='Generating dataset',
            unit=' items',
        ) as bar,
    ):
        # Items are logged only after their X rows reach the disk, in groups of at least a second's work (syncing
        # every chunk would cost more than writing it); a kill loses at most that second. A thread does the syncs
        # (os.fsync releases the GIL, unlike the memmap's flush), one at a time, while the next chunks render. The
        # first chunk is logged at once, so that a run shows (and keeps) progress early.
        lines: list[str] = []
        synced, pending = -math.inf, None
        results = stack.enter_context(contextlib.closing(_results(job, chunks, workers)))
        for n, (indices, labels) in enumerate(results, start=1):
            lines += [json.dumps({'i': i, 'y': y}) + '\n' for i, y in zip(indices, labels, strict=True)]
            if n == len(chunks) or time.monotonic() - synced > _SYNC_SECONDS:
                if pending is not None:
                    pending.result()
                pending = syncer.submit(_persist, cache_handle, log_file, ''.join(lines))
                lines, synced = [], time.monotonic()
            bar.update(len(indices))
        if pending is not None:
            pending.result()


def _persist(cache: IO[bytes], log_file: Path, lines: str) -> None:
    """Sync the X cache file (every row any process has written so far), then append `lines` to the log (fsynced)."""
    os.fsync(cache.fileno())
    appendLine(log_file, lines)


def _finish(job: _Job, header: dict[str, Any], shard_key: list[int] | None) -> TorchDataset | None:
    """Write the metadata (last, atomically), move X into the cache and remove the progress folder."""
    done = _readLog(job.progress / 'items.jsonl')
    labels = [done[i] for i in job.items]
    if shard_key is None:
        writeMetadata(job.directory, header, labels)
    else:
        shard = header | {
            'shard': shard_key,
            'items': [job.items.start, job.items.stop],
            'data': [{'y': y} for y in labels],
        }
        writeText(job.directory / SHARD_FILE, json.dumps(shard))
    target = cachePath(job.directory, job.representation.settings, job.length)
    target.parent.mkdir(exist_ok=True)
    os.replace(job.progress / 'cache.npy', target)  # its rows were synced by `_persist`; now the rename too
    fsyncDirectory(target.parent)
    writeCacheSidecar(target, job.representation.settings)
    shutil.rmtree(job.progress)
    return loadDataset(job.directory) if shard_key is None else None
