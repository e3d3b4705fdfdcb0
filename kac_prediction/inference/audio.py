"""Audio as people have it, turned into what a model was trained on: read any file soundfile reads, mix to mono,
resample, align on the strike, trim or pad to the training length; and say when the audio is too poor for a model to
mean anything (InputQualityWarning).

    excerpt = readAudioExcerpt('drum.flac', target_rate=48000, length=48000)   # memory bounded whatever the file
    excerpt.waveform                                            # (48000,) float64, starting at the strike
    audioWarnings(excerpt, f_min=20.0)                          # [] or ['the peak level is -84.2 dBFS, …', …]
    x = prepareAudio(waveform, rate, target_rate=48000, length=48000)   # the same for a waveform (L,) or (L, C)

Files and arrays go through one streaming path (`_excerpt`), in blocks of about 2¹⁶ frames, so the memory it needs
does not depend on the length of the audio: a first pass resamples block by block (each block with enough of its
neighbours for the resampling filter) and keeps the peak magnitude of each; a second reads only the part that is
used, from MAX_BACKOFF before the block holding the onset to the training length after it, and prepares it. The
result equals resampling the whole waveform at once (to float rounding).
"""

import functools
import math
import os
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import IO, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._checks import checkCount

__all__ = [
    'CLIPPED_FRACTION',
    'CLIP_LEVEL',
    'LOW_ENERGY_FRACTION',
    'MAX_BACKOFF',
    'MAX_SAMPLE_RATE',
    'MIN_SAMPLE_RATE',
    'ONSET_THRESHOLD',
    'QUIET_LEVEL',
    'SHORT_SOUND',
    'AudioExcerpt',
    'InputQualityWarning',
    'audioExcerpt',
    'audioWarnings',
    'prepareAudio',
    'readAudioExcerpt',
    'readAudioFile',
]

ONSET_THRESHOLD = 1e-3
"""The onset is the first sample whose magnitude exceeds this fraction of the waveform's peak magnitude."""
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 1000, 768000
"""Accepted source sample rates, Hz: no audio is recorded below 1 kHz (a header that says so is corrupt, and the
ratio to a training rate would explode the resampled length: 48 000 samples whose header says 1 Hz are 17.2 GiB at
48 kHz); 768 kHz is the highest rate of common audio interfaces."""
MAX_BACKOFF = 0.05
"""s: the start is at most this long before the onset: the back-off to the start of the onset's half-cycle stops
here, and the waveform starts here when that half-cycle began earlier (below 10 Hz, e.g. a DC offset, which no band
of a model hears)."""
QUIET_LEVEL = -60.0
"""dBFS: a peak below it (the mono mix, full scale 1) is warned of: mostly noise, or channels that cancel."""
SHORT_SOUND = 0.1
"""A sound that lasts less than this fraction of the training duration is warned of (see `audioWarnings`)."""
LOW_ENERGY_FRACTION = 0.5
"""A waveform with more than this fraction of its energy below the model's lowest band (f_min) is warned of."""
CLIP_LEVEL, CLIPPED_FRACTION = 0.999, 1e-3
"""Audio is clipped when, in some channel, at least CLIPPED_FRACTION of the source samples the model hears are held
at full scale: |x| ≥ CLIP_LEVEL and equal to the sample before (a flat top, which band-limited audio rarely has)."""

_NEAR_ZERO = 1e-6  # a sample this small relative to the peak counts as a zero when backing off from the onset
_BLOCK = 1 << 16  # source frames per block (rounded up to a multiple of the resampling ratio's denominator)
_MAX_RATIO_TERM = 8000  # resampling ratios are reduced to terms ≤ this (the FIR filter has 20 × it + 1 taps)


class InputQualityWarning(UserWarning):
    """The audio is too quiet, too short, mostly below the lowest band the model hears, or clipped: the model's
    numbers for it mean little (`audioWarnings` gives the rules)."""


