"""ShapeOfPolygonalDrum: hear the outline and the size of a convex polygonal drum (FDTDModel).

Drums: random convex polygons (Valtr, 3–10 vertices) of drum_size = sqrt(area) ~ U(0.15, 0.45) m, rendered by the
FDTD solver for 0.5 s at 48 kHz, struck and heard at the centroid (one strike per drum: every sound is a new drum).
Input: the power spectrum in 1024 log-spaced bands from 100 Hz to 10 kHz (the lowest resonance of these drums lies
above 150 Hz). Output (OutlineCRePE): ln(drum_size) and a 32 × 32 occupancy mask of the outline in the canonical pose
of `normaliseConvexPolygon` (diameter along x spanning [−1, 1], the largest quadrant up and right), the pose in which
the sound cannot tell drums apart (rotations and reflections sound the same). Metrics on the held-out test split:
mask IoU (masks thresholded at 0.5) beside the mean training mask's, size RMSE beside the mean size's and beside
Weyl's law (area from the count of resonances) applied to the same audio.
"""

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from .._checks import checkCount
from ..architecture import CRePE, OutlineCRePE, checkCRePESettings
from ..geometry import Polygon
from ..inference.plots import plotOutlines
from ..pipeline import Routine
from ..pipeline.distributed import isMain
from ..pipeline.metrics import maskIoU, regressionMetrics
from ..pipeline.physics_baseline import baselineRMSE, physicsBaseline
from ..pipeline.plots import plotScatter
from ..samplers import FDTDModel
from .regression import defaultDatasetDir, labelMatrix

__all__ = ['REPRESENTATION', 'SAMPLER_SETTINGS', 'ShapeOfPolygonalDrum', 'defaultParameters', 'outlineMasks']

REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0, 'f_max': 10000.0}
SAMPLER_SETTINGS = {
    'arbitrary_shape': 'ConvexPolygon',
    'drum_size': (0.15, 0.45),
    'duration': 0.5,
    'sample_rate': 48000,
}


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routine's defaults, a short real run: 2000 drums (one strike each), 30 epochs, cosine schedule, a 32 × 32
    mask. The full run (scripts/config/local/shape_of_polygonal_drum.yaml) uses 20000 drums."""
    P = CRePE.ModelHyperParameters(
        batch_size=32, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=False,
        depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {
        **P, 'dataset_size': 2000, 'patience': 10, 'learning_rate_schedule': 'cosine', 'strikes_per_drum': 1,
        'grid_size': 32, **changes,
    }  # fmt: skip


def outlineMasks(vertices: Sequence[Any], grid_size: int) -> torch.Tensor:
    """The occupancy masks of polygons given by their vertices (each (n, 2), canonical frame): bool (N, G, G), drawn
    by `Shape.draw` (`mask[x_index, y_index]`)."""
    masks = [Polygon(np.asarray(v, dtype=np.float64)).draw(grid_size) for v in vertices]
    return torch.from_numpy(np.stack(masks)) if masks else torch.zeros((0, grid_size, grid_size), dtype=torch.bool)


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
    from its last.pt (`Routine`)."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config, resume=resume)
    routine.setParameters(defaultParameters(), config_path=config_path, overrides=overrides)
    if routine.P.get('dataset_name'):
        raise ValueError(
            'ShapeOfPolygonalDrum trains on FDTDModel drums generated locally (the official polygon dataset uses the '
            'original physics and pose); remove dataset_name from the configuration.'
        )
    G = checkCount('grid_size', routine.P['grid_size'], minimum=4, meaning='cells per side of the mask')
    checkCRePESettings(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'])
    sampler_settings = {**SAMPLER_SETTINGS, 'strikes_per_drum': routine.P['strikes_per_drum']}
    routine.importDataset(dataset_dir or defaultDatasetDir(FDTDModel, routine.P), LocalSampler=FDTDModel,
                          representation_settings=REPRESENTATION, sampler_settings=sampler_settings)  # type: ignore[arg-type]  # fmt: skip
    sizes = labelMatrix(routine.D.Y, ['drum_size'])[:, 0]
    vertices = [y['vertices'] for y in routine.D.labels]
    masks = outlineMasks(vertices, G)
    training, _, test = routine.splits
    model = OutlineCRePE(
        routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'], grid_size=G
    )
    model.fitLabels(sizes[training].unsqueeze(1))
    routine.D.Y = list(model.encodeTargets(sizes, masks))
    routine.setModel(model)

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        y_hat = routine.M(x)
        loss = routine.M.testing_loss
        size, mask = model.criterion.parts(y_hat, y)
        loss['aggregate'] += model.criterion.combine(size, mask).item() / loop_length
        loss['drum_size'] = loss.get('drum_size', 0.0) + size.item() / loop_length
        loss['mask'] = loss.get('mask', 0.0) + mask.item() / loop_length

    result = routine.train(innerTestingLoop)
    routine.M.eval()
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
