"""Plots of a trained model: predicted against true labels, drums drawn to scale, learning curves; the figure helpers
the other plots (inference, demo) use.

Every figure is a `matplotlib.figure.Figure` drawn on its own `FigureCanvasAgg` (`newFigure`), never through pyplot,
so plotting neither needs a display nor changes the backend of an interactive session. `saveFigure` writes a PNG
atomically (kac_prediction/_io.py).
"""

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import checkNumber
from .._io import atomicFile

__all__ = [
    'LABEL_UNITS',
    'describeDrum',
    'drawDrum',
    'drumOutline',
    'newFigure',
    'plotDrums',
    'plotLearningCurves',
    'plotScatter',
    'saveFigure',
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
    return checkNumber(key, _value(labels, key))


def drumOutline(sampler_name: str, labels: Mapping[str, Any]) -> tuple[str, npt.NDArray[np.float64]]:
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

    shape, size = drumOutline(sampler_name, labels)
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


def newFigure(width: float, height: float) -> Any:
    """A Figure of width × height inches on its own Agg canvas (no pyplot), constrained layout."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout='constrained')
    FigureCanvasAgg(figure)
    return figure


def saveFigure(figure: Any, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Write `figure` as a PNG at `path` atomically; returns the path."""
    target = Path(path)
    with atomicFile(target) as file:
        figure.savefig(file, format='png', dpi=dpi)
    return target


def _unit(label: str, units: Mapping[str, str] | None = None) -> str:
    """The unit of `label` ('' when it has none)."""
    return (LABEL_UNITS if units is None else units).get(label, '')


def _quantity(value: float, unit: str) -> str:
    return f'{value:.3g} {unit}' if unit else f'{value:.3g}'


_SHORT_NAMES = {'drum_size': 'size', 'aspect_ratio': 'ε'}


def describeDrum(labels: Mapping[str, Any]) -> str:
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
    figure = newFigure(4.0 * len(labels), 4.0)
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
    return saveFigure(figure, path)


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
    drumOutline(sampler_name, {'drum_size': 1.0})  # an unknown sampler fails before anything is drawn
    first: dict[tuple[float, ...], int] = {}
    for i, truth in enumerate(true):
        first.setdefault(tuple(_value(truth, key) for key in LABEL_UNITS if key in truth), i)
    drums = sorted(first.values(), key=lambda i: _value(true[i], 'drum_size'))
    if len(drums) > n:
        drums = [drums[round(k)] for k in np.linspace(0, len(drums) - 1, max(n, 0))]
    count = len(drums)
    columns = max(1, min(count, 3))
    rows = max(1, math.ceil(count / columns))
    figure = newFigure(3.4 * columns, 3.4 * rows)
    axes = np.atleast_1d(figure.subplots(rows, columns)).flatten()
    for ax, truth, guess in zip(axes, [true[i] for i in drums], [predicted[i] for i in drums], strict=False):
        drawDrum(ax, sampler_name, truth, color='tab:blue', linewidth=1.5)
        try:
            drawDrum(ax, sampler_name, guess, color='tab:orange', linewidth=1.5, linestyle='--')
        except ValueError:  # an untrained network may predict a size ≤ 0: show the true drum and the numbers
            pass
        ax.set_title(f'true: {describeDrum(truth)}\npredicted: {describeDrum(guess)}', fontsize=8)
        ax.set(xlabel='x (m)', ylabel='y (m)')
        ax.margins(0.08)
    for ax in axes[count:]:
        ax.set_axis_off()
    if not count:
        axes[0].set_title('no drums to draw')
    names = 'size = drum_size' + (', ε = aspect_ratio' if sampler_name == 'PoissonModel' else '')
    figure.suptitle(f'{sampler_name}: true (solid) and predicted (dashed) drums ({names})')
    return saveFigure(figure, path)


def plotLearningCurves(history: Sequence[Mapping[str, float]], path: str | os.PathLike[str]) -> Path:
    """Training and validation loss per epoch (log axis) from `history` ([{'epoch', 'training_loss',
    'validation_loss', …}, …], as `Tracker.history`). Written atomically as a PNG at `path`, which is returned."""
    figure = newFigure(6.0, 4.0)
    axis = figure.subplots()
    epochs = [h['epoch'] for h in history]
    for key in ('training_loss', 'validation_loss'):
        axis.plot(epochs, [h.get(key, math.nan) for h in history], label=key.replace('_', ' '))
    axis.set(xlabel='epoch', ylabel='loss', yscale='log', title='Learning curves')
    axis.legend()
    return saveFigure(figure, path)
