"""The web page: hear a drum's shape, match it, design a kit (`kac-prediction serve`; app.py has the routes).

from kac_prediction.serve import createApp, serve
serve(port=8000)              # http://127.0.0.1:8000/ until Ctrl-C: the shipped models, preloaded
app = createApp()             # the FastAPI app itself (tests call it through fastapi.testclient.TestClient)
"""

import os
import sys
from collections.abc import Sequence

from .app import DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, RequestError, checkpointFamilies, createApp, predictorFamily

__all__ = [
    'DEFAULT_MAX_BYTES',
    'DEFAULT_MAX_SECONDS',
    'RequestError',
    'checkpointFamilies',
    'createApp',
    'predictorFamily',
    'serve',
]


def serve(
    host: str = '127.0.0.1',
    port: int = 8000,
    checkpoints: Sequence[str | os.PathLike[str]] = (),
    max_mb: float = DEFAULT_MAX_BYTES / 1e6,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> int:
    """Serve the page at http://host:port/ until interrupted; returns the exit status. checkpoints: run directories or
    .pt files serving their families (`checkpointFamilies`) instead of the shipped models, which serve the others.
    max_mb: the largest upload (MB, 10⁶ bytes); max_seconds: the longest audio (s). Binds to 127.0.0.1 (this machine
    only) unless another host is given. Every family's model is loaded before the server starts."""
    import uvicorn

    if not (max_mb > 0 and max_seconds > 0):
        raise ValueError(f'--max-mb and --max-seconds must be > 0, got {max_mb:g} and {max_seconds:g}.')
    given = checkpointFamilies(checkpoints)
    for family, predictor in given.items():
        print(f'{family}: checkpoint {predictor.checkpoint}', file=sys.stderr)
    app = createApp(given, max_bytes=round(max_mb * 1e6), max_seconds=max_seconds, preload=True)
    shown = f'[{host}]' if ':' in host else host
    print(f'serving the page at http://{shown}:{port}/ (Ctrl-C stops it)', flush=True)
    if host not in ('127.0.0.1', 'localhost', '::1'):
        print(f'warning: bound to {host}: other machines can reach the page and upload to it', file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level='info')
    return 0
