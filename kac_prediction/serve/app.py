"""The web page of kac_prediction (`kac-prediction serve`): hear a drum's shape, match it, design a kit.

    app = createApp()                                  # the shipped models, loaded per family at first use
    app = createApp({'circle': 'model/<run id>'})      # a checkpoint of your own for a family
    uvicorn.run(app, host='127.0.0.1', port=8000)      # what `serve` does

Routes (JSON in and out; audio as multipart/form-data with a field 'file'):
    GET  /                 the page (static/index.html and app.js: plain HTML and JavaScript, drawn with SVG; nothing
                           is fetched from the internet)
    GET  /static/…         its script and style sheet
    GET  /api/info         the limits and the model that serves each family
    GET  /api/materials    the membrane materials (orchestrate.MATERIALS)
    POST /api/predict      file, family, wave_speed (m/s) or material → the drum the network hears: size (m), aspect
                           ratio, outline (m), the spectrum (dB, log-spaced up to 5 kHz) and its partials
    POST /api/match        the same fields → orchestrate.matchWaveform's result, the analysed sound and the matched
                           drum's as WAV data URLs, and both spectra on one frequency grid
    POST /api/design       {notes, family, material or wave_speed, aspect_ratio, outline} → a drum per note
                           (orchestrate.designKit) with a strike of each as a WAV data URL

Limits: a request body larger than max_bytes (plus 64 KiB for the form's other fields) is refused with 413, from its
Content-Length before it is read and, when it has none (chunked), by counting the bytes as they arrive; an upload that
soundfile cannot read is refused with 415; audio longer than max_seconds, silent (peak below −90 dBFS), of more than
8 channels or of a sample rate outside 1–768 kHz with 400. Every error is JSON {"error": "one sentence"} with a 4xx
status (a 5xx for a failure of the server), which the page shows in its element #error.

Uploads stay in memory: the body is read into bytes, python-multipart parses it with its in-memory limit above the
body limit (so no part spills to a temporary file) and soundfile decodes the audio from a BytesIO. Nothing is written
to disk.

Why FastAPI and one plain page rather than Gradio (the usual frame for audio demos): few, small dependencies (fastapi,
starlette, pydantic, uvicorn, python-multipart, where Gradio brings some 60 packages and its own frontend build), a
JSON API that scripts call as the page does (`curl -F file=@drum.wav http://127.0.0.1:8000/api/predict`), and a page
that a browser test drives by the ids of its elements.

Which family a checkpoint serves (`predictorFamily`): an outline network (its predictions hold an outline) serves
'polygon', a model predicting 'aspect_ratio' serves 'rectangle', any other 'circle'.
"""

import base64
import io
import json
import math
import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .._io import jsonSafe
from ..architecture import OutlineOutputs
from ..inference import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, Predictor, loadPredictor
from ..orchestrate import (
    DRUM_FAMILIES,
    MATERIALS,
    Drum,
    analysePartials,
    designKit,
    matchWaveform,
    waveSpeed,
)
from ..orchestrate.design import DEFAULT_STRIKE, designedSound
from ..orchestrate.match import soundFromOnset
from ..orchestrate.plots import logSpectrum

__all__ = [
    'DEFAULT_MAX_BYTES',
    'DEFAULT_MAX_SECONDS',
    'SILENCE_LEVEL',
    'STATIC_DIR',
    'RequestError',
    'checkpointFamilies',
    'createApp',
    'predictorFamily',
]

DEFAULT_MAX_BYTES = 10_000_000
"""Bytes: the largest audio upload accepted (10 MB)."""
DEFAULT_MAX_SECONDS = 30.0
"""s: the longest audio accepted."""
SILENCE_LEVEL = -90.0
"""dBFS: audio whose peak lies below this is refused as silence."""
STATIC_DIR = Path(__file__).resolve().parent / 'static'
"""The page: index.html, app.js, style.css (package data)."""

_FORM_MARGIN = 65536  # bytes a multipart body may hold beyond its file: boundaries, headers, the other fields
_MAX_CHANNELS = 8
_MAX_NOTES = 24
_SPECTRUM_POINTS = 1500
_SPECTRUM_RANGE = (20.0, 5000.0)  # Hz, the page's frequency axis
_SPECTRUM_SECONDS = 1.0  # s of the sound, from its onset, whose spectrum the page draws
_DESIGN_SECONDS, _DESIGN_RATE = 1.5, 48000  # each designed drum's strike


