"""ShapeOfArbitraryDrum: hear the outline and size of a polygonal drum of any family, convex or not (EigenmodeModel).

Drums: `PolygonFamily` polygons — convex (Valtr, 3–10 vertices), irregular stars and travelling-salesman polygons
(4–10 vertices, non-convex in general), a third each — of drum_size = sqrt(area) ~ U(0.15, 0.45) m, c = 100 m/s,
rendered by modal synthesis on their 50 lowest computed eigenmodes for 0.5 s at 48 kHz; `strikes_per_drum` strikes
each (the first at the centroid, the others random). Input: the power spectrum in 1024 log-spaced bands from 100 Hz
to 10 kHz. Output (OutlineCRePE, or OutlineLocator with `architecture: locator`): ln(drum_size) and a G × G
occupancy mask of the outline in the principal frame; `iou_weight` adds a soft-IoU term to the mask's loss.

The frame: sound cannot tell a drum's position, orientation or mirror image. The outline is moved to its area
centroid, turned so that its long principal axis lies along x, reflected so that its third moments are ≥ 0
(`geometry.principalPose`) and scaled so that its farthest vertex coordinate is ±1: the mask's nodes span [−1, 1]².
A near-symmetric drum may flip between the four sign choices of that frame, so the mask is trained with the least
cross-entropy over the target's four flips (`OutlineLoss(mirror_invariant=True)`). Masks (rather than signed
distances or vertices) because they express any non-convex outline without a fixed vertex count or order.

Scoring, on the held-out test split: each predicted outline (the mask's 0.5 contour at the predicted drum_size,
`maskOutline`, in metres about the centroid) against the true one at its true size, IoU after the best rotation
and reflection about the centroids (`geometry.outlineIoU`), and the shape-only IoU (both scaled to unit area);
baselines: a disc of the true area at the true centroid (`geometry.discIoU`, the same under both scorings) and,
for drum_size, the training mean and Weyl's law. Printed per family.
"""

import functools
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
import torch

from .._checks import checkCount
from ..architecture import CRePE, checkCRePESettings
from ..geometry import FAMILIES, discIoU, outlineIoU, principalPose
from ..inference.outline import maskGrid, maskOutline
from ..inference.plots import plotAlignedOutlines
from ..pipeline import Routine
from ..pipeline.distributed import isMain
from ..pipeline.metrics import regressionMetrics
from ..pipeline.physics_baseline import baselineRMSE, physicsBaseline
from ..samplers import EigenmodeModel
from .initial_weights import initialWeights
from .regression import defaultDatasetDir, labelMatrix, outlineArchitecture

__all__ = ['REPRESENTATION', 'SAMPLER_SETTINGS', 'ShapeOfArbitraryDrum', 'defaultParameters', 'principalMasks']

REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0, 'f_max': 10000.0}
SAMPLER_SETTINGS = {
    'arbitrary_shape': 'PolygonFamily',
    'drum_size': (0.15, 0.45),
    'duration': 0.5,
    'n_modes': 50,
    'sample_rate': 48000,
}


def defaultParameters(**changes: Any) -> dict[str, Any]:
    """The routine's defaults: 3000 drums × 2 strikes, 30 epochs, cosine schedule, a 40 × 40 mask."""
    P = CRePE.ModelHyperParameters(
        batch_size=32, dataset_split=(0.7, 0.15, 0.15), num_of_epochs=30, testing=False, with_early_stopping=False,
        depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
    )  # fmt: skip
    return {
        **P, 'dataset_size': 6000, 'patience': 10, 'learning_rate_schedule': 'cosine', 'strikes_per_drum': 2,
        'grid_size': 40, 'architecture': 'crepe', 'iou_weight': 0.0, 'init_from': '', **changes,
    }  # fmt: skip


