"""Orchestration's notes, drums and kit design against independent results: equal temperament, Bessel zeros,
rectangular and L-shaped membranes, stiff membranes, spectra of the rendered sound, and the files `design` writes."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import special
from spectral import spectralPeaks

from kac_prediction.orchestrate import (
    Drum,
    cents,
    designFiles,
    designKit,
    drumSummary,
    midiNumber,
    noteFrequency,
    noteName,
    readKit,
    renderDrum,
)

C = 100.0  # m/s
Z01 = 2.404825557695773  # the first zero of J_0
L_SHAPE_EIGENVALUE = 9.6397238440  # the L of three unit squares (Fox, Henrici & Moler; Trefethen & Betcke)
L_SHAPE = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]])  # squares of side 1
NOTES = ['C3', 'Eb3', 'G3']
MIDI = {'C3': 48, 'Eb3': 51, 'G3': 55, 'C5': 72}


def equalTemperament(midi: int) -> float:
    """Hz of a MIDI number, written out here rather than taken from the code under test."""
    return float(440.0 * 2.0 ** ((midi - 69) / 12.0))


def centsApart(f: float, g: float) -> float:
    return 1200.0 * math.log2(f / g)


def circlePartials(count: int, diameter: float, c: float = C) -> np.ndarray:
    """The `count` lowest frequencies c·z_nm/(π·L) of a circular membrane, from scipy's Bessel zeros."""
    zeros = np.sort(np.concatenate([special.jn_zeros(n, count) for n in range(count + 4)]))
    return zeros[:count] * c / (math.pi * diameter)


def rectanglePartials(count: int, size: float, aspect_ratio: float, c: float = C) -> np.ndarray:
    """The `count` lowest f_mn = (c/2L)·sqrt(m²/ε + ε·n²), m, n ≥ 1, of a rectangle of sqrt(area) L."""
    m, n = np.meshgrid(np.arange(1, 41), np.arange(1, 41))
    f = (c / (2.0 * size)) * np.sqrt(m**2 / aspect_ratio + aspect_ratio * n**2)
    return np.sort(f.ravel())[:count]


def lShapeFundamental(side: float, c: float = C) -> float:
    """Hz: the lowest mode of the L of three squares of side `side`, c·sqrt(λ₁/a²)/(2π)."""
    return c * math.sqrt(L_SHAPE_EIGENVALUE / side**2) / (2.0 * math.pi)


# notes


def test_note_names_are_scientific_pitch() -> None:
    """Middle C is MIDI 60, A4 is 69; flats, sharps (ASCII or unicode) and octave −1 shift the number."""
    assert midiNumber('C4') == 60
    assert midiNumber('A4') == 69
    assert midiNumber('Eb3') == 51
    assert midiNumber('F#-1') == 6
    assert midiNumber('E♭3') == 51
    assert midiNumber('F♯3') == 54
    assert midiNumber('Cb4') == 59  # B3
    assert midiNumber('B#3') == 60  # C4
    assert midiNumber('Bbb3') == 57  # A3


def test_note_frequencies_in_equal_temperament() -> None:
    """A name gives 440·2^((k − 69)/12) Hz; a frequency, written or as a number, is itself."""
    assert noteFrequency('A4') == 440.0
    assert noteFrequency('A3') == pytest.approx(220.0, rel=1e-12)
    assert noteFrequency('C4') == pytest.approx(261.6255653005986, rel=1e-12)
    assert noteFrequency('Eb3') == pytest.approx(155.56349186104046, rel=1e-12)
    assert noteFrequency('220Hz') == 220.0
    assert noteFrequency('155.6 Hz') == 155.6
    assert noteFrequency('155.6') == 155.6
    assert noteFrequency(110.0) == 110.0


def test_note_names_round_trip() -> None:
    """noteName names every MIDI number so that midiNumber reads it back."""
    for k in range(128):
        assert midiNumber(noteName(k)) == k
    assert noteName(60) == 'C4'
    assert noteName(63) == 'Eb4'
    assert noteName(6) == 'F#-1'


def test_cents() -> None:
    """An octave is 1200 cents; intervals are signed."""
    assert float(cents(880.0, 440.0)) == pytest.approx(1200.0)
    assert float(cents(440.0, 880.0)) == pytest.approx(-1200.0)
    assert float(cents(441.0, 440.0)) == pytest.approx(1200.0 * math.log2(441.0 / 440.0))
    assert np.allclose(cents([2.0, 4.0], 1.0), [1200.0, 2400.0])


