"""Robustness: a checkpoint's errors on held-out drums heard under conditions it was not trained for, beside
predicting the training mean and the physics-only baseline on the same audio (docs/architecture.md,
"The recording chain").

    from kac_prediction.inference.robustness import evaluateRobustness, robustnessTable
    rows = evaluateRobustness('model/<run id>', n_drums=100)
    print(robustnessTable(rows))

Checkpoints: of BesselModel circles (size_of_circular_drum), PoissonModel rectangles (dim_of_rectangular_drum) or
FDTDModel convex polygons (shape_of_polygonal_drum), of drum_size or of transit_time (`realistic: true`).

Held-out drums: the checkpoint's sampler and settings (`checkpoint['dataset']`) with `seed` in place of the training
seed (a different seed is a different, independent random stream: `samplers.itemRNG`; the same seed is refused),
so the drums come from the training distribution but were never heard. Drum d is item d·k + (d mod k), k =
strikes_per_drum: one strike per drum, at the centre for one drum in k (as in training), elsewhere at random. Every
drum's first strike is at its centre, so a model trained with k = 1 heard centre strikes only and is scored on them;
`off_centre=True` scores every model on strikes anywhere but the centre: drum d is item d·k' + 1 + (d mod (k' − 1)),
k' = max(k, 2) (the same drums, other strikes: `heldOutItems`).

Conditions (`CONDITIONS`, key → printed name); every draw is seeded by (seed, item, the condition's own epoch), so a
table does not depend on which other conditions run:
- clean: the drums as rendered.
- snr30, snr20, snr10: + white, pink or brown noise (drawn per item) at exactly 30 / 20 / 10 dB SNR over the whole
  clip (`acoustics.addNoise` through `acoustics.record`).
- room: convolved with a room of T30 0.2–0.8 s drawn per item from a bank of `n_rooms` rooms (`acoustics.roomBank`,
  seeded by `seed`, cached as .npy in `cache_dir`).
- realistic: the whole default recording chain (`acoustics.RecordingSettings()`: room, colouration, onset delay,
  10–40 dB noise, level, 44.1 or 48 kHz).
- material: wave speeds beyond training's: c drawn per drum in [0.4·c_min, 2.4·c_max] of training's (40–240 m/s for
  the default 100 m/s), by a tension range at training's density. A model of `drum_size` cannot know c and is scored
  as it is; a model of `transit_time` is scored with the true c. FDTD polygons take longer at low c (a finer grid,
  nodes ∝ 1/c²): a 0.3-m drum of 0.5 s at 48 kHz takes ≈ 0.18 s at 100 m/s, 0.35 s at 40 m/s and 1 s at 24 m/s
  (0.4 × the realistic routine's 60 m/s) on 2 CPU cores.
- rate: rendered by the sampler at 44.1 kHz (48 kHz if trained at 44.1), which the Predictor resamples.
- fdtd (circles only): `FDTDModel` circles (arbitrary_shape 'Circle') of the same diameter range and membrane,
  rendered by finite differences on a grid instead of from Bessel modes; `n_fdtd` drums at most (≈ 1 s each).
  Polygon checkpoints are FDTD-rendered already: every condition but this one applies (≈ 0.1–0.5 s per drum).

Scores per condition: RMSE of drum_size in cm (and of aspect_ratio for rectangles) of the model, of the mean of the
training dataset's labels (`trainingMeans`: the first `dataset_size` items of the training sampler and seed, labels
only, nothing rendered), and of the physics-only baseline (`physics.circleSizeFromSound` / `rectangleFromSound` /
Weyl's law, `physics.weylArea`, for polygons: drum_size = √area, on the same degraded audio, given each drum's true
c), whose failures (NaN) are counted and left out of its RMSE; noise rarely makes it fail outright: it reads a noise
peak as the fundamental, so the estimates more than 10 % off the true size are counted too. Polygons (an outline network
checkpoint) add the mean outline-mask IoU of the model (its mask thresholded at 0.5, against the true outline's mask
in the canonical frame, on the model's grid: `inference.outline.outlineMasks`,
`pipeline.metrics.maskIoU`) and of the mean training mask (`trainingMeanMask`, from the same training labels).
"""