class RequestError(Exception):
    """A request the server refuses: an HTTP status (4xx) and one sentence for the person who sent it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def predictorFamily(predictor: Predictor) -> str:
    """The drum family a predictor serves: 'polygon' for an outline network (OutlineOutputs: its predictions hold
    an outline), 'rectangle' when it predicts aspect_ratio, else 'circle'."""
    if isinstance(predictor.model, OutlineOutputs):
        return 'polygon'
    return 'rectangle' if 'aspect_ratio' in predictor.labels else 'circle'


def checkpointFamilies(paths: Sequence[str | os.PathLike[str]]) -> dict[str, Predictor]:
    """{family: Predictor} of checkpoints (run directories or .pt files of a SpectrumCRePE or OutlineCRePE routine),
    each under `predictorFamily`. ValueError for two checkpoints of one family or a model that predicts no size
    (neither drum_size nor transit_time); loadPredictor's errors for a path that holds no such checkpoint."""
    found: dict[str, Predictor] = {}
    named: dict[str, str] = {}
    for path in paths:
        predictor = loadPredictor(path)
        if not {'drum_size', 'transit_time'} & set(predictor.labels):
            raise ValueError(f'{os.fspath(path)} predicts {predictor.labels}, not the size of a drum.')
        family = predictorFamily(predictor)
        if family in found:
            raise ValueError(f'{named[family]} and {os.fspath(path)} are both {family} models: give one per family.')
        found[family], named[family] = predictor, os.fspath(path)
    return found


class _Predictors:
    """The predictor of each family, loaded once at first use (a checkpoint given for it, else the shipped model)."""

    def __init__(self, given: Mapping[str, str | os.PathLike[str] | Predictor]) -> None:
        unknown = sorted(set(given) - set(DRUM_FAMILIES))
        if unknown:
            raise ValueError(f'unknown drum families {unknown}: checkpoints serve one of {", ".join(DRUM_FAMILIES)}.')
        self._given = dict(given)
        self._loaded: dict[str, Predictor] = {}
        self._lock = threading.Lock()

    def source(self, family: str) -> str:
        """What serves `family`: 'checkpoint PATH' or 'shipped model'."""
        given = self._given.get(family)
        if given is None:
            return 'shipped model'
        return f'checkpoint {given.checkpoint if isinstance(given, Predictor) else os.fspath(given)}'

    def get(self, family: str) -> Predictor:
        with self._lock:
            if family not in self._loaded:
                given = self._given.get(family)
                if isinstance(given, Predictor):
                    self._loaded[family] = given
                elif given is not None:
                    self._loaded[family] = loadPredictor(given)
                else:
                    from ..models import loadPretrained

                    self._loaded[family] = loadPretrained(family)
            return self._loaded[family]


def _bytes(count: float) -> str:
    """A size for people: '10 MB', '64 kB', '900 bytes' (10³ multiples)."""
    if count >= 1e6:
        return f'{count / 1e6:.3g} MB'
    return f'{count / 1e3:.3g} kB' if count >= 1e3 else f'{count:.0f} bytes'


async def _readBody(request: Request, limit: int, too_large: str) -> bytes:
    """The request body, refused (413 with the message `too_large`) when its Content-Length or the bytes that arrive
    exceed `limit` bytes."""
    declared = request.headers.get('content-length')
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, too_large)
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise RequestError(413, too_large)
        chunks.append(chunk)
    return b''.join(chunks)


