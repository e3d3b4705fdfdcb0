"""The dataset layer: generation throughput and load time / memory, beside references measured in the same run.

Usage: python bench/dataset.py [--items 1000] [--load-items 5000] [--data-dir /work/bench-data] [--skip-load]
                               [--repeats 3] [--profile]

BesselModel defaults, 1-s drums at 48 kHz, end2end X, BLAS (and torch) pinned to one thread in this process.

1. Generation. The reference is the sampler's bare synthesis: `generateBatch` in batches of 32 over the same items,
   one thread. `generateDataset` (a new directory per run, all removed at the end of the section, not between runs:
   see `generationTime`; progressbar off) runs with num_workers=1 (in this process) and 2 (worker processes), each at
   two sizes, --items and --items / 5, after an untimed warm-up run. `total` is items / wall time of the larger run;
   it includes the fixed costs (starting the workers, the final metadata write and load). `steady` is Δitems / Δtime
   between the two sizes, which cancels those fixed costs; the verdicts are on `steady`. Each wall time is the best of
   --repeats runs; each repeat runs every measurement once (synthesis, 1 worker, 2 workers), so that a slow spell of
   the host slows them alike. The floor the file system sets (writing as many WAV-sized files, no synthesis) is
   measured in the same repeats and printed beside the overhead. Targets: I/O + bookkeeping per item with one worker,
   1/rate − 1/rate_synthesis, ≤ 2 ms (the original spent ≈ 22 ms); two workers ≥ 1.8× one worker. Beside that
   target, bare synthesis shared out between two processes in the same batches shows what two workers could reach
   on this machine at most (two processes on two cores share caches and memory bandwidth). The CPU columns
   (this process and its workers, user + system) show where the time goes when the wall clock is disturbed.
2. Load. A --load-items dataset (drums × 5 strikes) generated once with the library into --data-dir and reused when
   it holds the same settings, and a copy of the same items in the original kac_drumset layout (as
   `kac_prediction.dataset.legacy` reads it: line-structured metadata.json with each x inline as Python's list repr
   of float64 values, WAVs hard-linked beside it), also built once (a few minutes). Each is loaded with
   `loadDataset(dir, memory_map=False, progressbar=False)` in a fresh process that imports the package, loads and
   hashes X (touching every byte; the hashes must agree), from a warm page cache (every file read once first). Peak
   memory is the child's ru_maxrss minus its RSS right after the imports (VmHWM, the kernel's own high-water mark,
   beside it as a check); Linux keeps ru_maxrss across exec, so the child is started through a forking shell, not
   straight from this large process. The legacy layout is the reference. Targets for the native layout: ≤ 3 s, peak
   ≤ 1.2 × X.nbytes. Sizes on disk are apparent file sizes (the legacy WAVs are hard links to the native ones).

Each section ends with the share of the CPUs that other processes used meanwhile: on a shared 2-core machine that
share slows every timing, the 2-worker figures most; compare runs with a low share.

--profile adds a cProfile of the one-worker generation (top entries by cumulative time). The data directory is
outside the repository; delete it when done (the load datasets take ≈ 7 GB at 5000 items).
"""

import os

for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[variable] = '1'

import argparse
import cProfile
import io
import json
import multiprocessing
import pstats
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _machine import OtherProcesses

from kac_prediction._io import atomicFile, createTemporary
from kac_prediction.dataset import generateDataset, loadDataset
from kac_prediction.dataset.format import cachePath, sampleLength, wavName
from kac_prediction.dataset.load import readHeader
from kac_prediction.samplers import BesselModel

DURATION, SAMPLE_RATE, SEED, BATCH = 1.0, 48000, 20240601, 32
OVERHEAD_TARGET_MS, SPEEDUP_TARGET = 2.0, 1.8
LOAD_TARGET_S, PEAK_TARGET = 3.0, 1.2
LEGACY_WRITER = 1  # bump when the legacy writer changes, so that an old copy is rebuilt
LEGACY_CHUNK = 25  # items formatted per task

