"""The web page's API (kac_prediction/serve/app.py) through FastAPI's TestClient: each action, each refusal."""

import base64
import inspect
import io
import math
import re
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from kac_prediction.orchestrate import Drum, cents, noteFrequency, renderDrum
from kac_prediction.serve import createApp, serve

RATE = 48000
DRUM = Drum('circle', 0.6, 100.0)


def wavBytes(waveform: npt.ArrayLike, rate: int = RATE, subtype: str = 'PCM_16') -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.asarray(waveform), rate, subtype=subtype, format='WAV')
    return buffer.getvalue()


def decodeDataURL(url: str) -> tuple[npt.NDArray[np.float64], int]:
    prefix = 'data:audio/wav;base64,'
    assert url.startswith(prefix)
    samples, rate = sf.read(io.BytesIO(base64.b64decode(url[len(prefix) :])), dtype='float64')
    return np.asarray(samples, dtype=np.float64), int(rate)


@pytest.fixture(scope='module')
def client() -> TestClient:
    return TestClient(createApp())


@pytest.fixture(scope='module')
def drum_wav() -> bytes:
    return wavBytes(renderDrum(DRUM, (0.3, 0.0), duration=1.0, sample_rate=RATE, amplitude=0.9))


def upload(client: TestClient, route: str, data: bytes, name: str = 'drum.wav', **fields: str) -> Any:
    return client.post(route, files={'file': (name, data, 'audio/wav')}, data=fields)


def test_predict_sizes_a_rendered_drum(client: TestClient, drum_wav: bytes) -> None:
    response = upload(client, '/api/predict', drum_wav, family='circle', wave_speed='100')
    assert response.status_code == 200, response.text
    result = response.json()
    assert result['family'] == 'circle' and result['wave_speed'] == 100.0 and result['wave_speed_source'] == 'given'
    assert abs(result['drum_size'] - 0.6) < 0.06
    outline = np.array(result['outline'])
    assert outline.shape[0] >= 3 and outline.shape[1] == 2
    assert abs(np.ptp(outline[:, 0]) - result['drum_size']) < 1e-3  # a circle of that diameter, in m
    spectrum = result['spectrum']
    assert 100 < len(spectrum['frequencies']) <= 1500 and len(spectrum['levels_db']) == len(spectrum['frequencies'])
    assert np.all(np.diff(spectrum['frequencies']) > 0) and max(spectrum['frequencies']) <= 5000.0
    partials = np.array(result['partials']['frequencies'])
    assert len(partials) > 0 and np.min(np.abs(partials / DRUM.fundamental - 1.0)) < 0.01
    assert result['warnings'] == []
    start = time.perf_counter()  # the model is loaded now: a second prediction is quick (about 0.4 s on 2 cores)
    assert upload(client, '/api/predict', drum_wav, wave_speed='100').status_code == 200
    assert time.perf_counter() - start < 5.0


def test_predict_takes_a_material_and_each_family(client: TestClient, drum_wav: bytes) -> None:
    for family in ('rectangle', 'polygon'):
        result = upload(client, '/api/predict', drum_wav, family=family, material='mylar-7mil').json()
        assert result['family'] == family and result['wave_speed_source'] == 'material mylar-7mil'
        assert result['drum_size'] > 0 and len(result['outline']) >= 3
    assert result['aspect_ratio'] is None
    rectangle = upload(client, '/api/predict', drum_wav, family='rectangle').json()
    assert rectangle['aspect_ratio'] > 0 and rectangle['wave_speed_source'] == 'default'


