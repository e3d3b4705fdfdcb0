"""OutlineCRePE: hear a drum's outline (an occupancy mask in the canonical pose) and its size from its spectrum."""

from collections.abc import Sequence

from .crepe import Depth, Optimiser
from .outline_outputs import OutlineLoss, OutlineOutputs
from .spectrum_crepe import SpectrumCRePE

__all__ = ['OutlineCRePE', 'OutlineLoss']


class OutlineCRePE(OutlineOutputs, SpectrumCRePE):
    """SpectrumCRePE predicting a size (`size_label`: `drum_size` in m, or the realistic routine's `transit_time` in
    s; standardised in ln space, as SpectrumCRePE) and the drum's outline: the
    logits of a grid_size × grid_size occupancy mask of the shape in its canonical pose, drawn as `Shape.draw` draws
    it (the larger side of the bounding box spans the grid; `mask[x_index, y_index]`).

    Input: band power (batch, 1024), float32 (`output_type: 'spectrum'`). Output: (batch, 1 + grid_size²): the
    standardised size, then the mask logits flattened row-major. `encodeTargets` builds training targets,
    `decodeOutputs` and `predict` turn outputs into metres and mask probabilities. Trained with `OutlineLoss`.
    """

    def __init__(
        self,
        depth: Depth,
        dropout: float,
        learning_rate: float,
        optimiser: Optimiser,
        grid_size: int = 32,
        label_mean: Sequence[float] | None = None,
        label_spread: Sequence[float] | None = None,
        dynamic_range: float = 8.0,
        mask_weight: float = 1.0,
        size_label: str = 'drum_size',
        mirror_invariant: bool = False,
        iou_weight: float = 0.0,
    ) -> None:
        """depth, dropout, learning_rate, optimiser, dynamic_range: as SpectrumCRePE. grid_size: the mask's side in
        cells (≥ 4). label_mean, label_spread: of ln(size) (`fitLabels` sets them). mask_weight: the weight of
        the mask's cross-entropy against the size's squared error (> 0). size_label: the name of the size output,
        'drum_size' (m) or 'transit_time' (s, drum_size / wave_speed). mirror_invariant: train with OutlineLoss's
        least cross-entropy over the target's four flips (masks in a principal-axes frame). iou_weight: the weight of
        OutlineLoss's soft-IoU term (≥ 0; 0, the default, trains on the cross-entropy alone)."""
        grid_size, mask_weight, iou_weight = self.checkOutline(grid_size, mask_weight, size_label, iou_weight)
        super().__init__(
            depth, dropout, learning_rate, optimiser, labels=[size_label], log_labels=[size_label],
            label_mean=label_mean, label_spread=label_spread, dynamic_range=dynamic_range,
            extra_outputs=grid_size**2,
        )  # fmt: skip
        self._setOutline(grid_size, mask_weight, size_label, mirror_invariant, iou_weight)
