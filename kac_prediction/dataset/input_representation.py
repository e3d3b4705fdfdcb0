"""Input representations: the network input X computed from a waveform (end2end, power spectrogram, mel spectrogram, or
the log-frequency power spectrum of the whole waveform).

The STFT types are computed in float32 with torch.stft, on the device of the input tensor; 'spectrum' in float64 with
NumPy and SciPy on the CPU, from the float32 waveform, its X returned in float32 on the input's device (see
`_SpectrumPlan`: a decimated signal's shorter FFT gives the bins of the full-rate one). Each row of a batch
is computed with the same arithmetic as that row alone, on one thread, so X does not depend on the batch it was
transformed in nor on the number of threads (see `InputRepresentation.transformBatch`).
"""

import math
from collections.abc import Mapping
from typing import Any, Literal, TypedDict, cast, get_args, overload

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.sparse
import torch

from .._checks import checkCount, checkInteger, isNumber

__all__ = [
    'InputRepresentation',
    'OutputType',
    'RepresentationSettings',
    'logBands',
    'melFilterbank',
    'representationDefaults',
    'spectrumFFTSize',
]

OutputType = Literal['end2end', 'fft', 'mel', 'spectrum']
_OUTPUT_TYPES: tuple[str, ...] = get_args(OutputType)


class RepresentationSettings(TypedDict, total=False):
    """Settings of an `InputRepresentation`; missing keys take the values of `representationDefaults()`.

    f_min: lowest frequency of the mel or log-frequency filterbank (Hz). f_max: its highest frequency (Hz; None:
    sample_rate / 2). hop_length: samples between STFT frames. n_bins: FFT size n_fft (samples; for 'spectrum' the
    number of log-spaced bands). n_mels: number of mel bands. normalise_input: peak-normalise the waveform first.
    output_type: 'end2end' (the waveform), 'fft' (power spectrogram), 'mel' (mel power spectrogram) or 'spectrum'
    (power of the whole waveform's spectrum in n_bins log-spaced triangular bands from f_min to f_max: fine frequency
    resolution at low frequencies, where a drum's size shows). window_length: length of the periodic Hann window
    (samples, ≤ n_bins, centred in the FFT frame; STFT types only).
    """

    f_max: float | None
    f_min: float
    hop_length: int
    n_bins: int
    n_mels: int
    normalise_input: bool
    output_type: OutputType
    window_length: int


def representationDefaults() -> RepresentationSettings:
    """A new dict of the default settings, keys sorted."""
    return {
        'f_max': None,
        'f_min': 22.05,
        'hop_length': 256,
        'n_bins': 512,
        'n_mels': 32,
        'normalise_input': True,
        'output_type': 'end2end',
        'window_length': 512,
    }


_INT_KEYS = ('hop_length', 'n_bins', 'n_mels', 'window_length')