def principalPoses(vertices: Sequence[Any]) -> list[np.ndarray]:
    """Each outline ((n, 2), any frame) in the routine's frame: `principalPose`, scaled so that its largest vertex
    coordinate is ±1; float64 (n, 2) each."""
    posed = [principalPose(np.asarray(v, dtype=np.float64)) for v in vertices]
    return [p / np.abs(p).max() for p in posed]


def principalMasks(vertices: Sequence[Any], grid_size: int) -> torch.Tensor:
    """The occupancy masks of outlines in the routine's frame (`principalPoses`) on the nodes `maskGrid(grid_size)`:
    bool (N, G, G), `mask[x_index, y_index]`, True inside or on the boundary."""
    nodes = maskGrid(grid_size)
    X, Y = np.meshgrid(nodes, nodes, indexing='ij')
    masks = [shapely.intersects_xy(shapely.Polygon(p), X, Y) for p in principalPoses(vertices)]
    if not masks:
        return torch.zeros((0, grid_size, grid_size), dtype=torch.bool)
    return torch.from_numpy(np.stack(masks).astype(np.bool_))


def _metres(vertices: Any, size: float) -> np.ndarray:
    """An outline scaled about its first vertex to area size² (m²); its position does not matter to the scores."""
    V = np.asarray(vertices, dtype=np.float64)
    return V * (size / math.sqrt(shapely.Polygon(V).area))


def outlineScores(
    true_vertices: Sequence[Any], true_sizes: Any, predicted_masks: torch.Tensor, predicted_sizes: Any
) -> dict[str, np.ndarray]:
    """Per drum: 'iou' (at each outline's own size, best rotation and reflection), 'shape_iou' (both at unit area)
    and 'disc_iou' (a disc of the true area); float64 (N,) each. A mask with no node above 0.5 scores 0."""
    iou, shape_iou, disc = [], [], []
    for V, size, mask, predicted in zip(true_vertices, true_sizes, predicted_masks, predicted_sizes, strict=True):
        truth = _metres(V, float(size))
        outline = maskOutline(mask.numpy(), float(predicted))
        iou.append(outlineIoU(outline, truth) if outline else 0.0)
        shape_iou.append(outlineIoU(outline, truth, shape_only=True) if outline else 0.0)
        disc.append(discIoU(truth))
    return {key: np.asarray(value, dtype=np.float64) for key, value in
            (('iou', iou), ('shape_iou', shape_iou), ('disc_iou', disc))}  # fmt: skip


