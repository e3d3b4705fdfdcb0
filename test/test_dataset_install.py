"""installDataset and its command lines, against a local stand-in for Zenodo (no network, no home directory)."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from _zenodo_server import RECORD_PATH, ZenodoStub, serve

from kac_prediction.dataset.install import (
    DATASET_NAMES,
    DatasetInstallError,
    DownloadError,
    installDataset,
    main,
)
from kac_prediction.samplers import Datasets

REPO = Path(__file__).resolve().parents[1]
NAME: Datasets = '5000-circular-drums-of-varying-size'
KEY = f'{NAME}.zip'
TOKEN = 'sEcReT-t0ken-4f1c9a'


def datasetFiles() -> dict[str, bytes]:
    """The files of a tiny dataset: metadata.json and three WAVs."""
    files = {'metadata.json': json.dumps({'dataset_size': 3, 'data': [{'y': {'drum_size': [0.5]}}] * 3}).encode()}
    rng = np.random.default_rng(0)
    for i in range(3):
        wav = io.BytesIO()
        sf.write(wav, rng.uniform(-0.5, 0.5, 64 + 16 * i), 48000, format='WAV', subtype='PCM_24')
        files[f'sample_{i:05d}.wav'] = wav.getvalue()
    return files


FILES = datasetFiles()


def makeZip(extra: dict[str, bytes] | None = None, symlink: str | None = None) -> bytes:
    """NAME/data/<files> with directory entries, a __MACOSX entry, `extra` members and optionally a symlink."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr(f'{NAME}/', b'')
        archive.writestr(f'{NAME}/data/', b'')
        for name, content in FILES.items():
            archive.writestr(f'{NAME}/data/{name}', content)
        archive.writestr(f'__MACOSX/{NAME}/data/._sample_00000.wav', b'\x00\x05\x16\x07 apple double')
        for name, content in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), content)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = 0o120777 << 16
            archive.writestr(info, '/etc/passwd')
    return buffer.getvalue()


ZIP = makeZip()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token, base URL or netrc from the user's environment; local requests bypass any proxy."""
    for variable in ('KAC_PREDICTION_ZENODO_TOKEN', 'KAC_PREDICTION_ZENODO_URL'):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv('KAC_PREDICTION_ZENODO_TOKEN_FILE', str(tmp_path / 'no-token-file'))
    monkeypatch.setenv('NETRC', str(tmp_path / 'no-netrc'))
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')


@pytest.fixture
def zenodo() -> Iterator[ZenodoStub]:
    with serve(ZenodoStub(files={KEY: ZIP, 'other-dataset.zip': b'x'})) as stub:
        yield stub


def assertInstalled(dataset_dir: Path) -> None:
    assert sorted(path.name for path in dataset_dir.iterdir()) == sorted(FILES)
    for name, content in FILES.items():
        assert (dataset_dir / name).read_bytes() == content


def assertNothingExtracted(dataset_dir: Path) -> None:
    assert not dataset_dir.exists() or all(path.name == '.download' for path in dataset_dir.iterdir())


