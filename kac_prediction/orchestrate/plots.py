"""Pictures of orchestrated drums: a designed kit to scale, a matched drum's spectrum over its target's."""

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..pipeline.plots import newFigure, saveFigure
from .drum import Drum, Point, pointOnDrum

__all__ = ['logSpectrum', 'plotKit', 'plotMatch']


def logSpectrum(
    waveform: npt.ArrayLike, sample_rate: float, padding: int = 4
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(frequencies in Hz, magnitude in dB re its maximum) of the Hann-windowed, zero-padded FFT of a waveform (L,);
    float64, L·padding/2 + 1 bins."""
    x = np.asarray(waveform, dtype=np.float64)
    magnitude = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=padding * len(x)))
    level = 20.0 * np.log10(magnitude / max(float(magnitude.max()), 1e-300) + 1e-12)
    return np.asarray(np.fft.rfftfreq(padding * len(x), 1.0 / sample_rate), dtype=np.float64), level


def _drawDrum(axes: object, drum: Drum, strike: Point | None = None, pickup: Point | None = None) -> None:
    outline = np.vstack([drum.outline, drum.outline[:1]])
    axes.fill(outline[:, 0], outline[:, 1], color='tab:orange', alpha=0.35)  # type: ignore[attr-defined]
    axes.plot(outline[:, 0], outline[:, 1], color='tab:orange')  # type: ignore[attr-defined]
    for point, marker, label in ((strike, 'x', 'strike'), (pickup, 'o', 'pickup')):
        if point is not None:
            x, y = _cartesian(drum, point)
            axes.plot([x], [y], marker, color='black', label=label)  # type: ignore[attr-defined]
    axes.set_aspect('equal')  # type: ignore[attr-defined]


def _cartesian(drum: Drum, point: Point) -> tuple[float, float]:
    """A relative polar point of the drum in m about its centre."""
    outline = drum.outline / drum.drum_size
    x, y = pointOnDrum(outline, point)
    return x * drum.drum_size, y * drum.drum_size


def plotKit(drums: Sequence[Drum], path: str | os.PathLike[str], count: int = 8) -> Path:
    """Top: each drum's outline to one scale (m), named; bottom: their first `count` partials (Hz, log axis), one
    row per drum. Written atomically as a PNG at `path`, returned."""
    figure = newFigure(max(6.0, 1.6 * len(drums)), 6.0)
    top, bottom = figure.subplots(2, 1, height_ratios=[1.2, 1.0])
    offset = 0.0
    for drum in drums:
        outline = drum.outline
        width = float(np.ptp(outline[:, 0]))
        shifted = outline + np.array([offset + width / 2.0, 0.0])
        closed = np.vstack([shifted, shifted[:1]])
        top.fill(closed[:, 0], closed[:, 1], alpha=0.35)
        top.plot(closed[:, 0], closed[:, 1])
        top.annotate(drum.name or drum.family, (offset + width / 2.0, float(outline[:, 1].max())),
                     xytext=(0, 3), textcoords='offset points', ha='center', va='bottom', fontsize=9)  # fmt: skip
        offset += width * 1.15
    top.set_aspect('equal')
    top.set_xlabel('m')
    top.set_title(f'{len(drums)} drums to scale')
    for row, drum in enumerate(drums):
        partials = drum.partials(count)
        bottom.vlines(partials, row - 0.35, row + 0.35)
        bottom.plot(partials[:1], [row], 'o', color='tab:red')
    bottom.set_xscale('log')
    bottom.set_yticks(range(len(drums)), [drum.name or drum.family for drum in drums])
    bottom.set_xlabel('Hz (fundamental in red)')
    return saveFigure(figure, path)


def plotMatch(
    target: npt.ArrayLike,
    matched: npt.ArrayLike,
    sample_rate: float,
    drum: Drum,
    strike: Point,
    pickup: Point,
    path: str | os.PathLike[str],
    title: str = '',
) -> Path:
    """Left: the target's and the matched drum's spectra (dB re each maximum, Hz) overlaid, with the matched drum's
    modes marked; right: the matched drum to scale (m) with its strike and pickup. PNG at `path` (atomic)."""
    figure = newFigure(11.0, 4.2)
    left, right = figure.subplots(1, 2, width_ratios=[2.2, 1.0])
    f_t, level_t = logSpectrum(target, sample_rate)
    f_m, level_m = logSpectrum(matched, sample_rate)
    modes = drum.partials(12)
    top = min(float(sample_rate) / 2.0, 1.3 * float(modes[-1]))
    shown = f_t <= top
    left.plot(f_t[shown], level_t[shown], color='tab:blue', lw=0.8, label='target')
    left.plot(f_m[f_m <= top], level_m[f_m <= top], color='tab:orange', lw=0.8, alpha=0.8, label='matched drum')
    left.vlines(modes, -100.0, 0.0, color='grey', lw=0.5, ls=':', label='matched modes')
    left.set_ylim(-90.0, 5.0)
    left.set_xlabel('Hz')
    left.set_ylabel('dB re maximum')
    left.legend(loc='upper right', fontsize=8)
    left.set_title(title or f'fundamental {modes[0]:.2f} Hz')
    _drawDrum(right, drum, strike, pickup)
    right.legend(loc='upper right', fontsize=8)
    right.set_xlabel('m')
    right.set_title(f'{drum.family}, size {drum.drum_size:.3f} m')
    return saveFigure(figure, path)