def _validSettings(settings: object, sample_rate: int | None) -> RepresentationSettings:
    """Defaults updated by `settings`, keys sorted, values checked and cast (sample_rate bounds f_min)."""
    if not isinstance(settings, Mapping):
        raise TypeError(f'settings must be a mapping (RepresentationSettings), got {type(settings).__name__}.')
    merged: dict[str, Any] = dict(representationDefaults())
    unknown = sorted(str(key) for key in settings if key not in merged)
    if unknown:
        raise ValueError(f'Unknown representation setting(s) {unknown}; the valid keys are {sorted(merged)}.')
    merged.update(settings)
    for key in _INT_KEYS:
        merged[key] = checkInteger(key, merged[key])
    f_min = merged['f_min']
    if not isNumber(f_min):
        raise TypeError(f'f_min must be a float (Hz), got {f_min!r} ({type(f_min).__name__}).')
    merged['f_min'] = float(f_min)
    f_max = merged['f_max']
    if f_max is not None:
        if not isNumber(f_max):
            raise TypeError(f'f_max must be a float (Hz) or None (sample_rate / 2), got {f_max!r}.')
        merged['f_max'] = float(f_max)
    if not isinstance(merged['normalise_input'], bool | np.bool_):
        raise TypeError(f'normalise_input must be a bool, got {merged["normalise_input"]!r}.')
    merged['normalise_input'] = bool(merged['normalise_input'])
    if not isinstance(merged['output_type'], str):
        raise TypeError(f'output_type must be a str, one of {list(_OUTPUT_TYPES)}, got {merged["output_type"]!r}.')
    if merged['output_type'] not in _OUTPUT_TYPES:
        raise ValueError(f'output_type must be one of {list(_OUTPUT_TYPES)}, got {merged["output_type"]!r}.')
    checkInteger('n_bins', merged['n_bins'], 2, 'the FFT size')
    if merged['output_type'] != 'spectrum' and not 1 <= merged['window_length'] <= merged['n_bins']:
        raise ValueError(
            f'window_length must be between 1 and n_bins = {merged["n_bins"]}, got {merged["window_length"]}.'
        )
    checkInteger('hop_length', merged['hop_length'], 1)
    checkInteger('n_mels', merged['n_mels'], 1)
    nyquist = np.inf if sample_rate is None else sample_rate / 2
    if not 0.0 <= merged['f_min'] < nyquist:
        raise ValueError(f'f_min must be ≥ 0 Hz and < sample_rate / 2 = {nyquist} Hz, got {merged["f_min"]}.')
    if merged['f_max'] is not None and not merged['f_min'] < merged['f_max'] <= nyquist:
        raise ValueError(
            f'f_max must be > f_min = {merged["f_min"]} Hz and ≤ sample_rate / 2 = {nyquist} Hz (or None for '
            f'sample_rate / 2), got {merged["f_max"]}.'
        )
    if merged['output_type'] == 'spectrum' and merged['f_min'] <= 0.0:
        raise ValueError("output_type 'spectrum' spaces its bands logarithmically: f_min must be > 0 Hz, got 0.")
    return cast(RepresentationSettings, dict(sorted(merged.items())))


def _validSampleRate(sample_rate: object) -> int:
    """`sample_rate` as an int, or raise if it is not a positive integer (Hz)."""
    return checkInteger('sample_rate', sample_rate, 1, 'Hz')


