"""match: the drum that makes a sound, from the shipped network's guess refined by analysis-by-synthesis; and the
orchestrating verbs of the command line (match, design, arrange, materials) with their one-line errors."""

import json
import math

import numpy as np
import pytest
import soundfile as sf
from scipy import special

from kac_prediction.cli import main
from kac_prediction.orchestrate import Drum, analysePartials, matchWaveform, renderDrum, spectralDistance

RATE = 48000


def _circle(L: float, c: float, strike: tuple[float, float], pickup: tuple[float, float]) -> np.ndarray:
    """An ideal circular membrane (diameter L m, wave speed c m/s) struck at `strike` and heard at `pickup` (polar,
    units of the radius), summed here from the Bessel functions, independent of the package; 1 s, T60 1.5 s."""
    t = np.arange(RATE) / RATE
    a = L / 2.0
    w = np.zeros(RATE)
    for n in range(10):
        for z in special.jn_zeros(n, 10):
            f = z * c / (2.0 * np.pi * a)
            if f >= 0.45 * RATE:
                continue
            gain = special.jv(n, z * strike[0]) * special.jv(n, z * pickup[0]) * np.cos(n * (strike[1] - pickup[1]))
            norm = special.jv(1, z) ** 2 if n == 0 else 0.5 * special.jv(n + 1, z) ** 2
            w += gain / (f * norm) * np.exp(-6.9 / 1.5 * t) * np.sin(2 * np.pi * f * t)
    return w / np.max(np.abs(w))


def _cents(f: float, g: float) -> float:
    return abs(1200.0 * math.log2(f / g))


def test_match_recovers_an_independent_circle_within_5_cents_and_its_partials_within_10() -> None:
    """The issue's target: fundamental within 5 cents, every partial the target has among its first 8 within 10
    cents of a matched mode; the refined pitch is never worse than the network's, and its spectral distance no more
    than 0.1 dB above the network's guess (it can rise slightly where the excitation fit is rough: docs/results.md)."""
    L, c = 0.62, 120.0
    target = _circle(L, c, (0.35, 0.0), (0.6, 1.0))
    result = matchWaveform(target, RATE, 'circle', wave_speed=c)
    f1 = special.jn_zeros(0, 1)[0] * c / (np.pi * L)
    assert _cents(result.drum.fundamental, f1) < 5.0
    assert _cents(result.drum.fundamental, f1) <= _cents(result.network_drum.fundamental, f1) + 0.5
    modes = result.drum.modes(result.strike, result.pickup)[0]
    zeros = np.sort([z for n in range(10) for z in special.jn_zeros(n, 10)])
    partials = zeros[:8] * c / (np.pi * L)  # the strike and pickup excite every (n, m) here
    assert max(min(_cents(p, m) for m in modes) for p in partials) < 10.0
    assert result.distance_matched <= result.distance_network + 0.1
    assert result.drum.drum_size == pytest.approx(L, rel=3e-3)


def test_match_recovers_a_rendered_rectangle_and_its_damping() -> None:
    """A rectangle the project rendered: size and aspect ratio close to the truth, T60 within 10 %."""
    truth = Drum('rectangle', 0.7, 100.0, aspect_ratio=1.8, decay_time=1.2)
    target = renderDrum(truth, (0.4, 0.7), (0.6, 2.5), 1.0, RATE)
    result = matchWaveform(target, RATE, 'rectangle', wave_speed=100.0)
    assert result.drum.drum_size == pytest.approx(0.7, rel=2e-3)
    assert result.drum.aspect_ratio == pytest.approx(1.8, rel=5e-3)
    assert result.drum.decay_time == pytest.approx(1.2, rel=0.1)
    assert _cents(result.drum.fundamental, truth.fundamental) < 1.0


def test_analysed_partials_are_the_modes_with_their_decay() -> None:
    """analysePartials finds the modes (within 0.05 %) and their decay rates σ = 3·ln10/T60 (within 5 %)."""
    drum = Drum('circle', 0.5, 100.0, decay_time=1.0)
    target = renderDrum(drum, (0.3, 0.0), (0.5, 1.0), 1.0, RATE)
    partials = analysePartials(target, RATE, count=8)
    modes = drum.modes((0.3, 0.0), (0.5, 1.0))[0]
    for f in partials.frequencies:
        assert np.min(np.abs(modes / f - 1.0)) < 5e-4
    assert np.nanmedian(partials.decay_rates) == pytest.approx(3.0 * math.log(10.0), rel=0.05)


