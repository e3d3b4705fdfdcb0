"""Train one of the example routines: `kac-prediction train`, with the same arguments (--help lists them).

    python scripts/train.py --routine size_of_circular_drum --config scripts/config/local/size_of_circular_drum.yaml
    python scripts/train.py --testing                      # a smoke run on a small generated dataset
    python scripts/train.py --wandb --batch_size=32        # as `wandb agent` calls it: --key=value overrides
    python scripts/train.py --resume model/<run id>        # continue an interrupted run

Kept as the program of the wandb sweep files (scripts/config/wandb/*.yaml).
"""

import sys
from collections.abc import Sequence

from kac_prediction.cli import parseOverrides, train

__all__ = ['main', 'parseOverrides']


def main(argv: Sequence[str] | None = None) -> int:
    """Run `kac-prediction train` with `argv` (default: the command line); returns the exit status."""
    return train(sys.argv[1:] if argv is None else argv, prog='scripts/train.py')


if __name__ == '__main__':
    sys.exit(main())