def _hzToMel(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """HTK mel scale: m = 2595·log10(1 + f / 700)."""
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _melToHz(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Inverse of the HTK mel scale: f = 700·(10^(m / 2595) − 1)."""
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def melFilterbank(sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float) -> torch.Tensor:
    """HTK mel filterbank without area normalisation, shape (n_fft // 2 + 1, n_mels), float32, on the CPU.

    Column j is the triangle rising from the j-th to the (j + 1)-th and falling to the (j + 2)-th of n_mels + 2
    frequencies equally spaced on the HTK mel scale from f_min to f_max (Hz), with peak 1, evaluated at the FFT bin
    frequencies linspace(0, sample_rate / 2, n_fft // 2 + 1). Equal to torchaudio's melscale_fbanks(norm=None,
    mel_scale='htk') and to librosa's filters.mel(htk=True, norm=None).T (computed in float64, rounded to float32).
    """
    sample_rate = _validSampleRate(sample_rate)
    if n_fft < 2 or n_mels < 1:
        raise ValueError(f'n_fft must be ≥ 2 and n_mels ≥ 1, got n_fft = {n_fft}, n_mels = {n_mels}.')
    if not 0.0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f'Need 0 ≤ f_min < f_max ≤ sample_rate / 2 (Hz), got f_min = {f_min}, f_max = {f_max}.')
    bins = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    mel_min, mel_max = _hzToMel(np.array([f_min, f_max], dtype=np.float64))
    return _triangles(bins, _melToHz(np.linspace(mel_min, mel_max, n_mels + 2)))


def logBands(
    sample_rate: int, n_fft: int, n_bands: int, f_min: float, f_max: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Triangular bands equally spaced in log frequency over an n_fft-point real FFT, as sparse taps.

    Band j rises from the j-th to the (j + 1)-th and falls to the (j + 2)-th of n_bands + 2 frequencies
    geomspace(f_min, f_max) (Hz), with peak 1, evaluated at the FFT bin frequencies k·sample_rate / n_fft. Returns
    (indices int64, weights float32), both (K, n_bands): band j is Σ_k weights[k, j] · power[indices[k, j]], its
    nonzero bins in ascending order, padded with weight 0 to the widest band's K. (Weights computed in float64.)
    """
    sample_rate = _validSampleRate(sample_rate)
    if n_fft < 2 or n_bands < 1:
        raise ValueError(f'n_fft must be ≥ 2 and n_bands ≥ 1, got n_fft = {n_fft}, n_bands = {n_bands}.')
    if not 0.0 < f_min < f_max <= sample_rate / 2:
        raise ValueError(f'Need 0 < f_min < f_max ≤ sample_rate / 2 (Hz), got f_min = {f_min}, f_max = {f_max}.')
    points = np.geomspace(f_min, f_max, n_bands + 2)
    step = sample_rate / n_fft
    first = np.floor(points[:-2] / step).astype(np.int64) + 1  # the first bin above each band's lower foot
    last = np.minimum(np.ceil(points[2:] / step).astype(np.int64) - 1, n_fft // 2)  # the last below its upper foot
    width = int(max(1, (last - first + 1).max()))
    bins = first[None, :] + np.arange(width)[:, None]  # (K, n_bands)
    frequency = bins * step
    rising = (frequency - points[None, :-2]) / (points[1:-1] - points[:-2])
    falling = (points[None, 2:] - frequency) / (points[2:] - points[1:-1])
    weights = np.clip(np.minimum(rising, falling), 0.0, None)
    valid = bins <= last[None, :]
    weights[~valid] = 0.0
    indices = np.where(valid, bins, first[None, :].clip(max=n_fft // 2))
    return torch.from_numpy(indices), torch.from_numpy(weights.astype(np.float32))


def spectrumFFTSize(length: int, sample_rate: int, n_bands: int, f_min: float, f_max: float) -> int:
    """The FFT size of output_type 'spectrum': the smallest power of two ≥ `length` (samples) whose bin spacing
    sample_rate / n_fft is at most the rise of the lowest band, f_min·((f_max / f_min)^(1 / (n_bands + 1)) − 1) Hz,
    so that every band spans at least one FFT bin on each side of its centre."""
    rise = f_min * ((f_max / f_min) ** (1.0 / (n_bands + 1)) - 1.0)
    return 1 << max(1, math.ceil(math.log2(max(length, sample_rate / rise) - 1e-9)))


def _triangles(bins: npt.NDArray[np.float64], points: npt.NDArray[np.float64]) -> torch.Tensor:
    """Triangles with peak 1 at points[1:-1], feet at the neighbouring points, evaluated at `bins`: (bins, points − 2).
    Computed in float64, rounded to float32."""
    widths = np.diff(points)
    offsets = points[None, :] - bins[:, None]  # (bins, n + 2)
    rising = -offsets[:, :-2] / widths[:-1]
    falling = offsets[:, 2:] / widths[1:]
    return torch.from_numpy(np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32))


def _sparseBands(filterbank: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(indices, weights), both (K, n_mels): band j sums weights[k, j] · bin indices[k, j] over k = 0, 1, …, K − 1.

    The nonzero bins of each band are listed in ascending order, padded with weight 0 to the widest band's K.
    """
    n_mels = filterbank.shape[1]
    columns = [torch.nonzero(filterbank[:, j]).flatten() for j in range(n_mels)]
    width = max(1, *(len(c) for c in columns))
    indices = torch.zeros((n_mels, width), dtype=torch.int64)
    weights = torch.zeros((n_mels, width), dtype=torch.float32)
    for j, column in enumerate(columns):
        indices[j, : len(column)] = column
        weights[j, : len(column)] = filterbank[column, j]
    return indices.T.contiguous(), weights.T.contiguous()


_ALIAS_REJECTION = 180.0
"""dB: stopband attenuation of each halving filter of 'spectrum' (`_halfband`): what the decimation folds onto a band
is attenuated to 10⁻⁹ of its amplitude, below the rounding of a float32 FFT."""


def _halfbandLength(sample_rate: float, f_top: float) -> int:
    """The number of taps (≡ 3 mod 4) of a `_halfband` filter at sample_rate (Hz) passing 0…f_top and stopping
    sample_rate / 2 − f_top…sample_rate / 2 (Kaiser's estimate for _ALIAS_REJECTION dB); 0 if f_top ≥ rate / 4."""
    transition = sample_rate / 2.0 - 2.0 * f_top  # Hz
    if transition <= 0.0:
        return 0
    taps = math.ceil((_ALIAS_REJECTION - 7.95) / (2.285 * 2.0 * math.pi * transition / sample_rate)) + 1
    return 4 * math.ceil((taps - 3) / 4) + 3


def _halfband(length: int) -> npt.NDArray[np.float64]:
    """A halfband lowpass of `length` (≡ 3 mod 4) taps, float64: sinc(n / 2) / 2 in a Kaiser window (n = −c…c, c odd),
    exactly 0 at the even n ≠ 0, scaled to a DC gain of 1. Its response is symmetric about a quarter of the rate."""
    c = (length - 1) // 2
    n = np.arange(-c, c + 1)
    h = 0.5 * np.sinc(n / 2.0) * np.kaiser(length, 0.1102 * (_ALIAS_REJECTION - 8.7))
    h[(n % 2 == 0) & (n != 0)] = 0.0
    return np.asarray(h / h.sum(), dtype=np.float64)


def _halve(x: npt.NDArray[np.float64], h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The even samples of the full convolution h * x, (⌈(len(x) + len(h) − 1) / 2⌉,) float64, for a `_halfband` h:
    its even taps convolved with x's even samples, plus its centre tap times x's odd samples, delayed."""
    c = (len(h) - 1) // 2  # odd: the centre tap is the only nonzero odd one
    y = np.convolve(x[0::2], h[0::2])  # Σ_j h[2j] x[2m − 2j]
    odd = x[1::2]
    y[(c + 1) // 2 : (c + 1) // 2 + len(odd)] += h[c] * odd  # h[c] x[2m − c]
    return y


def _spectrumDecimation(length: int, sample_rate: int, n_fft: int, f_top: float) -> list[int]:
    """The lengths of the halving filters (`_halfbandLength`) that 'spectrum' decimates a `length`-sample waveform
    with, one per halving of the rate; f_top (Hz) is the highest frequency a band reads. As many stages as minimise
    the filters' multiply-adds, Σ_s (length / 2^s) · (taps_s + 3) / 2, plus the cost of the (n_fft / D)-point rfft,
    (n_fft / D) · log2(n_fft / D), D = 2^stages; [] (the n_fft-point rfft of the waveform) when none is cheaper."""
    best: list[int] = []
    best_cost = n_fft * math.log2(n_fft)
    stages: list[int] = []
    filtering, rate = 0.0, float(sample_rate)
    while len(stages) < 8 and n_fft >> (len(stages) + 1) >= 2:
        taps = _halfbandLength(rate, f_top)
        if taps == 0:
            break
        stages.append(taps)
        filtering += length / 2 ** len(stages) * (taps + 3) / 2
        rate /= 2.0
        size = n_fft >> len(stages)
        cost = filtering + size * math.log2(size)
        if cost < best_cost:
            best, best_cost = list(stages), cost
    return best


class _SpectrumPlan:
    """The bands of output_type 'spectrum' for waveforms of one length: `logBands` over the power of the n_fft-point
    rfft of the zero-padded waveform, read from the shorter FFT of the waveform decimated by D = 2^stages.

    Decimating x circularly filtered by h (both n_fft long) gives a signal whose (n_fft / 2)-point DFT is, at bin k,
    ½ (H[k] X[k] + H[k + n_fft / 2] X[k + n_fft / 2]) (H, X: the n_fft-point DFTs of h and x). With h a lowpass
    whose stopband begins at sample_rate / 2 − f_top, the second term of every bin a band reads (≤ f_top) is
    attenuated by _ALIAS_REJECTION dB. After the stages (`_spectrumDecimation`), the (n_fft / D)-point DFT Y of the
    decimated signal gives |X[k]|² = D² |Y[k]|² / Π_s |H_s[k]|²: the same bins of the same spectrum, no interpolation.
    Each stage is the full convolution at half the rate (`_halve`); what lies beyond n_fft / D at the end is folded
    onto the start, the circular filtering the zero-padded DFT implies. D² / Π_s |H_s[k]|² and the band weights are
    one sparse (n_bands, bins) matrix. Everything is float64 and runs on one thread.
    """

    def __init__(self, length: int, sample_rate: int, n_fft: int, n_bands: int, f_min: float, f_max: float) -> None:
        """Waveforms of `length` samples at sample_rate (Hz); `logBands`(sample_rate, n_fft, n_bands, f_min, f_max)."""
        indices, weights = logBands(sample_rate, n_fft, n_bands, f_min, f_max)
        keep = (weights > 0).numpy()
        bins = indices.numpy()[keep]
        band = np.broadcast_to(np.arange(n_bands), keep.shape)[keep]
        self.low, self.high = int(bins.min()), int(bins.max()) + 1  # the bins the bands read: [low, high)
        f_top = (self.high - 1) * sample_rate / n_fft
        self.filters = [_halfband(taps) for taps in _spectrumDecimation(length, sample_rate, n_fft, f_top)]
        self.decimation = 2 ** len(self.filters)
        self.size = n_fft // self.decimation  # the FFT size of the decimated signal
        gain = np.full(self.high - self.low, float(self.decimation) ** 2)  # D² / Π_s |H_s[k]|²
        for s, h in enumerate(self.filters):
            response = scipy.fft.rfft(h, n=n_fft >> s)[self.low : self.high]  # H_s at the rate of stage s
            gain /= response.real**2 + response.imag**2
        values = weights.numpy()[keep].astype(np.float64) * gain[bins - self.low]
        self.matrix = scipy.sparse.csr_array((values, (band, bins - self.low)), shape=(n_bands, self.high - self.low))
        self.matrix.sum_duplicates()
        self.matrix.sort_indices()  # each band sums its bins in ascending order

    def __call__(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """One waveform (L,) float32 → its bands (n_bands,) float64."""
        y = x.astype(np.float64)
        for h in self.filters:
            y = _halve(y, h)
        if len(y) > self.size:  # fold what lies beyond the DFT's period onto its start
            folded = y[: self.size].copy()
            for start in range(self.size, len(y), self.size):
                tail = y[start : start + self.size]
                folded[: len(tail)] += tail
            y = folded
        spectrum = scipy.fft.rfft(y, n=self.size)[self.low : self.high]
        return np.asarray(self.matrix @ (spectrum.real**2 + spectrum.imag**2), dtype=np.float64)


_PLANS = 8  # 'spectrum' plans kept per InputRepresentation (one per waveform length; ≈ 1.5 MB each)


class InputRepresentation:
    """Transforms waveforms into network inputs according to `settings` (see `RepresentationSettings`)."""

    sample_rate: int
    settings: RepresentationSettings

    def __init__(self, sample_rate: int, settings: RepresentationSettings | Mapping[str, Any] = {}) -> None:  # noqa: B006
        """sample_rate: Hz. settings: partial settings; `self.settings` holds all of them, defaults filled in."""
        self.sample_rate = _validSampleRate(sample_rate)
        self.settings = _validSettings(settings, self.sample_rate)
        self._filterbanks: dict[int, torch.Tensor] = {}
        self._bands: dict[tuple[torch.device, int], tuple[torch.Tensor, torch.Tensor]] = {}
        self._plans: dict[tuple[int, int], _SpectrumPlan] = {}

    @property
    def f_max(self) -> float:
        """The highest frequency of the filterbank (Hz): settings['f_max'], or sample_rate / 2 when that is None."""
        f_max = self.settings['f_max']
        return self.sample_rate / 2 if f_max is None else f_max

    @property
    def filterbank(self) -> torch.Tensor:
        """The mel filterbank of these settings, (n_bins // 2 + 1, n_mels), float32, CPU; built on first use."""
        return self.filterbankFor(self.settings['n_bins'])

    def filterbankFor(self, n_fft: int) -> torch.Tensor:
        """The mel filterbank over an n_fft-point FFT, (n_fft // 2 + 1, n_mels), float32, CPU, cached."""
        if n_fft not in self._filterbanks:
            s = self.settings
            self._filterbanks[n_fft] = melFilterbank(self.sample_rate, n_fft, s['n_mels'], s['f_min'], self.f_max)
        return self._filterbanks[n_fft]

    @overload
    @staticmethod
    def normalise(waveform: torch.Tensor) -> torch.Tensor: ...
    @overload
    @staticmethod
    def normalise(waveform: npt.NDArray[Any]) -> npt.NDArray[Any]: ...
    @staticmethod
    def normalise(waveform: torch.Tensor | npt.NDArray[Any]) -> torch.Tensor | npt.NDArray[Any]:
        """Peak normalisation along the last axis: x / max|x| per item (dtype kept); an all-zero item stays zero."""
        if isinstance(waveform, torch.Tensor):
            peak = waveform.abs().amax(dim=-1, keepdim=True)
            return waveform / torch.where(peak > 0, peak, torch.ones_like(peak))
        array = np.asarray(waveform)
        peak_array = np.abs(array).max(axis=-1, keepdims=True)
        result: npt.NDArray[Any] = array / np.where(peak_array > 0, peak_array, np.ones_like(peak_array))
        return result

    @staticmethod
    def transformShape(data_length: int, settings: RepresentationSettings | Mapping[str, Any]) -> tuple[int, ...]:
        """Shape of the transform of data_length samples: (L,), (n_bins // 2 + 1, frames), (n_mels, frames) or, for
        'spectrum', (n_bins,).

        frames = 1 + L // hop_length (for an odd n_bins, 1 + (L − 1) // hop_length), as torch.stft(center=True).
        Missing settings take their defaults; raises like the constructor, and if L is too short for the reflect
        padding of 'fft' and 'mel' (L ≤ n_bins // 2).
        """
        s = _validSettings(settings, None)
        L = checkCount('data_length', data_length, 1, 'samples')
        if s['output_type'] == 'end2end':
            return (L,)
        if s['output_type'] == 'spectrum':
            return (s['n_bins'],)
        n_fft, hop = s['n_bins'], s['hop_length']
        if L <= n_fft // 2:
            raise ValueError(
                f"output_type '{s['output_type']}' needs waveforms of at least n_bins // 2 + 1 = {n_fft // 2 + 1} "
                f'samples (reflect padding of the centred STFT), got {L}.'
            )
        frames = 1 + (L + 2 * (n_fft // 2) - n_fft) // hop
        return (s['n_bins'] // 2 + 1 if s['output_type'] == 'fft' else s['n_mels'], frames)

    def transform(self, waveform: torch.Tensor | npt.NDArray[Any]) -> torch.Tensor:
        """One waveform (L,) of any real dtype → X float32 of shape `transformShape(L, settings)`, on its device.

        Bit-identical to the same row of `transformBatch` of any batch containing it.
        """
        x = self._asFloat32(waveform)
        if x.dim() != 1:
            raise ValueError(f'transform expects one waveform of shape (L,), got shape {tuple(x.shape)}.')
        return self._transform(x[None])[0]

    def transformBatch(self, waveforms: torch.Tensor | npt.NDArray[Any]) -> torch.Tensor:
        """Waveforms (B, L) of any real dtype → X float32 of shape (B, *transformShape(L, settings)), on their device.

        One torch.stft call on the batch ('spectrum': one `_SpectrumPlan` call per row). Row b equals
        `transform(waveforms[b])` bit for bit, whatever the batch and the number of threads: the FFT of a frame does
        not depend on the other frames, the power is |re|² + |im|² and the mel bands are summed bin by bin in a fixed
        order with elementwise ops (no BLAS matmul, whose rounding varies with the thread count); 'spectrum' runs
        row by row on one thread.
        """
        x = self._asFloat32(waveforms)
        if x.dim() != 2:
            raise ValueError(f'transformBatch expects waveforms of shape (B, L), got shape {tuple(x.shape)}.')
        return self._transform(x)

    @staticmethod
    def _asFloat32(waveform: torch.Tensor | npt.NDArray[Any]) -> torch.Tensor:
        """A new float32 tensor of `waveform` (a real array or tensor), on its device."""
        if isinstance(waveform, torch.Tensor):
            if waveform.is_complex() or waveform.dtype == torch.bool:
                raise TypeError(f'Waveforms must be real numbers, got dtype {waveform.dtype}.')
            return waveform.detach().to(dtype=torch.float32, copy=True)
        array = np.asarray(waveform)
        if array.dtype.kind not in 'fiu':
            raise TypeError(f'Waveforms must be real numbers, got dtype {array.dtype}.')
        return torch.from_numpy(np.array(array, dtype=np.float32))

    def _transform(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L) float32 → (B, *shape) float32."""
        s = self.settings
        shape = self.transformShape(x.shape[-1], s)  # also checks the length
        if s['output_type'] == 'spectrum':
            return self._spectrum(x)
        if s['normalise_input']:
            x = self.normalise(x)
        if s['output_type'] == 'end2end':
            return x
        window = torch.hann_window(s['window_length'], periodic=True, dtype=torch.float32, device=x.device)
        spectrum = torch.stft(
            x,
            n_fft=s['n_bins'],
            hop_length=s['hop_length'],
            win_length=s['window_length'],
            window=window,
            center=True,
            pad_mode='reflect',
            normalized=False,
            onesided=True,
            return_complex=True,
        )
        power = spectrum.real.square() + spectrum.imag.square()  # separate elementwise ops: no fused rounding
        if s['output_type'] == 'fft':
            return power.contiguous()  # torch.stft returns a (B, F, T) view of (B, T, F) memory
        bins_first = power.permute(1, 0, 2).contiguous()  # (F, B, T): each band gathers whole rows
        indices, weights = self._deviceBands(x.device, s['n_bins'])
        mel = torch.zeros((shape[0], x.shape[0], shape[1]), dtype=torch.float32, device=x.device)
        for k in range(indices.shape[0]):
            mel += bins_first.index_select(0, indices[k]) * weights[k, :, None, None]
        return mel.permute(1, 0, 2).contiguous()

    def _spectrum(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L) float32 → (B, n_bins) float32 on x's device: the power of the zero-padded rfft of each whole
        waveform (size `spectrumFFTSize`) summed over each log-frequency band (`logBands`), computed row by row by a
        `_SpectrumPlan` (float64, on the CPU; the plans of the last _PLANS lengths are kept)."""
        s = self.settings
        length = x.shape[-1]
        n_fft = spectrumFFTSize(length, self.sample_rate, s['n_bins'], s['f_min'], self.f_max)
        plan = self._plans.pop((length, n_fft), None)
        if plan is None:
            plan = _SpectrumPlan(length, self.sample_rate, n_fft, s['n_bins'], s['f_min'], self.f_max)
            while len(self._plans) >= _PLANS:
                del self._plans[next(iter(self._plans))]  # the least recently used
        self._plans[length, n_fft] = plan
        rows = x.cpu().numpy()
        if s['normalise_input']:
            rows = self.normalise(rows)  # in float32, as torch does it, without torch's thread pool
        out = np.empty((len(rows), s['n_bins']), dtype=np.float32)
        for b, row in enumerate(rows):
            out[b] = plan(row)
        return torch.from_numpy(out).to(x.device)

    def _deviceBands(self, device: torch.device, n_fft: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The sparse mel bands (`_sparseBands` of the filterbank) on `device`, cached."""
        if (device, n_fft) not in self._bands:
            indices, weights = _sparseBands(self.filterbankFor(n_fft))
            self._bands[device, n_fft] = (indices.to(device), weights.to(device))
        return self._bands[device, n_fft]