# The fresh process of the load measurement: imports, RSS, load, touch X, peak RSS.
CHILD = """
import os, resource, sys
start_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[variable] = '1'
import hashlib, json, time, warnings
from kac_prediction.dataset import LegacyDatasetWarning, loadDataset

def status(key):
    with open('/proc/self/status') as file:
        return next(int(line.split()[1]) * 1024 for line in file if line.startswith(key + ':'))

baseline = status('VmRSS')
warnings.simplefilter('ignore', LegacyDatasetWarning)
start = time.perf_counter()
dataset = loadDataset(sys.argv[1], memory_map=False, progressbar=False)
seconds = time.perf_counter() - start
X = dataset.X.numpy()
digest = hashlib.blake2b(X).hexdigest()[:16]  # reads every byte of X, allocates nothing
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({'seconds': seconds, 'baseline': baseline, 'peak': peak, 'hwm': status('VmHWM'),
                  'start_maxrss': start_maxrss, 'nbytes': X.nbytes, 'shape': list(X.shape), 'dtype': str(X.dtype),
                  'digest': digest}))
"""


# --- 1. generation ---


def cpuTime() -> float:
    """CPU seconds of this process and of its children that have been waited for (the pool's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def warmSampler() -> BesselModel:
    """The benchmark's sampler, its caches (Bessel zeros, BLAS) warmed by a first small batch."""
    sampler = BesselModel(DURATION, SAMPLE_RATE, seed=SEED)
    sampler.generateBatch(range(4))
    return sampler


def batches(items: int) -> list[range]:
    """Items 0…items−1 in batches of BATCH, as generateDataset renders them."""
    return [range(first, min(first + BATCH, items)) for first in range(0, items, BATCH)]


def synthesisTime(items: int) -> tuple[float, float]:
    """(wall, CPU) seconds of `generateBatch` over items 0…items−1 in batches of BATCH (the sampler alone)."""
    sampler = warmSampler()
    start, cpu = time.perf_counter(), cpuTime()
    for batch in batches(items):
        sampler.generateBatch(batch)
    return time.perf_counter() - start, cpuTime() - cpu


_SAMPLER: list[BesselModel] = []  # the synthesis pool's sampler, one per process


def _startSynthesis() -> None:
    torch.set_num_threads(1)
    _SAMPLER.append(warmSampler())


def _synthesise(chunk: range) -> float:
    """Render one batch in a pool process; returns the CPU seconds it took."""
    start = time.process_time()
    _SAMPLER[0].generateBatch(chunk)
    return time.process_time() - start


def parallelSynthesisTime(pool: Any, items: int) -> tuple[float, float]:
    """(wall, CPU) seconds of `generateBatch` over the same items in the same batches, shared out between the pool's
    processes as generateDataset shares them between workers: the most that as many workers could reach."""
    start = time.perf_counter()
    cpu = sum(pool.imap_unordered(_synthesise, batches(items)))
    return time.perf_counter() - start, cpu


def newDirectory(root: Path, prefix: str) -> Path:
    """root/<prefix>-N, N the number of such directories already there (created by the caller's write)."""
    return root / f'{prefix}-{sum(1 for _ in root.glob(f"{prefix}-*")) if root.exists() else 0}'


def fileCreationTime(root: Path, items: int) -> tuple[float, float]:
    """(wall, CPU) seconds to write `items` files of a dataset WAV's size into a new directory under `root` the way
    `writeWavs` does (`createTemporary` in a folder of its own, then a rename), bytes prepared beforehand: the floor
    that the file system sets for any one-file-per-item format."""
    directory = newDirectory(root, 'files')
    scratch = directory / 'scratch'
    scratch.mkdir(parents=True)
    payload = bytes(44 + 3 * round(DURATION * SAMPLE_RATE))
    start, cpu = time.perf_counter(), cpuTime()
    for i in range(items):
        handle, temporary = createTemporary(scratch / wavName(i))
        with os.fdopen(handle, 'wb') as file:
            file.write(payload)
        os.replace(temporary, directory / wavName(i))
    return time.perf_counter() - start, cpuTime() - cpu