def test_factors_give_the_modes_amplitudes() -> None:
    """The separable strike × pickup factors of the excitation search equal Drum.modes' amplitudes."""
    L_shape = Drum.fromOutline([[0, 0], [0.4, 0], [0.4, 0.2], [0.2, 0.2], [0.2, 0.4], [0, 0.4]])
    for drum in (Drum('circle', 0.5), Drum('rectangle', 0.5, aspect_ratio=1.4), L_shape):
        strike, pickup = (0.3, 0.0), (0.6, 0.9 if drum.family == 'circle' else 2.0)
        if drum.family != 'circle':
            strike = (0.3, 0.4)
        F, S, P, scale = drum.modeFactors([strike], [pickup])
        expected_F, expected_A = drum.modes(strike, pickup)
        assert np.allclose(F, expected_F)
        assert np.allclose(S[0] * P[0] * scale, expected_A, atol=1e-12 * np.max(np.abs(expected_A)))


def test_spectral_distance_is_zero_for_the_same_sound_and_grows_with_detuning() -> None:
    drum = Drum('circle', 0.5)
    a = renderDrum(drum, (0.3, 0.0), duration=0.5, sample_rate=RATE)
    assert spectralDistance(a, 0.3 * a) == pytest.approx(0.0, abs=1e-9)
    near = spectralDistance(a, renderDrum(drum.scaled(0.5 * 1.001), (0.3, 0.0), duration=0.5, sample_rate=RATE))
    far = spectralDistance(a, renderDrum(drum.scaled(0.5 * 1.05), (0.3, 0.0), duration=0.5, sample_rate=RATE))
    assert 0.0 < near < far


def test_match_refuses_noise_and_silence_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match='silent|no resonance'):
        matchWaveform(np.zeros(RATE), RATE, 'circle')
    with pytest.raises(ValueError, match='family'):
        matchWaveform(np.ones(10), RATE, 'hexagon')


def test_command_line_design_arrange_match(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """design writes a kit tuned to the notes, arrange plays a text score on it, match finds a kit drum's size."""
    kit = tmp_path / 'kit'
    assert main(['design', '--notes', 'C3', 'G3', '--out', str(kit), '--duration', '1', '--json']) == 0
    designed = json.loads(capsys.readouterr().out)
    assert [d['name'] for d in designed['drums']] == ['C3', 'G3']
    assert abs(designed['drums'][0]['tuning_error_cents']) < 0.01
    score = tmp_path / 'score.txt'
    score.write_text('0 C3 100\n0.5 G3 64\n')
    assert main(['arrange', str(score), '--kit', str(kit / 'kit.json'), '--out', str(tmp_path / 'a.wav')]) == 0
    assert 'C3, G3' in capsys.readouterr().out
    mix, rate = sf.read(tmp_path / 'a.wav')
    assert rate == 48000 and 20 * np.log10(np.max(np.abs(mix))) == pytest.approx(-1.0, abs=0.01)
    out = tmp_path / 'match'
    assert main(['match', str(kit / 'G3.wav'), '--out', str(out), '--json']) == 0
    matched = json.loads(capsys.readouterr().out)
    assert _cents(matched['drum']['fundamental'], designed['drums'][1]['fundamental']) < 1.0
    assert {p.name for p in out.iterdir()} >= {'match.wav', 'match.png', 'match.json'}


@pytest.mark.parametrize(
    ('arguments', 'message'),
    [
        (['design', '--notes', 'H3'], 'unknown note'),
        (['design', '--notes', 'C9'], 'outside the size range'),
        (['design', '--notes', 'C3', '--material', 'mylar'], 'did you mean'),
        (['design', '--notes', 'C3', '--material', 'calfskin', '--wave-speed', '90'], 'not both'),
        (['match', 'missing.wav'], 'missing.wav'),
    ],
)
def test_command_line_errors_are_one_line(arguments, message, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith('error: ') and '\n' not in error and message in error


def test_arrange_names_a_drum_the_kit_lacks(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    kit = tmp_path / 'kit.json'
    kit.write_text(json.dumps({'drums': [Drum('circle', 0.5, name='C3').toDict()]}))
    score = tmp_path / 'score.txt'
    score.write_text('0 D4\n')
    assert main(['arrange', str(score), '--kit', str(kit), '--out', str(tmp_path / 'a.wav')]) == 2
    assert "plays 'D4'" in capsys.readouterr().err


def test_materials_lists_the_table(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(['materials', '--json']) == 0
    table = json.loads(capsys.readouterr().out)
    assert any(m['name'] == 'calfskin' for m in table)
    for m in table:
        assert m['wave_speed'] == pytest.approx(math.sqrt(math.sqrt(m['tension'][0] * m['tension'][1]) /
                                                          m['material_density']))  # fmt: skip
