"""ShapeOfPolygonalDrum: hear the outline and the size of a convex polygonal drum (FDTDModel).

Drums: random convex polygons (Valtr, 3–10 vertices) of drum_size = sqrt(area) ~ U(0.15, 0.45) m, rendered by the
FDTD solver for 0.5 s at 48 kHz, struck and heard at the centroid (one strike per drum: every sound is a new drum).
Input: the power spectrum in 1024 log-spaced bands from 100 Hz to 10 kHz (the lowest resonance of these drums lies
above 150 Hz). Output (OutlineCRePE, or OutlineLocator with `architecture: locator`): ln(drum_size) and a 32 × 32
occupancy mask of the outline in the canonical pose of `normaliseConvexPolygon` (diameter along x spanning [−1, 1],
the largest quadrant up and right), the pose in which the sound cannot tell drums apart (rotations and reflections
sound the same). Metrics on the held-out test split: mask IoU (masks thresholded at 0.5) beside the mean training
mask's, size RMSE beside the mean size's and beside Weyl's law (area from the count of resonances) applied to the
same audio.

`realistic: true` (docs/architecture.md, "Training"; as the regression routines, routines/regression.py): drums of a
material range (`REALISTIC_SAMPLER`: wave speed 60–180 m/s, decays, stick hardness, random strike and listening
points), heard through the recording chain with a bank of `rooms` rooms cached in the dataset directory, each epoch
differently; the size label is then the scale-free `transit_time` = drum_size / wave_speed (s), which sound alone
fixes, learnt in ln space beside the mask. Metrics (`realisticOutlineMetrics`): on the recorded test split (fixed
conditions) and on its clean WAVs, with drum_size given each drum's true wave speed.
"""

import functools
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from .._checks import checkCount
from ..acoustics import RoomBank
from ..architecture import CRePE, OutlineOutputs, checkCRePESettings
from ..dataset.audio import readAudio
from ..dataset.augmented import RecordedDataset
from ..inference.outline import outlineMasks
from ..inference.plots import plotOutlines
from ..pipeline import Routine
from ..pipeline.distributed import isMain
from ..pipeline.metrics import maskIoU, regressionMetrics
from ..pipeline.physics_baseline import baselineRMSE, physicsBaseline
from ..pipeline.plots import plotScatter
from ..samplers import FDTDModel
from .initial_weights import initialWeights
from .regression import (
    REALISTIC_SAMPLER,
    addTransitTime,
    defaultDatasetDir,
    labelMatrix,
    outlineArchitecture,
    recordingBank,
    warnCentreStrikes,
)

__all__ = [
    'REPRESENTATION',
    'SAMPLER_SETTINGS',
    'ShapeOfPolygonalDrum',
    'defaultParameters',
    'outlineMasks',
    'realisticOutlineMetrics',
]

REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0, 'f_max': 10000.0}
SAMPLER_SETTINGS = {
    'arbitrary_shape': 'ConvexPolygon',
    'drum_size': (0.15, 0.45),
    'duration': 0.5,
    'sample_rate': 48000,
}


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routine's defaults, a short real run: 2000 drums (one strike each), 30 epochs, cosine schedule, a 32 × 32
    mask. The full run (scripts/config/local/shape_of_polygonal_drum.yaml) uses 20000 drums. realistic: a material
    range heard through the recording chain, from a bank of `rooms` rooms (module docstring)."""
    P = CRePE.ModelHyperParameters(
        batch_size=32, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=False,
        depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {
        **P, 'dataset_size': 2000, 'patience': 10, 'learning_rate_schedule': 'cosine', 'strikes_per_drum': 1,
        'grid_size': 32, 'realistic': False, 'rooms': 32, 'architecture': 'crepe', 'init_from': '',
        **changes,
    }  # fmt: skip


def ShapeOfPolygonalDrum(
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    overrides: Mapping[str, Any] | None = None,
    resume: str = '',
) -> dict[str, Any]:
    """Train and evaluate; returns the Routine's metrics plus `metrics`: {'mask': {'iou', 'iou_median',
    'baseline_iou'}, 'drum_size': {'mse', 'rmse', 'r2', 'baseline_rmse', 'physics_rmse', 'physics_median_error',
    'physics_failures'}} on the held-out test split (sizes in m). Parameters: `defaultParameters()` ← the YAML file
    at config_path ← `overrides` ← wandb.config. resume: a run directory (or run id in exports_dir) to continue
    from its last.pt (`Routine`). With P['realistic']: `REALISTIC_SAMPLER` drums, the recording chain, the size
    label transit_time (s) and `realisticOutlineMetrics` ('metrics' on the recorded test split, 'clean_metrics' on
    the clean one)."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config, resume=resume)
    routine.setParameters(defaultParameters(), config_path=config_path, overrides=overrides)
    if routine.P.get('dataset_name'):
        raise ValueError(
            'ShapeOfPolygonalDrum trains on FDTDModel drums generated locally (the official polygon dataset uses the '
            'original physics and pose); remove dataset_name from the configuration.'
        )
    G = checkCount('grid_size', routine.P['grid_size'], minimum=4, meaning='cells per side of the mask')
    checkCRePESettings(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'])
    realistic = bool(routine.P['realistic'])
    sampler_settings = {**SAMPLER_SETTINGS, 'strikes_per_drum': routine.P['strikes_per_drum']}
    if realistic:
        sampler_settings |= REALISTIC_SAMPLER  # FDTDModel takes every key of it (samplers/fdtd_model.py)
        warnCentreStrikes(routine.P)
    size_label = 'transit_time' if realistic else 'drum_size'
    build = functools.partial(
        outlineArchitecture(routine.P), routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'],
        routine.P['optimiser'], grid_size=G, size_label=size_label,
    )  # fmt: skip
    initial = initialWeights(build, '' if resume else routine.P['init_from'])  # checked before any data are made
    routine.importDataset(dataset_dir or defaultDatasetDir(FDTDModel, routine.P), LocalSampler=FDTDModel,
                          representation_settings=REPRESENTATION, sampler_settings=sampler_settings)  # type: ignore[arg-type]  # fmt: skip
    bank: RoomBank | None = None
    if realistic:
        addTransitTime(routine.D.Y)
        addTransitTime(routine.D.labels)
        rate = int(routine.D.sampler_settings['sample_rate'])
        bank = recordingBank(os.fspath(routine.D.dataset_dir), routine.P['rooms'], routine.P['seed'], rate)
        routine.setRecording(routine.P['seed'], None, bank)
    sizes = labelMatrix(routine.D.Y, [size_label])[:, 0]  # m, or s for transit_time
    vertices = [y['vertices'] for y in routine.D.labels]
    masks = outlineMasks(vertices, G)
    training, _, test = routine.splits
    model = build()
    if initial is not None:
        model.load_state_dict(initial)
    model.fitLabels(sizes[training].unsqueeze(1))
    routine.D.Y = list(model.encodeTargets(sizes, masks))
    routine.setModel(model)

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        y_hat = routine.M(x)
        loss = routine.M.testing_loss
        size, mask = model.criterion.parts(y_hat, y)
        loss['aggregate'] += model.criterion.combine(size, mask).item() / loop_length
        loss[size_label] = loss.get(size_label, 0.0) + size.item() / loop_length
        loss['mask'] = loss.get('mask', 0.0) + mask.item() / loop_length

    result = routine.train(innerTestingLoop)
    routine.M.eval()
    if realistic:
        return {**result, **realisticOutlineMetrics(routine, model, sizes, masks, vertices, bank)}
    X = routine.D.X
    predicted_sizes, predicted_masks = [], []
    with torch.no_grad():
        for k in range(0, len(test), 256):
            batch_sizes, batch_masks = model.decodeOutputs(model(X[test[k : k + 256]].to(routine.device)))
            predicted_sizes.append(batch_sizes.cpu())
            predicted_masks.append(batch_masks.cpu())
    P_sizes = torch.cat(predicted_sizes) if predicted_sizes else sizes[:0]
    P_masks = torch.cat(predicted_masks) if predicted_masks else masks[:0].float()
    iou = maskIoU(P_masks, masks[test])
    mean_mask = masks[training].float().mean(dim=0)
    baseline_iou = maskIoU(mean_mask.expand(len(test), G, G), masks[test])
    size = regressionMetrics(P_sizes[:, None], sizes[test][:, None], ['drum_size'], sizes[training].mean()[None])
    weyl = physicsBaseline(routine.D, test, 'weyl')['drum_size']
    physics = baselineRMSE(weyl, sizes[test].numpy())
    size['drum_size'].update({f'physics_{key}': value for key, value in physics.items()})
    mask_metrics = {
        'iou': float(iou.mean()) if len(test) else math.nan,
        'iou_median': float(iou.median()) if len(test) else math.nan,
        'baseline_iou': float(baseline_iou.mean()) if len(test) else math.nan,
    }
    print(f'held-out test split, {len(test)} drums')
    print(f'{"":<20}{"model":>10}{"mean-only":>12}{"physics (Weyl)":>16}')
    print(f'{"mask IoU":<20}{mask_metrics["iou"]:>10.3f}{mask_metrics["baseline_iou"]:>12.3f}{"—":>16}')
    s = size['drum_size']
    print(f'{"drum_size RMSE (m)":<20}{s["rmse"]:>10.4f}{s["baseline_rmse"]:>12.4f}{s["physics_rmse"]:>16.4g}')
    if physics['failures']:
        print(f'(Weyl found no estimate for {int(physics["failures"])} drums; its RMSE is over the others)')
    if isMain():  # scatter.png and outlines.png beside the checkpoints (and in wandb)
        run_dir = result['exports_dir']
        figures = {
            'scatter': plotScatter(
                sizes[test][:, None], P_sizes[:, None], ['drum_size'], os.path.join(run_dir, 'scatter.png')
            ),
            'outlines': plotOutlines(
                [vertices[i] for i in test],
                sizes[test],
                P_masks,
                P_sizes,
                os.path.join(run_dir, 'outlines.png'),
                iou=iou,
            ),
        }
        if routine.using_wandb:
            import wandb

            wandb.log({name: wandb.Image(os.fspath(path)) for name, path in figures.items()})
    return {**result, 'metrics': {'mask': mask_metrics, **size}}


def _predictOutlines(model: OutlineOutputs, X: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoded predictions of inputs X (N, ...) in batches of 256: (size label (N,), float64; masks (N, G, G))."""
    G = model.grid_size
    sizes, masks = [torch.zeros(0, dtype=torch.float64)], [torch.zeros((0, G, G))]
    with torch.no_grad():
        for k in range(0, len(X), 256):
            batch_sizes, batch_masks = model.decodeOutputs(model(X[k : k + 256].to(device)))
            sizes.append(batch_sizes.cpu())
            masks.append(batch_masks.cpu())
    return torch.cat(sizes), torch.cat(masks)


def _rms(error: Any) -> float:
    """The root mean square of an array of errors; NaN when it is empty."""
    return float(np.sqrt(np.mean(np.square(error)))) if np.size(error) else math.nan


def realisticOutlineMetrics(
    routine: Routine,
    model: OutlineOutputs,
    transit: torch.Tensor,
    masks: torch.Tensor,
    vertices: Sequence[Any],
    bank: RoomBank | None,
) -> dict[str, Any]:
    """Held-out figures of a realistic polygon run, printed and returned as {'metrics': on the test split recorded at
    FIXED_EPOCH, 'clean_metrics': on its clean WAVs}, as `regression.realisticMetrics`. Each holds 'mask' {'iou',
    'iou_median', 'baseline_iou' (the mean training mask's)}, 'transit_time' (s) {'mse', 'rmse', 'r2',
    'baseline_rmse', physics_*} and 'drum_size' (m) given each drum's true wave speed c: {'rmse': c × predicted
    transit_time against the true drum_size, 'baseline_rmse': c × the training mean of transit_time, physics_*:
    Weyl's law on the same audio with c = 1 m/s (`physicsSizes` 'weyl': transit_time), × c}. transit: (N,) s of
    every item; masks: (N, G, G) bool; vertices: N outlines in the canonical frame."""
    from ..physics.baselines import physicsSizes

    training, _, test = routine.splits
    D = routine.D
    G = model.grid_size
    rate = int(D.sampler_settings['sample_rate'])
    recorded = RecordedDataset(D, test, routine.P['seed'], None, bank)
    waveforms = {
        'recorded': np.stack([recorded.waveform(k) for k in range(len(test))]) if test else np.zeros((0, 1)),
        'clean': readAudio(D, test),
    }
    truth = labelMatrix(D.labels, ['drum_size', 'wave_speed'])[test].numpy()  # (N, 2): m, m/s
    mean = transit[training].mean()
    baseline_iou = maskIoU(masks[training].float().mean(dim=0).expand(len(test), G, G), masks[test])
    found: dict[str, Any] = {}
    shown: dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
    for name, audio in waveforms.items():
        X = recorded.representation.transformBatch(audio.astype(np.float32))
        predicted, predicted_masks = _predictOutlines(model, X, routine.device)
        iou = maskIoU(predicted_masks, masks[test])
        metrics: dict[str, dict[str, float]] = {
            'mask': {
                'iou': float(iou.mean()) if len(test) else math.nan,
                'iou_median': float(iou.median()) if len(test) else math.nan,
                'baseline_iou': float(baseline_iou.mean()) if len(test) else math.nan,
            },
            **regressionMetrics(predicted[:, None], transit[test][:, None], ['transit_time'], mean[None]),
        }
        size = predicted.numpy() * truth[:, 1]
        sizes = {'rmse': _rms(size - truth[:, 0]), 'baseline_rmse': _rms(float(mean) * truth[:, 1] - truth[:, 0])}
        if len(test):
            weyl = physicsSizes(audio, rate, 'weyl', 1.0)['drum_size']  # c = 1 m/s: transit_time, s
            metrics['transit_time'].update(
                {f'physics_{k}': v for k, v in baselineRMSE(weyl, transit[test].numpy()).items()}
            )
            sizes.update({f'physics_{k}': v for k, v in baselineRMSE(weyl * truth[:, 1], truth[:, 0]).items()})
        metrics['drum_size'] = sizes
        found[name] = metrics
        shown[name] = (torch.from_numpy(size), predicted_masks, iou)
    print(f"held-out test split, {len(test)} drums; drum_size given each drum's true wave speed")
    print(f'{"":<22}{"recorded":>10}{"clean":>10}{"mean-only":>11}{"physics rec.":>14}{"physics clean":>15}')
    rows = [('mask IoU', 'mask', 'iou', 'baseline_iou', 1.0), ('transit_time RMSE ms', 'transit_time', 'rmse',
            'baseline_rmse', 1e3), ('drum_size RMSE cm', 'drum_size', 'rmse', 'baseline_rmse', 100.0)]  # fmt: skip
    for title, label, key, baseline, scale in rows:
        r, c = found['recorded'][label], found['clean'][label]

        def cell(m: Mapping[str, float], key: str, width: int, scale: float = scale) -> str:
            return f'{m[key] * scale:>{width}.3g}' if key in m and np.isfinite(m[key]) else f'{"—":>{width}}'

        print(f'{title:<22}{cell(r, key, 10)}{cell(c, key, 10)}{cell(r, baseline, 11)}'
              f'{cell(r, "physics_rmse", 14)}{cell(c, "physics_rmse", 15)}')  # fmt: skip
    if isMain():  # outlines.png and scatter.png of the recorded test split, sized with each drum's true c
        size, predicted_masks, iou = shown['recorded']
        run_dir = routine.R['exports_dir']
        path = os.path.join(run_dir, 'outlines.png')
        plotOutlines([vertices[i] for i in test], torch.from_numpy(truth[:, 0]), predicted_masks, size, path, iou=iou)
        plotScatter(truth[:, :1], size.numpy()[:, None], ['drum_size'], os.path.join(run_dir, 'scatter.png'))
    return {'metrics': found['recorded'], 'clean_metrics': found['clean']}
