"""Inference from the command line: the drums a trained checkpoint hears in audio files.

    python scripts/deploy.py model/<run id> drum.wav [more.flac ...]

CHECKPOINT is a run directory of a SpectrumCRePE routine (its best checkpoint is used) or a checkpoint file. Audio
may have any sample rate, any number of channels and any length (see `kac_prediction.inference`). The same as
`kac-prediction predict` without its options (input-quality warnings print as `warning: FILE: …` lines); `deploy` is
the function to call from Python.
"""

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from kac_prediction.inference import InputQualityWarning, loadPredictor

__all__ = ['deploy']


def deploy(checkpoint: str | os.PathLike[str], files: Sequence[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """[{'file': path, label: value in physical units, …}, …] for each audio file, from the checkpoint's model."""
    return loadPredictor(checkpoint).predictFiles(files, progressbar=len(files) > 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', metavar='CHECKPOINT', help='a run directory or a checkpoint (.pt) file')
    parser.add_argument('audio', metavar='AUDIO', nargs='+', help='audio files in any format soundfile reads')
    args = parser.parse_args(argv)
    try:
        predictor = loadPredictor(args.checkpoint)
        with warnings.catch_warnings():  # printed below, one line each
            warnings.simplefilter('ignore', InputQualityWarning)
            results = predictor.predictFiles(args.audio, progressbar=len(args.audio) > 1, with_warnings=True)
    except (OSError, ValueError, TypeError, MemoryError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    for result in results:
        for message in result.pop('warnings'):
            print(f'warning: {result["file"]}: {message}', file=sys.stderr)
        print(', '.join([result['file'], *(f'{key} = {value:.4f}' for key, value in result.items() if key != 'file')]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
