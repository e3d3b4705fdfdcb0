"""Train one of the example routines.

    python scripts/train.py --routine size_of_circular_drum --config scripts/config/local/size_of_circular_drum.yaml
    python scripts/train.py --testing                      # a smoke run on a small generated dataset
    python scripts/train.py --wandb --batch_size=32        # as `wandb agent` calls it: --key=value overrides

`--key=value` arguments (values read as YAML: 32, 0.5, true, [0.7, 0.15, 0.15]) override the config file; they are
validated like it (an unknown key or a wrong type is an error listing the valid keys).
"""

import argparse
import importlib
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the routines package beside this script

from kac_prediction.pipeline.parameters import loadYAML

ROUTINES = {
    'size_of_circular_drum': 'SizeOfCircularDrum',
    'dim_of_rectangular_drum': 'DimOfRectangularDrum',
}


def parseOverrides(extra: Sequence[str]) -> dict[str, Any]:
    """['--batch_size=32', '--testing=true'] → {'batch_size': 32, 'testing': True}; anything else is an error."""
    overrides: dict[str, Any] = {}
    for argument in extra:
        if not argument.startswith('--') or '=' not in argument:
            raise ValueError(f'unrecognised argument {argument!r}: parameters are given as --key=value.')
        key, value = argument[2:].split('=', 1)
        overrides[key.replace('-', '_')] = yaml.safe_load(value)
    return overrides


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the routine, print its metrics; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog='scripts/train.py',
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('--routine', choices=sorted(ROUTINES), default='size_of_circular_drum', help='what to train')
    parser.add_argument('--config', default='', help='a YAML file of parameters')
    parser.add_argument('--wandb', action='store_true', help='track the run with wandb (WANDB_MODE=offline works)')
    parser.add_argument('--testing', action='store_true', help='a smoke run: 200 generated items')
    parser.add_argument('--exports-dir', default='model', help='where checkpoints go (default model/)')
    parser.add_argument('--dataset-dir', default='', help='where the dataset is (default data/<sampler or name>)')
    args, extra = parser.parse_known_args(argv)
    try:
        overrides = parseOverrides(extra)
        config = loadYAML(args.config) if args.config else {}
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    if args.testing:
        overrides['testing'] = True
    routine = getattr(importlib.import_module(f'routines.{args.routine}'), ROUTINES[args.routine])
    wandb_config = {'project': 'kac_prediction'} if args.wandb else {}
    with tempfile.TemporaryDirectory() as scratch:
        path = ''
        if config or overrides:
            path = os.path.join(scratch, 'config.yaml')
            with open(path, 'w', encoding='utf-8') as file:
                yaml.safe_dump({**config, **overrides}, file)
        try:
            metrics = routine(path, wandb_config, dataset_dir=args.dataset_dir, exports_dir=args.exports_dir)
        except (ValueError, TypeError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
    print(f'best validation loss {metrics["validation_loss"]:.6g}; checkpoints in {metrics["exports_dir"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