def test_uploads_stay_in_memory(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1.5 MB upload, above python-multipart's default in-memory size, is parsed without a temporary file."""

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError('an upload was written to a temporary file')

    for name in ('NamedTemporaryFile', 'TemporaryFile', 'SpooledTemporaryFile', 'mkstemp'):
        monkeypatch.setattr(tempfile, name, refuse)
    long = renderDrum(DRUM, (0.3, 0.0), duration=4.0, sample_rate=RATE, amplitude=0.9)
    data = wavBytes(long, subtype='DOUBLE')
    assert len(data) > 1.4e6
    response = upload(client, '/api/predict', data, wave_speed='100')
    assert response.status_code == 200, response.text


def test_match_finds_the_drum_and_returns_both_sounds(client: TestClient, drum_wav: bytes) -> None:
    response = upload(client, '/api/match', drum_wav, family='circle', wave_speed='100')
    assert response.status_code == 200, response.text
    result = response.json()
    assert abs(cents(result['drum']['fundamental'], DRUM.fundamental)) < 5.0
    for key in ('target_wav', 'matched_wav'):
        samples, rate = decodeDataURL(result[key])
        assert rate == RATE and len(samples) > RATE // 2 and 0.5 < np.max(np.abs(samples)) <= 1.0
    overlay = result['overlay']
    assert 100 < len(overlay['frequencies']) <= 1500
    assert len(overlay['target_db']) == len(overlay['matched_db']) == len(overlay['frequencies'])
    assert result['distance_db']['matched'] >= 0 and result['wave_speed_source'] == 'given'


def test_design_tunes_each_drum_to_its_note(client: TestClient) -> None:
    response = client.post('/api/design', json={'notes': 'C3 Eb3 G3', 'family': 'circle', 'material': 'calfskin'})
    assert response.status_code == 200, response.text
    kit = response.json()
    assert [drum['name'] for drum in kit['drums']] == ['C3', 'Eb3', 'G3']
    assert kit['wave_speed_source'] == 'material calfskin'
    for drum in kit['drums']:
        assert abs(cents(drum['fundamental'], noteFrequency(drum['name']))) < 0.01
        samples, rate = decodeDataURL(drum['wav'])
        assert rate == 48000 and len(samples) == 72000 and drum['file'] == f'{drum["name"]}.wav'
    rectangles = client.post('/api/design', json={'notes': ['A2', 220.0], 'family': 'rectangle', 'aspect_ratio': 1.5})
    assert rectangles.status_code == 200, rectangles.text
    assert [drum['aspect_ratio'] for drum in rectangles.json()['drums']] == [1.5, 1.5]


def test_materials(client: TestClient) -> None:
    materials = client.get('/api/materials').json()
    names = [entry['name'] for entry in materials]
    assert 'default' in names and 'calfskin' in names
    assert all(entry['wave_speed'] > 0 for entry in materials)
    info = client.get('/api/info').json()
    assert info['max_bytes'] == 10_000_000 and info['max_seconds'] == 30.0
    assert set(info['families']) == {'circle', 'rectangle', 'polygon'}


def test_the_page_and_its_assets(client: TestClient) -> None:
    page = client.get('/')
    assert page.status_code == 200 and 'id="audio-file"' in page.text and 'id="drum-size"' in page.text
    for asset in ('app.js', 'style.css'):
        assert client.get(f'/static/{asset}').status_code == 200
    for text in (page.text, client.get('/static/app.js').text):  # nothing is fetched from elsewhere
        assert set(re.findall(r'https?://[^\s\'"`)]+', text)) <= {'http://www.w3.org/2000/svg', 'http://127.0.0.1'}
    assert client.get('/missing').json() == {'error': 'Not Found'}


@pytest.mark.parametrize(
    ('data', 'name', 'status', 'message'),
    [
        (b'these bytes are no sound at all' * 20, 'notes.txt', 415, 'is not audio this server can read'),
        (wavBytes(np.zeros(RATE)), 'silence.wav', 400, 'is silent'),
        (wavBytes(0.1 * np.random.default_rng(0).standard_normal(40 * 8000), 8000), 'long.wav', 400, 'is too long'),
        (b'', 'empty.wav', 400, 'is empty'),
    ],
    ids=['not audio', 'silence', 'too long', 'empty'],
)
def test_bad_uploads_are_refused_with_a_message(
    client: TestClient, data: bytes, name: str, status: int, message: str
) -> None:
    response = upload(client, '/api/predict', data, name=name)
    assert response.status_code == status
    assert message in response.json()['error'] and name in response.json()['error']


def test_too_large_uploads_are_refused(drum_wav: bytes) -> None:
    small = TestClient(createApp(max_bytes=1000))
    response = upload(small, '/api/predict', drum_wav)
    assert response.status_code == 413 and 'larger than the limit' in response.json()['error']
    boundary = 'kac-boundary'
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="drum.wav"\r\n'
            'Content-Type: audio/wav\r\n\r\n'
        ).encode()
        + drum_wav
        + f'\r\n--{boundary}--\r\n'.encode()
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts the bytes as they arrive
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = small.post(
        '/api/predict', content=chunks(), headers={'content-type': f'multipart/form-data; boundary={boundary}'}
    )
    assert 'content-length' not in response.request.headers
    assert response.status_code == 413 and 'larger than the limit' in response.json()['error']
    upload_only = (
        (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="drum.wav"\r\n\r\n').encode()
        + drum_wav[:2000]
        + f'\r\n--{boundary}--\r\n'.encode()
    )  # within the form's margin, over the file limit
    response = small.post(
        '/api/predict', content=upload_only, headers={'content-type': f'multipart/form-data; boundary={boundary}'}
    )
    assert response.status_code == 413 and 'larger than the limit' in response.json()['error']


@pytest.mark.parametrize(
    ('route', 'request_', 'message'),
    [
        ('/api/design', {'notes': 'C3 H9'}, "unknown note 'H9'"),
        ('/api/design', {'notes': 'C3', 'material': 'unobtanium'}, "unknown material 'unobtanium'"),
        ('/api/design', {'notes': 'C0'}, 'outside the size range'),
        ('/api/design', {'notes': 'C3', 'family': 'polygon'}, 'needs an outline'),
        ('/api/design', {'notes': 'C3', 'family': 'hexagon'}, "unknown drum family 'hexagon'"),
        ('/api/design', {'notes': 'C3', 'wave_speed': -1}, 'wave_speed must be a positive number'),
        ('/api/predict', {'material': 'unobtanium'}, "unknown material 'unobtanium'"),
        ('/api/predict', {'material': 'calfskin', 'wave_speed': '90'}, 'not both'),
    ],
)
def test_bad_settings_are_refused_with_a_message(
    client: TestClient, drum_wav: bytes, route: str, request_: dict[str, Any], message: str
) -> None:
    if route == '/api/design':
        response = client.post(route, json=request_)
    else:
        response = upload(client, route, drum_wav, **request_)
    assert response.status_code == 400
    assert message in response.json()['error']


def test_malformed_requests_are_refused(client: TestClient) -> None:
    assert client.post('/api/predict', data={'family': 'circle'}).json()['error'].startswith('send the audio as')
    no_file = client.post('/api/predict', files={'other': ('a.wav', b'x')})
    assert no_file.status_code == 400 and "field 'file'" in no_file.json()['error']
    not_json = client.post('/api/design', content=b'notes: C3', headers={'content-type': 'application/json'})
    assert not_json.status_code == 400 and 'not JSON' in not_json.json()['error']


def test_the_server_binds_to_this_machine_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert inspect.signature(serve).parameters['host'].default == '127.0.0.1'
    import kac_prediction.serve as package
    from kac_prediction.cli import main

    called: list[tuple[Any, ...]] = []

    def fake(*arguments: Any) -> int:
        called.append(arguments)
        return 0

    monkeypatch.setattr(package, 'serve', fake)
    assert main(['serve']) == 0
    assert called == [('127.0.0.1', 8000, [], 10.0, 30.0)]


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match='max_bytes'):
        createApp(max_bytes=0)
    with pytest.raises(ValueError, match='max_seconds'):
        createApp(max_seconds=math.nan)
    with pytest.raises(ValueError, match='unknown drum families'):
        createApp({'hexagon': 'model'})