import dataclasses
import math
import os
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import torch
from tqdm import tqdm

from .. import samplers
from .._checks import checkCount
from ..acoustics import RecordingSettings, RoomBank, record, roomBank
from ..architecture import OutlineOutputs
from ..dataset.format import decodeSettings
from ..physics import circleSizeFromSound, rectangleFromSound, weylArea
from ..pipeline.checkpoints import loadCheckpoint
from ..pipeline.metrics import maskIoU
from ..samplers import AudioSampler, BesselModel, FDTDModel, PoissonModel
from .outline import outlineMasks
from .predictor import Predictor, loadPredictor

__all__ = [
    'CONDITIONS',
    'EVALUATION_SEED',
    'HeldOut',
    'evaluateRobustness',
    'heldOutItems',
    'renderCondition',
    'robustnessTable',
    'trainingMeanMask',
    'trainingMeans',
]

EVALUATION_SEED = 1_000_003  # the held-out drums' default seed (refused if it is the training seed)
CONDITIONS: dict[str, str] = {
    'clean': 'clean',
    'snr30': 'noise 30 dB',
    'snr20': 'noise 20 dB',
    'snr10': 'noise 10 dB',
    'room': 'room RT60 0.2–0.8 s',
    'realistic': 'realistic',
    'material': 'wider material',
    'rate': 'other sample rate',
    'fdtd': 'FDTD-rendered',
}
_EPOCH = {key: k for k, key in enumerate(CONDITIONS)}  # each condition's own draws: record(..., epoch=_EPOCH[key])
_SNR = {'snr30': 30.0, 'snr20': 20.0, 'snr10': 10.0}
_RT60 = (0.2, 0.8)
_METHODS = {'BesselModel': 'circle', 'PoissonModel': 'rectangle', 'FDTDModel': 'weyl'}
_POLYGON = 'ConvexPolygon'  # the FDTDModel shape robustness accepts (shape_of_polygonal_drum's)
_MAX_MEAN_ITEMS = 100_000  # training items whose labels give the mean-only prediction


@dataclasses.dataclass(frozen=True)
class HeldOut:
    """Held-out drums as a condition delivers them. waveforms: N arrays (L_i,) float64, each at rates[i] Hz;
    drum_size: (N,) m, the true size as the checkpoint's label means it (the diameter for circles, √area for
    polygons); wave_speed: (N,) m/s, each drum's c; aspect_ratio: (N,) Lx/Ly for rectangles, else None; vertices: N
    outlines (n_k, 2) in the canonical frame for polygons, else None."""

    waveforms: list[npt.NDArray[np.float64]]
    rates: list[int]
    drum_size: npt.NDArray[np.float64]
    wave_speed: npt.NDArray[np.float64]
    aspect_ratio: npt.NDArray[np.float64] | None
    vertices: list[npt.NDArray[np.float64]] | None = None


def _conditionKey(name: str) -> str:
    for key, printed in CONDITIONS.items():
        if name in (key, printed):
            return key
    raise ValueError(f'unknown condition {name!r}: choose from {", ".join(CONDITIONS)}.')