class AudioExcerpt(NamedTuple):
    """The part of some audio that a model hears, and what the quality rules (`audioWarnings`) need of the rest.

    waveform: (length,) float64, the mono mix resampled to sample_rate, from the start of the strike.
    sample_rate: Hz, the training rate.
    peak: the peak magnitude of the whole resampled mono mix (full scale 1), relative to which the onset was found.
    clipped: in the most clipped channel, the fraction of the source samples under the waveform that are held at
        full scale (CLIP_LEVEL).
    """

    waveform: npt.NDArray[np.float64]
    sample_rate: int
    peak: float
    clipped: float


def _asFloat(waveform: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """float64 copy; integer PCM is scaled to [−1, 1) (unsigned integers centred first)."""
    if waveform.dtype.kind == 'i':
        return waveform.astype(np.float64) / 2.0 ** (8 * waveform.dtype.itemsize - 1)
    if waveform.dtype.kind == 'u':
        half = 2.0 ** (8 * waveform.dtype.itemsize - 1)
        return (waveform.astype(np.float64) - half) / half
    return waveform.astype(np.float64)


def _checkRate(sample_rate: int, what: str, hint: str = '') -> int:
    """`sample_rate` unless it lies outside [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE] (ValueError naming `what`)."""
    if not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise ValueError(
            f'{what} is {sample_rate} Hz, outside the accepted range {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz{hint}'
        )
    return sample_rate


def _ratio(target_rate: int, sample_rate: int) -> tuple[int, int]:
    """(up, down): target_rate / sample_rate reduced, or its nearest fraction with both terms ≤ _MAX_RATIO_TERM
    (pitch error < 10⁻⁴ for training rates of 8–96 kHz, far below the 0.5 % spacing of a model's bands)."""
    ratio = Fraction(target_rate, sample_rate)
    if max(ratio.numerator, ratio.denominator) > _MAX_RATIO_TERM:
        if ratio > 1:
            ratio = 1 / (1 / ratio).limit_denominator(_MAX_RATIO_TERM)
        else:
            ratio = max(ratio.limit_denominator(_MAX_RATIO_TERM), Fraction(1, _MAX_RATIO_TERM))
    return ratio.numerator, ratio.denominator


@functools.lru_cache(maxsize=8)
def _resamplingFilter(up: int, down: int) -> npt.NDArray[np.float64]:
    """resample_poly's default FIR filter for up / down (read-only, designed once per ratio: 20 · max(up, down) + 1
    taps, a few ms for a 44.1 → 48 kHz ratio)."""
    from scipy.signal import firwin

    half_length = 10 * max(up, down)  # as resample_poly designs it
    taps = np.asarray(firwin(2 * half_length + 1, 1.0 / max(up, down), window=('kaiser', 5.0)), dtype=np.float64)
    taps.flags.writeable = False
    return taps


class _Resampler:
    """`scipy.signal.resample_poly` by up / down with its default filter (`_resamplingFilter`). `context` (source
    frames, a multiple of down) is how far each output sample's filter reaches into the input, so that resampling a
    stretch with `context` frames on each side gives the outputs of its middle exactly as resampling everything at
    once."""

    def __init__(self, up: int, down: int) -> None:
        self.up, self.down = up, down
        self.filter: npt.NDArray[np.float64] | None = None
        self.context = 0
        if up != down:
            self.filter = _resamplingFilter(up, down)
            self.context = down * math.ceil((math.ceil(10 * max(up, down) / up) + 1) / down)

    def __call__(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """(n,) → (⌈n · up / down⌉,) float64."""
        if self.filter is None:
            return x
        from scipy.signal import resample_poly

        taps: Any = self.filter  # FIR taps as `window`: resample_poly takes them, its type stubs do not say so
        return np.asarray(resample_poly(x, self.up, self.down, window=taps), dtype=np.float64)


def _mono(frames: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(n, C) → (n,), the mean of the channels; ValueError for non-finite samples."""
    if not np.isfinite(frames).all():
        raise ValueError('the audio holds non-finite samples (NaN or inf)')
    return np.asarray(frames.mean(axis=1), dtype=np.float64)


def _excerpt(
    blocks: Callable[[int], Iterator[npt.NDArray[np.float64]]],
    read: Callable[[int, int], npt.NDArray[np.float64]],
    sample_rate: int,
    target_rate: int,
    length: int,
) -> AudioExcerpt:
    """The core of prepareAudio and readAudioExcerpt, in memory bounded by the block size and `length`.

    blocks(n) yields the audio from its start as float arrays (≤ n, C), n frames each until the last; read(start,
    stop) gives frames [start, stop) as (stop − start, C) (fewer at the end).
    """
    up, down = _ratio(target_rate, sample_rate)
    resample = _Resampler(up, down)
    context, block = resample.context, down * math.ceil(_BLOCK / down)  # source frames, multiples of down
    # pass 1: the peak magnitude of each block of the resampled mono mix
    maxima: list[float] = []
    buffer, buffer_start, frames, core, audible = np.zeros(0), 0, 0, 0, False
    last: tuple[int, int, npt.NDArray[np.float64]] | None = None  # (first, stop, resampled) of the latest stretch

    def coreMaximum(end_of_file: bool) -> float:
        """max |output| of source frames [core, core + block) (to the end of the output for the last block)."""
        nonlocal last
        first, end = max(0, core - context), min(core + block + context, frames)
        y = resample(buffer[first - buffer_start : end - buffer_start])
        last = (first, end, y)
        stop = len(y) if end_of_file and core + block >= frames else (core + block - first) * up // down
        return float(np.abs(y[(core - first) * up // down : stop]).max(initial=0.0))

    for data in blocks(block):
        mono = _mono(data)
        audible = audible or bool(np.any(mono))
        buffer = np.concatenate([buffer, mono])
        frames += len(mono)
        while core + block + context <= frames:
            maxima.append(coreMaximum(False))
            core += block
        keep = max(0, core - context)
        buffer, buffer_start = buffer[keep - buffer_start :], keep
    while core < frames:
        maxima.append(coreMaximum(True))
        core += block
    if frames == 0:
        raise ValueError('the audio is empty (no samples)')
    if not audible:
        raise ValueError('the audio is silent (every sample is zero)')
    peak = max(maxima)
    if not peak > 0:
        raise ValueError('the audio is silent after resampling')
    # pass 2: resample from MAX_BACKOFF before the block holding the onset to `length` after that block
    onset_block = next(k for k, maximum in enumerate(maxima) if maximum > ONSET_THRESHOLD * peak)
    backoff = math.ceil(MAX_BACKOFF * target_rate)
    first_output = onset_block * block * up // down
    start = max(0, (max(0, first_output - backoff) * down // up - context) // down * down)
    stop = min(frames, math.ceil((first_output + block * up // down + length) * down / up) + context)
    source = read(start, stop)
    # a short file is resampled whole in pass 1: the same frames give the same output
    x = last[2] if last is not None and last[:2] == (start, stop) else resample(_mono(source))
    offset = start * up // down  # the output index of x[0]
    magnitude = np.abs(x)
    beyond = np.flatnonzero(magnitude[first_output - offset :] > ONSET_THRESHOLD * peak)
    onset = first_output - offset + (int(beyond[0]) if len(beyond) else 0)
    low = max(0, onset - backoff)  # when offset > 0, low ≥ context · up / down: x is exact from there on
    before = x[low:onset]
    breaks = np.flatnonzero((magnitude[low:onset] <= _NEAR_ZERO * peak) | (np.sign(before) != np.sign(x[onset])))
    begin = low + int(breaks[-1]) + 1 if len(breaks) else low
    waveform = x[begin : begin + length]
    waveform = np.pad(waveform, (0, length - len(waveform))) if len(waveform) < length else waveform.copy()
    # clipping, in the source frames under the waveform
    heard = source[(offset + begin) * down // up - start : math.ceil((offset + begin + length) * down / up) - start]
    flat = (np.abs(heard[1:]) >= CLIP_LEVEL) & (heard[1:] == heard[:-1])
    clipped = float(flat.sum(axis=0).max(initial=0) / max(1, len(heard)))
    return AudioExcerpt(waveform, target_rate, peak, clipped)


def prepareAudio(waveform: npt.ArrayLike, sample_rate: int, target_rate: int, length: int) -> npt.NDArray[np.float64]:
    """Audio of any rate, channel count and length → the mono waveform (length,) float64 a model was trained on.

    1. waveform (L,) or (L, C), float or integer PCM (scaled to [−1, 1)): mixed down to the mean of the channels.
    2. Resampled from sample_rate to target_rate (Hz) with `scipy.signal.resample_poly`, up / down being the reduced
       fraction target_rate / sample_rate (nothing is done when they are equal; a fraction with a term > 8000 is
       replaced by the nearest with terms ≤ 8000, a pitch error < 10⁻⁴).
    3. Aligned on the onset, as the training items start at the strike: the onset is the first sample whose
       magnitude exceeds ONSET_THRESHOLD (10⁻³) times the peak magnitude; the waveform then starts at the first
       sample of the half-cycle holding the onset, i.e. just after the last sample before the onset that is near
       zero (magnitude ≤ 10⁻⁶ × peak) or of the opposite sign (0 when there is none), but at most MAX_BACKOFF
       (50 ms) before the onset. Leading silence or low-level noise is thus dropped, and a signal that already
       starts at its strike keeps its start.
    4. Trimmed to `length` samples, or zero-padded at the end to it.

    Memory beyond the input is bounded (see the module's docstring). ValueError for empty, silent or non-finite
    audio, a shape other than (L,) or (L, C), a sample_rate outside [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE]
    (1000–768000 Hz), or a target_rate or length that is not an integer ≥ 1.
    """
    return audioExcerpt(waveform, sample_rate, target_rate, length).waveform


def audioExcerpt(waveform: npt.ArrayLike, sample_rate: int, target_rate: int, length: int) -> AudioExcerpt:
    """prepareAudio's waveform with the peak and clipping the quality rules need (`AudioExcerpt`); same errors."""
    sample_rate = _checkRate(checkCount('sample_rate', sample_rate, meaning='Hz'), 'sample_rate')
    target_rate = checkCount('target_rate', target_rate, meaning='Hz')
    length = checkCount('length', length, meaning='samples')
    array = np.asarray(waveform)
    if array.dtype.kind not in 'iuf':
        raise ValueError(f'audio must hold real numbers (float or integer PCM), got dtype {array.dtype}')
    if array.ndim == 1:
        array = array[:, None]
    elif array.ndim != 2:
        raise ValueError(f'audio must have shape (samples,) or (samples, channels), got {array.shape}')
    if array.shape[1] == 0:
        raise ValueError('the audio has no channels')

    def blocks(size: int) -> Iterator[npt.NDArray[np.float64]]:
        for first in range(0, len(array), size):
            yield _asFloat(array[first : first + size])

    return _excerpt(blocks, lambda start, stop: _asFloat(array[start:stop]), sample_rate, target_rate, length)


def readAudioExcerpt(file: str | os.PathLike[str] | IO[bytes], target_rate: int, length: int) -> AudioExcerpt:
    """prepareAudio of an audio file (any format soundfile reads), read in blocks: memory is bounded whatever the
    file's length. The onset is searched in the whole file (time grows with its length, memory does not).

    file: a path or a binary file object. ValueError naming the file when soundfile cannot read it, when its header
    gives a sample rate outside [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE] (1000–768000 Hz), and for empty, silent or
    non-finite audio. A file that cannot seek (a pipe) is read whole into memory.
    """
    import soundfile as sf

    name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else str(getattr(file, 'name', file))
    target_rate = checkCount('target_rate', target_rate, meaning='Hz')
    length = checkCount('length', length, meaning='samples')
    try:
        with sf.SoundFile(file) as audio:
            _checkRate(int(audio.samplerate), 'the sample rate in its header', ': the file is corrupt or not audio')

            def blocks(size: int) -> Iterator[npt.NDArray[np.float64]]:
                while len(data := audio.read(size, dtype='float64', always_2d=True)):
                    yield data

            if not audio.seekable():  # a pipe: it cannot be read twice
                whole = np.concatenate([np.zeros((0, audio.channels)), *blocks(1 << 20)])
                return audioExcerpt(whole, int(audio.samplerate), target_rate, length)

            def read(start: int, stop: int) -> npt.NDArray[np.float64]:
                audio.seek(start)
                return np.asarray(audio.read(stop - start, dtype='float64', always_2d=True), dtype=np.float64)

            return _excerpt(blocks, read, int(audio.samplerate), target_rate, length)
    except (RuntimeError, TypeError) as error:  # soundfile.LibsndfileError is a RuntimeError
        raise ValueError(f'cannot read {name} as audio: {error}') from error
    except ValueError as error:
        raise ValueError(f'{name}: {error}') from error


def readAudioFile(path: str | os.PathLike[str]) -> tuple[npt.NDArray[np.float64], int]:
    """(samples (L, C) float64, sample rate) of an audio file, whole in memory (`readAudioExcerpt` reads only what a
    model hears); ValueError naming it when soundfile cannot read it."""
    import soundfile as sf

    try:
        data, rate = sf.read(os.fspath(path), dtype='float64', always_2d=True)
    except (RuntimeError, TypeError) as error:  # soundfile.LibsndfileError is a RuntimeError
        raise ValueError(f'cannot read {os.fspath(path)} as audio: {error}') from error
    return np.asarray(data, dtype=np.float64), int(rate)


def audioWarnings(excerpt: AudioExcerpt, f_min: float) -> list[str]:
    """Why a model's numbers for this audio mean little: one message per rule broken, [] for a usable recording.

    - level: the peak of the mono mix is below QUIET_LEVEL (−60 dBFS): mostly noise, or channels that cancel;
    - duration: the sound, from the start of the waveform to its last sample above ONSET_THRESHOLD × peak (−60 dB),
      lasts less than SHORT_SOUND (10 %) of the training duration (len(waveform) / sample_rate);
    - low frequencies: more than LOW_ENERGY_FRACTION (50 %) of the waveform's energy lies below f_min (Hz), the
      lowest band of the model's input (DC offset, rumble);
    - clipping: excerpt.clipped ≥ CLIPPED_FRACTION (0.1 %), see CLIP_LEVEL.
    """
    x, rate, messages = excerpt.waveform, excerpt.sample_rate, []
    level = 20 * math.log10(excerpt.peak)
    if level < QUIET_LEVEL:
        messages.append(f'the peak level is {level:.1f} dBFS, below {QUIET_LEVEL:g} dBFS: mostly noise or silence')
    above = np.flatnonzero(np.abs(x) > ONSET_THRESHOLD * excerpt.peak)
    sound, duration = (int(above[-1]) + 1 if len(above) else 0) / rate, len(x) / rate
    if sound < SHORT_SOUND * duration:
        messages.append(
            f'the sound lasts {1000 * sound:.0f} ms (to its last sample above -60 dB of the peak), less than '
            f'{100 * SHORT_SOUND:g} % of the {duration:g}-s sounds the model learnt'
        )
    power = np.abs(np.fft.rfft(x)) ** 2
    low = float(power[np.fft.rfftfreq(len(x), 1 / rate) < f_min].sum() / max(power.sum(), np.finfo(float).tiny))
    if low > LOW_ENERGY_FRACTION:
        messages.append(
            f'{100 * low:.0f} % of the energy lies below {f_min:g} Hz, the lowest band the model hears (DC or rumble)'
        )
    if excerpt.clipped >= CLIPPED_FRACTION:
        messages.append(f'clipped: {100 * excerpt.clipped:.1f} % of the samples the model hears are held at full scale')
    return messages
