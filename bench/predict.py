"""`kac-prediction predict`: files per second for 100 one-second WAVs, beside the previous spectrum, in the same run.

Usage: python bench/predict.py [--files 100] [--repeats 3] [--skip-process]

A tiny SpectrumCRePE checkpoint (untrained weights, labels fitted to four drums, as test/test_predict.py makes one) of
the circle routine's input (1024 bands, 20 Hz–4 kHz, 1-s items at 48 kHz), and --files BesselModel drums written as
24-bit WAVs at 48 kHz and at 44.1 kHz (resampled on reading), in a temporary directory. torch keeps its default
thread count (the 2 cores of the development VM).

- ours: `Predictor.predictFiles` of a loaded predictor (read, resample, align, quality warnings, spectrum in chunks of
  files, the network in batches of 64), and `kac_prediction.cli.main(['predict', CHECKPOINT, *files])` in this
  process (adds loading the checkpoint and printing the table). Target ≥ 50 files/s.
- reference: the same files read as now, but each file's spectrum computed by the previous algorithm
  (bench/spectrum.py's `Reference`: a 2¹⁹-point float32 rfft per file), then the same network.
Each is the best of --repeats, interleaved. Then the cost of each stage per file, timed alone (best of --repeats),
and, unless --skip-process, the wall time of a fresh `python -m kac_prediction.cli predict` process for one file
and for all: its fixed cost (imports, loading the checkpoint) and the time per file beyond it.
"""

import argparse
import contextlib
import functools
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch
from _machine import OtherProcesses
from scipy.signal import resample_poly
from spectrum import Reference

from kac_prediction.architecture import SpectrumCRePE
from kac_prediction.cli import main as cli
from kac_prediction.inference import Predictor, audioWarnings, loadPredictor, readAudioExcerpt
from kac_prediction.pipeline.checkpoints import saveCheckpoint
from kac_prediction.samplers import BesselModel

REPRESENTATION: dict[str, Any] = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}
RATE, SEED, TARGET, F_MIN = 48000, 20241207, 50.0, 20.0


def writeCheckpoint(directory: Path) -> Path:
    """A run directory holding best.pt of a tiny SpectrumCRePE predicting drum_size."""
    _, labels = BesselModel(1.0, RATE, seed=0, strikes_per_drum=1).generateBatch(range(4))
    torch.manual_seed(0)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([label['drum_size'] for label in labels], dtype=torch.float64))
    run = directory / 'run'
    run.mkdir()
    checkpoint = {
        'dataset': {
            'dataset_dir': '', 'dataset_size': 4, 'representation_settings': dict(REPRESENTATION),
            'sampler': {'name': 'BesselModel', 'version': 'bench'},
            'sampler_settings': {'duration': 1.0, 'sample_rate': RATE, 'seed': 0},
        },
        'evaluation_loss': {'aggregate': 0.5}, 'hyperparameters': {'batch_size': 4},
        'model_kwargs': dict(model.model_kwargs), 'model_state_dict': model.state_dict(), 'optimizer_state_dict': {},
        'run_info': {'epoch': 1, 'exports_dir': str(run), 'id': 'run',
                     'model': {'name': 'SpectrumCRePE', 'version': 'bench'}},
        'testing_loss': None, 'training_loss': 0.5, 'training_state': {},
    }  # fmt: skip
    saveCheckpoint(checkpoint, run / 'best.pt')  # type: ignore[arg-type]
    return run


def writeFiles(directory: Path, count: int) -> dict[int, list[str]]:
    """`count` drums as 24-bit WAVs at 48 and 44.1 kHz: {rate: [path, …]}."""
    waveforms, _ = BesselModel(1.0, RATE, seed=SEED, strikes_per_drum=1).generateBatch(range(count))
    files: dict[int, list[str]] = {48000: [], 44100: []}
    for rate in files:
        (directory / str(rate)).mkdir()
        for i, w in enumerate(np.asarray(waveforms)):
            path = directory / str(rate) / f'{i:03d}.wav'
            sf.write(path, 0.9 * (w if rate == RATE else resample_poly(w, 147, 160)), rate, subtype='PCM_24')
            files[rate].append(os.fspath(path))
    return files


def referencePredict(predictor: Predictor, reference: Reference, files: list[str]) -> None:
    """predictFiles with each file's spectrum computed by the previous algorithm."""
    rows = []
    for path in files:
        excerpt = readAudioExcerpt(path, predictor.sample_rate, predictor.length)
        audioWarnings(excerpt, F_MIN)
        rows.append(reference(excerpt.waveform[None])[0])
    predictor.predictInputs(torch.stack(rows))


