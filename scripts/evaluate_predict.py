"""Check `predict` on audio files as people have them: new drums written as WAVs, resampled, stereo and padded copies.

    python scripts/evaluate_predict.py model/<run id> --drums 60 --output out/predict-check

Renders `--drums` drums the model never saw (the checkpoint's sampler and settings, `--seed` ≠ the training seed),
one strike each (centre and off-centre strikes alternate), and writes four copies of each: the original (24-bit mono
at the model's rate), resampled to 44.1 kHz, 16-bit stereo (the channels at different gains), and 0.25 s of silence
before the strike in a 2-s file. Every file goes through `Predictor.predictFiles` (the `kac-prediction predict`
path); the script prints the RMSE of each label for each copy, in physical units. `--output` must be empty or a
directory this script wrote.
"""

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from kac_prediction import samplers
from kac_prediction._io import atomicPath, claimDirectory
from kac_prediction.inference import loadPredictor

_MARKER = '.evaluate_predict'
VARIANTS = ('original', 'resampled_44k1', 'stereo_16bit', 'padded')


def _write(path: str, data: np.ndarray, rate: int, subtype: str) -> None:
    with atomicPath(path) as temporary:
        sf.write(temporary, data, rate, subtype=subtype, format='WAV')


def evaluate(checkpoint: str, drums: int, output: str, seed: int = 2026, overwrite: bool = False) -> dict[str, Any]:
    """Write the copies, predict them, return {variant: {label: rmse}} and the per-file predictions."""
    predictor = loadPredictor(checkpoint)
    Sampler = getattr(samplers, predictor.sampler_name)
    sampler = Sampler(duration=predictor.duration, sample_rate=predictor.sample_rate, seed=seed)
    per_drum = sampler.strikes_per_drum
    indices = [d * per_drum + (d % 2) for d in range(drums)]  # drum d, struck at its centre or off-centre
    waveforms, labels = sampler.generateBatch(indices)
    claimDirectory(output, _MARKER, overwrite)
    rate = predictor.sample_rate
    ratio = Fraction(44100, rate)
    files: dict[str, list[str]] = {variant: [] for variant in VARIANTS}
    for d, waveform in enumerate(waveforms):
        x = 0.9 * waveform / np.max(np.abs(waveform))
        copies = {
            'original': (x, rate, 'PCM_24'),
            'resampled_44k1': (resample_poly(x, ratio.numerator, ratio.denominator), 44100, 'PCM_24'),
            'stereo_16bit': (np.stack([x, 0.5 * x], axis=1), rate, 'PCM_16'),
            'padded': (np.pad(x, (rate // 4, 2 * rate - rate // 4 - len(x))), rate, 'PCM_24'),
        }
        for variant, (data, r, subtype) in copies.items():
            path = os.path.join(output, f'{variant}_{d:03d}.wav')
            _write(path, data, r, subtype)
            files[variant].append(path)
    truth = {name: np.array([float(np.ravel(y[name])[0]) for y in labels]) for name in predictor.labels}
    report: dict[str, Any] = {'checkpoint': checkpoint, 'drums': drums, 'rmse': {}, 'predictions': {}}
    for variant, paths in files.items():
        predictions = predictor.predictFiles(paths, progressbar=False)
        report['predictions'][variant] = predictions
        report['rmse'][variant] = {
            name: math.sqrt(float(np.mean((np.array([p[name] for p in predictions]) - truth[name]) ** 2)))
            for name in predictor.labels
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('checkpoint', help='a run directory of a SpectrumCRePE routine or a checkpoint file')
    parser.add_argument('--drums', type=int, default=60, help='drums to render (default 60)')
    parser.add_argument('--seed', type=int, default=2026, help='seed of the new drums (default 2026)')
    parser.add_argument('--output', default='out/predict-check', help='where the WAVs go')
    parser.add_argument('--overwrite', action='store_true', help='write into a directory holding other files')
    parser.add_argument('--json', action='store_true', help='print the whole report as JSON')
    args = parser.parse_args(argv)
    if args.drums < 1:
        parser.error('--drums must be ≥ 1')
    try:
        report = evaluate(args.checkpoint, args.drums, args.output, args.seed, args.overwrite)
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    labels = list(next(iter(report['rmse'].values())))
    print(f'{"copy":<16}' + ''.join(f'{label + " RMSE":>20}' for label in labels) + f'   ({args.drums} drums)')
    for variant, rmse in report['rmse'].items():
        print(f'{variant:<16}' + ''.join(f'{rmse[label]:>20.4f}' for label in labels))
    return 0


if __name__ == '__main__':
    sys.exit(main())
