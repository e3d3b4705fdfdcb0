"""Design drums tuned to notes: each drum's size follows from its eigenvalues, not from listening.

    kit = designKit(['C3', 'Eb3', 'G3'], family='circle', wave_speed=100.0)
    kit[0].fundamental                       # 130.81… Hz: C3 to float rounding
    designFiles(['C3', 'Eb3'], 'kit/')       # kit/kit.json, kit/C3.wav, kit/Eb3.wav, kit/kit.png

The lowest mode of a drum of size L is f₁ = c·sqrt(λ̂₁)/(2π·L), λ̂₁ the lowest eigenvalue of the unit-size shape
(a circle: z₀₁ = 2.4048…, f₁ = c·z₀₁/(π·L); a rectangle of aspect ratio ε: f₁ = (c/2L)·sqrt(1/ε + ε); any outline:
computed by physics.eigenmodes). So L = f̂₁ / f for the note's frequency f, f̂₁ being the fundamental at L = 1 m;
a stiff membrane (κ > 0, f' = f·sqrt(1 + (2πκf/c²)²)) is tuned by solving that for the ideal f first.
"""

import math
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import checkNumber, parseRange
from .._io import claimDirectory, writeJSON
from .drum import Drum, partialsInCents, renderDrum
from .notes import cents, noteFrequency

__all__ = [
    'DEFAULT_SIZE_RANGE',
    'DEFAULT_STRIKE',
    'designDrum',
    'designFiles',
    'designKit',
    'designedSound',
    'drumSummary',
    'wavName',
]

DEFAULT_SIZE_RANGE = (0.1, 2.0)
"""m: the drum sizes the samplers draw by default (and the shipped models heard)."""
DEFAULT_STRIKE = (0.3, 0.0)
"""Where a designed drum is struck when rendered: 30 % of the way to the edge, so that most modes sound."""


def _idealFrequency(frequency: float, wave_speed: float, stiffness: float) -> float:
    """The ideal membrane's f whose stiffened f' = f·sqrt(1 + a·f²), a = (2πκ/c²)², is `frequency` (Hz)."""
    a = (2.0 * math.pi * stiffness / wave_speed**2) ** 2
    if a == 0.0:
        return frequency
    return math.sqrt((math.sqrt(1.0 + 4.0 * a * frequency**2) - 1.0) / (2.0 * a))


def designDrum(
    note: str | float,
    template: Drum,
    size_range: tuple[float, float] = DEFAULT_SIZE_RANGE,
) -> Drum:
    """`template` (its family, aspect ratio or shape, membrane and damping) sized so that its fundamental is `note`
    (a name such as 'Eb3', a frequency such as '155.6Hz', or Hz); named after the note as written. ValueError
    naming the note, the size it needs and the fix when that size lies outside size_range (m)."""
    frequency = noteFrequency(note)
    low, high = parseRange('size_range', size_range)
    unit = template.scaled(1.0)
    ideal = replace(unit, stiffness=0.0).fundamental  # f̂₁ at L = 1 m
    size = ideal / _idealFrequency(frequency, template.wave_speed, template.stiffness)
    if not low <= size <= high:
        what = {'circle': 'a circle of diameter', 'rectangle': 'a rectangle of side √area', 'polygon': 'a drum of'}
        needed = (ideal / high, ideal / low)  # wave speeds that would fit, ∝ c at a fixed note (ideal membrane)
        speeds = tuple(template.wave_speed * frequency / f for f in needed)
        raise ValueError(
            f'note {note} ({frequency:.2f} Hz) needs {what[template.family]} {size:.3g} m at c = '
            f'{template.wave_speed:g} m/s, outside the size range {low:g}–{high:g} m: choose a membrane with c between '
            f'{min(speeds):.3g} and {max(speeds):.3g} m/s (--wave-speed or --material) or widen --size-range.'
        )
    return replace(template, drum_size=size, name=str(note))