def quietCli(arguments: list[str]) -> None:
    """`kac-prediction ARGUMENTS` in this process, its output discarded."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli(arguments) == 0


def best(function: Callable[[], object], repeats: int) -> float:
    """The best wall time of `repeats` calls (s)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def breakdown(predictor: Predictor, files: list[str], repeats: int) -> str:
    """'stage ms, …' per file of predictFiles' stages, each timed alone over all the files."""
    excerpts = [readAudioExcerpt(path, predictor.sample_rate, predictor.length) for path in files]
    waveforms = np.stack([excerpt.waveform for excerpt in excerpts])
    X = predictor.representation.transformBatch(waveforms)
    stages: dict[str, Callable[[], object]] = {
        'read, resample, align': lambda: [readAudioExcerpt(p, predictor.sample_rate, predictor.length) for p in files],
        'quality warnings': lambda: [audioWarnings(excerpt, F_MIN) for excerpt in excerpts],
        'spectrum': lambda: predictor.representation.transformBatch(waveforms),
        'network': lambda: predictor.predictInputs(X),
    }
    return ', '.join(f'{name} {1000 * best(f, repeats) / len(files):.2f}' for name, f in stages.items())


def freshProcess(run: Path, files: list[str]) -> float:
    """Wall time (s) of `python -m kac_prediction.cli predict RUN FILES…` in a new process."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, '-m', 'kac_prediction.cli', 'predict', os.fspath(run), *files],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--files', type=int, default=100, help='one-second WAVs per rate (default 100)')
    parser.add_argument('--repeats', type=int, default=3, help='timed repeats, best kept (default 3)')
    parser.add_argument('--skip-process', action='store_true', help='skip the fresh-process timings')
    args = parser.parse_args()
    print(
        f'kac-prediction predict, {args.files} one-second 24-bit WAVs, tiny SpectrumCRePE, torch threads '
        f'{torch.get_num_threads()}; target ≥ {TARGET:g} files/s'
    )
    with tempfile.TemporaryDirectory(prefix='bench-predict-') as folder:
        run, files = writeCheckpoint(Path(folder)), writeFiles(Path(folder), args.files)
        predictor = loadPredictor(run)
        reference = Reference(predictor.length, REPRESENTATION)
        for rate, paths in files.items():
            predictor.predictFiles(paths[:4], progressbar=False)  # warm: the spectrum plan, the resampling filter
            referencePredict(predictor, reference, paths[:2])
            contenders: dict[str, Callable[[], object]] = {
                'reference': functools.partial(referencePredict, predictor, reference, paths),
                'predictFiles': functools.partial(predictor.predictFiles, paths, progressbar=False),
                'cli.main': functools.partial(quietCli, ['predict', os.fspath(run), *paths]),
            }
            times = dict.fromkeys(contenders, np.inf)
            with OtherProcesses() as load:
                for _ in range(args.repeats):
                    for key, function in contenders.items():
                        start = time.perf_counter()
                        function()
                        times[key] = min(times[key], time.perf_counter() - start)
            rates = {key: len(paths) / value for key, value in times.items()}
            verdict = 'ok' if rates['predictFiles'] >= TARGET else 'BELOW TARGET'
            print(f'\n{rate / 1000:g}-kHz files')
            print(
                f'  files/s: reference {rates["reference"]:.1f}, ours {rates["predictFiles"]:.1f} (predictFiles; '
                f'{rates["predictFiles"] / rates["reference"]:.1f}×), {rates["cli.main"]:.1f} (cli.main in this '
                f'process)  {verdict}'
            )
            print(f'  ours per file (ms): {breakdown(predictor, paths, args.repeats)}')
            print(f'  other processes used {100 * load.share:.0f} % of the CPUs meanwhile')
        if not args.skip_process:
            paths = files[44100]
            one, every = np.inf, np.inf
            for _ in range(3):
                one, every = min(one, freshProcess(run, paths[:1])), min(every, freshProcess(run, paths))
            print(
                f'\nfresh process, 44.1-kHz files: 1 file {one:.2f} s, {len(paths)} files {every:.2f} s '
                f'({len(paths) / every:.1f} files/s overall): the fixed cost (imports, the checkpoint) dominates'
            )


if __name__ == '__main__':
    main()