@pytest.mark.parametrize('name', ['H3', 'C', '', 'Cb', 'C#', '4C', 'Cx4', 'C 4 5'])
def test_unknown_note_names_are_refused(name: str) -> None:
    """A name that is not a letter, accidentals and an octave is a ValueError that shows how to write one."""
    with pytest.raises(ValueError, match='C3'):
        midiNumber(name)
    with pytest.raises(ValueError, match='C3'):
        noteFrequency(name)


@pytest.mark.parametrize('note', ['0Hz', '0', '-5', '-5Hz', '1e400Hz', 0.0, -110.0, math.inf, math.nan])
def test_non_positive_frequencies_are_refused(note: str | float) -> None:
    """A frequency must be a positive finite number of Hz."""
    with pytest.raises(ValueError):
        noteFrequency(note)


# drum modes against analytic results


def test_circle_fundamental_is_the_first_bessel_zero() -> None:
    """A circle of diameter L sounds c·z₀₁/(π·L) and scales as 1/L."""
    drum = Drum('circle', 0.4, wave_speed=C)
    assert drum.fundamental == pytest.approx(special.jn_zeros(0, 1)[0] * C / (math.pi * 0.4), rel=1e-9)
    assert drum.scaled(0.8).fundamental == pytest.approx(drum.fundamental / 2.0, rel=1e-9)


def test_circle_partials_are_the_bessel_zeros() -> None:
    """The lowest 8 distinct partials of a circle are the sorted zeros of J_n, n ≥ 0, times c/(π·L)."""
    drum = Drum('circle', 0.4, wave_speed=C)
    partials = drum.partials(8)
    assert len(partials) == 8
    assert partials == pytest.approx(circlePartials(8, 0.4), rel=1e-9)


def test_centre_strike_excites_only_axisymmetric_modes() -> None:
    """Struck at the centre, a circle sounds only its n = 0 modes, at the zeros of J_0; struck off centre, all."""
    drum = Drum('circle', 0.4, wave_speed=C)
    expected = special.jn_zeros(0, 6) * C / (math.pi * 0.4)
    assert drum.partials(6, strike=(0.0, 0.0)) == pytest.approx(expected, rel=1e-9)
    # off centre every mode sounds, whichever the direction (a circle has no preferred one)
    for theta in (0.0, math.pi / 2, 2.0):
        assert drum.partials(8, strike=(0.3, theta)) == pytest.approx(circlePartials(8, 0.4), rel=1e-9)


@pytest.mark.parametrize('aspect_ratio', [1.0, 1.5])
def test_rectangle_modes_are_analytic(aspect_ratio: float) -> None:
    """A rectangle of sqrt(area) L and aspect ratio ε has modes (c/2L)·sqrt(m²/ε + ε·n²), m, n ≥ 1, ascending."""
    drum = Drum('rectangle', 0.5, wave_speed=C, aspect_ratio=aspect_ratio)
    F, A = drum.modes(strike=(0.3, 0.7), pickup=(0.5, 2.0))
    assert F.shape == A.shape
    assert np.all(np.diff(F) >= 0.0)
    assert F[:20] == pytest.approx(rectanglePartials(20, 0.5, aspect_ratio), rel=1e-9)
    assert drum.fundamental == pytest.approx((C / (2.0 * 0.5)) * math.sqrt(1.0 / aspect_ratio + aspect_ratio), rel=1e-9)


@pytest.mark.parametrize(('theta', 'm_node', 'n_node'), [(0.0, 4, 2), (math.pi / 2, 2, 4)])
def test_rectangle_strike_points_are_relative_polar(theta: float, m_node: int, n_node: int) -> None:
    """On a rectangle with ε = 2, ρ = 0.5 along the x axis is (3/4, 1/2) of the sides, so the modes
    sin(mπx/Lx)·sin(nπy/Ly) with m a multiple of 4 or n even are silent; along the y axis, (1/2, 3/4): m even or n
    a multiple of 4; the (1, 1) mode's amplitude follows."""
    drum = Drum('rectangle', 0.5, wave_speed=C, aspect_ratio=2.0)
    point = (0.5, theta)
    F, A = drum.modes(strike=point, pickup=point)
    m, n = np.meshgrid(np.arange(1, 41), np.arange(1, 41))
    f = (C / (2.0 * 0.5)) * np.sqrt(m**2 / 2.0 + 2.0 * n**2)
    sounding = (m % m_node != 0) & (n % n_node != 0)
    expected = np.unique(np.round(f[sounding], 9))[:8]
    assert drum.partials(8, strike=point) == pytest.approx(expected, rel=1e-9)
    assert np.all(A[np.abs(A) > 1e-6 * np.max(np.abs(A))] > 0.0)  # struck where it is heard: φ² ≥ 0
    # the (1, 1) mode's amplitude φ(x)²/(ω‖φ‖²), φ = sin(πx/Lx)·sin(πy/Ly) = sin(3π/4) and ‖φ‖² = L²/4
    f11 = C / (2.0 * 0.5) * math.sqrt(1.0 / 2.0 + 2.0)
    assert F[0] == pytest.approx(f11)
    assert A[0] == pytest.approx(0.5 / (2.0 * math.pi * f11 * 0.5**2 / 4.0), rel=1e-9)