def _sampler(dataset: Mapping[str, Any]) -> tuple[type[AudioSampler], dict[str, Any]]:
    """The training sampler's class and settings (decoded) from a checkpoint's 'dataset' entry."""
    sampler = dataset.get('sampler')
    name = str(sampler.get('name', '')) if isinstance(sampler, Mapping) else str(sampler or '')
    if name not in _METHODS:
        raise ValueError(
            f'robustness needs a checkpoint trained on BesselModel, PoissonModel or FDTDModel convex-polygon drums '
            f'(size_of_circular_drum, dim_of_rectangular_drum, shape_of_polygonal_drum), got sampler '
            f'{name or "unrecorded"!r}.'
        )
    settings = dataset.get('sampler_settings')
    if not isinstance(settings, Mapping) or 'seed' not in settings:
        raise ValueError("the checkpoint's dataset lacks sampler_settings with the training seed.")
    if name == 'FDTDModel' and settings.get('arbitrary_shape', _POLYGON) != _POLYGON:
        raise ValueError(
            f'robustness scores FDTDModel checkpoints of arbitrary_shape {_POLYGON!r} (shape_of_polygonal_drum), got '
            f'{settings["arbitrary_shape"]!r}.'
        )
    return getattr(samplers, name), decodeSettings(settings)


def _first(labels: Mapping[str, Any], name: str) -> float:
    return float(np.ravel(labels[name])[0])


def _trainingLabels(dataset: Mapping[str, Any], grid_size: int = 0) -> tuple[dict[str, float], torch.Tensor]:
    """`trainingMeans` and, with a grid_size > 0 (polygons), `trainingMeanMask` ((0, 0) without), from one pass over
    the labels."""
    Sampler, settings = _sampler(dataset)
    sampler = Sampler(**settings)
    count = min(int(dataset.get('dataset_size') or 1500), _MAX_MEAN_ITEMS)
    names = ['drum_size'] + (['aspect_ratio'] if Sampler is PoissonModel else [])
    sums = dict.fromkeys(names, 0.0)
    mask = torch.zeros((grid_size, grid_size), dtype=torch.float64)
    for i in range(count):
        sampler.updateProperties(i)  # the labels only: FDTDModel renders nothing until asked for audio
        labels = sampler.getLabels()
        for name in names:
            sums[name] += _first(labels, name)
        if grid_size:
            mask += outlineMasks([labels['vertices']], grid_size)[0]
    return {name: total / count for name, total in sums.items()}, mask / count


def trainingMeans(dataset: Mapping[str, Any]) -> dict[str, float]:
    """The mean-only prediction: {label: mean} of drum_size (m) and, for rectangles, aspect_ratio over the first
    min(dataset_size, 100 000) items of the training sampler with the training seed (their labels only; the whole
    dataset, of which the training split is a random 70 %)."""
    return _trainingLabels(dataset)[0]


def trainingMeanMask(dataset: Mapping[str, Any], grid_size: int) -> torch.Tensor:
    """The mean-only outline of a polygon checkpoint: the mean occupancy (G, G) float64 in [0, 1] of the masks of the
    same training items as `trainingMeans` (`outlineMasks` of their canonical vertices, labels only), G = grid_size.
    ValueError for a sampler whose drums have no vertices (not FDTDModel)."""
    Sampler, _ = _sampler(dataset)
    if Sampler is not FDTDModel:
        raise ValueError(f'the mean outline mask needs an FDTDModel polygon checkpoint, got {Sampler.__name__}.')
    return _trainingLabels(dataset, checkCount('grid_size', grid_size, 4, 'cells per side of the mask'))[1]


def _waveSpeedRange(settings: Mapping[str, Any]) -> tuple[tuple[float, float], float]:
    """Training's (c_min, c_max) in m/s and its density (kg/m²; the geometric mean of a range)."""
    t = np.ravel(np.asarray(settings.get('tension', 2000.0), dtype=np.float64))[[0, -1]]
    rho = np.ravel(np.asarray(settings.get('material_density', 0.2), dtype=np.float64))[[0, -1]]
    return (math.sqrt(t[0] / rho[1]), math.sqrt(t[1] / rho[0])), math.sqrt(float(rho[0] * rho[1]))