def generationTime(root: Path, items: int, workers: int) -> tuple[float, float]:
    """(wall, CPU) seconds of `generateDataset` into a new directory under `root`.

    The directory is kept until every timing is done (`benchGeneration` removes `root` at the end): on ext4 without a
    journal, files deleted in the last minutes make creating new ones slower (the inode allocator skips recently
    deleted inodes, `recently_deleted` in a kernel profile), which would charge one run's clean-up to the next run's
    creation.
    """
    directory = newDirectory(root, 'run')
    start, cpu = time.perf_counter(), cpuTime()
    generateDataset(BesselModel, directory, items, seed=SEED, num_workers=workers, progressbar=False)
    return time.perf_counter() - start, cpuTime() - cpu


def benchGeneration(items: int, repeats: int, data_dir: Path) -> None:
    small = items // 5
    if small < BATCH or items - small < 2 * BATCH:
        raise SystemExit(f'--items must be ≥ {5 * BATCH} (two sizes, items and items / 5, of whole batches).')
    print(
        f'generation: {items} BesselModel drums (1 s, 48 kHz, end2end), batches of {BATCH}, best of {repeats}; '
        f'steady = ({items} − {small} items) / Δtime'
    )
    root = data_dir / 'generation'
    shutil.rmtree(root, ignore_errors=True)
    for workers in (1, 2):
        generationTime(root, 2 * BATCH, workers)  # untimed: imports, page cache
    # the repeats go round every measurement in turn, so that a slow spell of the host hits them all alike
    runs: dict[Any, list[tuple[float, float]]] = {}
    with multiprocessing.get_context('fork').Pool(2, initializer=_startSynthesis) as pool:
        for _ in range(repeats):
            runs.setdefault('synthesis', []).append(synthesisTime(items))
            runs.setdefault('synthesis 2', []).append(parallelSynthesisTime(pool, items))
            runs.setdefault('files', []).append(fileCreationTime(root, items))
            for workers in (1, 2):
                for n in (small, items):
                    runs.setdefault((workers, n), []).append(generationTime(root, n, workers))
    wall, cpu = min(runs['synthesis'])
    synthesis, synthesis_cpu = items / wall, 1e3 * cpu / items
    print(
        f'{"":<34}{"items/s":>9}{"÷ synthesis":>13}{"overhead ms/item":>18}{"÷ 1 worker":>12}{"target":>10}  '
        f'verdict{"":<29}{"CPU ms/item":>13}{"CPU overhead":>14}'
    )
    print(f'{"bare synthesis (reference)":<34}{synthesis:>9.1f}{1.0:>12.2f}×{"":<78}{synthesis_cpu:>13.2f}', flush=True)
    wall, cpu = min(runs['synthesis 2'])
    ceiling = items / wall / synthesis
    print(
        f'{"bare synthesis, 2 processes":<34}{items / wall:>9.1f}{ceiling:>12.2f}×{"":<18}{ceiling:>11.2f}×{"":<10}  '
        f'{"(the most 2 workers could reach)":<36}{1e3 * cpu / items:>13.2f}{1e3 * cpu / items - synthesis_cpu:>14.2f}',
        flush=True,
    )
    rates: dict[tuple[int, str], float] = {}
    for workers in (1, 2):
        (wall_small, cpu_small), (wall_large, cpu_large) = min(runs[workers, small]), min(runs[workers, items])
        rates[workers, 'total'] = items / wall_large
        rates[workers, 'steady'] = (items - small) / (wall_large - wall_small)
        cpus = {'total': 1e3 * cpu_large / items, 'steady': 1e3 * (cpu_large - cpu_small) / (items - small)}
        for kind in ('total', 'steady'):
            rate = rates[workers, kind]
            overhead = 1e3 * (1.0 / rate - 1.0 / synthesis)
            name = f'generateDataset {workers} worker{"s" if workers > 1 else ""}, {kind}'
            line = f'{name:<34}{rate:>9.1f}{rate / synthesis:>12.2f}×{overhead:>18.2f}'
            if workers == 1:
                target, ok = f'≤ {OVERHEAD_TARGET_MS:g} ms', overhead <= OVERHEAD_TARGET_MS
                line += f'{"":>12}'
            else:
                target, ok = f'≥ {SPEEDUP_TARGET:g}×', rate / rates[1, kind] >= SPEEDUP_TARGET
                line += f'{rate / rates[1, kind]:>11.2f}×'
            verdict = ('ok' if ok else 'BELOW TARGET') if kind == 'steady' else '(incl. start-up; verdict on steady)'
            cpu_columns = f'{cpus[kind]:>13.2f}{cpus[kind] - synthesis_cpu:>14.2f}'
            print(f'{line}{target:>10}  {verdict:<36}{cpu_columns}', flush=True)
    print(
        f'two workers (steady) reach {rates[2, "steady"] / rates[1, "steady"] / ceiling:.0%} of what two processes of '
        f'bare synthesis reach on this machine ({ceiling:.2f}× one).'
    )
    files_wall, files_cpu = min(runs['files'])
    print(
        f'of that overhead, the file system alone (writing {items} WAV-sized files, temporary name + rename, in the '
        f'same run): {1e3 * files_wall / items:.2f} ms/item wall, {1e3 * files_cpu / items:.2f} ms CPU. It depends on '
        'the file system: ext4 without a journal skips inodes freed in the last 1–6 minutes, so creating files '
        'right after mass deletions costs more.'
    )
    print(
        'CPU ms/item: CPU time of this process and its workers per item; unlike the wall-clock figures it barely '
        'moves when other processes share the cores.'
    )
    shutil.rmtree(data_dir / 'generation', ignore_errors=True)


