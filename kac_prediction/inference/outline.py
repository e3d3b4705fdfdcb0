"""The outline of a drum from a predicted occupancy mask (OutlineCRePE's output), in metres."""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from ..geometry import Polygon

__all__ = ['maskGrid', 'maskOutline', 'outlineMasks']


def maskGrid(grid_size: int) -> npt.NDArray[np.float64]:
    """The canonical-frame coordinates of the nodes of a grid_size² mask (as `Shape.draw` draws): float64 (G,),
    −1 … 1, the same along x (first axis) and y."""
    return np.linspace(-1.0, 1.0, grid_size)


def outlineMasks(vertices: Sequence[Any], grid_size: int) -> torch.Tensor:
    """The occupancy masks of polygons given by their vertices (each (n, 2), canonical frame): bool (N, G, G), drawn
    by `Shape.draw` (`mask[x_index, y_index]`), the target OutlineCRePE learns."""
    masks = [Polygon(np.asarray(v, dtype=np.float64)).draw(grid_size) for v in vertices]
    return torch.from_numpy(np.stack(masks)) if masks else torch.zeros((0, grid_size, grid_size), dtype=torch.bool)


def maskOutline(mask: npt.ArrayLike, drum_size: float) -> list[list[float]]:
    """The outline of a predicted occupancy mask (G, G) (`mask[x, y]` on the canonical frame's nodes −1 … 1, as
    OutlineCRePE predicts it): the longest closed 0.5 contour (linearly interpolated between nodes), as [[x, y], …] in
    metres, scaled about the frame's origin so that it encloses drum_size² (m²). [] when no node is inside."""
    import contourpy

    P = np.asarray(mask, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2:
        raise ValueError(f'mask must be a square (G, G) array, got shape {P.shape}')
    if not (np.any(P >= 0.5) and math.isfinite(drum_size) and drum_size > 0):
        return []
    nodes = maskGrid(P.shape[0])
    padded = np.pad(P, 1)  # closes contours that touch the frame's edge
    step = nodes[1] - nodes[0]
    grid = np.concatenate([[nodes[0] - step], nodes, [nodes[-1] + step]])
    # contourpy takes z[y, x]: the mask is indexed [x, y]
    lines = [
        np.asarray(line, dtype=np.float64) for line in contourpy.contour_generator(grid, grid, padded.T).lines(0.5)
    ]
    if not lines:
        return []
    longest = max(lines, key=lambda line: line.shape[0])
    x, y = longest[:, 0], longest[:, 1]
    area = abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2.0
    if not area > 0:
        return []
    outline: list[list[float]] = (longest * (drum_size / math.sqrt(area))).tolist()
    return outline
