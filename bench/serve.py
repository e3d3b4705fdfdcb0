"""The web page's predict and match: seconds per request for a 1-s WAV, beside the network alone, in the same run.

Usage: python bench/serve.py [--repeats 10]

For each drum family, a 1-s 48-kHz WAV of a drum of that family (orchestrate.renderDrum) is posted to the app
(`kac_prediction.serve.createApp`, the shipped models, through FastAPI's TestClient: the whole request path, without
a socket) after one warm-up request. Printed per family: the median and worst of --repeats requests to
/api/predict (target: under 1 s on 2 cores), the reference — the same predictor's `predictWaveform` of the same
audio, timed alone — and their ratio (what the page adds: decoding, the spectrum and its partials, JSON); then one
/api/match request per family (analysis-by-synthesis: seconds, no target).
"""

import argparse
import io
import statistics
import time

import numpy as np
import soundfile as sf
from fastapi.testclient import TestClient

from kac_prediction.orchestrate import Drum, renderDrum
from kac_prediction.serve import createApp

DRUMS = {
    'circle': Drum('circle', 0.6, 100.0, decay_time=1.5),
    'rectangle': Drum('rectangle', 0.5, 100.0, aspect_ratio=1.6, decay_time=1.5),
    'polygon': Drum.fromOutline([[0.0, 0.0], [0.3, 0.0], [0.35, 0.2], [0.1, 0.3]], wave_speed=100.0, decay_time=1.5),
}


def wav(drum: Drum) -> tuple[bytes, np.ndarray]:
    """A 1-s 48-kHz 16-bit WAV of the drum struck off-centre, and its samples."""
    samples = renderDrum(drum, (0.3, 0.5), (0.5, 2.0), 1.0, 48000, amplitude=0.8)
    buffer = io.BytesIO()
    sf.write(buffer, samples, 48000, subtype='PCM_16', format='WAV')
    return buffer.getvalue(), samples


def post(client: TestClient, route: str, family: str, data: bytes) -> float:
    """Seconds to answer one request posting `data` as the file, for `family` at 100 m/s."""
    start = time.perf_counter()
    response = client.post(route, data={'family': family, 'wave_speed': '100'}, files={'file': ('drum.wav', data)})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f'{route} {family}: {response.status_code} {response.text}')
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=10)
    args = parser.parse_args()
    app = createApp()
    client = TestClient(app)
    print(
        '| family | /api/predict: median (worst) s | network alone: predictWaveform, median s | ratio | /api/match s |'
    )
    print('|---|---|---|---|---|')
    from kac_prediction.models import loadPretrained

    for family, drum in DRUMS.items():
        data, samples = wav(drum)

        post(client, '/api/predict', family, data)  # warm-up: loads the model
        served = [post(client, '/api/predict', family, data) for _ in range(args.repeats)]
        predictor = loadPretrained(family)
        predictor.predictWaveform(samples, 48000, wave_speed=100.0)
        alone = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            predictor.predictWaveform(samples, 48000, wave_speed=100.0)
            alone.append(time.perf_counter() - start)
        matched = post(client, '/api/match', family, data)
        median, reference = statistics.median(served), statistics.median(alone)
        print(f'| {family} | {median:.3f} ({max(served):.3f}) | {reference:.3f} | {median / reference:.1f}× | '
              f'{matched:.1f} |')  # fmt: skip
    print('target: /api/predict under 1 s for a 1-s file on 2 cores')


if __name__ == '__main__':
    main()