def test_outline_is_the_drum_in_metres() -> None:
    """A drum's outline: the circle's diameter, the rectangle's Lx = L·sqrt(ε) by Ly = L/sqrt(ε), the polygon's
    vertices as given (up to a shift), each of area π L²/4 or L²."""

    def area(V: np.ndarray) -> float:
        return 0.5 * abs(float(np.dot(V[:, 0], np.roll(V[:, 1], -1)) - np.dot(V[:, 1], np.roll(V[:, 0], -1))))

    circle = Drum('circle', 0.4).outline
    assert np.hypot(circle[:, 0], circle[:, 1]) == pytest.approx(np.full(len(circle), 0.2))
    rectangle = Drum('rectangle', 0.5, aspect_ratio=2.0).outline
    assert np.ptp(rectangle[:, 0]) == pytest.approx(0.5 * math.sqrt(2.0))
    assert np.ptp(rectangle[:, 1]) == pytest.approx(0.5 / math.sqrt(2.0))
    assert area(rectangle) == pytest.approx(0.25)
    polygon = Drum.fromOutline(0.25 * L_SHAPE).outline
    shift = polygon[0] - 0.25 * L_SHAPE[0]
    assert polygon == pytest.approx(0.25 * L_SHAPE + shift)
    assert area(polygon) == pytest.approx(3.0 * 0.25**2)


def test_l_shaped_polygon_fundamental() -> None:
    """An L of three squares of side a sounds c·sqrt(9.6397238440/a²)/(2π), to 0.1 %, whatever its size."""
    for side in (1.0, 0.125):  # powers of 2 scale the unit shape exactly: one cached solve
        drum = Drum.fromOutline(side * L_SHAPE, wave_speed=C)
        assert drum.family == 'polygon'
        assert drum.drum_size == pytest.approx(math.sqrt(3.0) * side)
        assert drum.fundamental == pytest.approx(lShapeFundamental(side), rel=1e-3)


def test_square_polygon_agrees_with_the_rectangle() -> None:
    """A square given as an outline (clockwise here) has the square rectangle's partials, to 0.1 %."""
    outline = np.array([[0.0, 0.0], [0.0, 0.5], [0.5, 0.5], [0.5, 0.0]])
    polygon = Drum.fromOutline(outline, wave_speed=C)
    rectangle = Drum('rectangle', 0.5, wave_speed=C, aspect_ratio=1.0)
    assert polygon.drum_size == pytest.approx(0.5)
    assert polygon.partials(6) == pytest.approx(rectangle.partials(6), rel=1e-3)
    assert rectangle.partials(6) == pytest.approx(np.unique(np.round(rectanglePartials(12, 0.5, 1.0), 9))[:6])


def test_stiffness_raises_each_mode() -> None:
    """With stiffness κ each mode f of the ideal membrane moves to f·sqrt(1 + (2πκf/c²)²)."""
    kappa = 2.0
    drum = Drum('circle', 0.4, wave_speed=C, stiffness=kappa)
    ideal = circlePartials(10, 0.4)
    stiff = ideal * np.sqrt(1.0 + (2.0 * math.pi * kappa * ideal / C**2) ** 2)
    assert drum.partials(10) == pytest.approx(stiff, rel=1e-9)
    assert drum.fundamental == pytest.approx(stiff[0], rel=1e-9)
    assert stiff[0] / ideal[0] > 1.01  # the test can tell the two apart


# rendering