def ShapeOfArbitraryDrum(
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    overrides: Mapping[str, Any] | None = None,
    resume: str = '',
) -> dict[str, Any]:
    """Train and evaluate; returns the Routine's metrics plus `metrics`: {'outline': {family or 'all': {'iou',
    'shape_iou', 'disc_iou', 'count'}}, 'drum_size': {'rmse', 'baseline_rmse', 'physics_rmse', …}} on the held-out
    test split (sizes in m). Parameters: `defaultParameters()` ← the YAML file at config_path ← `overrides` ←
    wandb.config. resume: a run directory (or run id in exports_dir) to continue from its last.pt."""
    routine = Routine(exports_dir=exports_dir, wandb_config=wandb_config, resume=resume)
    routine.setParameters(defaultParameters(), config_path=config_path, overrides=overrides)
    if routine.P.get('dataset_name') or routine.P.get('realistic'):
        raise ValueError(
            'ShapeOfArbitraryDrum trains on clean EigenmodeModel drums generated locally; remove dataset_name and '
            'realistic from the configuration.'
        )
    G = checkCount('grid_size', routine.P['grid_size'], minimum=4, meaning='cells per side of the mask')
    checkCRePESettings(routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'], routine.P['optimiser'])
    sampler_settings = {**SAMPLER_SETTINGS, 'strikes_per_drum': routine.P['strikes_per_drum']}
    build = functools.partial(
        outlineArchitecture(routine.P), routine.P['depth'], routine.P['dropout'], routine.P['learning_rate'],
        routine.P['optimiser'], grid_size=G, mirror_invariant=True, iou_weight=routine.P['iou_weight'],
    )  # fmt: skip
    initial = initialWeights(build, '' if resume else routine.P['init_from'])  # checked before any data are made
    routine.importDataset(dataset_dir or defaultDatasetDir(EigenmodeModel, routine.P), LocalSampler=EigenmodeModel,
                          representation_settings=REPRESENTATION, sampler_settings=sampler_settings)  # type: ignore[arg-type]  # fmt: skip
    sizes = labelMatrix(routine.D.Y, ['drum_size'])[:, 0]
    vertices = [y['vertices'] for y in routine.D.labels]
    families = np.array([int(y['family'][0]) if 'family' in y else -1 for y in routine.D.labels])
    masks = principalMasks(vertices, G)
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
        loss['drum_size'] = loss.get('drum_size', 0.0) + size.item() / loop_length
        loss['mask'] = loss.get('mask', 0.0) + mask.item() / loop_length

    result = routine.train(innerTestingLoop)
    routine.M.eval()
    X = routine.D.X
    predicted_sizes, predicted_masks = [sizes[:0]], [masks[:0].float()]
    with torch.no_grad():
        for k in range(0, len(test), 256):
            batch_sizes, batch_masks = model.decodeOutputs(model(X[test[k : k + 256]].to(routine.device)))
            predicted_sizes.append(batch_sizes.cpu())
            predicted_masks.append(batch_masks.cpu())
    P_sizes, P_masks = torch.cat(predicted_sizes), torch.cat(predicted_masks)
    scores = outlineScores([vertices[i] for i in test], sizes[test].numpy(), P_masks, P_sizes.numpy())
    outline: dict[str, dict[str, float]] = {}
    test_families = families[test] if len(test) else families[:0]
    for index, name in [(-2, 'all'), *enumerate(FAMILIES)]:
        chosen = np.ones(len(test), dtype=bool) if index == -2 else test_families == index
        if chosen.any():
            outline[name] = {key: float(value[chosen].mean()) for key, value in scores.items()}
            outline[name]['count'] = int(chosen.sum())
    size = regressionMetrics(P_sizes[:, None], sizes[test][:, None], ['drum_size'], sizes[training].mean()[None])
    weyl = physicsBaseline(routine.D, test, 'weyl')['drum_size']
    size['drum_size'].update(
        {f'physics_{key}': value for key, value in baselineRMSE(weyl, sizes[test].numpy()).items()}
    )
    print(f'held-out test split, {len(test)} sounds: outline IoU after the best rotation and reflection')
    print(f'{"family":<10}{"sounds":>7}{"model":>8}{"shape-only":>12}{"disc":>8}')
    for name, row in outline.items():
        print(f'{name:<10}{row["count"]:>7}{row["iou"]:>8.3f}{row["shape_iou"]:>12.3f}{row["disc_iou"]:>8.3f}')
    s = size['drum_size']
    print(f'drum_size RMSE (m): model {s["rmse"]:.4f}, mean-only {s["baseline_rmse"]:.4f}, '
          f'Weyl {s["physics_rmse"]:.4g}')  # fmt: skip
    if isMain() and len(test):
        run_dir = result['exports_dir']
        drum_ids = [int(routine.D.labels[i]['drum_id'][0]) for i in test]
        first = [k for k in range(len(test)) if drum_ids.index(drum_ids[k]) == k]  # one strike per drum
        shown = [k for k in first if test_families[k] != 0][:12] or first[:12]
        truths = [_metres(vertices[test[k]], float(sizes[test[k]])) for k in shown]
        predictions = [maskOutline(P_masks[k].numpy(), float(P_sizes[k])) for k in shown]
        path = plotAlignedOutlines(truths, predictions, os.path.join(run_dir, 'outlines.png'), scores['iou'][shown])
        if routine.using_wandb:
            import wandb

            wandb.log({'outlines': wandb.Image(os.fspath(path))})
    return {**result, 'metrics': {'outline': outline, **size}}