def _fdtdCircles(settings: Mapping[str, Any], seed: int) -> FDTDModel:
    """FDTDModel circles with BesselModel settings: diameters D → drum_size √area = D·√π/2; the same membrane,
    decay, strike pulse and listening point (a polar point becomes canonical x, y, the radius being 1); a point
    strike (strike_width 0) becomes a sub-grid one of 1 mm."""
    low, high = np.ravel(np.asarray(settings.get('drum_size', (0.1, 2.0)), dtype=np.float64))[[0, -1]]
    root = math.sqrt(math.pi) / 2.0
    polar = settings.get('listening_location')
    listening: tuple[float, float] | Literal['random'] | None = 'random' if isinstance(polar, str) else None
    if polar is not None and not isinstance(polar, str):
        r, theta = float(polar[0]), float(polar[1])
        listening = (r * math.cos(theta), r * math.sin(theta))
    keys = ('decay_frequency_high', 'decay_time', 'decay_time_high', 'material_density', 'strike_duration', 'tension')
    shared = {key: settings[key] for key in keys if key in settings}
    return FDTDModel(
        duration=float(settings['duration']),
        sample_rate=int(settings['sample_rate']),
        amplitude=float(settings.get('amplitude', 1.0)),
        arbitrary_shape='Circle',
        drum_size=(float(low) * root, float(high) * root),
        listening_location=listening,
        seed=seed,
        strike_width=float(settings.get('strike_width', 0.0)) or 1e-3,
        strikes_per_drum=int(settings.get('strikes_per_drum', 5)),
        **shared,
    )


def _roomBank(seed: int, rate: int, n_rooms: int, cache_dir: str | os.PathLike[str] | None) -> RoomBank:
    folder = Path(tempfile.gettempdir()) / 'kac_prediction-robustness' if cache_dir is None else Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return roomBank(n_rooms, seed, rate, RecordingSettings(), path=folder / f'rooms-{seed}-{rate}-{n_rooms}.npy')


def heldOutItems(n_drums: int, strikes_per_drum: int, off_centre: bool = False) -> list[int]:
    """The sampler items of held-out drums 0 … n_drums − 1, one strike each, for a sampler of strikes_per_drum = k:
    d·k + (d mod k), the centre strike (each drum's first) for one drum in k; with off_centre, d·k + 1 + (d mod
    (k − 1)), never the centre (k ≥ 2 required: ValueError otherwise)."""
    if off_centre and strikes_per_drum < 2:
        raise ValueError('off-centre strikes need a sampler of strikes_per_drum ≥ 2 (its first strike is central).')
    k = strikes_per_drum
    return [d * k + 1 + d % (k - 1) if off_centre else d * k + d % k for d in range(n_drums)]