@pytest.mark.parametrize(
    'drum',
    [
        Drum('circle', 0.4, wave_speed=C, decay_time=2.0),
        Drum('rectangle', 0.4, wave_speed=C, aspect_ratio=1.5, decay_time=2.0),
        Drum.fromOutline(0.25 * L_SHAPE, wave_speed=C, decay_time=2.0),
    ],
    ids=['circle', 'rectangle', 'polygon'],
)
def test_render_sounds_the_drums_modes(drum: Drum) -> None:
    """The rendered sound's strongest spectral peaks lie on the drum's mode frequencies (0.2 %), the lowest on its
    fundamental, and the sound peaks at `amplitude`."""
    rate, strike, pickup = 16000, (0.3, 0.4), (0.5, 0.0)
    waveform = renderDrum(drum, strike, pickup, duration=0.5, sample_rate=rate, amplitude=0.7)
    assert waveform.dtype == np.float64
    assert waveform.shape == (8000,)
    assert np.max(np.abs(waveform)) == pytest.approx(0.7, rel=1e-6)
    F, A = drum.modes(strike, pickup)
    F = F[np.abs(A) > 1e-6 * np.max(np.abs(A))]
    peaks = spectralPeaks(waveform, rate, count=6)
    assert len(peaks) == 6
    for peak in peaks:
        nearest = F[np.argmin(np.abs(F - peak))]
        assert peak == pytest.approx(nearest, rel=2e-3)
    assert peaks[0] == pytest.approx(drum.fundamental, rel=2e-3)


@pytest.mark.parametrize(
    ('duration', 'rate', 'length'), [(0.25, 16000, 4000), (0.1234, 8000, 988), (0.07, 48000, 3360)]
)
def test_render_length(duration: float, rate: int, length: int) -> None:
    """A render lasts ceil(duration·sample_rate) samples, not one more for float rounding (0.07 s · 48 kHz = 3360)."""
    drum = Drum('circle', 0.4, wave_speed=C)
    assert len(renderDrum(drum, duration=duration, sample_rate=rate)) == length


@pytest.mark.parametrize('point', [(1.0, 0.0), (-0.1, 0.0), (1.5, 1.0), (0.5, math.nan), (0.5,), 'centre'])
def test_points_off_the_drum_are_refused(point: object) -> None:
    """A strike or pickup must be a relative polar point with ρ in [0, 1); the error names which."""
    for drum in (Drum('circle', 0.4), Drum('rectangle', 0.4, aspect_ratio=2.0)):
        with pytest.raises(ValueError, match='strike'):
            renderDrum(drum, strike=point, duration=0.01, sample_rate=8000)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match='pickup'):
            drum.modes(pickup=point)  # type: ignore[arg-type]


# drum settings


@pytest.mark.parametrize(
    ('settings', 'match'),
    [
        ({'family': 'polygon', 'drum_size': 0.4}, 'shape'),
        ({'family': 'circle', 'drum_size': 0.4, 'aspect_ratio': 1.5}, 'aspect_ratio'),
        ({'family': 'circle', 'drum_size': 0.4, 'decay_time': 1.0, 'decay_time_high': 2.0}, 'decay_time_high'),
        ({'family': 'circle', 'drum_size': 0.4, 'shape': ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))}, 'shape'),
        ({'family': 'polygon', 'drum_size': 0.4, 'shape': ((0.0, 0.0), (2.0, 0.0), (0.0, 2.0))}, 'unit area'),
        ({'family': 'triangle', 'drum_size': 0.4}, 'family'),
        ({'family': 'circle', 'drum_size': 0.0}, 'drum_size'),
        ({'family': 'circle', 'drum_size': 0.4, 'wave_speed': -1.0}, 'wave_speed'),
        ({'family': 'circle', 'drum_size': 0.4, 'stiffness': -0.1}, 'stiffness'),
    ],
)
def test_invalid_drums_are_refused(settings: dict[str, object], match: str) -> None:
    """A drum whose settings contradict its family, or are out of range, is a ValueError naming the setting."""
    with pytest.raises(ValueError, match=match):
        Drum(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    'drum',
    [
        Drum('circle', 0.4, wave_speed=120.0, decay_time=1.5, decay_time_high=0.5, stiffness=0.1, name='C3'),
        Drum('rectangle', 0.3, aspect_ratio=1.5, name='Eb3'),
        Drum.fromOutline(0.25 * L_SHAPE, wave_speed=90.0, name='G3'),
        Drum('circle', 0.4, decay_time=math.inf),
    ],
    ids=['circle', 'rectangle', 'polygon', 'no-decay'],
)
def test_drum_dict_round_trip(drum: Drum) -> None:
    """toDict is strict JSON (no inf: no decay is None) that fromDict reads back into the same drum."""
    values = drum.toDict()
    text = json.dumps(values, allow_nan=False)
    again = Drum.fromDict(json.loads(text))
    assert again == drum
    assert again.fundamental == drum.fundamental
    if drum.decay_time == math.inf:
        assert values['decay_time'] is None
        assert again.decay_time == math.inf


