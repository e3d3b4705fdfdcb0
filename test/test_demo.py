"""The main job writes WAVs and a spectrum plot, and never writes into a directory of someone else's files."""

import os

import soundfile as sf

from kac_prediction.demo import main


def test_demo_writes_wavs_and_a_plot(tmp_path: os.PathLike[str]) -> None:
    output = os.path.join(tmp_path, 'demo')
    assert main(['--output', output, '--drums', '1']) == 0
    files = sorted(os.listdir(output))
    assert 'spectra.png' in files
    wavs = [f for f in files if f.endswith('.wav')]
    assert wavs == ['BesselModel_00.wav', 'LameModel_00.wav', 'PoissonModel_00.wav']
    info = sf.info(os.path.join(output, wavs[0]))
    assert (info.samplerate, info.subtype, info.frames) == (48000, 'PCM_24', 48000)
    with open(os.path.join(output, 'spectra.png'), 'rb') as png:
        assert png.read(8) == b'\x89PNG\r\n\x1a\n'
    assert main(['--output', output, '--drums', '1']) == 0  # its own output may be rewritten


def test_demo_refuses_a_directory_of_other_files(tmp_path: os.PathLike[str], capsys) -> None:  # type: ignore[no-untyped-def]
    mine = os.path.join(tmp_path, 'notes.txt')
    with open(mine, 'w') as file:
        file.write('precious')
    assert main(['--output', os.fspath(tmp_path), '--drums', '1']) == 2
    assert 'pass --overwrite' in capsys.readouterr().err
    assert os.listdir(tmp_path) == ['notes.txt']
    with open(mine) as file:
        assert file.read() == 'precious'
