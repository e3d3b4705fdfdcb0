"""Predictor: the labels of drums heard in audio, from a checkpoint of a SpectrumCRePE routine (also OutlineCRePE's,
whose predictions add the drum's `outline`, in m at the predicted or, for transit_time models, sized drum_size).

    predictor = loadPredictor('model/<run id>')          # a run directory (its best checkpoint) or a .pt file
    predictor.predictFiles(['a.wav', 'b.flac'])          # [{'file': 'a.wav', 'drum_size': 0.73}, …]
    predictor.predictFiles(['a.wav'], with_warnings=True)   # [{'file': 'a.wav', 'drum_size': 0.73, 'warnings': []}]

Any audio `soundfile` reads is accepted: any sample rate from 1 to 768 kHz, mono or multichannel, any length;
`readAudioExcerpt` (audio.py) reads the part the network hears, in memory bounded whatever the file's length, and
turns it into what the network was trained on. Audio too poor for the network to mean anything (too quiet, too short,
mostly below its lowest band, clipped: `audioWarnings`) gives an InputQualityWarning per problem; with
`with_warnings=True` each result also lists them under 'warnings'.
"""

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from tqdm import tqdm

from ..architecture import OutlineCRePE, OutlineLocator, SpectrumCRePE, SpectrumLabels, SpectrumLocator
from ..dataset.input_representation import InputRepresentation
from ..pipeline.checkpoints import CheckpointError, bestCheckpoint, loadCheckpoint
from ..pipeline.load_model import loadModel
from .audio import AudioExcerpt, InputQualityWarning, audioExcerpt, audioWarnings, readAudioExcerpt
from .outline import maskOutline

__all__ = ['DEFAULT_WAVE_SPEED', 'Predictor', 'loadPredictor']

DEFAULT_WAVE_SPEED = 100.0
"""m/s: the samplers' default material (2000 N/m, 0.2 kg/m²), assumed when a transit_time checkpoint is given no
wave speed."""

_BATCH_SIZE = 64
_CHUNK_BYTES = 1 << 24  # excerpts held at once by readFiles before they are transformed


