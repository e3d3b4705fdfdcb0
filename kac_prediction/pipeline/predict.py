"""Inference: the labels of drums heard in audio files, from a checkpoint of a SpectrumCRePE routine (also
OutlineCRePE's, whose predictions add the drum's `outline`).

    predictor = loadPredictor('model/<run id>')          # a run directory (its best checkpoint) or a .pt file
    predictor.predictFiles(['a.wav', 'b.flac'])          # [{'file': 'a.wav', 'drum_size': 0.73}, …]

Any audio `soundfile` reads is accepted: any sample rate, mono or multichannel, any length. `prepareAudio` turns it
into what the network was trained on: mono at the training sample rate, starting at the strike, as long as the
training items (see its docstring for the exact rule).
"""

import math
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from tqdm import tqdm

from ..architecture import OutlineCRePE, SpectrumCRePE
from ..dataset.input_representation import InputRepresentation
from .checkpoints import CheckpointError, bestCheckpoint, loadCheckpoint
from .load_model import loadModel
from .plots import maskOutline

__all__ = ['ONSET_THRESHOLD', 'Predictor', 'loadPredictor', 'maskOutline', 'prepareAudio']

ONSET_THRESHOLD = 1e-3
"""The onset is the first sample whose magnitude exceeds this fraction of the waveform's peak magnitude."""
_NEAR_ZERO = 1e-6  # a sample this small relative to the peak counts as a zero when backing off from the onset
_BATCH_SIZE = 64


def _positiveInt(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f'{name} must be a positive integer, got {value!r}')
    return int(value)


