"""Plots of a trained model: predicted against true labels, drums and outlines drawn to scale, a prediction from a
sound.

Every figure is a `matplotlib.figure.Figure` drawn on its own `FigureCanvasAgg`, never through pyplot, so plotting
neither needs a display nor changes the backend of an interactive session. Files are written atomically (a temporary
file in the same directory, then `os.replace`).
"""

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .checkpoints import _createTemporary

__all__ = [
    'LABEL_UNITS',
    'drawDrum',
    'maskGrid',
    'maskOutline',
    'plotDrums',
    'plotOutlines',
    'plotPrediction',
    'plotScatter',
]

LABEL_UNITS: dict[str, str] = {'drum_size': 'm', 'aspect_ratio': ''}
"""The unit of each label of the samplers' drums ('' for a ratio); labels not listed have none."""

_SHAPES = {'BesselModel': 'circle', 'PoissonModel': 'rectangle', 'LameModel': 'triangle', 'LaméModel': 'triangle'}


def _value(labels: Mapping[str, Any], key: str) -> float:
    """labels[key] as a float: a number, or the first value of a sequence (as the samplers' labels are)."""
    return float(np.asarray(labels[key], dtype=np.float64).flatten()[0])


def _scalar(labels: Mapping[str, Any], key: str, default: float | None = None) -> float:
    """`_value` of labels[key] (`default` when absent, if given), checked finite and > 0."""
    if key not in labels:
        if default is None:
            raise ValueError(f'the labels {sorted(labels)} lack {key!r}')
        return default
    value = _value(labels, key)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f'{key} must be a finite number > 0, got {value}')
    return value


def _outline(sampler_name: str, labels: Mapping[str, Any]) -> tuple[str, npt.NDArray[np.float64]]:
    """The drum's shape and its outline parameters (m): circle (diameter,), rectangle (Lx, Ly), triangle (side,), or
    for labels holding an `outline` ([[x, y], …] m, any sampler) 'polygon' and its vertices (n, 2)."""
    if 'outline' in labels:
        vertices = np.asarray(labels['outline'], dtype=np.float64)
        if vertices.ndim != 2 or vertices.shape[1] != 2 or len(vertices) < 3 or not np.isfinite(vertices).all():
            raise ValueError(f'outline must be at least three finite [x, y] points, got shape {vertices.shape}')
        return 'polygon', vertices
    shape = _SHAPES.get(sampler_name)
    if shape is None:
        raise ValueError(f'cannot draw a drum of {sampler_name!r}: the known samplers are {sorted(_SHAPES)}')
    size = _scalar(labels, 'drum_size')
    if shape == 'rectangle':
        ratio = _scalar(labels, 'aspect_ratio', 1.0)
        return shape, np.array([size * math.sqrt(ratio), size / math.sqrt(ratio)])
    return shape, np.array([size])


def drawDrum(ax: Any, sampler_name: str, labels: Mapping[str, Any], **style: Any) -> Any:
    """Draw a drum's outline to scale (m) centred at the origin on the axes `ax`; returns the patch.

    BesselModel: a circle of diameter drum_size. PoissonModel: a rectangle Lx × Ly = drum_size·√ε × drum_size/√ε,
    ε = aspect_ratio (1 when absent). LameModel (LaméModel): an equilateral triangle of side drum_size, centroid at
    the origin, apex up. Labels with an `outline` ([[x, y], …] m, as OutlineCRePE's predictions): that polygon.
    Labels are numbers or one-element sequences. `style` goes to the patch (default unfilled).
    ValueError for an unknown sampler or a missing or non-positive label.
    """
    from matplotlib.patches import Circle, Polygon, Rectangle

    shape, size = _outline(sampler_name, labels)
    style = {'fill': False, **style}
    patch: Any
    if shape == 'polygon':
        patch = Polygon(size, closed=True, **style)
    elif shape == 'circle':
        patch = Circle((0.0, 0.0), radius=size[0] / 2, **style)
    elif shape == 'rectangle':
        patch = Rectangle((-size[0] / 2, -size[1] / 2), size[0], size[1], **style)
    else:
        radius = size[0] / math.sqrt(3.0)  # circumradius of the equilateral triangle
        angles = np.radians([90.0, 210.0, 330.0])
        patch = Polygon(np.column_stack([radius * np.cos(angles), radius * np.sin(angles)]), closed=True, **style)
    ax.add_patch(patch)
    ax.set_aspect('equal')
    ax.autoscale_view()
    return patch