def designKit(
    notes: Sequence[str | float],
    family: str = 'circle',
    wave_speed: float = 100.0,
    aspect_ratio: float = 1.0,
    outline: npt.ArrayLike | None = None,
    size_range: tuple[float, float] = DEFAULT_SIZE_RANGE,
    **membrane: Any,
) -> list[Drum]:
    """A drum per note (`designDrum`): family 'circle', 'rectangle' (of aspect_ratio) or 'polygon' (of `outline`,
    (n, 2) vertices in any unit: only its shape counts). membrane: decay_time, decay_time_high,
    decay_frequency_high, stiffness (see `Drum`). ValueError for no notes, a repeated note or any note that does not
    fit size_range (all are checked; the message names each)."""
    if len(notes) == 0:
        raise ValueError('no notes given: name at least one, e.g. --notes C3 Eb3 G3.')
    if family == 'polygon':
        if outline is None:
            raise ValueError("a 'polygon' kit needs an outline: give --shape FILE (vertices x y, one per line).")
        if aspect_ratio != 1.0:
            raise ValueError(f'only rectangles have an aspect_ratio; a polygon has its outline, got {aspect_ratio:g}.')
        template = Drum.fromOutline(outline, wave_speed=wave_speed, **membrane)
    else:
        if outline is not None:
            raise ValueError(f'an outline (--shape) makes a polygon drum; use --family polygon, not {family!r}.')
        template = Drum(family, 1.0, wave_speed=wave_speed, aspect_ratio=aspect_ratio, **membrane)  # type: ignore[arg-type]
    frequencies = [noteFrequency(note) for note in notes]
    for i, f in enumerate(frequencies):
        for j in range(i):
            if abs(float(cents(f, frequencies[j]))) < 1e-6:
                raise ValueError(f'notes {notes[j]} and {notes[i]} are the same pitch: a kit has one drum per note.')
    drums, errors = [], []
    for note in notes:
        try:
            drums.append(designDrum(note, template, size_range))
        except ValueError as error:
            errors.append(str(error))
    if errors:
        raise ValueError(' '.join(errors))
    return drums


def drumSummary(drum: Drum, count: int = 8) -> dict[str, Any]:
    """`drum.toDict()` with its fundamental (Hz), the note's error in cents (when named after a note), its first
    `count` partials in Hz and in cents above the fundamental, and its outline in m."""
    partials = drum.partials(count)
    summary: dict[str, Any] = {
        **drum.toDict(),
        'fundamental': float(partials[0]),
        'partials': [float(f) for f in partials],
        'partials_cents': partialsInCents(partials),
        'outline': np.round(drum.outline, 6).tolist(),
    }
    try:
        summary['tuning_error_cents'] = float(cents(partials[0], noteFrequency(drum.name)))
    except ValueError:
        pass
    return summary


def designFiles(
    notes: Sequence[str | float],
    output_dir: str | os.PathLike[str],
    duration: float = 2.0,
    sample_rate: int = 48000,
    overwrite: bool = False,
    plot: bool = True,
    progressbar: bool = True,
    **settings: Any,
) -> dict[str, Any]:
    """`designKit(notes, **settings)` written to output_dir: kit.json ({'drums': [drumSummary, …], 'sample_rate',
    'strike'}), a WAV per drum (NAME.wav, 24-bit, struck at DEFAULT_STRIKE, `duration` s) and kit.png (outlines to
    scale, partials); a tqdm bar over the drums unless progressbar is False. A directory holding files other than
    an earlier kit is refused unless overwrite; returns kit.json's content."""
    import soundfile as sf
    from tqdm import tqdm

    from .._io import atomicPath
    from .plots import plotKit

    duration = checkNumber('duration', duration, 's')
    drums = designKit(notes, **settings)
    directory = claimDirectory(output_dir, 'kit.json', overwrite)
    summaries = []
    for drum in tqdm(drums, desc='Rendering', unit=' drums', disable=not progressbar, leave=False):
        summary, waveform = designedSound(drum, duration, sample_rate)
        with atomicPath(directory / summary['wav']) as temporary:
            sf.write(temporary, waveform, sample_rate, subtype='PCM_24', format='WAV')
        summaries.append(summary)
    kit = {'drums': summaries, 'sample_rate': sample_rate, 'strike': list(DEFAULT_STRIKE)}
    if plot:
        plotKit(drums, directory / 'kit.png')
        kit['plot'] = 'kit.png'
    writeJSON(directory / 'kit.json', kit)
    return kit


def designedSound(drum: Drum, duration: float, sample_rate: int) -> tuple[dict[str, Any], npt.NDArray[np.float64]]:
    """(`drumSummary` of the drum with 'wav': its file name, the drum struck at DEFAULT_STRIKE for `duration` s at
    sample_rate Hz, peak 0.9): what a kit holds for each drum."""
    waveform = renderDrum(drum, DEFAULT_STRIKE, duration=duration, sample_rate=sample_rate, amplitude=0.9)
    return {**drumSummary(drum), 'wav': wavName(drum.name)}, waveform


def wavName(name: str) -> str:
    """A file-name-safe WAV name of a drum's name ('C#3' → 'C#3.wav', '155.6 Hz' → '155.6_Hz.wav', '../x' →
    '.._x.wav')."""
    safe = ''.join(ch if ch.isalnum() or ch in '#-_.' else '_' for ch in name).strip('.')
    return f'{safe or "drum"}.wav'
