"""Score a shape_of_arbitrary_drum checkpoint on new drums, rendered as trained and in other ways, per family.

    python scripts/evaluate_outlines.py model/<run id> --drums 150 --markdown --json out/outlines.json --plot out.png

Draws `--drums` new `PolygonFamily` drums (the routine's sampler settings, one strike each at the centroid, seed
`--seed`, never the training seed 0) and renders them: clean (EigenmodeModel, as trained); by the FDTD solver
(FDTDModel, the same drums, oversampling 1); with white noise at 20 dB SNR; in a room (RT60 0.2–0.8 s); through the
full recording chain (room, EQ, noise 10–40 dB, level, 44.1 or 48 kHz). Prints per condition and family the outline IoU
after the best rotation and reflection (each outline at its own size), the shape-only IoU, the disc baseline and the
drum_size RMSE in cm. Errors exit with status 2.
"""

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from kac_prediction._io import writeJSON
from kac_prediction.acoustics import RecordingSettings, record
from kac_prediction.geometry import FAMILIES, Polygon
from kac_prediction.inference import loadPredictor
from kac_prediction.inference.outline import maskOutline
from kac_prediction.inference.plots import plotAlignedOutlines
from kac_prediction.routines.shape_of_arbitrary_drum import SAMPLER_SETTINGS, outlineScores
from kac_prediction.samplers import EigenmodeModel, FDTDModel

CONDITIONS = {
    'clean': None,
    'fdtd': None,
    'noise 20 dB': RecordingSettings(
        sample_rates=None,
        rt60=None,
        eq_gain_db=None,
        lowpass_hz=None,
        delay_ms=None,
        snr_db=(20.0, 20.0),
        noise_colours=('white',),
        peak_dbfs=None,
    ),
    'room': RecordingSettings(
        sample_rates=None, eq_gain_db=None, lowpass_hz=None, delay_ms=None, snr_db=None, peak_dbfs=None
    ),
    'full chain': RecordingSettings(),
}


def evaluate(run: str, drums: int, seed: int, plot: str = '') -> dict[str, dict[str, dict[str, float]]]:
    """{condition: {family or 'all': {'iou', 'shape_iou', 'disc_iou', 'drum_size_rmse_cm', 'count'}}}; with `plot`,
    a PNG there of the first 8 non-convex drums, clean, true and predicted outlines aligned."""
    predictor = loadPredictor(run)
    settings: dict[str, Any] = {**SAMPLER_SETTINGS, 'seed': seed, 'strikes_per_drum': 1}
    duration, rate = settings.pop('duration'), settings.pop('sample_rate')
    modal = EigenmodeModel(duration, rate, **settings)
    clean, labels = modal.generateBatch(range(drums))
    settings.pop('n_modes')
    fdtd = FDTDModel(duration, rate, **settings).generateBatch(range(drums))[0]
    vertices = [y['vertices'] for y in labels]
    sizes = np.array([y['drum_size'][0] for y in labels])
    families = np.array([y['family'][0] for y in labels])
    found: dict[str, dict[str, dict[str, float]]] = {}
    for name, chain in CONDITIONS.items():
        inputs = []
        for i in range(drums):
            if name == 'fdtd':
                inputs.append(predictor.inputs(fdtd[i], rate))
            elif chain is None:
                inputs.append(predictor.inputs(clean[i], rate))
            else:
                heard = record(clean[i], rate, seed, item=i, settings=chain)
                inputs.append(predictor.inputs(heard.waveform, heard.sample_rate))
        predicted = predictor.model.predict(torch.stack(inputs))
        guesses = predicted['drum_size'].numpy()
        scores = outlineScores(vertices, sizes, predicted['mask'], guesses)
        rows: dict[str, dict[str, float]] = {}
        for index, family in [(-1, 'all'), *enumerate(FAMILIES)]:
            chosen = np.ones(drums, dtype=bool) if index < 0 else families == index
            if chosen.any():
                rows[family] = {key: float(value[chosen].mean()) for key, value in scores.items()}
                rows[family]['drum_size_rmse_cm'] = float(100 * np.sqrt(np.mean((guesses - sizes)[chosen] ** 2)))
                rows[family]['count'] = int(chosen.sum())
        found[name] = rows
        if plot and name == 'clean':
            shown = [i for i in range(drums) if families[i] != 0][:8]
            truths = [np.asarray(vertices[i]) * sizes[i] / np.sqrt(Polygon(vertices[i]).area) for i in shown]
            outlines = [maskOutline(predicted['mask'][i].numpy(), float(guesses[i])) for i in shown]
            plotAlignedOutlines(truths, outlines, plot, scores['iou'][shown])
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('checkpoint', help='a run directory of shape_of_arbitrary_drum, or its .pt')
    parser.add_argument('--drums', type=int, default=90, help='new drums (default 90)')
    parser.add_argument('--seed', type=int, default=1_000_003, help='their seed (default 1000003)')
    parser.add_argument('--markdown', action='store_true', help='print a markdown table')
    parser.add_argument('--json', default='', help='also write the figures to this JSON file')
    parser.add_argument('--plot', default='', help='a PNG of 8 non-convex drums: true and predicted outlines')
    args = parser.parse_args(argv)
    try:
        if args.drums < 1 or args.seed == 0:
            raise ValueError('--drums must be ≥ 1 and --seed must not be 0 (the training seed).')
        found = evaluate(args.checkpoint, args.drums, args.seed, args.plot)
    except (OSError, ValueError, TypeError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    bar = '|' if args.markdown else ' '
    print(f'{bar} condition {bar} family {bar} drums {bar} IoU {bar} shape-only {bar} disc {bar} drum_size cm {bar}')
    if args.markdown:
        print('|---|---|---|---|---|---|---|')
    for name, rows in found.items():
        for family, r in rows.items():
            print(f'{bar} {name} {bar} {family} {bar} {r["count"]} {bar} {r["iou"]:.3f} {bar} {r["shape_iou"]:.3f} '
                  f'{bar} {r["disc_iou"]:.3f} {bar} {r["drum_size_rmse_cm"]:.2f} {bar}')  # fmt: skip
    if args.json:
        writeJSON(args.json, found)
    return 0


if __name__ == '__main__':
    sys.exit(main())
