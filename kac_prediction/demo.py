"""Listen to the drums: synthesise a few drums of each modal model and write them as WAV plus a PNG of their spectra.

Usage: python -m kac_prediction.demo [--output out/demo-drums] [--drums 3] [--seed 0] [--overwrite]

Each drum is struck off-centre and heard at its default listening point; the PNG shows each drum's magnitude spectrum
with its analytic mode frequencies (dashed) so the physics can be checked by eye. A directory that holds files this
command did not write is never touched unless `--overwrite` is given.
"""

import argparse
import os
import sys
from collections.abc import Sequence

import numpy as np

from ._io import claimDirectory
from .pipeline.plots import newFigure, saveFigure
from .samplers import BesselModel, LameModel, ModalSampler, PoissonModel

__all__ = ['main', 'renderDemo']

_MARKER = '.kac_prediction-demo'  # marks a directory as this command's own output
_MODELS: tuple[type[ModalSampler], ...] = (BesselModel, PoissonModel, LameModel)
_SAMPLE_RATE, _DURATION = 48000, 1.0


def renderDemo(output: str, drums: int = 3, seed: int = 0, overwrite: bool = False) -> list[str]:
    """Write `drums` drums of each modal sampler to `output` as 24-bit WAVs and `spectra.png`; returns the paths."""
    if drums < 1:
        raise ValueError(f'drums must be ≥ 1, got {drums}.')
    claimDirectory(output, _MARKER, overwrite)
    written = []
    figure = newFigure(4 * drums, 2.8 * len(_MODELS))
    axes = figure.subplots(len(_MODELS), drums, squeeze=False)
    print(f'{"file":<28}{"geometry":<34}{"lowest mode (Hz)":>17}')
    for row, Sampler in enumerate(_MODELS):
        sampler = Sampler(duration=_DURATION, sample_rate=_SAMPLE_RATE, seed=seed, amplitude=0.9)
        indices = [d * sampler.strikes_per_drum + 1 for d in range(drums)]  # the first off-centre strike of each drum
        waveforms, labels = sampler.generateBatch(indices)
        for column, (waveform, y) in enumerate(zip(waveforms, labels, strict=True)):
            sampler.waveform = waveform
            name = f'{Sampler.__name__}_{y["drum_id"][0]:02d}.wav'
            sampler.export(os.path.join(output, name))
            written.append(os.path.join(output, name))
            F, _ = sampler.modes(indices[column])
            modes = np.unique(np.round(F[F < _SAMPLE_RATE / 2], 6))
            geometry = ', '.join(f'{k} {v[0]:.3f}' for k, v in y.items() if k in ('drum_size', 'aspect_ratio'))
            print(f'{name:<28}{geometry:<34}{modes[0]:>17.1f}')
            spectrum = np.abs(np.fft.rfft(waveform * np.hanning(len(waveform))))
            frequency = np.fft.rfftfreq(len(waveform), 1.0 / _SAMPLE_RATE)
            axis = axes[row][column]
            axis.semilogx(frequency[1:], 20 * np.log10(spectrum[1:] / spectrum.max() + 1e-12), linewidth=0.6)
            for f in modes[:12]:
                axis.axvline(f, color='tab:red', linestyle='--', linewidth=0.4)
            axis.set(xlim=(20, _SAMPLE_RATE / 2), ylim=(-100, 5), title=f'{Sampler.__name__}: {geometry}')
            axis.title.set_fontsize(8)
            axis.set_xlabel('frequency (Hz)', fontsize=7)
            axis.set_ylabel('level (dB)', fontsize=7)
    figure.suptitle('Spectra of synthesised drums; dashed: analytic mode frequencies', fontsize=10)
    written.append(os.fspath(saveFigure(figure, os.path.join(output, 'spectra.png'), dpi=110)))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog='python -m kac_prediction.demo', description=__doc__.split('\n')[0])
    parser.add_argument(
        '--output', default=os.path.join('out', 'demo-drums'), help='directory to write (default out/demo-drums)'
    )
    parser.add_argument('--drums', type=int, default=3, help='drums per model (default 3)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    parser.add_argument('--overwrite', action='store_true', help='write into a directory that holds other files')
    args = parser.parse_args(argv)
    try:
        written = renderDemo(args.output, args.drums, args.seed, args.overwrite)
    except (FileExistsError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'wrote {len(written)} files to {args.output}/ (spectra.png shows every spectrum)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