class Predictor:
    """A trained SpectrumCRePE (or SpectrumLocator) and what its inputs must be: turns waveforms and audio files into
    labels. For an outline network the predictions also hold `outline` ([[x, y], …] in m, `maskOutline`).

    Attributes: model (eval mode), checkpoint (the file loaded), labels, representation_settings, sample_rate (Hz),
    duration (s), length (samples: ⌈duration · sample_rate⌉, as the samplers), sampler_name (the drums it learnt).
    """

    def __init__(
        self,
        model: SpectrumLabels,
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
                f"{type(model).__name__} reads output_type 'spectrum', but the checkpoint's representation is "
                f'{self.representation.settings["output_type"]!r}'
            )
        self.representation_settings: dict[str, Any] = dict(self.representation.settings)
        self.sample_rate = int(sample_rate)
        self.duration = float(duration)
        self.length = math.ceil(self.duration * self.sample_rate - 1e-9)
        self.sampler_name = sampler_name

    def inputs(self, waveform: npt.ArrayLike, sample_rate: int) -> torch.Tensor:
        """The network input (n_bins,) float32 of a waveform (L,) or (L, C) at sample_rate (`prepareAudio`)."""
        return self.representation.transform(
            audioExcerpt(waveform, sample_rate, self.sample_rate, self.length).waveform
        )

    def _checked(self, excerpt: AudioExcerpt) -> tuple[torch.Tensor, list[str]]:
        """The network input (n_bins,) float32 of a prepared excerpt, and the quality warnings of it."""
        f_min = float(self.representation_settings['f_min'])
        return self.representation.transform(excerpt.waveform), audioWarnings(excerpt, f_min)

    def readFiles(
        self, paths: Sequence[str | os.PathLike[str]], progressbar: bool = True
    ) -> tuple[torch.Tensor, list[list[str]]]:
        """The network inputs (len(paths), n_bins) float32 of audio files, and each file's quality warnings
        (`audioWarnings`; none is issued). Every path is checked before any is read: FileNotFoundError for a missing
        one; ValueError naming a file that is unreadable, empty, silent or of an absurd sample rate; MemoryError
        naming the file being read. The excerpts are transformed a chunk of files at a time (`transformBatch`, the
        same X as one by one), in memory bounded by _CHUNK_BYTES whatever the number of files."""
        for path in paths:
            if not os.path.isfile(path):
                raise FileNotFoundError(f'no audio file at {os.fspath(path)}')
        f_min = float(self.representation_settings['f_min'])
        chunk = max(1, _CHUNK_BYTES // (8 * self.length))  # excerpts (float64) per transformBatch
        rows, found, waveforms = [], [], []
        for path in tqdm(paths, desc='Reading audio', unit=' files', disable=not progressbar):
            try:
                excerpt = readAudioExcerpt(path, self.sample_rate, self.length)
                found.append(audioWarnings(excerpt, f_min))
                waveforms.append(excerpt.waveform)
                if len(waveforms) == chunk:
                    rows.append(self.representation.transformBatch(np.stack(waveforms)))
                    waveforms = []
            except MemoryError as error:
                raise MemoryError(f'out of memory reading {os.fspath(path)}: {error}') from error
        if waveforms:
            rows.append(self.representation.transformBatch(np.stack(waveforms)))
        if not rows:
            return torch.zeros((0, self.representation_settings['n_bins']), dtype=torch.float32), found
        return torch.cat(rows), found

    def readInputs(self, paths: Sequence[str | os.PathLike[str]], progressbar: bool = True) -> torch.Tensor:
        """The network inputs (len(paths), n_bins) float32 of audio files (`readFiles`), issuing an
        InputQualityWarning 'PATH: problem' for each quality warning."""
        X, found = self.readFiles(paths, progressbar)
        _warn(paths, found)
        return X

    def sized(self, result: dict[str, Any], wave_speed: float | None = None) -> dict[str, Any]:
        """`result` with drum_size (m) = wave_speed (m/s) × transit_time (s) and 'wave_speed', 'wave_speed_source'
        ('given' or 'training default', DEFAULT_WAVE_SPEED) when the model predicts transit_time (a realistic
        routine's); otherwise `result` unchanged. Sound fixes only size / wave speed: the size needs c."""
        if 'transit_time' not in result:
            return result
        source = 'given' if wave_speed is not None else 'training default'
        c = float(wave_speed) if wave_speed is not None else DEFAULT_WAVE_SPEED
        if not (math.isfinite(c) and c > 0):
            raise ValueError(f'wave_speed must be a positive number of m/s, got {wave_speed!r}.')
        return {**result, 'drum_size': c * float(result['transit_time']), 'wave_speed': c, 'wave_speed_source': source}

    def predictInputs(self, X: torch.Tensor, wave_speed: float | None = None) -> list[dict[str, Any]]:
        """Labels in physical units of network inputs X (N, n_bins), in batches: [{label: value}, …] (plus
        'outline' for an outline network; plus drum_size, wave_speed and its source for a transit_time model, `sized`:
        wave_speed in m/s, default DEFAULT_WAVE_SPEED with a UserWarning)."""
        if 'transit_time' in self.labels and wave_speed is None:
            warnings.warn(
                f'no wave_speed given: drum_size assumes the training default {DEFAULT_WAVE_SPEED:g} m/s '
                "(sound fixes only size / wave speed; give the membrane's c = sqrt(tension / density))",
                UserWarning,
                stacklevel=2,
            )
        device = self.model.label_mean.device
        results: list[dict[str, Any]] = []
        for k in range(0, len(X), _BATCH_SIZE):
            predicted = self.model.predict(X[k : k + _BATCH_SIZE].to(device))
            columns = [predicted[label].cpu().tolist() for label in self.labels]
            rows: list[dict[str, Any]] = [
                dict(zip(self.labels, row, strict=True)) for row in zip(*columns, strict=True)
            ]
            rows = [self.sized(row, wave_speed) for row in rows]
            if 'mask' in predicted:  # the outline in m, at drum_size (sized first for a transit_time model)
                for row, mask in zip(rows, predicted['mask'].cpu().numpy(), strict=True):
                    row['outline'] = maskOutline(mask, row['drum_size'])
            results.extend(rows)
        return results

    def predictWaveform(
        self, waveform: npt.ArrayLike, sample_rate: int, with_warnings: bool = False, wave_speed: float | None = None
    ) -> dict[str, Any]:
        """The labels {label: value} in physical units of one waveform (L,) or (L, C) at sample_rate (Hz). Issues an
        InputQualityWarning per quality warning (`audioWarnings`); with_warnings adds them as 'warnings': [str].
        wave_speed (m/s): turns a predicted transit_time into drum_size (`sized`)."""
        x, messages = self._checked(audioExcerpt(waveform, sample_rate, self.sample_rate, self.length))
        _warn(['waveform'], [messages])
        result = self.predictInputs(x[None], wave_speed)[0]
        return {**result, 'warnings': messages} if with_warnings else result

    def predictFiles(
        self,
        paths: Sequence[str | os.PathLike[str]],
        progressbar: bool = True,
        with_warnings: bool = False,
        wave_speed: float | None = None,
    ) -> list[dict[str, Any]]:
        """[{'file': path, label: value, …}, …] for audio files in any format soundfile reads (see `readFiles` for
        the errors); a tqdm bar over the files unless progressbar is False. Issues an InputQualityWarning
        'PATH: problem' per quality warning; with_warnings adds each file's as 'warnings': [str] ([] for none).
        wave_speed (m/s): turns a predicted transit_time into drum_size (`sized`)."""
        X, found = self.readFiles(paths, progressbar)
        _warn(paths, found)
        predicted = self.predictInputs(X, wave_speed)
        results = [{'file': os.fspath(path), **labels} for path, labels in zip(paths, predicted, strict=True)]
        if with_warnings:
            for result, messages in zip(results, found, strict=True):
                result['warnings'] = messages
        return results


def _warn(names: Sequence[str | os.PathLike[str]], found: Sequence[Sequence[str]]) -> None:
    """warnings.warn('NAME: problem', InputQualityWarning) for each problem of each item, attributed to the caller
    of the Predictor method."""
    for name, messages in zip(names, found, strict=True):
        for message in messages:
            warnings.warn(f'{os.fspath(name)}: {message}', InputQualityWarning, stacklevel=3)


def loadPredictor(path: str | os.PathLike[str], map_location: str | torch.device = 'cpu') -> Predictor:
    """A Predictor from a checkpoint of a SpectrumCRePE routine (e.g. size_of_circular_drum) or of an outline network
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
    classes: dict[str, type[SpectrumLabels]] = {
        'SpectrumCRePE': SpectrumCRePE, 'SpectrumLocator': SpectrumLocator, 'OutlineCRePE': OutlineCRePE,
        'OutlineLocator': OutlineLocator,
    }  # fmt: skip
    if name not in classes:
        raise CheckpointError(
            f'{file} holds {"a " + str(name) if name else "a model of unrecorded class"}: predict needs a checkpoint '
            'of a SpectrumCRePE, SpectrumLocator, OutlineCRePE or OutlineLocator routine, such as '
            'size_of_circular_drum, dim_of_rectangular_drum or shape_of_polygonal_drum'
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
