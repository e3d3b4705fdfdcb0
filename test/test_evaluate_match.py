"""scripts/evaluate_match.py: its independent synthesis agrees with the project's mode formulas, and a tiny run (one
drum per family, clean; one circle recorded) prints the table and writes the JSON."""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / 'scripts'
sys.path.insert(0, str(SCRIPTS))

import evaluate_match  # noqa: E402

from kac_prediction.orchestrate.drum import Drum  # noqa: E402


def test_independent_modes_agree_with_the_project() -> None:
    rng = np.random.default_rng(3)
    circle = evaluate_match.drawDrum(rng, 'circle')
    F, A = evaluate_match.drumModes(circle)
    G, B = Drum('circle', circle['drum_size'], circle['wave_speed']).modes(circle['strike'], circle['pickup'])
    assert np.allclose(F, G, rtol=1e-12) and np.allclose(A, B, rtol=1e-9, atol=1e-12 * np.abs(A).max())
    rectangle = evaluate_match.drawDrum(rng, 'rectangle')
    F, _ = evaluate_match.drumModes(rectangle)
    drum = Drum('rectangle', rectangle['drum_size'], rectangle['wave_speed'], aspect_ratio=rectangle['aspect_ratio'])
    assert np.allclose(F, drum.modes()[0], rtol=1e-12)
    x = evaluate_match.synthesise(F, np.ones_like(F), 2.0, 0.3, 48000)
    assert x.shape == (48000,) and math.isclose(float(np.abs(x).max()), 0.5)


def test_present_partials_skip_silent_modes() -> None:
    F = np.array([100.0, 150.0, 150.0, 200.0, 30000.0])
    A = np.array([1.0, 0.5, 0.5, 1e-5, 1.0])
    assert evaluate_match.presentPartials(F, A, 48000).tolist() == [100.0, 150.0]


@pytest.mark.usefixtures('one_thread')
def test_a_tiny_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / 'clean.json'
    assert evaluate_match.main(['--drums', '1', '--conditions', 'clean', '--json', str(out), '--markdown']) == 0
    printed = capsys.readouterr().out
    assert '| circle | clean | 1 |' in printed and '| rectangle | clean | 1 |' in printed
    content = json.loads(out.read_text())
    assert len(content['rows']) == 2 and len(content['summary']) == 2
    for row in content['rows']:
        assert 'error' not in row and row['seconds'] > 0.0 and len(row['partials_true']) == 8
    recorded = ['--drums', '1', '--families', 'circle', '--conditions', 'recorded', '--rooms', '1', '--markdown']
    assert evaluate_match.main([*recorded, '--cache-dir', str(tmp_path)]) == 0
    assert '| circle | recorded | 1 |' in capsys.readouterr().out