def _asFloat(waveform: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """float64 copy; integer PCM is scaled to [−1, 1) (unsigned integers centred first)."""
    array = np.asarray(waveform)
    if array.dtype.kind == 'i':
        return array.astype(np.float64) / 2.0 ** (8 * array.dtype.itemsize - 1)
    if array.dtype.kind == 'u':
        half = 2.0 ** (8 * array.dtype.itemsize - 1)
        return (array.astype(np.float64) - half) / half
    if array.dtype.kind != 'f':
        raise ValueError(f'audio must hold real numbers (float or integer PCM), got dtype {array.dtype}')
    return array.astype(np.float64)


def prepareAudio(waveform: npt.ArrayLike, sample_rate: int, target_rate: int, length: int) -> npt.NDArray[np.float64]:
    """Audio of any rate, channel count and length → the mono waveform (length,) float64 a model was trained on.

    1. waveform (L,) or (L, C), float or integer PCM (scaled to [−1, 1)): mixed down to the mean of the channels.
    2. Resampled from sample_rate to target_rate (Hz) with `scipy.signal.resample_poly`, up / down being the reduced
       fraction target_rate / sample_rate (nothing is done when they are equal).
    3. Aligned on the onset, as the training items start at the strike: the onset is the first sample whose
       magnitude exceeds ONSET_THRESHOLD (10⁻³) times the peak magnitude; the waveform then starts at the first
       sample of the half-cycle holding the onset, i.e. just after the last sample before the onset that is near
       zero (magnitude ≤ 10⁻⁶ × peak) or of the opposite sign (0 when there is none). Leading silence or low-level
       noise is thus dropped, and a signal that already starts at its strike keeps its start.
    4. Trimmed to `length` samples, or zero-padded at the end to it.

    ValueError for empty, silent or non-finite audio, a shape other than (L,) or (L, C), or rates and lengths that
    are not positive integers.
    """
    sample_rate = _positiveInt('sample_rate', sample_rate)
    target_rate = _positiveInt('target_rate', target_rate)
    length = _positiveInt('length', length)
    x = _asFloat(waveform)
    if x.ndim == 2:
        if x.shape[1] == 0:
            raise ValueError('the audio has no channels')
        x = x.mean(axis=1)
    elif x.ndim != 1:
        raise ValueError(f'audio must have shape (samples,) or (samples, channels), got {x.shape}')
    if x.size == 0:
        raise ValueError('the audio is empty (no samples)')
    if not np.isfinite(x).all():
        raise ValueError('the audio holds non-finite samples (NaN or inf)')
    if not np.any(x):
        raise ValueError('the audio is silent (every sample is zero)')
    if sample_rate != target_rate:
        from scipy.signal import resample_poly

        divisor = math.gcd(target_rate, sample_rate)
        x = np.asarray(resample_poly(x, target_rate // divisor, sample_rate // divisor), dtype=np.float64)
    magnitude = np.abs(x)
    peak = float(magnitude.max())
    if not peak > 0:
        raise ValueError('the audio is silent after resampling')
    onset = int(np.argmax(magnitude > ONSET_THRESHOLD * peak))
    before = x[:onset]
    breaks = np.flatnonzero((magnitude[:onset] <= _NEAR_ZERO * peak) | (np.sign(before) != np.sign(x[onset])))
    start = int(breaks[-1]) + 1 if len(breaks) else 0
    x = x[start : start + length]
    return np.pad(x, (0, length - len(x))) if len(x) < length else x.copy()


def _readAudio(path: str | os.PathLike[str]) -> tuple[npt.NDArray[np.float64], int]:
    """(samples (L, C) float64, sample rate) of an audio file; ValueError naming it when soundfile cannot read it."""
    import soundfile as sf

    try:
        data, rate = sf.read(os.fspath(path), dtype='float64', always_2d=True)
    except (RuntimeError, TypeError) as error:  # soundfile.LibsndfileError is a RuntimeError
        raise ValueError(f'cannot read {os.fspath(path)} as audio: {error}') from error
    return np.asarray(data, dtype=np.float64), int(rate)


class Predictor:
    """A trained SpectrumCRePE and what its inputs must be: turns waveforms and audio files into labels. For an
    OutlineCRePE the predictions also hold `outline` ([[x, y], …] in m, `maskOutline`).

    Attributes: model (eval mode), checkpoint (the file loaded), labels, representation_settings, sample_rate (Hz),
    duration (s), length (samples: ⌈duration · sample_rate⌉, as the samplers), sampler_name (the drums it learnt).
    """

    def __init__(
        self,
        model: SpectrumCRePE,
        representation_settings: Mapping[str, Any],
        sample_rate: int,
        duration: float,
        sampler_name: str,
        checkpoint: str | os.PathLike[str] = '',
    ) -> None:
        self.model = model.eval()
        self.checkpoint = Path(checkpoint)
        self.labels: list[str] = list(model.labels)
        self.representation = InputRepresentation(sample_rate, representation_settings)
        if self.representation.settings['output_type'] != 'spectrum':
            raise ValueError(
                f"SpectrumCRePE reads output_type 'spectrum', but the checkpoint's representation is "
                f'{self.representation.settings["output_type"]!r}'
            )
        self.representation_settings: dict[str, Any] = dict(self.representation.settings)
        self.sample_rate = int(sample_rate)
        self.duration = float(duration)
        self.length = math.ceil(self.duration * self.sample_rate - 1e-9)
        self.sampler_name = sampler_name

    def inputs(self, waveform: npt.ArrayLike, sample_rate: int) -> torch.Tensor:
        """The network input (n_bins,) float32 of a waveform (L,) or (L, C) at sample_rate (`prepareAudio`)."""
        prepared = prepareAudio(waveform, sample_rate, self.sample_rate, self.length)
        return self.representation.transform(prepared)

    def readInputs(self, paths: Sequence[str | os.PathLike[str]], progressbar: bool = True) -> torch.Tensor:
        """The network inputs (len(paths), n_bins) of audio files. Every path is checked before any is read:
        FileNotFoundError for a missing one; ValueError naming a file that is unreadable, empty or silent."""
        for path in paths:
            if not os.path.isfile(path):
                raise FileNotFoundError(f'no audio file at {os.fspath(path)}')
        rows = []
        for path in tqdm(paths, desc='Reading audio', unit=' files', disable=not progressbar):
            data, rate = _readAudio(path)
            try:
                rows.append(self.inputs(data, rate))
            except ValueError as error:
                raise ValueError(f'{os.fspath(path)}: {error}') from error
        if not rows:
            return torch.zeros((0, self.representation_settings['n_bins']), dtype=torch.float32)
        return torch.stack(rows)

    def predictInputs(self, X: torch.Tensor) -> list[dict[str, Any]]:
        """Labels in physical units of network inputs X (N, n_bins), in batches: [{label: value}, …] (plus
        'outline' for an OutlineCRePE)."""
        device = self.model.label_mean.device
        results: list[dict[str, Any]] = []
        for k in range(0, len(X), _BATCH_SIZE):
            predicted = self.model.predict(X[k : k + _BATCH_SIZE].to(device))
            columns = [predicted[label].cpu().tolist() for label in self.labels]
            rows: list[dict[str, Any]] = [
                dict(zip(self.labels, row, strict=True)) for row in zip(*columns, strict=True)
            ]
            if 'mask' in predicted:
                for row, mask in zip(rows, predicted['mask'].cpu().numpy(), strict=True):
                    row['outline'] = maskOutline(mask, row['drum_size'])
            results.extend(rows)
        return results

    def predictWaveform(self, waveform: npt.ArrayLike, sample_rate: int) -> dict[str, Any]:
        """The labels {label: value} in physical units of one waveform (L,) or (L, C) at sample_rate (Hz)."""
        return self.predictInputs(self.inputs(waveform, sample_rate)[None])[0]

    def predictFiles(self, paths: Sequence[str | os.PathLike[str]], progressbar: bool = True) -> list[dict[str, Any]]:
        """[{'file': path, label: value, …}, …] for audio files in any format soundfile reads (see `readInputs`
        for the errors); a tqdm bar over the files unless progressbar is False."""
        X = self.readInputs(paths, progressbar)
        return [{'file': os.fspath(path), **labels} for path, labels in zip(paths, self.predictInputs(X), strict=True)]


def loadPredictor(path: str | os.PathLike[str], map_location: str | torch.device = 'cpu') -> Predictor:
    """A Predictor from a checkpoint of a SpectrumCRePE routine (e.g. size_of_circular_drum) or of an OutlineCRePE
    one (shape_of_polygonal_drum): a run directory (its best checkpoint, `bestCheckpoint`) or a checkpoint file.

    FileNotFoundError if there is nothing at `path`; CheckpointError (a ValueError) if the file is not a checkpoint,
    holds another model, or lacks the dataset settings (representation, sample rate, duration) the input needs.
    """
    location = Path(path)
    if location.is_dir():
        file = bestCheckpoint(location)
    elif location.is_file():
        file = location
    else:
        raise FileNotFoundError(f'no checkpoint at {location} (neither a checkpoint file nor a run directory)')
    checkpoint = loadCheckpoint(file, required_keys=('run_info', 'model_state_dict'))
    run_info: Any = checkpoint['run_info']
    model_info = run_info.get('model') if isinstance(run_info, dict) else None
    name = model_info.get('name') if isinstance(model_info, dict) else None
    classes: dict[str, type[SpectrumCRePE]] = {'SpectrumCRePE': SpectrumCRePE, 'OutlineCRePE': OutlineCRePE}
    if name not in classes:
        raise CheckpointError(
            f'{file} holds {"a " + str(name) if name else "a model of unrecorded class"}: predict needs a checkpoint '
            'of a SpectrumCRePE or OutlineCRePE routine, such as size_of_circular_drum, dim_of_rectangular_drum or '
            'shape_of_polygonal_drum'
        )
    dataset: Any = checkpoint.get('dataset')
    dataset = dataset if isinstance(dataset, dict) else {}
    sampler_settings = dataset.get('sampler_settings') if isinstance(dataset.get('sampler_settings'), dict) else {}
    representation = dataset.get('representation_settings')
    sample_rate, duration = sampler_settings.get('sample_rate'), sampler_settings.get('duration')
    if not isinstance(representation, dict) or sample_rate is None or duration is None:
        raise CheckpointError(
            f"{file} lacks the dataset's representation_settings or its sampler_settings' sample_rate and duration, "
            'which the input of the model needs'
        )
    sampler = dataset.get('sampler')
    sampler_name = str(sampler.get('name', '')) if isinstance(sampler, dict) else str(sampler or '')
    del checkpoint
    model = loadModel(classes[str(name)], file, map_location=map_location)
    return Predictor(model, representation, int(sample_rate), float(duration), sampler_name, file)