def _parseForm(content_type: str, body: bytes, limit: int) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """(fields, (file name, bytes) of the field 'file' or None) of a multipart/form-data body, parsed in memory."""
    kind, options = parse_options_header(content_type)
    if kind != b'multipart/form-data' or b'boundary' not in options:
        raise RequestError(400, "send the audio as multipart/form-data, in a field named 'file'.")
    fields: dict[str, str] = {}
    files: dict[str, File] = {}

    def onField(field: Field) -> None:
        name = (field.field_name or b'').decode('utf-8', 'replace')
        fields[name] = (field.value or b'').decode('utf-8', 'replace')

    def onFile(file: File) -> None:
        files[(file.field_name or b'').decode('utf-8', 'replace')] = file

    config = {'MAX_MEMORY_FILE_SIZE': limit + 1, 'MAX_FIELDS': 32, 'MAX_BODY_SIZE': limit}
    try:
        parser = FormParser('multipart/form-data', onField, onFile, boundary=options[b'boundary'], config=config)
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise RequestError(400, 'the upload is not a well-formed multipart form.') from None
    upload = files.get('file')
    if upload is None:
        return fields, None
    if not upload.in_memory:  # cannot happen below MAX_MEMORY_FILE_SIZE; never keep a spilled file
        upload.close()
        raise RequestError(413, 'the upload is too large to hold in memory.')
    upload.file_object.seek(0)
    data = upload.file_object.read()
    name = os.path.basename((upload.file_name or b'audio').decode('utf-8', 'replace'))
    upload.close()
    return fields, (name, data)


def _decodeAudio(name: str, data: bytes, max_bytes: int, max_seconds: float) -> tuple[npt.NDArray[np.float64], int]:
    """(samples (L, C) float64, sample rate in Hz) of uploaded bytes, or a RequestError saying why not."""
    if len(data) > max_bytes:
        raise RequestError(413, f'{name} is {_bytes(len(data))}, larger than the limit of {_bytes(max_bytes)}.')
    if not data:
        raise RequestError(400, f'{name} is empty: choose an audio file (WAV, FLAC, OGG or MP3).')
    try:
        with sf.SoundFile(io.BytesIO(data)) as file:
            rate, channels, frames = int(file.samplerate), int(file.channels), int(file.frames)
            if frames > max_seconds * rate:
                raise RequestError(
                    400, f'{name} is too long: {frames / rate:.1f} s, more than the {max_seconds:g} s accepted; '
                    'trim it to one strike.',
                )  # fmt: skip
            if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
                raise RequestError(
                    400, f'{name} has a sample rate of {rate} Hz, outside the {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz '
                    'accepted.',
                )  # fmt: skip
            if channels > _MAX_CHANNELS:
                raise RequestError(400, f'{name} has {channels} channels; at most {_MAX_CHANNELS} are accepted.')
            samples = np.asarray(file.read(dtype='float64', always_2d=True), dtype=np.float64)
    except (RuntimeError, TypeError, ValueError, EOFError):  # soundfile.LibsndfileError is a RuntimeError
        raise RequestError(
            415, f'{name} is not audio this server can read: choose a WAV, FLAC, OGG or MP3 file.'
        ) from None
    if samples.shape[0] == 0:
        raise RequestError(400, f'{name} holds no audio samples.')
    if not np.all(np.isfinite(samples)):
        raise RequestError(400, f'{name} holds samples that are not finite numbers (NaN or infinity).')
    peak = float(np.max(np.abs(samples)))
    if peak == 0.0 or 20.0 * math.log10(peak) < SILENCE_LEVEL:
        level = '−inf' if peak == 0.0 else f'{20.0 * math.log10(peak):.0f}'
        raise RequestError(
            400, f'{name} is silent (peak {level} dBFS, below {SILENCE_LEVEL:g} dBFS): record or choose a drum strike.'
        )
    return samples, rate


def _number(fields: Mapping[str, Any], key: str, unit: str) -> float | None:
    """A positive finite number from a form field or JSON value (None when absent or empty); RequestError else."""
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0.0):
        raise RequestError(400, f'{key} must be a positive number of {unit}, got {value!r}.')
    return number


def _membrane(fields: Mapping[str, Any]) -> tuple[str, float, str]:
    """(family, wave speed c in m/s, its source) of a request's fields family, wave_speed and material."""
    family = str(fields.get('family') or 'circle').strip().lower()
    if family not in DRUM_FAMILIES:
        raise RequestError(400, f'unknown drum family {family!r}: choose one of {", ".join(DRUM_FAMILIES)}.')
    speed = _number(fields, 'wave_speed', 'm/s')
    name = str(fields.get('material') or '').strip()
    name = '' if name.lower() == 'custom' else name
    if speed is not None and name:
        raise RequestError(400, 'give a wave speed or a material, not both.')
    try:
        c, source = waveSpeed(speed, name or None)
    except ValueError as error:
        raise RequestError(400, str(error)) from None
    return family, c, source