def renderCondition(
    dataset: Mapping[str, Any],
    condition: str,
    n_drums: int,
    seed: int = EVALUATION_SEED,
    bank: RoomBank | None = None,
    n_fdtd: int = 20,
    off_centre: bool = False,
) -> HeldOut:
    """n_drums held-out drums (min(n_drums, n_fdtd) for 'fdtd') of a checkpoint's `dataset` entry under `condition`
    (a key or printed name of `CONDITIONS`; module docstring). bank: rooms for 'room' and 'realistic' (required
    there; `roomBank(n, seed, rate, RecordingSettings())`). off_centre: strike no drum at its centre (a sampler of
    at least 2 strikes per drum; module docstring). ValueError for the training seed, an unknown condition, 'fdtd'
    of a sampler other than BesselModel."""
    key = _conditionKey(condition)
    Sampler, settings = _sampler(dataset)
    count = checkCount('n_drums', n_drums, 1, 'drums')
    if checkCount('seed', seed, 0) == int(settings['seed']):
        raise ValueError(f'seed {seed} is the training seed: held-out drums need another one.')
    rate = int(settings['sample_rate'])
    if off_centre and int(settings.get('strikes_per_drum', 2)) < 2:  # unrecorded: the sampler's default (≥ 2)
        settings['strikes_per_drum'] = 2
    held = {**settings, 'seed': seed}
    sampler: AudioSampler
    if key == 'material':
        (c_min, c_max), density = _waveSpeedRange(settings)
        wide = (0.4 * c_min, 2.4 * c_max)
        held |= {'material_density': density, 'tension': (wide[0] ** 2 * density, wide[1] ** 2 * density)}
        sampler = Sampler(**held)
    elif key == 'rate':
        rate = 48000 if rate == 44100 else 44100
        sampler = Sampler(**{**held, 'sample_rate': rate})
    elif key == 'fdtd':
        if Sampler is not BesselModel:
            raise ValueError("the 'fdtd' condition renders circles: it needs a BesselModel checkpoint.")
        count = min(count, checkCount('n_fdtd', n_fdtd, 1, 'drums'))
        sampler = _fdtdCircles(settings, seed)
    else:
        sampler = Sampler(**held)
    indices = heldOutItems(count, int(getattr(sampler, 'strikes_per_drum', 1)), off_centre)
    clean, labels = sampler.generateBatch(indices)
    size = np.array([_first(y, 'drum_size') for y in labels])
    if key == 'fdtd':
        size = 2.0 * size / math.sqrt(math.pi)  # √area → diameter
    speed = np.array([_first(y, 'wave_speed') for y in labels])
    aspect = np.array([_first(y, 'aspect_ratio') for y in labels]) if Sampler is PoissonModel else None
    polygons = Sampler is FDTDModel
    vertices = [np.asarray(y['vertices'], dtype=np.float64) for y in labels] if polygons else None
    waveforms, rates = list(clean), [rate] * count
    recording: RecordingSettings | None = None
    if key in _SNR:
        recording = RecordingSettings.off(snr_db=(_SNR[key], _SNR[key]))
    elif key == 'room':
        recording = RecordingSettings.off(rt60=_RT60)
    elif key == 'realistic':
        recording = RecordingSettings()
    if recording is not None:
        if recording.rt60 is not None and bank is None:
            raise ValueError(f'the {key!r} condition needs a room bank: pass bank.')
        waveforms, rates = [], []
        for item, x in zip(indices, clean, strict=True):
            recorded = record(x, rate, seed, item, _EPOCH[key], recording, bank)
            waveforms.append(recorded.waveform)
            rates.append(recorded.sample_rate)
    return HeldOut(waveforms, rates, size, speed, aspect, vertices)


def _rmse(predicted: npt.NDArray[np.float64], true: npt.NDArray[np.float64]) -> float:
    keep = np.isfinite(predicted)
    return float(np.sqrt(np.mean((predicted[keep] - true[keep]) ** 2))) if np.any(keep) else math.nan


def _masks(predictor: Predictor, X: torch.Tensor) -> torch.Tensor:
    """The predicted outline masks (N, G, G), probabilities, of an outline network predictor's inputs X (N, n_bins)."""
    device = predictor.model.label_mean.device
    rows = [predictor.model.predict(X[k : k + 64].to(device))['mask'].cpu() for k in range(0, len(X), 64)]
    return torch.cat(rows)


