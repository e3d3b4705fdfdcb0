"""Plots of predictions: a prediction from a sound (spectrum and drum), predicted outlines against true ones."""

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..geometry import Polygon as Shape
from ..pipeline.plots import describeDrum, drawDrum, drumOutline, newFigure, saveFigure
from .outline import maskOutline

__all__ = ['plotAlignedOutlines', 'plotOutlines', 'plotPrediction']


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
    drumOutline(sampler_name, labels)  # check before drawing
    centres = np.geomspace(float(settings['f_min']), float(f_max), n_bins + 2)[1:-1]
    peak = float(power.max()) if np.isfinite(power).all() and power.max() > 0 else 1.0
    decibels = 10.0 * np.log10(np.clip(power / peak, 1e-12, None))
    figure = newFigure(10.0, 4.0)
    left, right = figure.subplots(1, 2, width_ratios=[2, 1])
    left.plot(centres, decibels, linewidth=0.8)
    left.set(xscale='log', xlabel='frequency (Hz)', ylabel='band power (dB re peak)', title='spectrum')
    left.set_ylim(max(float(decibels.min()), -120.0) - 5.0, 5.0)
    drawDrum(right, sampler_name, labels, color='tab:orange', linewidth=2)
    right.margins(0.08)
    right.set(xlabel='x (m)', ylabel='y (m)', title=f'predicted: {describeDrum(labels)}')
    right.title.set_fontsize(9)
    if title:
        figure.suptitle(title)
    return saveFigure(figure, path)


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
    figure = newFigure(3.0 * columns, 3.0 * rows)
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
    return saveFigure(figure, path)


def plotAlignedOutlines(
    true_outlines: Sequence[Any],
    predicted_outlines: Sequence[Any],
    path: str | os.PathLike[str],
    iou: Any = None,
) -> Path:
    """Each true outline (solid) beside the predicted one (dashed) moved onto it by the best rotation and reflection
    about the centroids (`geometry.bestAlignment`), both in metres at their own sizes, centred on the true centroid.
    true_outlines, predicted_outlines: N arrays (n_k, 2) in m (a predicted [] draws nothing); iou: optional (N,) shown
    in the titles. Written atomically as a PNG at `path`, which is returned."""
    from matplotlib.patches import Polygon

    from ..geometry import bestAlignment

    if len(true_outlines) != len(predicted_outlines):
        raise ValueError(
            f'{len(true_outlines)} true outlines need as many predicted ones, got {len(predicted_outlines)}.'
        )
    N = len(true_outlines)
    columns = max(1, min(N, 4))
    rows = max(1, math.ceil(N / columns))
    figure = newFigure(3.0 * columns, 3.0 * rows)
    axes = np.atleast_1d(figure.subplots(rows, columns)).flatten()
    for k, ax in enumerate(axes[:N]):
        truth = np.asarray(true_outlines[k], dtype=np.float64)
        centre = np.asarray(Shape(truth).centroid)
        ax.add_patch(Polygon(truth - centre, closed=True, fill=False, color='tab:blue', linewidth=1.5))
        predicted = np.asarray(predicted_outlines[k], dtype=np.float64)
        if predicted.size:
            aligned = bestAlignment(predicted, truth) - centre
            ax.add_patch(Polygon(aligned, closed=True, fill=False, color='tab:orange', linewidth=1.5, linestyle='--'))
        side = math.sqrt(Shape(truth).area)
        title = f'size {side:.3g} m'
        if iou is not None:
            title += f', IoU {float(np.asarray(iou).reshape(-1)[k]):.2f}'
        ax.set_title(title, fontsize=8)
        ax.set_aspect('equal')
        ax.autoscale_view()
        ax.margins(0.08)
        ax.set(xlabel='x (m)', ylabel='y (m)')
    for ax in axes[N:]:
        ax.set_axis_off()
    if not N:
        axes[0].set_title('no drums to draw')
    figure.suptitle('true (solid) and predicted (dashed) outlines, best rotation and reflection, to scale')
    return saveFigure(figure, path)