def test_install_flattens_the_data_folder(
    zenodo: ZenodoStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset_dir = tmp_path / 'new' / 'data'
    path = installDataset(NAME, dataset_dir, base_url=zenodo.url + '/')
    assert path == dataset_dir
    # Flat, equal contents, no __MACOSX, and the default download folder is gone with the zip.
    assertInstalled(dataset_dir)
    assert [request.path for request in zenodo.log] == [RECORD_PATH, f'{RECORD_PATH}/files/{KEY}/content']
    assert 'Range' not in zenodo.log[1].headers
    assert 'Authorization' not in zenodo.log[0].headers
    assert '100%' in capsys.readouterr().err  # the progress bar


def test_base_url_from_environment(zenodo: ZenodoStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('KAC_PREDICTION_ZENODO_URL', zenodo.url)
    installDataset(NAME, tmp_path / 'data', progressbar=False)
    assertInstalled(tmp_path / 'data')


def test_dropped_connection_resumes_with_a_range_request(zenodo: ZenodoStub, tmp_path: Path) -> None:
    zenodo.drops = 1
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    assertInstalled(tmp_path / 'data')
    first, second = zenodo.fileRequests()
    assert first.body_bytes == len(ZIP) // 2
    assert second.headers['Range'] == f'bytes={len(ZIP) // 2}-'
    assert second.status == 206


def test_part_file_of_a_killed_run_is_continued(zenodo: ZenodoStub, tmp_path: Path) -> None:
    cache = tmp_path / 'cache'
    cache.mkdir()
    (cache / f'{KEY}.part').write_bytes(ZIP[:1000])
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, cache_dir=cache, progressbar=False)
    assertInstalled(tmp_path / 'data')
    (request,) = zenodo.fileRequests()
    assert request.headers['Range'] == 'bytes=1000-'
    assert request.body_bytes == len(ZIP) - 1000
    # An explicit cache keeps the verified zip: a second install downloads nothing.
    assert sorted(path.name for path in cache.iterdir()) == [KEY]
    installDataset(NAME, tmp_path / 'again', base_url=zenodo.url, cache_dir=cache, progressbar=False)
    assertInstalled(tmp_path / 'again')
    assert len(zenodo.fileRequests()) == 1


def test_server_ignoring_range_restarts_from_zero(zenodo: ZenodoStub, tmp_path: Path) -> None:
    zenodo.ignore_range = True
    cache = tmp_path / 'data' / '.download'
    cache.mkdir(parents=True)
    (cache / f'{KEY}.part').write_bytes(ZIP[:1000])
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    (request,) = zenodo.fileRequests()
    assert request.headers['Range'] == 'bytes=1000-' and request.status == 200
    assertInstalled(tmp_path / 'data')


def test_persistent_failures_give_up_and_keep_the_part_file(
    zenodo: ZenodoStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every answer restarts from byte 0 and breaks off halfway: no attempt gets further than the first.
    monkeypatch.setattr('kac_prediction.dataset.install.time.sleep', lambda seconds: None)
    zenodo.ignore_range = True
    zenodo.drops = 1000
    with pytest.raises(DownloadError, match=r'failed 6 times in a row.*kept in .*\.part') as caught:
        installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    assert zenodo.url in str(caught.value)
    assert len(zenodo.fileRequests()) == 6
    part = tmp_path / 'data' / '.download' / f'{KEY}.part'
    assert part.read_bytes() == ZIP[: len(ZIP) // 2]
    assertNothingExtracted(tmp_path / 'data')
    # The next run, against a server that behaves, continues from there.
    zenodo.ignore_range = False
    zenodo.drops = 0
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    assertInstalled(tmp_path / 'data')
    assert zenodo.fileRequests()[-1].headers['Range'] == f'bytes={len(ZIP) // 2}-'


def test_checksum_mismatch(zenodo: ZenodoStub, tmp_path: Path) -> None:
    wrong = 'md5:' + hashlib.md5(b'something else').hexdigest()
    zenodo.checksums[KEY] = wrong
    with pytest.raises(DownloadError) as caught:
        installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    message = str(caught.value)
    assert KEY in message and wrong in message and hashlib.md5(ZIP).hexdigest() in message
    assertNothingExtracted(tmp_path / 'data')
    assert list((tmp_path / 'data' / '.download').iterdir()) == []  # neither the bad zip nor its .part


@pytest.mark.parametrize('where', ['api', 'file'])
@pytest.mark.parametrize('status', [404, 500])
def test_http_errors(zenodo: ZenodoStub, tmp_path: Path, where: str, status: int) -> None:
    setattr(zenodo, f'{where}_status', status)
    with pytest.raises(DownloadError) as caught:
        installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    url = zenodo.url + RECORD_PATH + ('' if where == 'api' else f'/files/{KEY}/content')
    assert str(status) in str(caught.value) and f'from {url}' in str(caught.value)
    assertNothingExtracted(tmp_path / 'data')


def test_record_without_the_dataset(zenodo: ZenodoStub, tmp_path: Path) -> None:
    del zenodo.files[KEY]
    with pytest.raises(DatasetInstallError, match=r'7274474.*has no file .*offers: other-dataset\.zip'):
        installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)


@pytest.mark.parametrize(
    ('extra', 'symlink', 'member'),
    [
        ({f'{NAME}/data/../../evil': b'evil'}, None, f'{NAME}/data/../../evil'),
        ({'../evil': b'evil'}, None, '../evil'),
        ({'/tmp/evil': b'evil'}, None, '/tmp/evil'),
        ({'C:/evil': b'evil'}, None, 'C:/evil'),
        (None, f'{NAME}/data/link.wav', f'{NAME}/data/link.wav'),
    ],
)
def test_unsafe_archive_is_rejected_before_writing(
    zenodo: ZenodoStub, tmp_path: Path, extra: dict[str, bytes] | None, symlink: str | None, member: str
) -> None:
    zenodo.files[KEY] = makeZip(extra, symlink)
    assert member in [info.filename for info in zipfile.ZipFile(io.BytesIO(zenodo.files[KEY])).infolist()]
    dataset_dir = tmp_path / 'a' / 'data'
    with pytest.raises(ValueError, match='nothing was extracted') as caught:
        installDataset(NAME, dataset_dir, base_url=zenodo.url, progressbar=False)
    assert repr(member) in str(caught.value)
    assertNothingExtracted(dataset_dir)
    assert not (tmp_path / 'evil').exists() and not (tmp_path / 'a' / 'evil').exists()


def test_unknown_name(zenodo: ZenodoStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError) as caught:
        installDataset('1000-square-drums', tmp_path / 'data', base_url=zenodo.url)  # type: ignore[arg-type]
    assert all(name in str(caught.value) for name in DATASET_NAMES)
    assert main(['1000-square-drums', str(tmp_path / 'data'), '--base-url', zenodo.url]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ') and err.count('\n') == 1
    assert all(name in err for name in DATASET_NAMES)
    assert zenodo.log == [] and not (tmp_path / 'data').exists()


def test_existing_different_file_is_never_overwritten(zenodo: ZenodoStub, tmp_path: Path) -> None:
    dataset_dir = tmp_path / 'data'
    dataset_dir.mkdir()
    (dataset_dir / 'sample_00001.wav').write_bytes(b'mine')
    (dataset_dir / 'notes.txt').write_bytes(b'unrelated')
    with pytest.raises(DatasetInstallError, match='sample_00001.wav already exists.*another') as caught:
        installDataset(NAME, dataset_dir, base_url=zenodo.url, progressbar=False)
    assert str(dataset_dir / 'sample_00001.wav') in str(caught.value)
    assert (dataset_dir / 'sample_00001.wav').read_bytes() == b'mine'
    assert sorted(path.name for path in dataset_dir.iterdir()) == ['.download', 'notes.txt', 'sample_00001.wav']


def test_existing_identical_files_are_fine(zenodo: ZenodoStub, tmp_path: Path) -> None:
    # What an interrupted extraction leaves behind: some samples, no metadata.json.
    dataset_dir = tmp_path / 'data'
    dataset_dir.mkdir()
    (dataset_dir / 'sample_00000.wav').write_bytes(FILES['sample_00000.wav'])
    (dataset_dir / '.download').mkdir()
    (dataset_dir / '.download' / 'mine.txt').write_bytes(b"not the installer's")
    (dataset_dir / '.gitignore').write_bytes(b'*\n')
    installDataset(NAME, dataset_dir, base_url=zenodo.url, progressbar=False)
    assert (dataset_dir / '.gitignore').read_bytes() == b'*\n'
    assert [path.name for path in (dataset_dir / '.download').iterdir()] == ['mine.txt']
    shutil.rmtree(dataset_dir / '.download')
    (dataset_dir / '.gitignore').unlink()
    assertInstalled(dataset_dir)


def test_token_is_sent_as_bearer_and_never_shown(
    zenodo: ZenodoStub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, token=TOKEN)
    assert [request.headers.get('Authorization') for request in zenodo.log] == [f'Bearer {TOKEN}'] * 2
    assert all(TOKEN not in request.path for request in zenodo.log)
    # From the environment, through the command line, failing: not in the message either.
    zenodo.file_status = 403
    monkeypatch.setenv('KAC_PREDICTION_ZENODO_TOKEN', TOKEN)
    with pytest.raises(DownloadError) as caught:
        installDataset(NAME, tmp_path / 'other', base_url=zenodo.url)
    assert 'token' in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert main([NAME, str(tmp_path / 'cli'), '--base-url', zenodo.url]) == 1
    assert zenodo.log[-1].headers['Authorization'] == f'Bearer {TOKEN}'
    out, err = capsys.readouterr()
    assert 'error: HTTP 403' in err
    assert TOKEN not in out and TOKEN not in err


def test_token_goes_only_to_the_zenodo_server(zenodo: ZenodoStub, tmp_path: Path) -> None:
    zenodo.link_host = 'localhost'  # the same server under another name: another origin
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, token=TOKEN, progressbar=False)
    api, download = zenodo.log
    assert api.headers['Authorization'] == f'Bearer {TOKEN}' and 'Authorization' not in download.headers


def test_token_file(zenodo: ZenodoStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / 'config' / 'zenodo-token'
    token_file.parent.mkdir()
    token_file.write_text(TOKEN + '\n')
    monkeypatch.setenv('KAC_PREDICTION_ZENODO_TOKEN_FILE', str(token_file))
    token_file.chmod(0o644)
    with pytest.raises(DatasetInstallError, match='chmod 600') as caught:
        installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    assert TOKEN not in str(caught.value) and zenodo.log == []
    token_file.chmod(0o600)
    installDataset(NAME, tmp_path / 'data', base_url=zenodo.url, progressbar=False)
    assert zenodo.log[0].headers['Authorization'] == f'Bearer {TOKEN}'


def test_command_line_installs(zenodo: ZenodoStub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / 'cache'
    assert (
        main([NAME, str(tmp_path / 'data'), '--base-url', zenodo.url, '--cache-dir', str(cache), '--no-progress']) == 0
    )
    assertInstalled(tmp_path / 'data')
    assert (cache / KEY).read_bytes() == ZIP
    assert str(tmp_path / 'data') in capsys.readouterr().out


def test_command_line_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(['-h'])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert '--base-url' in out and '--cache-dir' in out and '--no-progress' in out and 'NAME [DIR]' in out


def test_shell_wrapper(tmp_path: Path) -> None:
    # One Python start only (importing the package takes seconds); installing through main() is tested above.
    env = {**os.environ, 'HOME': str(tmp_path)}
    script = str(REPO / 'bin' / 'install-dataset.sh')
    usage = subprocess.run(['sh', script], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert usage.returncode == 2 and 'usage:' in usage.stderr and 'NAME [DIR]' in usage.stderr
    unknown = subprocess.run(['sh', script, 'no-such-dataset'], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert unknown.returncode == 2
    assert 'error: unknown dataset' in unknown.stderr and all(name in unknown.stderr for name in DATASET_NAMES)
    assert list(tmp_path.iterdir()) == []