def _score(
    predictor: Predictor,
    held: HeldOut,
    method: str,
    means: Mapping[str, float],
    mean_mask: torch.Tensor | None = None,
) -> dict[str, float | int | None]:
    """A row's numbers (sizes in cm; mask IoUs with an outline network predictor, a mean_mask (G, G) and held-out
    polygons) for one condition's drums."""
    X = torch.stack([predictor.inputs(x, r) for x, r in zip(held.waveforms, held.rates, strict=True)])
    with warnings.catch_warnings():  # transit_time: sized below with each drum's true c, not a default one
        warnings.filterwarnings('ignore', 'no wave_speed given', UserWarning)
        predictions = predictor.predictInputs(X)
    if 'drum_size' in predictor.labels:
        model_size = np.array([p['drum_size'] for p in predictions], dtype=np.float64)
    elif 'transit_time' in predictor.labels:
        model_size = held.wave_speed * np.array([p['transit_time'] for p in predictions], dtype=np.float64)
    else:
        raise ValueError(f'the model predicts {predictor.labels}: robustness needs drum_size or transit_time.')
    physics = np.full((len(held.waveforms), 2), math.nan)
    for row, (x, r, c) in enumerate(zip(held.waveforms, held.rates, held.wave_speed, strict=True)):
        if method == 'circle':
            physics[row] = (circleSizeFromSound(x, r, c), math.nan)
        elif method == 'rectangle':
            physics[row] = rectangleFromSound(x, r, c)
        else:  # Weyl's law: drum_size = √area; NaN stays NaN
            physics[row] = (math.sqrt(weylArea(x, r, c)[0]), math.nan)
    failed = ~np.isfinite(physics[:, 0])
    row_: dict[str, float | int | None] = {
        'n': len(held.waveforms),
        'model_rmse_cm': 100.0 * _rmse(model_size, held.drum_size),
        'mean_rmse_cm': 100.0 * _rmse(np.full_like(held.drum_size, means['drum_size']), held.drum_size),
        'physics_rmse_cm': 100.0 * _rmse(physics[:, 0], held.drum_size),
        'physics_failures': int(failed.sum()),
        'physics_off_10pct': int(
            np.sum(np.abs(physics[~failed, 0] - held.drum_size[~failed]) > 0.1 * held.drum_size[~failed])
        ),
    }
    if held.aspect_ratio is not None:
        model_aspect = np.array([p.get('aspect_ratio', math.nan) for p in predictions], dtype=np.float64)
        row_['model_aspect_rmse'] = _rmse(model_aspect, held.aspect_ratio)
        row_['mean_aspect_rmse'] = _rmse(np.full_like(held.aspect_ratio, means['aspect_ratio']), held.aspect_ratio)
        row_['physics_aspect_rmse'] = _rmse(physics[:, 1], held.aspect_ratio)
    if held.vertices is not None and mean_mask is not None and isinstance(predictor.model, OutlineOutputs):
        G = predictor.model.grid_size
        true = outlineMasks(held.vertices, G)
        row_['model_iou'] = float(maskIoU(_masks(predictor, X), true).mean())
        row_['mean_iou'] = float(maskIoU(mean_mask.expand(len(true), G, G), true).mean())
    return row_


