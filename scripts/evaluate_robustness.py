"""Score a checkpoint on held-out drums under each condition, beside mean-only and physics-only.

    python scripts/evaluate_robustness.py model/<run id> --drums 100 --markdown --json out/robustness.json

Renders `--drums` drums the model never saw (the checkpoint's sampler and settings, `--seed` ≠ the training seed)
under each condition — clean; noise at 30 / 20 / 10 dB SNR; rooms of RT60 0.2–0.8 s; the full recording chain; wave
speeds wider than training's; another sample rate; FDTD-rendered circles — and prints, per condition, the RMSE of
drum_size in cm of the network, of predicting the training mean and of the physics-only baseline given the true wave
speed (its failures counted and left out); for polygon checkpoints (shape_of_polygonal_drum) also the outline-mask IoU
of the network and of the mean training mask. Every drum's first strike is at its centre: the held-out drums are
struck where training struck them (the centre for one drum in strikes_per_drum); `--off-centre` strikes none at its
centre (how a model trained on one strike per drum, centre strikes only, is caught). Definitions:
kac_prediction/inference/robustness.py. Errors exit with 2.
"""

import argparse
import sys
from collections.abc import Sequence

from kac_prediction._io import jsonSafe, writeJSON
from kac_prediction.inference import CONDITIONS, EVALUATION_SEED, evaluateRobustness, robustnessTable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        'checkpoint',
        help='a run directory of size_of_circular_drum, dim_of_rectangular_drum or shape_of_polygonal_drum, or a .pt',
    )
    parser.add_argument('--drums', type=int, default=100, help='held-out drums per condition (default 100)')
    parser.add_argument('--seed', type=int, default=EVALUATION_SEED, help=f'their seed (default {EVALUATION_SEED})')
    parser.add_argument(
        '--conditions', default='', help='comma-separated keys (default all that apply): ' + ','.join(CONDITIONS)
    )
    parser.add_argument('--rooms', type=int, default=16, help='rooms in the bank (default 16)')
    parser.add_argument('--fdtd-drums', type=int, default=20, help='FDTD drums at most (default 20)')
    parser.add_argument('--cache-dir', default=None, help='where the room bank is cached (default a temp folder)')
    parser.add_argument('--json', default='', metavar='OUT', help='also write the rows to OUT as JSON')
    parser.add_argument('--off-centre', action='store_true', help='strike no held-out drum at its centre')
    parser.add_argument('--markdown', action='store_true', help='print a markdown table')
    parser.add_argument('--progress', action='store_true', help='show a progress bar')
    args = parser.parse_args(argv)
    conditions = [name.strip() for name in args.conditions.split(',') if name.strip()] or None
    try:
        if args.drums < 1 or args.seed < 0:
            raise ValueError('--drums must be ≥ 1 and --seed ≥ 0')
        rows = evaluateRobustness(
            args.checkpoint, conditions, args.drums, args.seed, args.progress, args.rooms, args.fdtd_drums,
            args.cache_dir, args.off_centre,
        )  # fmt: skip
        print(robustnessTable(rows, markdown=args.markdown))
        for row in rows:
            if 'note' in row:
                print(f'{row["condition"]}: {row["note"]}')
        if args.json:
            report = {
                'checkpoint': args.checkpoint,
                'drums': args.drums,
                'seed': args.seed,
                'off_centre': args.off_centre,
            }
            writeJSON(args.json, {**report, 'rows': [{k: jsonSafe(v) for k, v in row.items()} for row in rows]})
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