def test_from_dict_ignores_summary_keys_but_not_unknown_ones() -> None:
    """A kit file's drum entries (settings plus fundamental, partials, … and wav) read back as the drum; a key that
    is neither is refused by name."""
    drum = Drum.fromOutline(0.25 * L_SHAPE, wave_speed=90.0, name='G3')
    summary = {**drumSummary(drum), 'wav': 'G3.wav'}
    for key in ('fundamental', 'partials', 'partials_cents', 'tuning_error_cents', 'outline', 'wav'):
        assert key in summary
    assert Drum.fromDict(json.loads(json.dumps(summary, allow_nan=False))) == drum
    with pytest.raises(ValueError, match='colour'):
        Drum.fromDict({**drum.toDict(), 'colour': 'red'})


# design


def _analyticFundamental(drum: Drum) -> float:
    if drum.family == 'circle':
        return Z01 * drum.wave_speed / (math.pi * drum.drum_size)
    if drum.family == 'rectangle':
        eps = drum.aspect_ratio
        return drum.wave_speed / (2.0 * drum.drum_size) * math.sqrt(1.0 / eps + eps)
    return drum.fundamental


@pytest.mark.parametrize(
    'settings',
    [{'family': 'circle'}, {'family': 'rectangle', 'aspect_ratio': 1.5}, {'family': 'polygon', 'outline': L_SHAPE}],
    ids=['circle', 'rectangle', 'polygon'],
)
def test_design_kit_is_in_tune(settings: dict[str, object]) -> None:
    """Each designed drum's fundamental is its note to 0.01 cent, the drums named after the notes."""
    kit = designKit(NOTES, wave_speed=C, **settings)  # type: ignore[arg-type]
    assert [drum.name for drum in kit] == NOTES
    sizes = [drum.drum_size for drum in kit]
    assert sizes == sorted(sizes, reverse=True)  # higher notes, smaller drums
    for note, drum in zip(NOTES, kit, strict=True):
        assert drum.family == settings['family']
        assert drum.wave_speed == C
        assert 0.1 <= drum.drum_size <= 2.0
        assert abs(centsApart(_analyticFundamental(drum), equalTemperament(MIDI[note]))) < 0.01
        if drum.family == 'polygon':  # and the eigen-solve agrees with the L's known eigenvalue
            assert drum.fundamental == pytest.approx(lShapeFundamental(drum.drum_size / math.sqrt(3.0)), rel=1e-3)


@pytest.mark.parametrize('stiffness', [0.05, 1.0])
def test_design_tunes_a_stiff_membrane(stiffness: float) -> None:
    """A stiff membrane is sized so that its stiffened fundamental, f·sqrt(1 + (2πκf/c²)²), is the note."""
    notes = ['C3', 'G3', 'C5']
    kit = designKit(notes, wave_speed=C, stiffness=stiffness)
    for note, drum in zip(notes, kit, strict=True):
        ideal = Z01 * C / (math.pi * drum.drum_size)
        stiff = ideal * math.sqrt(1.0 + (2.0 * math.pi * stiffness * ideal / C**2) ** 2)
        target = equalTemperament(MIDI[note])
        assert abs(centsApart(stiff, target)) < 0.01
        assert abs(centsApart(drum.fundamental, target)) < 0.01
    # ignoring the stiffness would leave C5 audibly sharp: the check above can tell
    assert centsApart(stiff, ideal) > 0.1


def test_design_refuses_notes_out_of_the_size_range() -> None:
    """A note whose drum would be too large or too small is a ValueError naming each such note and a wave speed or
    size range that fits; the wave speeds it suggests do fit."""
    with pytest.raises(ValueError, match='C0') as caught:
        designKit(['C0', 'C3', 'C9'], wave_speed=C)
    message = str(caught.value)
    assert 'C9' in message
    assert '--size-range' in message
    assert 'wave' in message.lower()
    with pytest.raises(ValueError, match='C0') as caught:
        designKit(['C0'], wave_speed=C)
    speeds = re.search(r'c between ([\d.e+]+) and ([\d.e+]+) m/s', str(caught.value))
    assert speeds is not None
    low, high = (float(v) for v in speeds.groups())
    (drum,) = designKit(['C0'], wave_speed=math.sqrt(low * high))
    assert 0.1 <= drum.drum_size <= 2.0
    (drum,) = designKit(['C0'], wave_speed=C, size_range=(0.1, 10.0))
    assert drum.drum_size > 2.0