def evaluateRobustness(
    checkpoint: str | os.PathLike[str],
    conditions: Sequence[str] | None = None,
    n_drums: int = 100,
    seed: int = EVALUATION_SEED,
    progressbar: bool = True,
    n_rooms: int = 16,
    n_fdtd: int = 20,
    cache_dir: str | os.PathLike[str] | None = None,
    off_centre: bool = False,
) -> list[dict[str, Any]]:
    """One row per condition (keys or printed names of `CONDITIONS`; default all that apply: 'fdtd' for circles
    only): {'condition' (printed name), 'key', 'n', 'model_rmse_cm', 'mean_rmse_cm', 'physics_rmse_cm',
    'physics_failures', 'physics_off_10pct', 'seconds'} (+ 'model_aspect_rmse', 'mean_aspect_rmse',
    'physics_aspect_rmse' for rectangles, + 'model_iou', 'mean_iou' (mean outline-mask IoUs) for polygons of an
    OutlineCRePE, + 'note'). checkpoint: a run directory or checkpoint file (`loadPredictor`). n_drums: held-out
    drums per condition (module docstring); seed: theirs, not the training seed. n_rooms: rooms in the bank ('room',
    'realistic'; cached in cache_dir, default <tmp>/kac_prediction-robustness). n_fdtd: FDTD drums at most.
    off_centre: strike no drum at its centre (module docstring). Deterministic: the same arguments give the same
    table (but 'seconds')."""
    predictor = loadPredictor(checkpoint)
    dataset: Any = loadCheckpoint(predictor.checkpoint, required_keys=('dataset',))['dataset']
    Sampler, settings = _sampler(dataset)
    method = _METHODS[Sampler.__name__]
    if conditions is None:
        keys = [key for key in CONDITIONS if key != 'fdtd' or Sampler is BesselModel]
    else:
        keys = [_conditionKey(name) for name in conditions]
    if not keys:
        raise ValueError('conditions is empty: name at least one of ' + ', '.join(CONDITIONS) + '.')
    grid_size = predictor.model.grid_size if isinstance(predictor.model, OutlineOutputs) and Sampler is FDTDModel else 0
    means, mean_mask = _trainingLabels(dataset, grid_size)
    bank = None
    if {'room', 'realistic'} & set(keys):
        bank = _roomBank(seed, int(settings['sample_rate']), checkCount('n_rooms', n_rooms, 1, 'rooms'), cache_dir)
    rows: list[dict[str, Any]] = []
    for key in tqdm(keys, desc='Conditions', unit=' conditions', disable=not progressbar):
        start = time.perf_counter()
        held = renderCondition(dataset, key, n_drums, seed, bank, n_fdtd, off_centre)
        row: dict[str, Any] = {'condition': CONDITIONS[key], 'key': key}
        if key == 'rate':
            row['condition'] = f'{held.rates[0] / 1000:g} kHz input'
        row |= _score(predictor, held, method, means, mean_mask if grid_size else None)
        if key == 'material' and 'drum_size' in predictor.labels:
            row['note'] = 'the model predicts drum_size for the training c; scored as it is'
        row['seconds'] = round(time.perf_counter() - start, 2)
        rows.append(row)
    return rows


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return 'n/a' if math.isnan(value) else f'{value:.{digits}f}'
    return str(value)


def robustnessTable(rows: Sequence[Mapping[str, Any]], markdown: bool = False) -> str:
    """The rows of `evaluateRobustness` as a text table (markdown: a GitHub table): condition, n, RMSE (cm) of
    model / mean-only / physics-only, physics failures and estimates > 10 % off (+ the aspect_ratio RMSEs for
    rectangles, + the mean outline-mask IoUs of model and mean-only for polygons)."""
    columns = [
        ('condition', 'condition', 0),
        ('n', 'n', 0),
        ('model_rmse_cm', 'model RMSE (cm)', 2),
        ('mean_rmse_cm', 'mean-only RMSE (cm)', 2),
        ('physics_rmse_cm', 'physics-only RMSE (cm)', 2),
        ('physics_failures', 'physics failures', 0),
        ('physics_off_10pct', 'physics > 10 % off', 0),
    ]
    if any('model_aspect_rmse' in row for row in rows):
        columns += [
            ('model_aspect_rmse', 'model ε RMSE', 3),
            ('mean_aspect_rmse', 'mean-only ε RMSE', 3),
            ('physics_aspect_rmse', 'physics-only ε RMSE', 3),
        ]
    if any('model_iou' in row for row in rows):
        columns += [('model_iou', 'model IoU', 3), ('mean_iou', 'mean-only IoU', 3)]
    cells = [[_cell(row.get(key, math.nan), digits) for key, _, digits in columns] for row in rows]
    headers = [header for _, header, _ in columns]
    if markdown:
        lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(['---'] + ['---:'] * (len(headers) - 1)) + '|']
        return '\n'.join(lines + ['| ' + ' | '.join(line) + ' |' for line in cells])
    widths = [max(len(h), *(len(line[k]) for line in cells)) for k, h in enumerate(headers)]
    lines = [
        '  '.join(h.ljust(w) if k == 0 else h.rjust(w) for k, (h, w) in enumerate(zip(headers, widths, strict=True)))
    ]
    for line in cells:
        lines.append(
            '  '.join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(line, widths, strict=True)))
        )
    return '\n'.join(lines)
