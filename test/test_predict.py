"""Inference from audio files: prepareAudio, loadPredictor / Predictor, `kac-prediction predict`, scripts/deploy.py."""

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import torch
from scipy.signal import resample_poly

from kac_prediction.architecture import CRePE, OutlineCRePE, SpectrumCRePE
from kac_prediction.cli import main
from kac_prediction.inference import Predictor, loadPredictor, maskOutline, prepareAudio
from kac_prediction.pipeline.checkpoints import saveCheckpoint
from kac_prediction.pipeline.types import ExportedModel
from kac_prediction.samplers import BesselModel

SCRIPTS = Path(__file__).resolve().parent.parent / 'scripts'
REPRESENTATION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}
RATE, LENGTH = 48000, 48000
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'

# four drums of different sizes (one strike each), peak 1
WAVEFORMS, LABELS = BesselModel(duration=1.0, sample_rate=RATE, seed=0, strikes_per_drum=1).generateBatch(range(4))


def exported(model: torch.nn.Module, kwargs: dict[str, Any], name: str, directory: Path) -> ExportedModel:
    """A checkpoint as the Routine writes one (untrained weights: inference only needs them to be deterministic)."""
    return {
        'dataset': {
            'dataset_dir': '', 'dataset_size': 4, 'representation_settings': dict(REPRESENTATION),
            'sampler': {'name': 'BesselModel', 'version': 'test'},
            'sampler_settings': {'duration': 1.0, 'sample_rate': RATE, 'seed': 0},
        },
        'evaluation_loss': {'aggregate': 0.5}, 'hyperparameters': {'batch_size': 4}, 'model_kwargs': kwargs,
        'model_state_dict': model.state_dict(), 'optimizer_state_dict': {},
        'run_info': {'epoch': 1, 'exports_dir': str(directory), 'id': directory.name,
                     'model': {'name': name, 'version': 'test'}},
        'testing_loss': None, 'training_loss': 0.5, 'training_state': {},
    }  # fmt: skip


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory with best.pt of a SpectrumCRePE predicting drum_size (labels fitted to the four drums)."""
    directory = tmp_path_factory.mktemp('model') / 'run'
    directory.mkdir()
    torch.manual_seed(0)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([label['drum_size'] for label in LABELS], dtype=torch.float64))
    saveCheckpoint(exported(model, dict(model.model_kwargs), 'SpectrumCRePE', directory), directory / 'best.pt')
    return directory


@pytest.fixture(scope='module')
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real files of drum 0: the original, a 44.1-kHz copy, a 16-bit stereo copy, 0.1 s of leading silence, 2 s."""
    folder = tmp_path_factory.mktemp('audio')
    w = WAVEFORMS[0]
    files = {
        'original': (w, RATE, 'FLOAT'),
        'resampled': (resample_poly(w, 147, 160), 44100, 'FLOAT'),
        'stereo': (np.stack([w, 0.5 * w], axis=1), RATE, 'PCM_16'),
        'silence': (np.concatenate([np.zeros(RATE // 10), w]), RATE, 'FLOAT'),
        'padded': (np.concatenate([w, np.zeros(RATE)]), RATE, 'FLOAT'),
    }
    paths = {}
    for name, (data, rate, subtype) in files.items():
        paths[name] = folder / f'{name}.wav'
        sf.write(paths[name], data, rate, subtype=subtype)
    (folder / 'not_audio.wav').write_text('this is not a WAV file\n')
    paths['not_audio'] = folder / 'not_audio.wav'
    return paths


# ---------------------------------------------------------------------------------------------------- prepareAudio


def test_channels_are_mixed_down_to_their_mean() -> None:
    w = WAVEFORMS[1]
    mono = prepareAudio(w, RATE, RATE, LENGTH)
    assert mono.dtype == np.float64 and mono.shape == (LENGTH,)
    np.testing.assert_array_equal(prepareAudio(np.stack([w, w], axis=1), RATE, RATE, LENGTH), mono)
    stereo = np.stack([w, 0.5 * w], axis=1)
    np.testing.assert_array_equal(prepareAudio(stereo, RATE, RATE, LENGTH), prepareAudio(0.75 * w, RATE, RATE, LENGTH))


def test_onset_alignment_removes_leading_silence_and_noise() -> None:
    w = WAVEFORMS[2]
    reference = prepareAudio(w, RATE, RATE, LENGTH)
    np.testing.assert_array_equal(reference[: LENGTH - 1], w[1:])  # w[0] = 0: it starts with the strike's half-cycle
    silent = np.concatenate([np.zeros(RATE // 10), w])
    np.testing.assert_allclose(prepareAudio(silent, RATE, RATE, LENGTH), reference, rtol=0, atol=1e-6)
    noise = 1e-5 * np.random.default_rng(0).standard_normal(RATE // 10)  # far below the onset threshold
    np.testing.assert_allclose(prepareAudio(np.concatenate([noise, w]), RATE, RATE, LENGTH), reference, atol=1e-6)
    delayed = np.concatenate([np.zeros(123), -w])  # the sign does not matter
    np.testing.assert_allclose(prepareAudio(delayed, RATE, RATE, LENGTH), -reference, atol=1e-6)


def test_trim_pad_resample_and_integer_pcm() -> None:
    w = WAVEFORMS[3]
    short = prepareAudio(w[:1000], RATE, RATE, LENGTH)
    assert short.shape == (LENGTH,) and not short[999:].any() and short[:999].any()
    assert prepareAudio(np.tile(w, 3), RATE, RATE, 500).shape == (500,)
    resampled = prepareAudio(resample_poly(w, 147, 160), 44100, RATE, LENGTH)  # back to 48 kHz
    assert resampled.shape == (LENGTH,)
    original = prepareAudio(w, RATE, RATE, LENGTH)[10:20000]
    fit = {lag: np.corrcoef(original, np.roll(resampled, lag)[10:20000])[0, 1] for lag in range(-3, 4)}
    assert max(fit.values()) > 0.9999 and abs(max(fit, key=fit.__getitem__)) <= 1  # the same, within a sample
    assert prepareAudio(w, RATE, 16000, 16000).shape == (16000,)
    pcm = np.round(w * 16384).astype(np.int16)  # integer PCM is scaled to [-1, 1)
    np.testing.assert_allclose(
        prepareAudio(pcm, RATE, RATE, LENGTH), prepareAudio(w / 2, RATE, RATE, LENGTH), atol=1e-4
    )


@pytest.mark.parametrize(
    ('waveform', 'sample_rate', 'target_rate', 'length', 'message'),
    [
        (np.zeros(0), RATE, RATE, LENGTH, 'empty'),
        (np.zeros((10, 0)), RATE, RATE, LENGTH, 'no channels'),
        (np.zeros(100), RATE, RATE, LENGTH, 'silent'),
        (np.array([0.0, np.nan, 1.0]), RATE, RATE, LENGTH, 'non-finite'),
        (np.ones((2, 2, 2)), RATE, RATE, LENGTH, 'shape'),
        (np.array(['a', 'b']), RATE, RATE, LENGTH, 'real numbers'),
        (np.ones(10), 0, RATE, LENGTH, 'sample_rate'),
        (np.ones(10), 44100.0, RATE, LENGTH, 'sample_rate'),
        (np.ones(10), RATE, -1, LENGTH, 'target_rate'),
        (np.ones(10), RATE, RATE, 0, 'length'),
    ],
)
def test_bad_audio_is_a_clear_error(
    waveform: np.ndarray, sample_rate: Any, target_rate: Any, length: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        prepareAudio(waveform, sample_rate, target_rate, length)


# ------------------------------------------------------------------------------------------------------- Predictor


def test_predictions_do_not_depend_on_how_the_audio_was_stored(run: Path, audio: dict[str, Path]) -> None:
    predictor = loadPredictor(run)
    assert isinstance(predictor, Predictor) and predictor.labels == ['drum_size']
    assert (predictor.sample_rate, predictor.length, predictor.sampler_name) == (RATE, LENGTH, 'BesselModel')
    assert predictor.checkpoint == run / 'best.pt' and loadPredictor(run / 'best.pt').checkpoint == run / 'best.pt'
    names = ['original', 'resampled', 'stereo', 'silence', 'padded']
    results = predictor.predictFiles([audio[name] for name in names], progressbar=False)
    assert [result['file'] for result in results] == [str(audio[name]) for name in names]
    sizes = {name: result['drum_size'] for name, result in zip(names, results, strict=True)}
    assert all(isinstance(size, float) and size > 0 for size in sizes.values())
    for name in names[1:]:
        assert sizes[name] == pytest.approx(sizes['original'], rel=0.02), name
    assert predictor.predictWaveform(WAVEFORMS[0], RATE)['drum_size'] == pytest.approx(sizes['original'], rel=1e-6)
    others = [predictor.predictWaveform(w, RATE)['drum_size'] for w in WAVEFORMS[1:]]
    assert len({round(size, 6) for size in [sizes['original'], *others]}) > 1  # the model does read its input


def test_the_wrong_checkpoint_is_refused(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = CRePE('tiny', 0.0, 1e-3, 'adam', 1)
    saveCheckpoint(exported(model, dict(model.model_kwargs), 'CRePE', tmp_path), tmp_path / 'best.pt')
    with pytest.raises(
        ValueError, match='predict needs a checkpoint of a SpectrumCRePE, SpectrumLocator, OutlineCRePE or'
    ):
        loadPredictor(tmp_path)
    with pytest.raises(FileNotFoundError, match='no checkpoint'):
        loadPredictor(tmp_path / 'missing.pt')


# ------------------------------------------------------------------------------------------------------------- CLI


def test_predict_prints_a_table_and_json(run: Path, audio: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(audio['original']), str(audio['stereo'])]
    assert main(['predict', str(run), *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['file', 'drum_size', '(m)'] and len(lines) == 3
    assert lines[1].startswith(files[0]) and lines[2].startswith(files[1])
    table = [float(line.split()[-1]) for line in lines[1:]]
    assert main(['predict', str(run / 'best.pt'), *files, '--json']) == 0
    results = json.loads(capsys.readouterr().out)
    assert [result['file'] for result in results] == files and set(results[0]) == {'file', 'drum_size', 'warnings'}
    assert [round(result['drum_size'], 4) for result in results] == table


def test_predict_plot_writes_a_png(run: Path, audio: dict[str, Path], tmp_path: Path) -> None:
    import matplotlib.image

    assert main(['predict', str(run), str(audio['original']), '--plot', str(tmp_path / 'one.png')]) == 0
    several = ['predict', str(run), str(audio['original']), str(audio['padded']), '--plot', str(tmp_path / 'p.png')]
    assert main(several) == 0
    for name in ('one.png', 'p_0.png', 'p_1.png'):
        assert (tmp_path / name).read_bytes()[:8] == PNG_SIGNATURE
        image = matplotlib.image.imread(tmp_path / name)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert not (tmp_path / 'p.png').exists()


def test_predict_errors_exit_2(
    run: Path, audio: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torch.manual_seed(0)
    model = CRePE('tiny', 0.0, 1e-3, 'adam', 1)
    saveCheckpoint(exported(model, dict(model.model_kwargs), 'CRePE', tmp_path), tmp_path / 'crepe.pt')
    cases = [
        (
            [str(tmp_path / 'crepe.pt'), str(audio['original'])],
            'SpectrumCRePE, SpectrumLocator, OutlineCRePE or OutlineLocator',
        ),
        ([str(run), str(tmp_path / 'missing.wav')], 'no audio file at'),
        ([str(tmp_path / 'nothing'), str(audio['original'])], 'no checkpoint at'),
        ([str(run), str(audio['not_audio'])], 'cannot read'),
    ]
    for arguments, message in cases:
        assert main(['predict', *arguments]) == 2
        err = capsys.readouterr().err
        assert err.startswith('error: ') and message in err, err
    with pytest.raises(SystemExit) as exit_info:
        main(['predict', '--help'])
    assert exit_info.value.code == 0 and '--plot' in capsys.readouterr().out


def test_deploy_script(run: Path, audio: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(SCRIPTS))
    try:
        import deploy
    finally:
        sys.path.remove(str(SCRIPTS))
    results = deploy.deploy(run, [audio['original']])
    assert len(results) == 1 and results[0]['file'] == str(audio['original']) and results[0]['drum_size'] > 0
    assert deploy.main([str(run), str(audio['original'])]) == 0
    assert 'drum_size = ' in capsys.readouterr().out
    assert deploy.main([str(run), str(audio['original']) + '.missing']) == 2
    with pytest.raises(SystemExit) as exit_info:
        deploy.main(['-h'])
    assert exit_info.value.code == 0 and 'CHECKPOINT' in capsys.readouterr().out


def test_evaluate_predict_script_reports_each_copy(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / 'scripts'))
    try:
        import evaluate_predict
    finally:
        sys.path.pop(0)
    assert evaluate_predict.main([str(run), '--drums', '4', '--output', str(tmp_path / 'check'), '--json']) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report['rmse']) == sorted(evaluate_predict.VARIANTS)
    assert len(list((tmp_path / 'check').glob('*.wav'))) == 4 * len(evaluate_predict.VARIANTS)
    original = report['rmse']['original']['drum_size']
    assert all(abs(r['drum_size'] - original) <= 0.02 * original + 1e-9 for r in report['rmse'].values())
    (tmp_path / 'mine').mkdir()
    (tmp_path / 'mine' / 'notes.txt').write_text('mine')
    assert evaluate_predict.main([str(run), '--drums', '2', '--output', str(tmp_path / 'mine')]) == 2
    assert (tmp_path / 'mine' / 'notes.txt').read_text() == 'mine'


# ---------------------------------------------------------------------------------------------------------- outlines


def shoelace(points: Any) -> float:
    x, y = np.asarray(points).T
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def test_mask_outline_is_scaled_to_the_drum_size() -> None:
    nodes = np.linspace(-1, 1, 32)
    X, Y = np.meshgrid(nodes, nodes, indexing='ij')
    disc = ((X - 0.1) ** 2 + (Y + 0.2) ** 2 <= 0.6**2).astype(np.float64)
    outline = np.asarray(maskOutline(disc, 0.3))
    assert outline.shape[1] == 2 and len(outline) > 20
    assert shoelace(outline) == pytest.approx(0.3**2, rel=1e-9)
    # the disc's centre (0.1, −0.2) scaled to metres (radius 0.6 ↦ 0.3 / √π): x along the first axis of the mask
    scale = 0.3 / np.sqrt(np.pi) / 0.6
    assert outline.mean(axis=0) == pytest.approx([0.1 * scale, -0.2 * scale], abs=0.005)
    full = maskOutline(np.ones((9, 9)), 0.5)  # a mask reaching the frame's edges still closes
    assert shoelace(full) == pytest.approx(0.25, rel=1e-9)
    assert maskOutline(np.zeros((8, 8)), 0.3) == []
    with pytest.raises(ValueError, match='square'):
        maskOutline(np.ones((4, 5)), 0.3)


def test_predict_outline_checkpoints(
    tmp_path: Path, audio: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    torch.manual_seed(0)
    model = OutlineCRePE('tiny', 0.0, 1e-3, 'adam', grid_size=16)
    model.fitLabels(torch.tensor([[0.2], [0.4]], dtype=torch.float64))
    with torch.no_grad():  # a bias that predicts a disc: the outline does not depend on the untrained weights
        nodes = torch.linspace(-1, 1, 16)
        disc = (nodes[:, None] ** 2 + nodes[None, :] ** 2 <= 0.5).float()
        model.classifier.weight[1:] = 0.0
        model.classifier.bias[1:] = 20.0 * disc.flatten() - 10.0
    saveCheckpoint(exported(model, dict(model.model_kwargs), 'OutlineCRePE', tmp_path), tmp_path / 'best.pt')
    assert main(['predict', str(tmp_path), str(audio['original']), '--json']) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert set(result) == {'file', 'drum_size', 'outline', 'warnings'} and len(result['outline']) > 8
    assert shoelace(result['outline']) == pytest.approx(result['drum_size'] ** 2, rel=1e-6)
    assert main(['predict', str(tmp_path), str(audio['original']), '--plot', str(tmp_path / 'shape.png')]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['file', 'drum_size', '(m)', 'outline', 'points']
    assert (tmp_path / 'shape.png').read_bytes()[:8] == PNG_SIGNATURE
