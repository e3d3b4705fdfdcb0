"""Release a training run as the shipped model of its family (kac_prediction/models/weights/FAMILY.pt and .json).

    python scripts/release_model.py out/circle/model/<run id> --family circle \
        --command 'kac-prediction train --routine size_of_circular_drum …' --metrics out/circle-metrics.json \
        --training '{"wall_s": 2874, "machine": "2 CPU cores"}' [--drums 100] [--overwrite]

Writes the slim checkpoint (float16 where no held-out figure moves by more than 2 %) and its card: routine, config,
dataset, the command, the run's test-split metrics (--metrics: the JSON that `kac-prediction train` writes where
$KAC_SWEEP_METRICS says) and figures per condition on --drums new drums, measured on the shipped file. Prints the
card's conditions. Errors exit with 2. See kac_prediction/models/release.py.
"""

import argparse
import json
import sys
from collections.abc import Sequence

from kac_prediction.inference import robustnessTable
from kac_prediction.models import FAMILIES, WEIGHTS_DIR, releaseModel


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('run', help='a run directory (its best checkpoint) or a checkpoint file')
    parser.add_argument('--family', required=True, choices=list(FAMILIES))
    parser.add_argument('--command', required=True, help='the kac-prediction train command that trained it')
    parser.add_argument('--metrics', default='', help="the run's metrics JSON ($KAC_SWEEP_METRICS)")
    parser.add_argument('--training', default='{}', help='more to record about the training, as JSON')
    parser.add_argument('--drums', type=int, default=100, help='held-out drums per condition (default 100)')
    parser.add_argument('--conditions', default='', help='comma-separated condition keys (default all that apply)')
    parser.add_argument('--directory', default=str(WEIGHTS_DIR), help='where to write (default the package)')
    parser.add_argument('--overwrite', action='store_true', help='replace a shipped model of that family')
    args = parser.parse_args(argv)
    conditions = [key.strip() for key in args.conditions.split(',') if key.strip()] or None
    try:
        metrics = None
        if args.metrics:
            with open(args.metrics, encoding='utf-8') as file:
                metrics = json.load(file)
        card = releaseModel(
            args.run, args.family, args.command, metrics, json.loads(args.training), args.directory, args.drums,
            conditions, args.overwrite, progressbar=True,
        )  # fmt: skip
    except (OSError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.family}: {card["weights"]["bytes"] / 1e6:.2f} MB {card["weights"]["dtype"]}')
    print(robustnessTable(card['held_out']['conditions']['rows']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
