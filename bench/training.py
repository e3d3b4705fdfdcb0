"""CRePE training samples per second on the CPU, beside a reference measured in the same run.

Usage: python bench/training.py [--items 1024] [--batches 20] [--reference-batches 4] [--warm-up 2] [--repeats 3]
                                [--threads N] [--profile]

The network is `CRePE(depth='tiny', dropout=0.25, learning_rate=1e-3, optimiser='adam', outputs=1)`, trained with
`innerTrainingLoop` on batches of 64 inputs of 1024 values. The data are --items BesselModel drums of 1024 samples at
48 kHz (end2end, peak-normalised), generated once with `generateDataset` into a temporary directory; the target is
drum_size. Every item stands for the training split (an --items multiple of 64 keeps every batch full).

- ours: the project's data path. `loadDataset` (memory-mapped float32 X, as the Routine loads it), labels set to one
  tensor per item (as a user does for CRePE), `DataLoader(Subset(D, indices), batch_size=64, sampler=
  DistributedSampler(Subset(D, indices), num_replicas=1, rank=0, shuffle=True), collate_fn=routine._collate)`
  as `Routine._loaders` builds it, and `M.innerTrainingLoop(i, n, x, y)` per batch, in float32.
- reference: the original library's data path restated. torch's default dtype set to float64 (as importing the
  original's input_representation did; only in the reference's process, restored afterwards), X a float64 tensor,
  each item's labels a dict of float64 tensors, `DataLoader(D, batch_size=64, sampler=SubsetRandomSampler(indices))`
  with torch's default collate, and the same CRePE in float64 (`.double()`: it keeps this project's conv1d layout, so
  the ratio measures the dtype and the data path, not the convolution layout).

Each measurement runs in a fresh process (started through a forking shell, so that its ru_maxrss is its own and not
inherited across exec from this one), interleaved reference, ours, ours, reference, … for --repeats rounds, so that
other load on the machine slows both alike. The table shows every run; the verdict is on the median of the rounds'
ratios (ours ÷ reference of the two runs of a round, which ran back to back), which follows load that comes and goes
better than the ratio of the medians, printed beside it; a round whose two runs saw loads more than 20 points apart is
marked `uneven`. A run trains --warm-up batches untimed, then --batches timed ones (--reference-batches for the slow
reference; each of its batches takes seconds, so a few suffice), the DataLoader's fetch included, epochs restarting as
needed; `data ms` and `step ms` split a timed batch into fetching it and the training step. `import MB` is the child's
RSS after importing torch, `set-up MB` after loading the data and building the model, `peak MB` its ru_maxrss at the
end. The reference's peak is mostly the float64 convolutions' im2col buffers (torch has no oneDNN path for float64:
conv2 unfolds 64 × 128·64 × 128 doubles, ≈ 0.54 GB), which is likely where the original's 1.2 GB came from too.
`others` is the share of the CPUs that other processes used during the run: on a shared 2-core machine it slows every
figure, and two torch threads stall on each other when one core is taken (compare --threads 1). The original
trained 89 samples/s in float64 (on an idle machine, one core); the target is ≥ 5×.

--threads sets torch's intra-op threads in the children (default: torch's default). --profile adds one more run of
ours under torch.profiler and prints where its time goes (data loading, convolutions layer by layer, batch norm,
optimiser, …).
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from _machine import OtherProcesses
from torch.utils.data import DataLoader, Dataset, Subset, SubsetRandomSampler
from torch.utils.data.distributed import DistributedSampler

from kac_prediction.architecture import CRePE
from kac_prediction.dataset import generateDataset, loadDataset
from kac_prediction.pipeline.routine import _collate
from kac_prediction.samplers import BesselModel

SAMPLE_RATE, LENGTH, BATCH, SEED = 48000, 1024, 64, 20240601
ORIGINAL, TARGET = 89.0, 5.0  # the original's samples/s on this machine class, and the speed-up asked for
CREPE = {'depth': 'tiny', 'dropout': 0.25, 'learning_rate': 1e-3, 'optimiser': 'adam', 'outputs': 1}
LABEL = 'drum_size'
MARK = 'RESULT '  # the child's result line (torch's profiler may print lines of its own)


def rss(key: str = 'VmRSS') -> int:
    """A line of /proc/self/status in bytes (VmRSS: now; VmHWM: this process's high-water mark)."""
    with open('/proc/self/status') as file:
        return next(int(line.split()[1]) * 1024 for line in file if line.startswith(key + ':'))


# --- the two data paths (each measured in a process of its own) ---


class ReferenceDataset(Dataset[tuple[torch.Tensor, dict[str, torch.Tensor]]]):
    """The original TorchDataset's shape: X float64 (items, 1024), Y a list of dicts of float64 label tensors."""

    def __init__(self, X: torch.Tensor, labels: list[dict[str, Any]]) -> None:
        self.X = X.to(torch.float64)
        self.Y = [
            {key: torch.as_tensor(y[key], dtype=torch.float64) for key in (LABEL, 'strike_location')} for y in labels
        ]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        return self.X[i], self.Y[i]

    def __len__(self) -> int:
        return self.X.shape[0]


def forever(loader: DataLoader[Any], sampler: DistributedSampler[Any] | None) -> Iterator[Any]:
    """The loader's batches, epoch after epoch (set_epoch reshuffles the DistributedSampler, as the Routine does)."""
    epoch = 0
    while True:
        if sampler is not None:
            sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def oursLoader(data_dir: str) -> tuple[Iterator[Any], CRePE]:
    """The project's path: loadDataset, per-item label tensors, the Routine's DataLoader and collate; float32."""
    D = loadDataset(data_dir, progressbar=False)
    D.Y = [y[LABEL] for y in D.Y]  # type: ignore[misc]  # CRePE.innerTrainingLoop takes y as a tensor; the Routine passes labels as they are
    indices = list(range(len(D)))
    sampler: DistributedSampler[Any] = DistributedSampler(Subset(D, indices), 1, 0, shuffle=True, seed=SEED)
    loader = DataLoader(Subset(D, indices), batch_size=BATCH, sampler=sampler, collate_fn=_collate, num_workers=0)
    torch.manual_seed(SEED)
    model = CRePE(**CREPE)  # type: ignore[arg-type]
    assert D.X.dtype == torch.float32 and all(p.dtype == torch.float32 for p in model.parameters())
    return forever(loader, sampler), model


def referenceLoader(data_dir: str) -> tuple[Iterator[Any], CRePE]:
    """The original's path: float64 default dtype, X float64, dict labels, SubsetRandomSampler, default collate."""
    source = loadDataset(data_dir, memory_map=False, progressbar=False)
    D = ReferenceDataset(source.X, source.labels)
    del source
    loader = DataLoader(D, batch_size=BATCH, sampler=SubsetRandomSampler(list(range(len(D)))))
    torch.manual_seed(SEED)
    model = CRePE(**CREPE).double()  # type: ignore[arg-type]
    assert D.X.dtype == torch.float64 and all(p.dtype == torch.float64 for p in model.parameters())
    return forever(loader, None), model


def child(kind: str, data_dir: str, batches: int, warm_up: int, threads: int, profile: bool) -> None:
    """One measurement; prints MARK + JSON: samples/s, data and step ms per batch, RSS after imports, set-up, peak."""
    if threads:
        torch.set_num_threads(threads)
    import_rss = rss()
    device = torch.device('cpu')
    if kind == 'reference':
        torch.set_default_dtype(torch.float64)
    try:
        assert torch.get_default_dtype() == (torch.float64 if kind == 'reference' else torch.float32)
        stream, model = (referenceLoader if kind == 'reference' else oursLoader)(data_dir)
        setup_rss = rss()
        model.train()
        model.training_loss = 0.0

        def step(i: int, x: torch.Tensor, y: Any) -> None:
            if kind == 'reference':  # the original: innerTrainingLoop(i, n, x.to(device), y.to(device))
                model.innerTrainingLoop(i, batches, x.to(device), y[LABEL].to(device))
            else:  # the Routine: innerTrainingLoop(i, n, x.to(device), _toDevice(y, device))
                model.innerTrainingLoop(i, batches, x.to(device), y.to(device))

        for i in range(warm_up):
            x, y = next(stream)
            step(i, x, y)
        profiler = torch.profiler.profile(record_shapes=True) if profile else None
        if profiler is not None:
            profiler.start()
        samples, data, work, start = 0, 0.0, 0.0, time.perf_counter()
        for i in range(batches):
            t0 = time.perf_counter()
            x, y = next(stream)
            t1 = time.perf_counter()
            step(i, x, y)
            t2 = time.perf_counter()
            samples, data, work = samples + x.shape[0], data + t1 - t0, work + t2 - t1
        seconds = time.perf_counter() - start
        if profiler is not None:
            profiler.stop()
            printProfile(profiler, model, seconds, batches)
        assert x.dtype == model.classifier.weight.dtype
        result = {
            'kind': kind,
            'samples_per_s': samples / seconds,
            'data_ms': 1e3 * data / batches,
            'step_ms': 1e3 * work / batches,
            'loss': model.training_loss / (batches + warm_up),
            'threads': torch.get_num_threads(),
            'dtype': str(x.dtype),
            'import_rss': import_rss,
            'setup_rss': setup_rss,
            'peak_rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            'hwm': rss('VmHWM'),
        }
        print(MARK + json.dumps(result), flush=True)
    finally:
        torch.set_default_dtype(torch.float32)


def printProfile(profiler: torch.profiler.profile, model: CRePE, seconds: float, batches: int) -> None:
    """The timed batches' wall time by kind of work, the convolutions layer by layer, and the top operators."""
    events = {e.key: e for e in profiler.key_averages()}

    def total(*names: str) -> float:
        return float(sum(events[n].cpu_time_total for n in names if n in events)) / 1e6  # microseconds → s

    loader = [n for n in events if n.startswith('enumerate(DataLoader)')]
    groups = [
        ('data loading (DataLoader __next__)', total(*loader)),
        ('conv forward (aten::conv1d)', total('aten::conv1d')),
        ('conv backward (aten::convolution_backward)', total('aten::convolution_backward')),
        ('batch norm forward (aten::batch_norm)', total('aten::batch_norm')),
        ('batch norm backward', total('aten::native_batch_norm_backward')),
        ('optimiser step (Adam)', total('Optimizer.step#Adam.step')),
        ('optimiser zero_grad', total('Optimizer.zero_grad#Adam.zero_grad')),
    ]
    per_batch = 1e3 * seconds / batches
    print(f'profile of ours: {batches} timed batches, {seconds:.2f} s wall ({per_batch:.0f} ms per batch)')
    print(f'{"work":<52}{"ms/batch":>9}{"share":>8}')
    for name, value in [
        *groups,
        ('everything else (relu, pool, dropout, pad, loss, …)', seconds - sum(v for _, v in groups)),
    ]:
        print(f'{name:<52}{1e3 * value / batches:>9.1f}{100 * value / seconds:>7.1f}%')
    # layer by layer: aten::convolution's inputs are (input, weight, …), convolution_backward's (grad, input, weight, …)
    layers: dict[tuple[int, ...], str] = {}  # conv3 and conv4 share a weight shape, so they share a row
    for n in range(1, 7):
        shape = tuple(getattr(model, f'conv{n}').weight.shape[:3])
        layers[shape] = f'{layers[shape]}+{n}' if shape in layers else f'conv{n}'
    forward, backward = dict.fromkeys(layers, 0.0), dict.fromkeys(layers, 0.0)
    for e in profiler.key_averages(group_by_input_shape=True):
        if e.key in ('aten::convolution', 'aten::convolution_backward'):
            shape = tuple(e.input_shapes[1 if e.key == 'aten::convolution' else 2][:3])
            if shape in layers:
                (forward if e.key == 'aten::convolution' else backward)[shape] += e.cpu_time_total / 1e3 / batches
    print(f'\n{"layer":<9}{"weight":<12}{"forward ms":>11}{"backward ms":>12}{"bwd / fwd":>10}')
    for shape, name in layers.items():
        ratio = backward[shape] / forward[shape] if forward[shape] else float('nan')
        size = '×'.join(map(str, shape))
        print(f'{name:<9}{size:<12}{forward[shape]:>11.1f}{backward[shape]:>12.1f}{ratio:>9.1f}×')
    print()
    print(profiler.key_averages().table(sort_by='self_cpu_time_total', row_limit=12, max_name_column_width=40))


# --- the parent: data, interleaved runs, table ---


def measure(kind: str, args: argparse.Namespace, data_dir: Path, profile: bool = False) -> dict[str, Any]:
    """One measurement in a fresh process, plus the share of the CPUs that other processes used meanwhile."""
    batches = args.reference_batches if kind == 'reference' else args.batches
    command = [sys.executable, os.path.abspath(__file__), '--child', kind, '--data-dir', os.fspath(data_dir)]
    command += ['--batches', str(batches), '--warm-up', str(args.warm_up), '--threads', str(args.threads)]
    command += ['--profile'] if profile else []
    # Linux carries ru_maxrss across exec: a shell forked in between starts the child from a tiny high-water mark.
    with OtherProcesses() as load:
        result = subprocess.run(['/bin/sh', '-c', '"$@"; exit $?', 'sh', *command], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f'the {kind} run failed:\n{result.stderr}')
    lines = result.stdout.splitlines()
    if profile:
        print('\n' + '\n'.join(line for line in lines if not line.startswith(MARK)), flush=True)
    measured: dict[str, Any] = json.loads(next(line for line in lines if line.startswith(MARK))[len(MARK) :])
    measured['others'] = load.share
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--items', type=int, default=1024, help='items in the dataset (default 1024)')
    parser.add_argument('--batches', type=int, default=20, help='timed batches of 64 per run of ours (default 20)')
    parser.add_argument('--reference-batches', type=int, default=4, help='timed batches of the reference (default 4)')
    parser.add_argument('--warm-up', type=int, default=2, help='untimed batches before them (default 2)')
    parser.add_argument('--repeats', type=int, default=3, help='runs of each, interleaved; medians (default 3)')
    parser.add_argument('--threads', type=int, default=0, help="torch threads (default: torch's default)")
    parser.add_argument('--profile', action='store_true', help='also profile one run of ours (torch.profiler)')
    parser.add_argument('--child', choices=('ours', 'reference'), help=argparse.SUPPRESS)
    parser.add_argument('--data-dir', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data_dir, args.batches, args.warm_up, args.threads, args.profile)
        return
    if args.items < BATCH or min(args.batches, args.reference_batches, args.repeats) < 1 or args.warm_up < 0:
        raise SystemExit(f'need --items ≥ {BATCH}, --batches, --reference-batches, --repeats ≥ 1, --warm-up ≥ 0.')
    threads = args.threads or torch.get_num_threads()
    print(
        f'CRePE tiny training on the CPU: batch {BATCH}, {LENGTH}-value inputs, {args.items} BesselModel items, '
        f'{threads} torch thread(s); {args.warm_up} warm-up + {args.batches} timed batches (reference: '
        f'{args.reference_batches}) per run; target ≥ {TARGET:g}× the reference samples/s',
        flush=True,
    )
    data_dir = Path(tempfile.mkdtemp(prefix='kac-training-bench-'))
    try:
        start = time.perf_counter()
        generateDataset(
            BesselModel, data_dir / 'data', args.items, {'output_type': 'end2end'},
            {'duration': LENGTH / SAMPLE_RATE, 'sample_rate': SAMPLE_RATE}, seed=SEED, progressbar=False,
        )  # fmt: skip
        print(f'dataset: {args.items} items generated in {time.perf_counter() - start:.1f} s\n', flush=True)
        mb = 1e6
        print(
            f'{"run":<5}{"measurement":<12}{"dtype":>9}{"samples/s":>11}{"data ms":>9}{"step ms":>9}{"import MB":>11}'
            f'{"set-up MB":>11}{"peak MB":>9}{"others":>8}'
        )
        runs: dict[str, list[dict[str, Any]]] = {'reference': [], 'ours': []}
        for repeat in range(args.repeats):
            for kind in ('reference', 'ours') if repeat % 2 == 0 else ('ours', 'reference'):
                r = measure(kind, args, data_dir / 'data')
                runs[kind].append(r)
                print(
                    f'{repeat + 1:<5}{kind:<12}{r["dtype"].removeprefix("torch."):>9}{r["samples_per_s"]:>11.1f}'
                    f'{r["data_ms"]:>9.2f}{r["step_ms"]:>9.0f}{r["import_rss"] / mb:>11.0f}{r["setup_rss"] / mb:>11.0f}'
                    f'{r["peak_rss"] / mb:>9.0f}{100 * r["others"]:>7.0f}%',
                    flush=True,
                )
        median = {k: statistics.median(r['samples_per_s'] for r in v) for k, v in runs.items()}
        peak = {k: statistics.median(r['peak_rss'] for r in v) for k, v in runs.items()}
        print(f'\n{"median":<12}{"samples/s":>11}{"peak RSS MB":>13}')
        for kind in ('reference', 'ours'):
            print(f'{kind:<12}{median[kind]:>11.1f}{peak[kind] / mb:>13.0f}')
        ratios = [o['samples_per_s'] / r['samples_per_s'] for r, o in zip(runs['reference'], runs['ours'], strict=True)]
        rounds = '  '.join(
            f'{q:.2f}×' + (' (uneven)' if abs(r['others'] - o['others']) > 0.2 else '')
            for q, r, o in zip(ratios, runs['reference'], runs['ours'], strict=True)
        )
        print(f'ratio of the medians {median["ours"] / median["reference"]:.2f}×; ratio in each round: {rounds}')
        ratio = statistics.median(ratios)
        verdict = 'ok' if ratio >= TARGET else 'BELOW TARGET'
        print(f'speed-up over the reference (median of the rounds) {ratio:.2f}×   target ≥ {TARGET:g}×   {verdict}')
        print(
            f'(the original measured {ORIGINAL:g} samples/s on an idle machine of this class; ours here is '
            f'{median["ours"] / ORIGINAL:.2f}× that figure, which was not measured in this run)'
        )
        busy = max(r['others'] for v in runs.values() for r in v)
        if busy > 0.1:
            note = '; several torch threads stall on a busy machine: compare --threads 1' if threads > 1 else ''
            print(f'(other processes used up to {100 * busy:.0f}% of the CPUs during a run: figures are low{note})')
        if args.profile:
            measure('ours', args, data_dir / 'data', profile=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