@pytest.mark.parametrize(
    ('notes', 'settings', 'match'),
    [
        (['D#3', 'Eb3'], {}, 'same pitch'),
        (['C3', '130.8127826502993Hz'], {}, 'same pitch'),
        ([], {}, 'no notes'),
        (['C3'], {'family': 'polygon'}, 'outline'),
        (['C3'], {'family': 'circle', 'outline': L_SHAPE}, 'polygon'),
        (['C3'], {'family': 'circle', 'aspect_ratio': 1.5}, 'aspect_ratio'),
        (['H3'], {}, 'H3'),
    ],
)
def test_design_refuses_bad_kits(notes: list[str], settings: dict[str, object], match: str) -> None:
    """Repeated pitches, no notes, a polygon without an outline or an outline without a polygon are refused."""
    with pytest.raises(ValueError, match=match):
        designKit(notes, **settings)  # type: ignore[arg-type]


def test_design_files(tmp_path: Path) -> None:
    """designFiles writes kit.json (the drums, in tune, and their partials), a WAV per drum that sounds its
    fundamental, and kit.png; readKit reads the same drums back."""
    directory = tmp_path / 'kit'
    kit = designFiles(NOTES, directory, duration=0.3, sample_rate=16000)
    with open(directory / 'kit.json', encoding='utf-8') as file:
        content = json.load(file)
    assert content == json.loads(json.dumps(kit))
    assert content['sample_rate'] == 16000
    assert len(content['drums']) == len(NOTES)
    assert (directory / 'kit.png').stat().st_size > 0
    for note, entry in zip(NOTES, content['drums'], strict=True):
        assert entry['name'] == note
        target = equalTemperament(MIDI[note])
        assert abs(centsApart(entry['fundamental'], target)) < 0.01
        assert abs(entry['tuning_error_cents']) < 0.01
        assert entry['partials'][0] == entry['fundamental']
        assert entry['partials'] == sorted(entry['partials'])
        assert entry['partials_cents'][0] == 0.0
        fundamental = entry['fundamental']
        assert entry['partials_cents'] == pytest.approx([centsApart(f, fundamental) for f in entry['partials']])
        waveform, rate = sf.read(directory / entry['wav'])
        assert rate == 16000
        assert waveform.ndim == 1
        assert len(waveform) == 4800
        lowest = spectralPeaks(waveform, rate, count=4)[0]  # of the strongest: the (1, 1) mode may be louder
        assert lowest == pytest.approx(target, rel=5e-3)
    assert readKit(directory / 'kit.json') == designKit(NOTES, wave_speed=C)


def test_design_files_claims_its_directory(tmp_path: Path) -> None:
    """A directory holding someone else's files is refused unless overwrite=True; a kit directory is reused; a kit
    that cannot be designed writes nothing."""
    directory = tmp_path / 'kit'
    directory.mkdir()
    (directory / 'notes.txt').write_text('mine')
    with pytest.raises(FileExistsError, match='overwrite'):
        designFiles(['C3'], directory, duration=0.05, sample_rate=8000, plot=False)
    assert sorted(p.name for p in directory.iterdir()) == ['notes.txt']
    designFiles(['C3'], directory, duration=0.05, sample_rate=8000, plot=False, overwrite=True)
    assert (directory / 'notes.txt').read_text() == 'mine'
    assert (directory / 'kit.json').exists() and (directory / 'C3.wav').exists()
    designFiles(['G3'], directory, duration=0.05, sample_rate=8000, plot=False)  # it holds a kit now
    assert [d.name for d in readKit(directory / 'kit.json')] == ['G3']
    with pytest.raises(ValueError, match='C0'):
        designFiles(['C0'], tmp_path / 'never', duration=0.05, sample_rate=8000)
    assert not (tmp_path / 'never').exists()


def test_design_refuses_an_aspect_ratio_for_a_polygon() -> None:
    """A polygon kit takes its shape from the outline: an aspect ratio is an error, not silently ignored."""
    with pytest.raises(ValueError, match='only rectangles have an aspect_ratio'):
        designKit(['C3'], family='polygon', outline=[[0, 0], [1, 0], [0, 1]], aspect_ratio=1.5)
