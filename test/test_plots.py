"""kac_prediction.pipeline.plots and kac_prediction.inference.plots: drums drawn to scale, and the PNGs of a regression
and of a prediction."""

import math
import os
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.image
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kac_prediction.inference import plotPrediction
from kac_prediction.pipeline.plots import drawDrum, plotDrums, plotScatter

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
SETTINGS = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}


def axes() -> Any:
    figure = Figure()
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def extent(patch: Any) -> tuple[float, float, float, float]:
    """(x min, x max, y min, y max) of a patch's outline in data coordinates."""
    vertices = patch.get_patch_transform().transform(patch.get_path().vertices)
    return vertices[:, 0].min(), vertices[:, 0].max(), vertices[:, 1].min(), vertices[:, 1].max()


def assertPNG(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and min(image.shape[:2]) > 100
    assert [name for name in os.listdir(path.parent) if name.startswith('.')] == []  # no temporary file left


def test_drums_are_drawn_to_scale() -> None:
    circle = drawDrum(axes(), 'BesselModel', {'drum_size': 0.8})
    np.testing.assert_allclose(extent(circle), (-0.4, 0.4, -0.4, 0.4), atol=1e-9)
    rectangle = drawDrum(axes(), 'PoissonModel', {'drum_size': [1.0], 'aspect_ratio': [4.0]})  # sampler-style labels
    np.testing.assert_allclose(extent(rectangle), (-1.0, 1.0, -0.25, 0.25), atol=1e-9)  # Lx = 2, Ly = 0.5: area 1
    square = drawDrum(axes(), 'PoissonModel', {'drum_size': 0.5})  # no aspect_ratio: a square
    np.testing.assert_allclose(extent(square), (-0.25, 0.25, -0.25, 0.25), atol=1e-9)
    for name in ('LameModel', 'LaméModel'):
        triangle = drawDrum(axes(), name, {'drum_size': 1.2}, color='red')
        x_min, x_max, y_min, y_max = extent(triangle)
        assert x_max - x_min == pytest.approx(1.2) and y_max - y_min == pytest.approx(1.2 * math.sqrt(3) / 2)
        vertices = triangle.get_xy()[:3]
        sides = [np.linalg.norm(vertices[k] - vertices[(k + 1) % 3]) for k in range(3)]
        np.testing.assert_allclose(sides, 1.2)
        np.testing.assert_allclose(vertices.mean(axis=0), (0.0, 0.0), atol=1e-12)  # centroid at the origin
    ax = axes()
    drawDrum(ax, 'BesselModel', {'drum_size': 2.0}, linestyle='--')
    ax.figure.canvas.draw()
    assert ax.get_xlim()[1] >= 1.0 and ax.get_aspect() == 1.0


def test_unknown_samplers_and_bad_sizes_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'CircleModel'.*BesselModel.*LameModel.*PoissonModel"):
        drawDrum(axes(), 'CircleModel', {'drum_size': 1.0})
    with pytest.raises(ValueError, match='drum_size'):
        drawDrum(axes(), 'BesselModel', {'aspect_ratio': 1.0})
    with pytest.raises(ValueError, match='> 0'):
        drawDrum(axes(), 'BesselModel', {'drum_size': -1.0})
    with pytest.raises(ValueError, match='known samplers'):
        plotDrums([{'drum_size': 1.0}], [{'drum_size': 1.0}], 'TestTone', tmp_path / 'drums.png')
    assert not (tmp_path / 'drums.png').exists()


def test_scatter_writes_a_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    true = rng.uniform(0.1, 2.0, (30, 2))
    path = plotScatter(true, true * rng.normal(1.0, 0.05, (30, 2)), ['drum_size', 'aspect_ratio'], tmp_path / 's.png')
    assert path == tmp_path / 's.png'
    assertPNG(path)
    assertPNG(plotScatter(np.zeros((0, 1)), np.zeros((0, 1)), ['drum_size'], tmp_path / 'empty.png'))
    with pytest.raises(ValueError, match='shape'):
        plotScatter(true, true[:5], ['drum_size', 'aspect_ratio'], tmp_path / 'bad.png')


def test_drums_write_a_png(tmp_path: Path) -> None:
    true = [{'drum_size': 0.2 * (k + 1), 'aspect_ratio': 1.0 + k / 4} for k in range(8)]
    predicted = [{'drum_size': 0.21 * (k + 1), 'aspect_ratio': 1.1 + k / 4} for k in range(8)]
    predicted[0]['drum_size'] = -0.1  # a size an untrained network might predict: that drum is left out, no error
    assertPNG(plotDrums(true, predicted, 'PoissonModel', tmp_path / 'rectangles.png', n=4))
    assertPNG(plotDrums(true * 3, predicted * 3, 'BesselModel', tmp_path / 'strikes.png'))  # repeated drums: once
    assertPNG(plotDrums(true[:2], predicted[:2], 'LameModel', tmp_path / 'triangles.png'))
    assertPNG(plotDrums([], [], 'BesselModel', tmp_path / 'none.png'))


def test_prediction_writes_a_png(tmp_path: Path) -> None:
    centres = np.geomspace(20.0, 4000.0, 1026)[1:-1]
    spectrum = 1.0 / (1.0 + ((centres - 300.0) / 5.0) ** 2) + 1e-6
    path = plotPrediction(spectrum, SETTINGS, 'BesselModel', {'drum_size': 0.5}, tmp_path / 'p.png', title='drum.wav')
    assertPNG(path)
    f_max_none = {**SETTINGS, 'f_max': None}
    assertPNG(
        plotPrediction(spectrum, f_max_none, 'LameModel', {'drum_size': 1.0}, tmp_path / 'q.png', sample_rate=8000)
    )
    with pytest.raises(ValueError, match='sample_rate'):
        plotPrediction(spectrum, f_max_none, 'LameModel', {'drum_size': 1.0}, tmp_path / 'r.png')
    with pytest.raises(ValueError, match='bands'):
        plotPrediction(spectrum[:10], SETTINGS, 'BesselModel', {'drum_size': 1.0}, tmp_path / 'r.png')


def test_the_backend_of_the_session_is_left_alone(tmp_path: Path) -> None:
    backend = matplotlib.get_backend()
    plotDrums([{'drum_size': 1.0}], [{'drum_size': 0.9}], 'BesselModel', tmp_path / 'd.png')
    assert matplotlib.get_backend() == backend
