"""Train one of the example routines.

    python scripts/train.py --routine size_of_circular_drum --config scripts/config/local/size_of_circular_drum.yaml
    python scripts/train.py --testing                      # a smoke run on a small generated dataset
    python scripts/train.py --wandb --batch_size=32        # as `wandb agent` calls it: --key=value overrides

`--key=value` arguments (values read as YAML: 32, 0.5, true, [0.7, 0.15, 0.15]) override the config file; they are
validated like it (an unknown key or a wrong type is an error listing the valid keys).
"""

import argparse
import importlib
import json
import numbers
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the routines package beside this script

from kac_prediction.pipeline.parameters import loadYAML

ROUTINES = {
    'size_of_circular_drum': 'SizeOfCircularDrum',
    'dim_of_rectangular_drum': 'DimOfRectangularDrum',
    'shape_of_polygonal_drum': 'ShapeOfPolygonalDrum',
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


_DROPPED = object()


def _jsonable(value: Any) -> Any:
    """`value` as JSON holds it (numbers as int / float, mappings and lists walked); _DROPPED for anything else."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        items = ((str(k), _jsonable(v)) for k, v in value.items())
        return {k: v for k, v in items if v is not _DROPPED}
    if isinstance(value, list | tuple):
        return [v for v in map(_jsonable, value) if v is not _DROPPED]
    return _DROPPED  # tensors, arrays, objects


def writeSweepMetrics(metrics: Mapping[str, Any], path: str) -> None:
    """Write the JSON-serialisable part of `metrics` to `path` atomically (a temporary file beside it, then
    os.replace): how `kac-prediction sweep` reads a run's result (the path is in $KAC_SWEEP_METRICS)."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix='.metrics-', suffix='.json')
    try:
        with os.fdopen(descriptor, 'w', encoding='utf-8') as file:
            json.dump(_jsonable(dict(metrics)), file, indent=1)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


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
    parser.add_argument(
        '--dataset-dir', default='', help='where the dataset is (default data/<name>, or data/<sampler>-<dataset_size>)'
    )
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
        except (ValueError, TypeError, FileExistsError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
    if os.environ.get('KAC_SWEEP_METRICS'):
        writeSweepMetrics(metrics, os.environ['KAC_SWEEP_METRICS'])
    print(f'best validation loss {metrics["validation_loss"]:.6g}; checkpoints in {metrics["exports_dir"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
