"""The recording chain: a clean waveform as a microphone in a room records it.

Order, at the recording's sample rate: resample → room (convolution with its impulse response) → colouration →
clipping → onset delay → noise → gain → (optionally) resample to `output_rate`. So the SNR is measured on the signal
the microphone delivers, the leading silence holds noise, and the gain sets the peak of the final recording exactly.

Lengths: an input of L samples at rate r becomes ceil(L · R / r) samples at the recording's rate R (the same
duration): the room's tail and whatever the delay pushes past the end are cut. With output_rate, the result has
ceil(L · output_rate / r) samples: fixed for a fixed input length, as training needs.
"""

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.signal

from ._signal import checkSampleRate, checkWaveform
from .bank import RoomBank
from .colouration import colour
from .delay import delayOnset
from .draw import drawRecording
from .levels import applyGain, clip
from .noise import addNoise
from .resampling import resample, resampledLength
from .rooms import Room, roomImpulseResponse
from .seeds import recordingRNG
from .settings import Recording, RecordingSettings

__all__ = ['Recorded', 'applyRecording', 'record']


class Recorded(NamedTuple):
    """waveform: (n,) float64; sample_rate: its rate in Hz; recording: what was drawn."""

    waveform: npt.NDArray[np.float64]
    sample_rate: int
    recording: Recording


def _impulseResponse(room: Room, rate: int, bank: RoomBank | None) -> npt.NDArray[np.float64]:
    if room.bank_index is None:
        return roomImpulseResponse(room, rate)
    if bank is None:
        raise ValueError(f'recording.room is room {room.bank_index} of a bank: pass that bank as bank.')
    if room.bank_index >= len(bank) or bank.rooms[room.bank_index] != room:
        raise ValueError(f'recording.room is not room {room.bank_index} of this bank: pass the bank it was drawn from.')
    return bank.impulseResponse(room.bank_index, rate)


def applyRecording(
    waveform: npt.ArrayLike,
    sample_rate: int,
    recording: Recording,
    bank: RoomBank | None = None,
    output_rate: int | None = None,
) -> tuple[npt.NDArray[np.float64], int]:
    """(y, rate): waveform (L,) at sample_rate (Hz) recorded as `recording` says (module docstring for the order and
    lengths); y float64, rate = output_rate or recording.sample_rate. Deterministic: the noise comes from
    recording.noise_seed. bank: required when the room came from a bank. Without one, the room is simulated here
    (`rooms.roomImpulseResponse`, up to seconds)."""
    x = checkWaveform('waveform', waveform)
    rate_in = checkSampleRate('sample_rate', sample_rate)
    if not isinstance(recording, Recording):
        raise ValueError(f'recording must be a Recording, got {type(recording).__name__}.')
    rate = checkSampleRate('recording.sample_rate', recording.sample_rate)
    if not np.any(x) and (recording.noise_colour is not None or recording.peak_dbfs is not None):
        raise ValueError('waveform is silent (all zeros): it has no signal-to-noise ratio nor peak level to set.')
    y = resample(x, rate_in, rate)
    if recording.room is not None:
        h = np.trim_zeros(_impulseResponse(recording.room, rate, bank)[: y.size], 'b')  # a bank pads with zeros
        y = np.asarray(scipy.signal.fftconvolve(y, h)[: y.size], dtype=np.float64)
    if recording.bands or recording.lowpass_hz is not None:
        y = colour(y, rate, recording.bands, recording.lowpass_hz)
    if recording.clip_drive_db is not None:
        y = clip(y, recording.clip_drive_db)
    if recording.delay_samples:
        y = delayOnset(y, recording.delay_samples)
    if recording.noise_colour is not None:
        if recording.snr_db is None:
            raise ValueError('recording.snr_db must be a number when recording.noise_colour is set.')
        noise_rng = np.random.default_rng(recording.noise_seed)
        y = addNoise(y, rate, recording.snr_db, recording.noise_colour, noise_rng)  # type: ignore[arg-type]
    if recording.peak_dbfs is not None:
        y = applyGain(y, recording.peak_dbfs)
    if output_rate is None:
        return y, rate
    out_rate = checkSampleRate('output_rate', output_rate)
    length = resampledLength(x.size, rate_in, out_rate)
    out = np.zeros(length)
    resampled = resample(y, rate, out_rate)[:length]
    out[: resampled.size] = resampled
    return out, out_rate


def record(
    waveform: npt.ArrayLike,
    sample_rate: int,
    seed: int,
    item: int = 0,
    epoch: int = 0,
    settings: RecordingSettings | None = None,
    bank: RoomBank | None = None,
    output_rate: int | None = None,
) -> Recorded:
    """Draw how `item` is recorded in `epoch` (`drawRecording` with `seeds.recordingRNG(seed, item, epoch)`; settings
    default `RecordingSettings()`) and apply it (`applyRecording`). The same (seed, item, epoch) gives bit-identical
    output, whatever the batch or worker."""
    settings = RecordingSettings() if settings is None else settings
    recording = drawRecording(settings, recordingRNG(seed, item, epoch), sample_rate, bank)
    y, rate = applyRecording(waveform, sample_rate, recording, bank, output_rate)
    return Recorded(y, rate, recording)