def _logBins(
    frequencies: npt.NDArray[np.float64], top: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(edges of _SPECTRUM_POINTS log-spaced bins from 20 Hz to `top` Hz, each frequency's bin, which lie in one)."""
    edges = np.geomspace(_SPECTRUM_RANGE[0], top, _SPECTRUM_POINTS + 1)
    index = np.searchsorted(edges, frequencies, side='right') - 1
    return edges, index, (index >= 0) & (index < _SPECTRUM_POINTS)


def _logGrid(
    frequencies: npt.NDArray[np.float64], levels: npt.NDArray[np.float64], top: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(frequencies, levels) max-pooled into the `_logBins`: in each bin that holds a frequency, the loudest one (its
    own frequency, so peaks stay where they are)."""
    _, index, keep = _logBins(frequencies, top)
    f, level, index = frequencies[keep], levels[keep], index[keep]
    order = np.lexsort((level, index))  # by bin, loudest last
    last = np.flatnonzero(np.append(np.diff(index[order]) != 0, True))
    chosen = order[last]
    return f[chosen], level[chosen]


def _pooled(
    frequencies: npt.NDArray[np.float64], levels: npt.NDArray[np.float64], top: float
) -> npt.NDArray[np.float64]:
    """The loudest level (dB) in each of the `_logBins` (nan where none)."""
    _, index, keep = _logBins(frequencies, top)
    pooled = np.full(_SPECTRUM_POINTS, -np.inf)
    np.maximum.at(pooled, index[keep], levels[keep])
    return np.where(np.isfinite(pooled), pooled, np.nan)


def _rounded(values: npt.ArrayLike, digits: int) -> list[Any]:
    """A JSON-ready list of rounded floats (nested for 2-D), None where not finite."""
    array = np.round(np.asarray(values, dtype=np.float64), digits)
    return [jsonSafe(value) for value in array.tolist()]


def _wavDataURL(waveform: npt.ArrayLike, rate: int) -> str:
    """'data:audio/wav;base64,…': a 16-bit PCM WAV of a waveform (L,) at `rate` Hz, written in memory."""
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(np.asarray(waveform, dtype=np.float64), -1.0, 1.0), rate, subtype='PCM_16', format='WAV')
    return 'data:audio/wav;base64,' + base64.b64encode(buffer.getvalue()).decode('ascii')


def _predict(
    predictors: _Predictors, samples: npt.NDArray[np.float64], rate: int, family: str, c: float, source: str
) -> dict[str, Any]:
    """The body of POST /api/predict (module docstring)."""
    start = time.perf_counter()
    predictor = predictors.get(family)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the quality warnings are returned under 'warnings'
        prediction = predictor.predictWaveform(samples, rate, with_warnings=True, wave_speed=c)
    messages = list(prediction.get('warnings', []))
    sized = 'transit_time' in predictor.labels
    if not sized:
        messages.append('this model predicts the size itself: the wave speed is not used')
    size = float(prediction['drum_size'])
    aspect = float(prediction['aspect_ratio']) if 'aspect_ratio' in prediction else None
    if family == 'polygon':
        outline = np.asarray(prediction.get('outline') or np.zeros((0, 2)), dtype=np.float64)
        if len(outline) < 3:
            messages.append('the network drew no outline for this sound')
    elif family == 'rectangle':
        outline = Drum('rectangle', size, c, aspect_ratio=max(aspect or 1.0, 1e-3)).outline
    else:
        outline = Drum('circle', size, c).outline[::4]  # 64 vertices draw a circle well
    sound = soundFromOnset(samples, rate, _SPECTRUM_SECONDS)
    top = min(_SPECTRUM_RANGE[1], 0.45 * rate)
    frequencies, levels = _logGrid(*logSpectrum(sound, rate), top)
    try:
        partials = analysePartials(sound, rate)
        shown = partials.frequencies <= top
        found = {
            'frequencies': _rounded(partials.frequencies[shown], 3),
            'levels_db': _rounded(partials.levels[shown], 2),
        }
    except ValueError:
        found = {'frequencies': [], 'levels_db': []}
        messages.append('no partials found: is it a drum, and is it louder than the noise?')
    result = {
        'family': family,
        'model': predictors.source(family),
        'wave_speed': c if sized else None,
        'wave_speed_source': source if sized else 'not used',
        'drum_size': size,
        'transit_time': prediction.get('transit_time'),
        'aspect_ratio': aspect,
        'outline': _rounded(outline, 6),
        'spectrum': {'frequencies': _rounded(frequencies, 3), 'levels_db': _rounded(levels, 2)},
        'partials': found,
        'sample_rate': rate,
        'warnings': messages,
        'elapsed_s': time.perf_counter() - start,
    }
    return dict(jsonSafe(result))


def _match(
    predictors: _Predictors, samples: npt.NDArray[np.float64], rate: int, family: str, c: float, source: str
) -> dict[str, Any]:
    """The body of POST /api/match (module docstring)."""
    start = time.perf_counter()
    predictor = predictors.get(family)
    result = matchWaveform(samples, rate, family, c, predictor, wave_speed_source=source)
    target = result.target * (0.9 / max(float(np.max(np.abs(result.target))), 1e-12))  # heard as loud as the match
    top = min(_SPECTRUM_RANGE[1], 0.45 * rate)
    f_target, l_target = logSpectrum(result.target, rate)
    f_matched, l_matched = logSpectrum(result.waveform, rate)
    pooled_target = _pooled(f_target, l_target, top)
    pooled_matched = _pooled(f_matched, l_matched, top)
    edges = _logBins(f_target, top)[0]
    filled = np.isfinite(pooled_target) & np.isfinite(pooled_matched)
    content = {
        **result.toDict(),
        'model': predictors.source(family),
        'target_wav': _wavDataURL(target, rate),
        'matched_wav': _wavDataURL(result.waveform, rate),
        'overlay': {
            'frequencies': _rounded(np.sqrt(edges[:-1] * edges[1:])[filled], 3),
            'target_db': _rounded(pooled_target[filled], 2),
            'matched_db': _rounded(pooled_matched[filled], 2),
        },
        'elapsed_s': time.perf_counter() - start,
    }
    return dict(jsonSafe(content))


def _notes(value: Any) -> list[str | float]:
    """Notes from a JSON value: a list of names or Hz, or one string of them separated by spaces or commas."""
    if isinstance(value, str):
        notes: list[Any] = [note for note in re.split(r'[\s,]+', value) if note]
    elif isinstance(value, list):
        notes = value
    else:
        raise RequestError(400, 'notes must be a list of note names or a string such as "C3 Eb3 G3".')
    if not notes:
        raise RequestError(400, 'no notes given: name at least one, e.g. "C3 Eb3 G3".')
    if len(notes) > _MAX_NOTES:
        raise RequestError(400, f'{len(notes)} notes given; a kit has at most {_MAX_NOTES}.')
    for note in notes:
        if isinstance(note, bool) or not isinstance(note, (str, int, float)):
            raise RequestError(400, f'a note is a name such as "Eb3" or a frequency in Hz, got {note!r}.')
    return [note if isinstance(note, str) else float(note) for note in notes]


def _design(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body of POST /api/design (module docstring)."""
    notes = _notes(body.get('notes', 'C3 Eb3 G3'))
    family, c, source = _membrane(body)
    aspect = _number(body, 'aspect_ratio', 'Lx/Ly') if family == 'rectangle' else None
    outline = body.get('outline') if family == 'polygon' else None
    if family == 'polygon' and not outline:
        raise RequestError(400, 'a polygon kit needs an outline: predict a polygon drum first, its shape is used.')
    try:
        drums = designKit(notes, family=family, wave_speed=c, aspect_ratio=aspect or 1.0, outline=outline)
        summaries = []
        for drum in drums:
            summary, waveform = designedSound(drum, _DESIGN_SECONDS, _DESIGN_RATE)
            summaries.append({**summary, 'file': summary['wav'], 'wav': _wavDataURL(waveform, _DESIGN_RATE)})
    except (ValueError, TypeError) as error:
        raise RequestError(400, str(error)) from None
    content = {
        'drums': summaries,
        'family': family,
        'wave_speed': c,
        'wave_speed_source': source,
        'sample_rate': _DESIGN_RATE,
        'strike': list(DEFAULT_STRIKE),
    }
    return dict(jsonSafe(content))


def _refused(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestError)
    return JSONResponse({'error': error.message}, status_code=error.status)


def _httpError(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return JSONResponse({'error': str(error.detail)}, status_code=error.status_code, headers=error.headers)


def createApp(
    checkpoints: Mapping[str, str | os.PathLike[str] | Predictor] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    preload: bool = False,
) -> FastAPI:
    """The FastAPI app of the page and its API (module docstring). checkpoints: {family: a run directory, .pt file
    or Predictor} serving those families instead of the shipped models. max_bytes: the largest audio upload (bytes);
    max_seconds: the longest audio (s). preload: load every family's predictor now rather than at its first request
    (the first prediction then answers as fast as the others)."""
    if not (isinstance(max_bytes, int) and max_bytes > 0):
        raise ValueError(f'max_bytes must be a positive whole number of bytes, got {max_bytes!r}.')
    if not (math.isfinite(max_seconds) and max_seconds > 0):
        raise ValueError(f'max_seconds must be a positive number of s, got {max_seconds!r}.')
    predictors = _Predictors(checkpoints or {})
    if preload:
        for family in DRUM_FAMILIES:
            predictors.get(family)
    body_limit = max_bytes + _FORM_MARGIN
    too_large = f'the upload is larger than the limit of {_bytes(max_bytes)}: send a shorter sound.'
    app = FastAPI(title='kac_prediction', docs_url=None, redoc_url=None)  # the docs pages would load a CDN's script
    app.add_exception_handler(RequestError, _refused)
    app.add_exception_handler(HTTPException, _httpError)
    app.mount('/static', StaticFiles(directory=STATIC_DIR), name='static')
    app.state.predictors = predictors

    async def audioRequest(request: Request) -> tuple[npt.NDArray[np.float64], int, str, float, str]:
        body = await _readBody(request, body_limit, too_large)
        fields, upload = _parseForm(request.headers.get('content-type', ''), body, body_limit)
        if upload is None:
            raise RequestError(400, "no audio in the request: send a file in the field 'file'.")
        family, c, source = _membrane(fields)
        samples, rate = await run_in_threadpool(_decodeAudio, *upload, max_bytes, max_seconds)
        return samples, rate, family, c, source

    async def compute(function: Callable[..., dict[str, Any]], *arguments: Any) -> JSONResponse:
        try:
            return JSONResponse(await run_in_threadpool(function, *arguments))
        except ValueError as error:  # the library's own messages: no resonance, a size out of range, …
            raise RequestError(400, str(error)) from None

    @app.get('/', include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / 'index.html', media_type='text/html')

    @app.get('/api/info')
    async def info() -> dict[str, Any]:
        """The limits and what serves each family."""
        families = {family: predictors.source(family) for family in DRUM_FAMILIES}
        return {'max_bytes': max_bytes, 'max_seconds': max_seconds, 'families': families}

    @app.get('/api/materials')
    async def materials() -> list[dict[str, Any]]:
        """The membrane materials: density (kg/m²), tension range (N/m), wave speed (m/s)."""
        return [entry.toDict() for entry in MATERIALS.values()]

    @app.post('/api/predict')
    async def predict(request: Request) -> JSONResponse:
        """The drum the network hears in an uploaded sound."""
        samples, rate, family, c, source = await audioRequest(request)
        return await compute(_predict, predictors, samples, rate, family, c, source)

    @app.post('/api/match')
    async def match(request: Request) -> JSONResponse:
        """The drum that best reproduces an uploaded sound, and both sounds."""
        samples, rate, family, c, source = await audioRequest(request)
        return await compute(_match, predictors, samples, rate, family, c, source)

    @app.post('/api/design')
    async def design(request: Request) -> JSONResponse:
        """A drum tuned to each note, with a strike of each."""
        body = await _readBody(request, _FORM_MARGIN, f'the request is larger than {_bytes(_FORM_MARGIN)}.')
        try:
            content = json.loads(body or b'{}')
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RequestError(
                400, 'the request is not JSON: send {"notes": "C3 Eb3 G3", "family": "circle"}.'
            ) from None
        if not isinstance(content, dict):
            raise RequestError(400, 'send a JSON object such as {"notes": "C3 Eb3 G3", "family": "circle"}.')
        return await compute(_design, content)

    return app
