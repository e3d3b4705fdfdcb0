"""Scores (MIDI and text) played on a kit of drums: kac_prediction.orchestrate.score and .arrange."""

import json
import math
import re
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf

from kac_prediction.acoustics import Room
from kac_prediction.orchestrate.arrange import (
    arrangeFile,
    arrangeScore,
    checkKit,
    findDrum,
    readKit,
    renderHit,
    velocityStrike,
)
from kac_prediction.orchestrate.drum import Drum
from kac_prediction.orchestrate.score import NoteEvent, readMidi, readScore, readTextScore

RATE = 16000
RING = 0.1  # s


def _kit() -> list[Drum]:
    return [
        Drum('circle', 0.4, decay_time=0.3, name='C3'),
        Drum('circle', 0.3, decay_time=0.3, name='Eb3'),
        Drum('rectangle', 0.35, aspect_ratio=1.5, decay_time=0.3, name='snare'),
    ]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding='utf-8')
    return path


# MIDI files


def _midi(path: Path) -> Path:
    """Type 1, 480 ticks per beat: 120 bpm, then 60 bpm from tick 480; notes on two tracks."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    tempo = mido.MidiTrack()
    tempo.append(mido.MetaMessage('set_tempo', tempo=500000, time=0))
    tempo.append(mido.MetaMessage('set_tempo', tempo=1000000, time=480))  # 0.5 s
    notes = mido.MidiTrack()
    notes.append(mido.Message('note_on', note=48, velocity=100, time=0))  # 0 s
    notes.append(mido.Message('note_on', note=48, velocity=0, time=120))  # a note off
    notes.append(mido.Message('note_on', note=60, velocity=90, time=120))  # tick 240: 0.25 s
    notes.append(mido.Message('note_off', note=60, velocity=0, time=240))
    notes.append(mido.Message('note_on', note=51, velocity=127, channel=9, time=240))  # tick 720: 0.5 + 0.5 s
    notes.append(mido.Message('note_on', note=66, velocity=1, time=240))  # tick 960: 0.5 + 1.0 s
    midi.tracks.extend([tempo, notes])
    midi.save(path)
    return path


def test_midi_times_follow_tempo_changes(tmp_path: Path) -> None:
    events = readScore(_midi(tmp_path / 'piece.mid'))
    assert [(e.drum, e.velocity) for e in events] == [('C3', 100), ('C4', 90), ('Eb3', 127), ('F#4', 1)]
    np.testing.assert_allclose([e.time for e in events], [0.0, 0.25, 1.0, 1.5], rtol=0.0, atol=1e-9)


def test_midi_errors(tmp_path: Path) -> None:
    empty = mido.MidiFile(type=0)
    empty.tracks.append(mido.MidiTrack([mido.MetaMessage('set_tempo', tempo=500000, time=0)]))
    empty.save(tmp_path / 'empty.mid')
    with pytest.raises(ValueError, match=r'empty\.mid: empty MIDI file: no note_on events'):
        readScore(tmp_path / 'empty.mid')
    _write(tmp_path / 'text.mid', 'not midi at all\n')
    with pytest.raises(ValueError, match=r'text\.mid: not a readable standard MIDI file'):
        readMidi(tmp_path / 'text.mid')
    (tmp_path / 'short.midi').write_bytes(b'MThd\x00\x00\x00\x06\x00')
    with pytest.raises(ValueError, match=r'short\.midi: not a readable standard MIDI file'):
        readScore(tmp_path / 'short.midi')
    with pytest.raises(ValueError, match=r'missing\.mid: no such MIDI file'):
        readScore(tmp_path / 'missing.mid')


# text scores


def test_text_score_in_seconds_and_in_beats(tmp_path: Path) -> None:
    seconds = _write(
        tmp_path / 'a.txt',
        '# a comment\n\n0.5  Eb3  80   # inline comment\n0    C3\n1.25 snare 127\n0.5  F#3 1\n',
    )
    events = readTextScore(seconds)
    assert events == [
        NoteEvent(0.0, 'C3', 100),
        NoteEvent(0.5, 'Eb3', 80),
        NoteEvent(0.5, 'F#3', 1),  # '#' inside a name is not a comment; equal times keep their order
        NoteEvent(1.25, 'snare', 127),
    ]
    beats = _write(tmp_path / 'b.score', 'tempo 120\n0 C3\n1 Eb3 64\n2.5 C3\n')
    assert [(e.time, e.drum, e.velocity) for e in readScore(beats)] == [
        (0.0, 'C3', 100),
        (0.5, 'Eb3', 64),
        (1.25, 'C3', 100),
    ]


@pytest.mark.parametrize(
    ('text', 'match'),
    [
        ('0 C3 100 extra\n', r'line 1: expected "time drum \[velocity\]"'),
        ('# header\nsoon C3\n', r'line 2: the time must be a number ≥ 0 \(s\)'),
        ('-0.5 C3\n', r'line 1: the time must be a number ≥ 0'),
        ('tempo 90\nnan C3\n', r'line 2: the time must be a number ≥ 0 \(beats\)'),
        ('0 C3 0\n', r'line 1: the velocity must be an integer in 1–127'),
        ('0 C3 128\n', r'velocity must be an integer in 1–127'),
        ('0 C3 loud\n', r'velocity must be an integer in 1–127'),
        ('tempo 0\n0 C3\n', r'line 1: the tempo must be a number > 0'),
        ('tempo fast\n', r'the tempo must be a number > 0'),
        ('tempo\n', r'write the tempo as "tempo BPM"'),
        ('0 C3\ntempo 120\n', r'line 2: the tempo is set once, before the first event'),
        ('tempo 120\ntempo 100\n0 C3\n', r'line 2: the tempo is set once'),
        ('# nothing\n\n', r'the score has no events'),
    ],
)
def test_text_score_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=r'score\.txt' + '.*' + match):
        readScore(_write(tmp_path / 'score.txt', text))


def test_missing_score(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='no such score file'):
        readScore(tmp_path / 'absent.txt')


# kits


def test_kit_matching_and_errors() -> None:
    kit = _kit()
    assert findDrum(kit, 'Eb3') == 1
    assert findDrum(kit, 'D#3') == 1
    assert findDrum(kit, 'snare') == 2
    assert findDrum(kit, 'Snare') is None
    assert findDrum(kit, 'D4') is None
    events = [NoteEvent(0.0, 'C3'), NoteEvent(0.1, 'D4')]
    message = (
        "the score plays 'D4' but the kit has no such drum: it has C3, Eb3, snare; design one "
        '(kac-prediction design --notes D4 …) or edit the score.'
    )
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        arrangeScore(events, kit, RATE)
    with pytest.raises(ValueError, match=r"^the score plays 'H2', 'cowbell' but the kit has no such drums: it has"):
        arrangeScore([NoteEvent(0.0, 'H2'), NoteEvent(0.1, 'cowbell'), NoteEvent(0.2, 'H2')], kit, RATE)
    with pytest.raises(ValueError, match=r"two drums for 'Eb3' and 'D#3'"):
        checkKit([*kit, Drum('circle', 0.3, name='D#3')])
    with pytest.raises(ValueError, match=r"two drums for 'snare' and 'snare'"):
        checkKit([*kit, Drum('circle', 0.3, name='snare')])
    with pytest.raises(ValueError, match='kit drum 3 has no name'):
        checkKit([*kit, Drum('circle', 0.3)])
    with pytest.raises(ValueError, match='the kit has no drums'):
        checkKit([])


def test_read_kit(tmp_path: Path) -> None:
    kit = _kit()
    summaries = [
        {
            **d.toDict(),
            'fundamental': 1.0,
            'partials': [1.0],
            'partials_cents': [0.0],
            'outline': [],
            'tuning_error_cents': 0.1,
            'wav': 'C3.wav',
        }
        for d in kit
    ]
    _write(tmp_path / 'kit.json', json.dumps({'drums': summaries, 'sample_rate': 48000}))
    assert readKit(tmp_path / 'kit.json') == kit
    _write(tmp_path / 'list.json', json.dumps([d.toDict() for d in kit]))
    assert readKit(tmp_path / 'list.json') == kit
    _write(tmp_path / 'match.json', json.dumps({'drum': kit[0].toDict(), 'score': 0.1}))
    assert readKit(tmp_path / 'match.json') == kit[:1]
    with pytest.raises(ValueError, match=r'absent\.json: no such kit file'):
        readKit(tmp_path / 'absent.json')
    with pytest.raises(ValueError, match=r'bad\.json: not a JSON kit file'):
        readKit(_write(tmp_path / 'bad.json', '{"drums": ['))
    with pytest.raises(ValueError, match=r'none\.json: no drums'):
        readKit(_write(tmp_path / 'none.json', '{"drums": []}'))
    with pytest.raises(ValueError, match=r"odd\.json: drum 0: unknown drum setting\(s\) \['colour'\]"):
        readKit(_write(tmp_path / 'odd.json', json.dumps([{**kit[0].toDict(), 'colour': 'red'}])))


# the mix


def test_velocity_sets_amplitude_and_strike() -> None:
    drum = _kit()[0]
    assert velocityStrike(127) == (1.0, (0.15, 0.0))
    amplitude, (rho, theta) = velocityStrike(1)
    assert amplitude == pytest.approx(127.0**-2) and rho == pytest.approx(0.15 + 0.45 * 126 / 127) and theta == 0.0
    loud, soft = renderHit(drum, 127, RATE, RING), renderHit(drum, 64, RATE, RING)
    assert loud.shape == soft.shape == (round(RING * RATE),)
    assert np.max(np.abs(loud)) == pytest.approx(1.0, rel=1e-12)
    assert np.max(np.abs(loud)) / np.max(np.abs(soft)) == pytest.approx((127 / 64) ** 2, rel=1e-12)
    assert loud[-1] == 0.0  # faded out
    assert renderHit(Drum('circle', 0.4, decay_time=math.inf, name='C3'), 100, 1000).size == 6000  # rings 6 s
    with pytest.raises(ValueError, match='velocity must be an integer in 1–127'):
        velocityStrike(0)


def test_mix_is_the_sum_of_hits_at_their_onsets() -> None:
    kit = _kit()
    events = [NoteEvent(0.0123, 'C3', 127), NoteEvent(0.05, 'D#3', 64), NoteEvent(0.08, 'C3', 127)]
    mix = arrangeScore(events, kit, RATE, headroom_db=1.0, ring=RING)
    a, b = renderHit(kit[0], 127, RATE, RING), renderHit(kit[1], 64, RATE, RING)
    expected = np.zeros(1280 + a.size)
    for start, hit in ((197, a), (800, b), (1280, a)):
        expected[start : start + hit.size] += hit
    assert mix.shape == expected.shape
    np.testing.assert_allclose(mix, expected * (10 ** (-1 / 20) / np.max(np.abs(expected))), rtol=0.0, atol=1e-12)
    first = np.flatnonzero(np.abs(arrangeScore(events[:1], kit, RATE, ring=RING)) > 1e-3)[0]
    assert first == 197 + np.flatnonzero(np.abs(a) > 1e-3 * np.max(np.abs(a)))[0]


@pytest.mark.parametrize('headroom', [0.0, 1.0, 6.0])
def test_peak_is_the_headroom_and_never_clips(headroom: float) -> None:
    events = [NoteEvent(0.01 * i, drum, 127) for i in range(8) for drum in ('C3', 'Eb3', 'snare')]  # loud overlaps
    mix = arrangeScore(events, _kit(), RATE, headroom_db=headroom, ring=RING)
    assert 20 * math.log10(np.max(np.abs(mix))) == pytest.approx(-headroom, abs=1e-12)
    assert np.max(np.abs(mix)) <= 1.0


def test_mix_errors() -> None:
    kit = _kit()
    with pytest.raises(ValueError, match=r'headroom_db must be a finite number ≥ 0'):
        arrangeScore([NoteEvent(0.0, 'C3')], kit, RATE, headroom_db=-1.0)
    with pytest.raises(ValueError, match='the score has no events'):
        arrangeScore([], kit, RATE)
    with pytest.raises(ValueError, match='the mix is silent'):  # every mode above 8 kHz
        arrangeScore([NoteEvent(0.0, 'C3')], [Drum('circle', 0.001, name='C3')], RATE, ring=RING)


def test_room_lengthens_the_tail() -> None:
    kit, events = _kit(), [NoteEvent(0.0, 'C3'), NoteEvent(0.02, 'snare')]
    room = Room((4.0, 3.0, 2.5), (1.0, 1.0, 1.0), (2.5, 2.0, 1.2), rt60=0.2)
    dry = arrangeScore(events, kit, RATE, ring=RING)
    wet = arrangeScore(events, kit, RATE, room=room, ring=RING)
    assert wet.size == dry.size + round(0.2 * RATE)
    assert np.sum(wet[dry.size :] ** 2) > 1e-3 * np.sum(wet**2)
    assert np.max(np.abs(wet)) == pytest.approx(10 ** (-1 / 20), rel=1e-12)


# files


def test_arrange_file_writes_atomically_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    score = _write(tmp_path / 'score.txt', '0 C3\n0.05 D#3 64\n')
    _write(tmp_path / 'kit.json', json.dumps({'drums': [d.toDict() for d in _kit()]}))
    output = tmp_path / 'out' / 'piece.wav'
    summary = arrangeFile(score, tmp_path / 'kit.json', output, sample_rate=RATE, headroom_db=2.0)
    assert summary['output'] == str(output) and summary['events'] == 2 and summary['sample_rate'] == RATE
    assert summary['room'] is None and summary['drums_used'] == ['C3', 'Eb3']
    assert summary['peak_dbfs'] == pytest.approx(-2.0, abs=1e-9)
    info = sf.info(output)
    assert (info.samplerate, info.channels, info.subtype, info.format) == (RATE, 1, 'PCM_24', 'WAV')
    assert summary['duration'] == pytest.approx(info.frames / RATE)
    audio, _ = sf.read(output)
    assert 20 * math.log10(np.max(np.abs(audio))) == pytest.approx(-2.0, abs=1e-4)
    assert sorted(p.name for p in output.parent.iterdir()) == ['piece.wav']  # no temporary file left
    written = output.read_bytes()
    with pytest.raises(FileExistsError, match=r'piece\.wav already exists.*--overwrite'):
        arrangeFile(score, _kit(), output, sample_rate=RATE)

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(sf, 'write', failing)
    with pytest.raises(OSError, match=r'could not write .*piece\.wav: no space left on the device'):
        arrangeFile(score, _kit(), output, sample_rate=RATE, overwrite=True)
    assert output.read_bytes() == written and sorted(p.name for p in output.parent.iterdir()) == ['piece.wav']
    monkeypatch.undo()
    summary = arrangeFile(score, _kit(), output, sample_rate=RATE, room_seed=3, rt60=0.2, overwrite=True)
    assert summary['room']['rt60'] == 0.2 and len(summary['room']['dimensions']) == 3
    assert summary['duration'] == pytest.approx(0.05 + 0.3 + 0.2, abs=1e-9)  # last onset, ring, room tail
    json.dumps(summary)
    with pytest.raises(ValueError, match='give room_seed too'):
        arrangeFile(score, _kit(), tmp_path / 'other.wav', sample_rate=RATE, rt60=0.2)