def profileGeneration(items: int, data_dir: Path, top: int = 30) -> None:
    directory = data_dir / 'generation' / 'profile'
    shutil.rmtree(directory, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    generateDataset(BesselModel, directory, items, seed=SEED, num_workers=1, progressbar=False)
    profiler.disable()
    shutil.rmtree(data_dir / 'generation', ignore_errors=True)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats('cumulative').print_stats(top)
    print(f'\ncProfile of generateDataset({items} items, num_workers=1), top {top} by cumulative time:')
    print(stream.getvalue().split('\n\n', 1)[-1].rstrip())


# --- 2. load ---


def treeBytes(directory: Path) -> dict[str, int]:
    """Bytes of the files under `directory` (apparent sizes): metadata.json, the WAVs, the rest (X caches)."""
    sizes = {'metadata': 0, 'wav': 0, 'other': 0}
    for path in directory.rglob('*'):
        if path.is_file():
            kind = 'metadata' if path.name == 'metadata.json' else 'wav' if path.suffix == '.wav' else 'other'
            sizes[kind] += path.stat().st_size
    return sizes


def warmPageCache(directory: Path) -> float:
    """Read every file under `directory` once; returns seconds."""
    start = time.perf_counter()
    for path in directory.rglob('*'):
        if path.is_file():
            with open(path, 'rb', buffering=0) as file:
                while file.read(1 << 24):
                    pass
    return time.perf_counter() - start


def _legacyItems(task: tuple[str, int, int, int, list[dict[str, Any]]]) -> str:
    """The legacy metadata lines of items first… (x as Python's repr of the float64 list, as the original wrote)."""
    cache, first, stop, size, labels = task
    X = np.load(cache, mmap_mode='r')
    lines = []
    for i, y in zip(range(first, stop), labels, strict=True):
        x = str(np.asarray(X[i], dtype=np.float64).tolist())
        y = {key: value for key, value in y.items() if key != 'drum_id'}  # the original had none; the reader adds it
        lines.append(f'{{\n"x": {x},\n"y": {json.dumps(y)}\n' + ('}]}' if i + 1 == size else '},\n'))
    return ''.join(lines)


def buildLegacy(native: Path, legacy: Path) -> None:
    """A copy of the native dataset in the original layout, built once (a stamp beside it records its source)."""
    header = readHeader(native)
    stamp = legacy.parent / f'{legacy.name}.source.json'
    source = json.dumps({'writer': LEGACY_WRITER, 'native': header}, sort_keys=True)
    if (legacy / 'metadata.json').exists() and stamp.exists() and stamp.read_text() == source:
        print(f'legacy copy: reusing {legacy}', flush=True)
        return
    start = time.perf_counter()
    shutil.rmtree(legacy, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    legacy.mkdir(parents=True)
    dataset = loadDataset(native, progressbar=False)  # memory-mapped: only the labels and settings are used here
    size, settings = dataset.dataset_size, dataset.sampler_settings
    cache = cachePath(native, dataset.representation_settings, sampleLength(settings))
    print(f'legacy copy: building {legacy} ({size} items, ≈ 1 MB of text each) …', flush=True)
    for i in range(size):
        try:
            os.link(native / wavName(i), legacy / wavName(i))
        except OSError:
            shutil.copyfile(native / wavName(i), legacy / wavName(i))
    tasks = [
        (os.fspath(cache), first, min(first + LEGACY_CHUNK, size), size, dataset.labels[first : first + LEGACY_CHUNK])
        for first in range(0, size, LEGACY_CHUNK)
    ]
    with atomicFile(legacy / 'metadata.json', 'w') as file:
        file.write('{\n')
        file.write(f'"dataset_size": {size},\n')
        file.write(f'"representation_settings": {json.dumps(dataset.representation_settings)},\n')
        file.write(f'"sampler": {json.dumps(dataset.sampler)},\n')
        file.write(f'"sampler_settings": {json.dumps(settings)},\n')  # json writes inf as Infinity, as Python did
        file.write('"data": [\n')
        with multiprocessing.get_context('spawn').Pool(os.cpu_count() or 1) as pool:
            for n, text in enumerate(pool.imap(_legacyItems, tasks), start=1):
                file.write(text)
                done = min(n * LEGACY_CHUNK, size)
                if n % max(1, 500 // LEGACY_CHUNK) == 0 or done == size:
                    print(f'  {done}/{size} items, {time.perf_counter() - start:.0f} s', flush=True)
    stamp.write_text(source)
    print(f'legacy copy: built in {time.perf_counter() - start:.0f} s', flush=True)


def measureLoad(directory: Path) -> dict[str, Any]:
    """loadDataset in a fresh process: seconds, RSS after the imports, peak RSS, X.nbytes, X digest."""
    # Linux carries ru_maxrss across exec, and a process started from this one directly would start with this
    # process's high-water mark (torch and the datasets above); a shell forked in between starts it from a tiny one.
    command = ['/bin/sh', '-c', '"$@"; exit $?', 'sh', sys.executable, '-c', CHILD, os.fspath(directory)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f'loading {directory} failed:\n{result.stderr}')
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if measured['start_maxrss'] > measured['baseline']:
        raise SystemExit(f'the load child started with ru_maxrss {measured["start_maxrss"]} B: inherited, unusable.')
    return measured


def benchLoad(load_items: int, data_dir: Path, repeats: int) -> None:
    native, legacy = data_dir / f'load-{load_items}', data_dir / f'load-{load_items}-legacy'
    print(f'\nload: {load_items} items ({load_items // 5} drums × 5 strikes), seed {SEED}, in {data_dir}', flush=True)
    start = time.perf_counter()
    generateDataset(BesselModel, native, load_items, seed=SEED, overwrite=True, progressbar=True)
    print(f'native dataset: ready in {time.perf_counter() - start:.1f} s (generated, or verified and reused)')
    buildLegacy(native, legacy)
    for directory in (legacy, native):
        print(f'warming the page cache: {directory.name} read in {warmPageCache(directory):.1f} s', flush=True)
    results = {'legacy': measureLoad(legacy)}
    native_runs = [measureLoad(native) for _ in range(max(1, repeats))]
    worst = max(native_runs, key=lambda r: r['peak'] - r['baseline'])
    results['native'] = min(native_runs, key=lambda r: r['seconds']) | {
        key: worst[key] for key in ('peak', 'baseline', 'hwm')
    }
    mb = 1e6
    X = results['native']
    print(
        f'loadDataset(memory_map=False), warm page cache, fresh process; X {X["dtype"]} {tuple(X["shape"])} = '
        f'{X["nbytes"] / mb:.0f} MB; native: best time and worst peak of {len(native_runs)}, legacy: one run'
    )
    print(
        f'{"layout":<8}{"on disk MB":>11}{"(metadata":>11}{"WAVs":>7}{"cache)":>8}{"load s":>9}{"speed-up":>10}'
        f'{"import RSS":>11}{"peak−import":>12}{"÷ X.nbytes":>11}{"VmHWM−import":>13}'
    )
    for name in ('legacy', 'native'):
        r, sizes = results[name], treeBytes(legacy if name == 'legacy' else native)
        above = r['peak'] - r['baseline']
        print(
            f'{name:<8}{sum(sizes.values()) / mb:>11.0f}{sizes["metadata"] / mb:>11.0f}{sizes["wav"] / mb:>7.0f}'
            f'{sizes["other"] / mb:>8.0f}{r["seconds"]:>9.2f}{results["legacy"]["seconds"] / r["seconds"]:>9.1f}×'
            f'{r["baseline"] / mb:>11.0f}{above / mb:>12.0f}{above / r["nbytes"]:>10.2f}×'
            f'{(r["hwm"] - r["baseline"]) / mb:>13.0f}'
        )
    same = results['legacy']['digest'] == X['digest']
    print(f'same X in both layouts: {"yes" if same else "NO (the legacy copy does not match)"}')
    seconds, ratio = X['seconds'], (X['peak'] - X['baseline']) / X['nbytes']
    verdict = 'ok' if seconds <= LOAD_TARGET_S else 'BELOW TARGET'
    print(f'{"native load time":<28}{seconds:>8.2f} s   target ≤ {LOAD_TARGET_S:g} s         {verdict}')
    verdict = 'ok' if ratio <= PEAK_TARGET else 'BELOW TARGET'
    print(f'{"native peak − import RSS":<28}{ratio:>8.2f} ×   target ≤ {PEAK_TARGET:g} × X.nbytes  {verdict}')


@contextmanager
def contention(section: str) -> Iterator[None]:
    """Print the share of the CPUs that other processes used during a section (they slow the timings, 2 workers
    most)."""
    with OtherProcesses() as load:
        yield
    others = load.share
    note = '  (busy machine: the timings are pessimistic)' if others > 0.1 else ''
    print(f'[{section}: other processes used {100 * others:.0f}% of the {os.cpu_count()} CPUs]{note}', flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--items', type=int, default=1000, help='items per generation run (default 1000)')
    parser.add_argument('--load-items', type=int, default=5000, help='items of the load dataset (default 5000)')
    parser.add_argument('--data-dir', type=Path, default=Path('/work/bench-data'), help='scratch data (outside git)')
    parser.add_argument('--skip-load', action='store_true', help='measure generation only')
    parser.add_argument('--repeats', type=int, default=3, help='runs per timed figure, the best kept (default 3)')
    parser.add_argument('--profile', action='store_true', help='also cProfile the one-worker generation')
    args = parser.parse_args()
    torch.set_num_threads(1)
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with contention('generation'):
        benchGeneration(args.items, max(1, args.repeats), data_dir)
    if args.profile:
        profileGeneration(args.items, data_dir)
    if not args.skip_load:
        with contention('load'):
            benchLoad(args.load_items, data_dir, max(1, args.repeats))


if __name__ == '__main__':
    main()