def _newFigure(width: float, height: float) -> Any:
    """A Figure on its own Agg canvas (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout='constrained')
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any, path: str | os.PathLike[str]) -> Path:
    """Write `figure` as a PNG at `path` atomically (temporary file in the same directory, then os.replace)."""
    target = Path(path)
    handle, temporary = _createTemporary(target, '.png')  # permissions of an ordinary new file, unlike mkstemp
    try:
        with os.fdopen(handle, 'wb') as file:
            figure.savefig(file, format='png', dpi=100)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return target


def _unit(label: str, units: Mapping[str, str] | None = None) -> str:
    """The unit of `label` ('' when it has none)."""
    return (LABEL_UNITS if units is None else units).get(label, '')


def _quantity(value: float, unit: str) -> str:
    return f'{value:.3g} {unit}' if unit else f'{value:.3g}'


_SHORT_NAMES = {'drum_size': 'size', 'aspect_ratio': 'ε'}


def _describe(labels: Mapping[str, Any]) -> str:
    """'size 0.52 m, ε 1.7' for the geometric labels (those of LABEL_UNITS)."""
    return ', '.join(
        f'{_SHORT_NAMES[key]} {_quantity(_value(labels, key), _unit(key))}' for key in LABEL_UNITS if key in labels
    )


def plotScatter(
    y_true: Any,
    y_pred: Any,
    labels: Sequence[str],
    path: str | os.PathLike[str],
    units: Mapping[str, str] | None = None,
) -> Path:
    """Predicted against true values, one panel per label, with the identity line and RMSE and R² in the title.

    y_true, y_pred: (N, len(labels)) arrays or tensors in physical units. units: label → unit (default
    `LABEL_UNITS`). Written atomically as a PNG at `path`, which is returned.
    """
    true = np.asarray(y_true, dtype=np.float64).reshape(-1, len(labels))
    predicted = np.asarray(y_pred, dtype=np.float64).reshape(-1, len(labels))
    if true.shape != predicted.shape:
        raise ValueError(f'y_true and y_pred differ in shape: {true.shape} and {predicted.shape}')
    figure = _newFigure(4.0 * len(labels), 4.0)
    for k, (label, ax) in enumerate(zip(labels, np.atleast_1d(figure.subplots(1, len(labels))), strict=True)):
        t, p = true[:, k], predicted[:, k]
        rmse = math.sqrt(float(np.mean((p - t) ** 2))) if len(t) else math.nan
        total = float(np.sum((t - t.mean()) ** 2)) if len(t) else 0.0
        r2 = 1.0 - float(np.sum((p - t) ** 2)) / total if total > 0 else math.nan
        ax.scatter(t, p, s=12, alpha=0.7)
        finite = np.concatenate([t, p])[np.isfinite(np.concatenate([t, p]))]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        ax.plot([low, high], [low, high], color='black', linewidth=1, linestyle=':', label='identity')
        unit = _unit(label, units)
        axis_label = f'{label} ({unit})' if unit else label
        ax.set(xlabel=f'true {axis_label}', ylabel=f'predicted {axis_label}')
        ax.set_title(f'{label}: RMSE {_quantity(rmse, unit)}, R² {r2:.3f}', fontsize=10)
        ax.set_aspect('equal', adjustable='datalim')
    return _save(figure, path)


def plotDrums(
    true: Sequence[Mapping[str, Any]],
    predicted: Sequence[Mapping[str, Any]],
    sampler_name: str,
    path: str | os.PathLike[str],
    n: int = 6,
) -> Path:
    """Up to `n` test drums, each panel the true drum (solid) and the predicted one (dashed) to scale, sizes in the
    title. true, predicted: labels per item (as for `drawDrum`). Items with the same true geometric labels (strikes of
    one drum) count as one drum, shown with its first item's prediction; of more than `n` drums, `n` are shown,
    spread evenly from the smallest drum_size to the largest. A predicted drum that cannot be drawn (size ≤ 0) is
    left out of its panel. Written atomically as a PNG at `path`, which is returned."""
    if len(true) != len(predicted):
        raise ValueError(f'{len(true)} true drums but {len(predicted)} predicted ones')
    _outline(sampler_name, {'drum_size': 1.0})  # an unknown sampler fails before anything is drawn
    first: dict[tuple[float, ...], int] = {}
    for i, truth in enumerate(true):
        first.setdefault(tuple(_value(truth, key) for key in LABEL_UNITS if key in truth), i)
    drums = sorted(first.values(), key=lambda i: _value(true[i], 'drum_size'))
    if len(drums) > n:
        drums = [drums[round(k)] for k in np.linspace(0, len(drums) - 1, max(n, 0))]
    count = len(drums)
    columns = max(1, min(count, 3))
    rows = max(1, math.ceil(count / columns))
    figure = _newFigure(3.4 * columns, 3.4 * rows)
    axes = np.atleast_1d(figure.subplots(rows, columns)).flatten()
    for ax, truth, guess in zip(axes, [true[i] for i in drums], [predicted[i] for i in drums], strict=False):
        drawDrum(ax, sampler_name, truth, color='tab:blue', linewidth=1.5)
        try:
            drawDrum(ax, sampler_name, guess, color='tab:orange', linewidth=1.5, linestyle='--')
        except ValueError:  # an untrained network may predict a size ≤ 0: show the true drum and the numbers
            pass
        ax.set_title(f'true: {_describe(truth)}\npredicted: {_describe(guess)}', fontsize=8)
        ax.set(xlabel='x (m)', ylabel='y (m)')
        ax.margins(0.08)
    for ax in axes[count:]:
        ax.set_axis_off()
    if not count:
        axes[0].set_title('no drums to draw')
    names = 'size = drum_size' + (', ε = aspect_ratio' if sampler_name == 'PoissonModel' else '')
    figure.suptitle(f'{sampler_name}: true (solid) and predicted (dashed) drums ({names})')
    return _save(figure, path)


def plotPrediction(
    spectrum: Any,
    settings: Mapping[str, Any],
    sampler_name: str,
    labels: Mapping[str, Any],
    path: str | os.PathLike[str],
    title: str = '',
    *,
    sample_rate: int | None = None,
) -> Path:
    """Left: the band power `spectrum` (n_bins,) in dB relative to its peak against the band centres
    geomspace(f_min, f_max, n_bins + 2)[1:-1] (Hz, log axis) of the representation `settings`; right: the predicted
    drum (`drawDrum` of `labels`). sample_rate: only for settings whose f_max is None (sample_rate / 2). Written
    atomically as a PNG at `path`, returned."""
    power = np.asarray(spectrum, dtype=np.float64).flatten()
    n_bins = int(settings.get('n_bins', len(power)))
    if len(power) != n_bins:
        raise ValueError(f'the spectrum has {len(power)} bands, the settings {n_bins}')
    f_max = settings.get('f_max')
    if f_max is None:
        if sample_rate is None:
            raise ValueError('settings have f_max None (sample_rate / 2): pass sample_rate')
        f_max = sample_rate / 2
    _outline(sampler_name, labels)  # check before drawing
    centres = np.geomspace(float(settings['f_min']), float(f_max), n_bins + 2)[1:-1]
    peak = float(power.max()) if np.isfinite(power).all() and power.max() > 0 else 1.0
    decibels = 10.0 * np.log10(np.clip(power / peak, 1e-12, None))
    figure = _newFigure(10.0, 4.0)
    left, right = figure.subplots(1, 2, width_ratios=[2, 1])
    left.plot(centres, decibels, linewidth=0.8)
    left.set(xscale='log', xlabel='frequency (Hz)', ylabel='band power (dB re peak)', title='spectrum')
    left.set_ylim(max(float(decibels.min()), -120.0) - 5.0, 5.0)
    drawDrum(right, sampler_name, labels, color='tab:orange', linewidth=2)
    right.margins(0.08)
    right.set(xlabel='x (m)', ylabel='y (m)', title=f'predicted: {_describe(labels)}')
    right.title.set_fontsize(9)
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def maskGrid(grid_size: int) -> npt.NDArray[np.float64]:
    """The canonical-frame coordinates of the nodes of a grid_size² mask (as `Shape.draw` draws): float64 (G,),
    −1 … 1, the same along x (first axis) and y."""
    return np.linspace(-1.0, 1.0, grid_size)


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


def plotOutlines(
    true_vertices: Sequence[Any],
    true_sizes: Any,
    predicted_masks: Any,
    predicted_sizes: Any,
    path: str | os.PathLike[str],
    n: int = 8,
    iou: Any = None,
) -> Path:
    """Up to `n` test drums, each panel the true outline (solid; its vertices in the canonical pose) and the predicted
    one (dashed; `maskOutline` of the predicted occupancy mask, as `kac-prediction predict` reports it), both drawn to
    scale in metres: each is scaled so that sqrt(area) equals its drum_size (true or predicted). true_vertices: N
    arrays (n_k, 2) in the canonical frame [−1, 1]; true_sizes, predicted_sizes: (N,) m; predicted_masks: (N, G, G)
    probabilities (`mask[x, y]`); iou: optional (N,) shown in the titles. Of more than `n` drums, `n` are shown, spread
    evenly from the smallest true size to the largest. Written atomically as a PNG at `path`, which is returned."""
    from matplotlib.patches import Polygon

    from ..geometry import Polygon as Shape

    masks = np.asarray(predicted_masks, dtype=np.float64)
    sizes = np.asarray(true_sizes, dtype=np.float64).reshape(-1)
    guesses = np.asarray(predicted_sizes, dtype=np.float64).reshape(-1)
    N = len(true_vertices)
    if (
        masks.ndim != 3
        or masks.shape[0] != N
        or masks.shape[1] != masks.shape[2]
        or len(sizes) != N
        or len(guesses) != N
    ):
        raise ValueError(
            f'{N} true outlines need true_sizes (N,), predicted_masks (N, G, G) and predicted_sizes (N,); got '
            f'{sizes.shape}, {masks.shape} and {guesses.shape}'
        )
    order = np.argsort(sizes, kind='stable')
    shown = [int(order[round(k)]) for k in np.linspace(0, N - 1, min(n, N))] if N else []
    columns = max(1, min(len(shown), 4))
    rows = max(1, math.ceil(len(shown) / columns))
    figure = _newFigure(3.0 * columns, 3.0 * rows)
    axes = np.atleast_1d(figure.subplots(rows, columns)).flatten()
    for ax, i in zip(axes, shown, strict=False):
        vertices = np.asarray(true_vertices[i], dtype=np.float64)
        scale = sizes[i] / math.sqrt(Shape(vertices).area)
        ax.add_patch(Polygon(vertices * scale, closed=True, fill=False, color='tab:blue', linewidth=1.5))
        outline = maskOutline(masks[i], float(guesses[i]))
        if outline:
            ax.add_patch(Polygon(outline, closed=True, fill=False, color='tab:orange', linewidth=1.5, linestyle='--'))
        title = f'size {sizes[i]:.3g} m, predicted {guesses[i]:.3g} m'
        if iou is not None:
            title += f'\nIoU {float(np.asarray(iou).reshape(-1)[i]):.2f}'
        ax.set_title(title, fontsize=8)
        ax.set_aspect('equal')
        ax.autoscale_view()
        ax.margins(0.08)
        ax.set(xlabel='x (m)', ylabel='y (m)')
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    if not shown:
        axes[0].set_title('no drums to draw')
    figure.suptitle('true (solid) and predicted (dashed) outlines, canonical pose, to scale')
    return _save(figure, path)
