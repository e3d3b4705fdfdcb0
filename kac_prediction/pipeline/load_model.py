"""loadModel: rebuild a trained model from a checkpoint in a directory, a file, or at a URL."""

import os
from pathlib import Path
from typing import Any, TypeVar

import requests
import torch
from tqdm import tqdm

from .._io import atomicPath
from .checkpoints import CheckpointError, bestCheckpoint, loadCheckpoint
from .types import ExportedModel, Parameters, TrainingSettings

__all__ = ['DownloadError', 'loadModel']

_M = TypeVar('_M', bound=torch.nn.Module)

_CHUNK_SIZE = 1 << 20
_TIMEOUT_S = 30.0
# what rebuilding a model needs (model_kwargs, or hyperparameters for checkpoints written before model_kwargs existed)
_REQUIRED_KEYS = ('model_state_dict', 'run_info')
_SETTINGS_KEYS = (
    Parameters.__required_keys__
    | Parameters.__optional_keys__
    | TrainingSettings.__required_keys__
    | TrainingSettings.__optional_keys__
)


class DownloadError(OSError):
    """Downloading a checkpoint failed: an HTTP error status, a connection error or a cut-short body. The message
    names the URL (and the status)."""


def _download(url: str, target: Path) -> None:
    """Stream `url` into a temporary file next to `target` (creating its directory), then move it into place.
    Whatever fails, nothing is left at `target` and no temporary file remains."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomicPath(target) as temporary, open(temporary, 'wb') as file:
        total: int | None = None
        received = 0
        try:
            with requests.get(url, stream=True, timeout=_TIMEOUT_S) as response:
                if response.status_code >= 400:
                    raise DownloadError(
                        f'could not download a checkpoint from {url}: HTTP {response.status_code} '
                        f'{response.reason or ""}'.rstrip()
                    )
                length = response.headers.get('Content-Length')
                total = int(length) if length is not None and length.isdigit() else None
                with tqdm(total=total, unit='B', unit_scale=True, unit_divisor=1024, desc=target.name) as bar:
                    for chunk in response.iter_content(chunk_size=_CHUNK_SIZE):
                        file.write(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
        except requests.RequestException as error:
            raise DownloadError(f'could not download a checkpoint from {url}: {error}') from error
        if total is not None and received < total:
            raise DownloadError(
                f'could not download a checkpoint from {url}: the connection closed after {received} of {total} bytes'
            )
        file.flush()
        try:
            loadCheckpoint(temporary, required_keys=_REQUIRED_KEYS)
        except CheckpointError as error:
            raise CheckpointError(
                f'the file downloaded from {url} is not a checkpoint: {str(error).replace(str(temporary), "it")}'
            ) from error


def _constructorArguments(checkpoint: ExportedModel) -> dict[str, Any]:
    """The model's constructor arguments: `model_kwargs`, or for checkpoints without them (the original library's)
    the hyperparameters that are neither `Parameters` nor `TrainingSettings`."""
    if 'model_kwargs' in checkpoint:
        return dict(checkpoint['model_kwargs'])
    hyperparameters: dict[str, Any] = checkpoint.get('hyperparameters', {})
    return {key: value for key, value in hyperparameters.items() if key not in _SETTINGS_KEYS}


def loadModel(
    Model: type[_M],
    path_to_parameters: str | os.PathLike[str],
    url: str | None = None,
    *,
    map_location: str | torch.device = 'cpu',
) -> _M:
    """Rebuild a trained `Model` from a checkpoint and return it in eval() mode, on `map_location`.

    path_to_parameters:
        a directory → its checkpoint with the lowest validation loss (`bestCheckpoint`);
        a file → that checkpoint;
        a path that does not exist, with `url` → the checkpoint is downloaded from `url` to that path (its directory
        is created), then loaded; without `url` → FileNotFoundError.

    The checkpoint must hold a `Model` (`run_info['model']['name'] == Model.__name__`, unchecked when a checkpoint
    records no model), else ValueError. The model is built as `Model(**checkpoint['model_kwargs'])` (for checkpoints
    without `model_kwargs`: the hyperparameters that are not `Parameters` or `TrainingSettings`), then its weights are
    loaded. Errors: FileNotFoundError, CheckpointError (a ValueError) for an unusable file, DownloadError (an
    OSError) when the download fails.
    """
    path = Path(path_to_parameters)
    if path.is_dir():
        path = bestCheckpoint(path)
    elif not path.exists():
        if url is None:
            raise FileNotFoundError(
                f'no checkpoint at {path} (neither a checkpoint file nor a directory of checkpoints), and no url to '
                'download it from'
            )
        _download(url, path)
    checkpoint = loadCheckpoint(path, map_location, required_keys=_REQUIRED_KEYS)
    if 'model_kwargs' not in checkpoint and 'hyperparameters' not in checkpoint:
        raise CheckpointError(f'{path} lacks model_kwargs (and hyperparameters), so the model cannot be rebuilt')

    run_info: Any = checkpoint['run_info']
    model_info = run_info.get('model') if isinstance(run_info, dict) else None
    if isinstance(model_info, dict) and model_info.get('name') != Model.__name__:
        raise ValueError(f'{path}: this checkpoint holds a {model_info.get("name")}, not a {Model.__name__}')

    arguments = _constructorArguments(checkpoint)
    try:
        model = Model(**arguments)
    except TypeError as error:
        raise TypeError(
            f'could not rebuild {Model.__name__} from {path} with the arguments {sorted(arguments)}: {error}'
        ) from error
    try:
        model.load_state_dict(checkpoint['model_state_dict'])
    except RuntimeError as error:
        raise CheckpointError(f'the weights in {path} do not fit {Model.__name__}: {error}') from error
    model.to(map_location)
    return model.eval()
