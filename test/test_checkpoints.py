"""Checkpoint I/O (atomic writes, weights_only loading, choosing the best) and loadModel (directory, file, URL)."""

import math
import os
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pytest
import torch

from kac_prediction.pipeline.checkpoints import (
    CheckpointError,
    bestCheckpoint,
    checkpointLoss,
    epochName,
    loadCheckpoint,
    saveCheckpoint,
)
from kac_prediction.pipeline.load_model import DownloadError, loadModel
from kac_prediction.pipeline.model import Model
from kac_prediction.pipeline.types import ExportedModel

# ---------------------------------------------------------------------------------------------------------- helpers


class Tiny(Model):
    """A concrete Model: one Linear layer, MSE, Adam."""

    def __init__(self, in_features: int = 4, out_features: int = 2, learning_rate: float = 1e-2) -> None:
        super().__init__()
        self.model_kwargs = {'in_features': in_features, 'out_features': out_features, 'learning_rate': learning_rate}
        self.linear = torch.nn.Linear(in_features, out_features)
        self.criterion = torch.nn.MSELoss()
        self.optimiser = torch.optim.Adam(self.parameters(), lr=learning_rate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)  # type: ignore[no-any-return]

    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        self.optimiser.zero_grad()
        loss = self.criterion(self(x), y)
        loss.backward()
        self.optimiser.step()
        self.training_loss += loss.item()


class Other(Tiny):
    """Another model class of the same shape (for the wrong-class check)."""


X = torch.linspace(-1.0, 1.0, 12).reshape(3, 4)


def trainedModel(seed: int = 0, steps: int = 1) -> Tiny:
    torch.manual_seed(seed)
    model = Tiny()
    for i in range(steps):
        model.innerTrainingLoop(i, steps, X, torch.ones(3, 2))
    return model


def exported(
    model: Tiny,
    epoch: int,
    validation: float | None,
    testing: dict[str, Any] | None = None,
    name: str | None = None,
) -> ExportedModel:
    """A checkpoint as the Routine writes one."""
    return {
        'dataset': {'name': 'unit-test', 'sample_rate': 48000, 'representation_settings': {'output_type': 'end2end'}},
        'evaluation_loss': None if validation is None else {'aggregate': validation, 'drum_size': validation / 2},
        'hyperparameters': {
            'batch_size': 4,
            'dataset_split': (0.7, 0.15, 0.15),
            'num_of_epochs': 10,
            'testing': True,
            'with_early_stopping': True,
            'seed': 0,
            'patience': 10,
            **model.model_kwargs,
        },
        'model_kwargs': dict(model.model_kwargs),
        'model_state_dict': model.state_dict(),
        'optimizer_state_dict': model.optimiser.state_dict(),
        'run_info': {
            'epoch': epoch,
            'exports_dir': '/tmp/exports',
            'id': 'run-0001',
            'model': {'name': name or type(model).__name__, 'version': '2.0.0.dev0'},
        },
        'testing_loss': testing,
        'training_loss': 0.25,
        'training_state': {
            'rng': {
                'torch': torch.get_rng_state(),
                'numpy': torch.from_numpy(np.random.default_rng(0).bit_generator.random_raw(4).view(np.uint8).copy()),
                'python': random.Random(0).getstate(),
            },
            'early_stopping': {'best': 0.5, 'counter': 1},
            'history': {'training_loss': [0.5, 0.25], 'validation_loss': [{'aggregate': 0.6}, {'aggregate': 0.5}]},
        },
    }


def assertSame(a: Any, b: Any, where: str = 'checkpoint') -> None:
    """Deep equality, tensors compared exactly (dtype included)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), where
        assert a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assertSame(a[key], b[key], f'{where}[{key!r}]')
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assertSame(x, y, f'{where}[{i}]')
    else:
        assert a == b, where


def otherFiles(directory: Path, *keep: str) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name not in keep)


# ------------------------------------------------------------------------------------------------------- save / load


def test_epoch_name() -> None:
    assert epochName(7) == 'epoch_007.pt'
    assert epochName(0) == 'epoch_000.pt'
    assert epochName(123) == 'epoch_123.pt'
    assert epochName(1234) == 'epoch_1234.pt'
    with pytest.raises(ValueError, match='non-negative'):
        epochName(-1)


def test_round_trip(tmp_path: Path) -> None:
    model = trainedModel()
    assert model.optimiser.state_dict()['state']  # Adam has moments after one step
    checkpoint = exported(model, 2, 0.5, testing={'aggregate': 0.4, 'drum_size': 0.2})
    saveCheckpoint(checkpoint, tmp_path / 'best.pt')
    loaded = loadCheckpoint(tmp_path / 'best.pt')
    assertSame(checkpoint, loaded)
    assert loaded['training_state']['rng']['torch'].dtype == torch.uint8
    assert otherFiles(tmp_path, 'best.pt') == []
    if os.name == 'posix':  # an ordinary file's permissions, not those of a private temporary file
        umask = os.umask(0o022)
        os.umask(umask)
        assert (tmp_path / 'best.pt').stat().st_mode & 0o777 == 0o666 & ~umask
    # None testing_loss and evaluation_loss survive too
    saveCheckpoint(exported(model, 3, None), tmp_path / 'last.pt')
    again = loadCheckpoint(tmp_path / 'last.pt')
    assert again['testing_loss'] is None and again['evaluation_loss'] is None
    # the optimiser state can be loaded back into a fresh optimiser
    fresh = Tiny()
    fresh.load_state_dict(loaded['model_state_dict'])
    fresh.optimiser.load_state_dict(loaded['optimizer_state_dict'])
    assertSame(model.optimiser.state_dict(), fresh.optimiser.state_dict())


def test_save_overwrites(tmp_path: Path) -> None:
    target = tmp_path / 'last.pt'
    saveCheckpoint(exported(trainedModel(), 1, 0.9), target)
    saveCheckpoint(exported(trainedModel(), 2, 0.1), target)
    assert loadCheckpoint(target)['run_info']['epoch'] == 2
    assert otherFiles(tmp_path, 'last.pt') == []


def failingSave(obj: object, file: BinaryIO) -> None:
    file.write(b'PK\x03\x04 partial checkpoint')
    file.flush()
    raise OSError('disk full')


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / 'best.pt'
    saveCheckpoint(exported(trainedModel(), 1, 0.5), target)
    before = target.read_bytes()
    monkeypatch.setattr(torch, 'save', failingSave)
    with pytest.raises(OSError, match='disk full'):
        saveCheckpoint(exported(trainedModel(seed=1), 2, 0.1), target)
    assert target.read_bytes() == before  # the previous checkpoint is intact
    assert otherFiles(tmp_path, 'best.pt') == []  # and no temporary file remains
    with pytest.raises(OSError, match='disk full'):
        saveCheckpoint(exported(trainedModel(), 1, 0.5), tmp_path / 'epoch_001.pt')
    assert otherFiles(tmp_path, 'best.pt') == []  # no partial new file either


def test_save_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyboardInterrupt mid-save cleans up as well."""

    def interrupted(obj: object, file: BinaryIO) -> None:
        file.write(b'partial')
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, 'save', interrupted)
    with pytest.raises(KeyboardInterrupt):
        saveCheckpoint(exported(trainedModel(), 1, 0.5), tmp_path / 'last.pt')
    assert otherFiles(tmp_path) == []


def test_save_refuses_what_weights_only_cannot_load(tmp_path: Path) -> None:
    checkpoint = exported(trainedModel(), 1, 0.5)
    checkpoint['training_state']['rng']['numpy'] = np.zeros(4, dtype=np.uint8)
    with pytest.raises(TypeError, match=r"training_state.*\['numpy'\] is a numpy.ndarray"):
        saveCheckpoint(checkpoint, tmp_path / 'last.pt')
    checkpoint = exported(trainedModel(), 1, 0.5)
    checkpoint['training_loss'] = np.float64(0.25)  # a float subclass, still refused
    with pytest.raises(TypeError, match=r"\['training_loss'\] is a numpy.float64"):
        saveCheckpoint(checkpoint, tmp_path / 'last.pt')
    assert otherFiles(tmp_path) == []


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r'no checkpoint at .*nothing\.pt'):
        loadCheckpoint(tmp_path / 'nothing.pt')


@pytest.mark.parametrize('fraction', [0.0, 0.001, 0.5, 0.999])
def test_load_truncated(tmp_path: Path, fraction: float) -> None:
    target = tmp_path / 'last.pt'
    saveCheckpoint(exported(trainedModel(), 1, 0.5), target)
    data = target.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CheckpointError, match=r'last\.pt is not a readable checkpoint \(truncated or corrupt\?\)'):
        loadCheckpoint(target)


def test_load_garbage(tmp_path: Path) -> None:
    target = tmp_path / 'best.pt'
    target.write_bytes(b'<html>not found</html>' * 20)
    with pytest.raises(CheckpointError, match=r'best\.pt is not a readable checkpoint'):
        loadCheckpoint(target)


class Payload:
    """An arbitrary object whose unpickling would run code (touching a marker file)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Path.touch, (self.marker,))


def test_load_refuses_arbitrary_objects(tmp_path: Path) -> None:
    marker = tmp_path / 'executed'
    target = tmp_path / 'epoch_001.pt'
    checkpoint: dict[str, Any] = dict(exported(trainedModel(), 1, 0.5))
    checkpoint['dataset'] = {'sampler': Payload(marker)}
    torch.save(checkpoint, target)  # as an unsafe writer would
    with pytest.raises(CheckpointError, match=r'epoch_001\.pt holds objects that torch\.load\(weights_only=True\)'):
        loadCheckpoint(target)
    assert not marker.exists()


def test_load_incomplete(tmp_path: Path) -> None:
    target = tmp_path / 'last.pt'
    checkpoint: dict[str, Any] = dict(exported(trainedModel(), 1, 0.5))
    del checkpoint['run_info'], checkpoint['model_kwargs']
    torch.save(checkpoint, target)
    with pytest.raises(
        CheckpointError, match=r'last\.pt is not a complete checkpoint: it lacks the keys model_kwargs, run_info'
    ):
        loadCheckpoint(target)
    assert loadCheckpoint(target, required_keys=['model_state_dict'])['training_loss'] == 0.25
    torch.save([1, 2, 3], target)
    with pytest.raises(CheckpointError, match=r'last\.pt holds a list, not a checkpoint'):
        loadCheckpoint(target)


# ----------------------------------------------------------------------------------------------------- choosing best


def test_checkpoint_loss() -> None:
    model = trainedModel()
    assert checkpointLoss(exported(model, 1, 0.5, testing={'aggregate': 0.1})) == 0.5
    assert checkpointLoss(exported(model, 1, None, testing={'aggregate': 0.1})) == 0.1  # the original's checkpoints
    assert checkpointLoss(exported(model, 1, None)) == math.inf
    assert checkpointLoss(exported(model, 1, math.nan)) == math.inf
    assert checkpointLoss({'evaluation_loss': {'aggregate': torch.tensor(0.75)}}) == 0.75
    assert checkpointLoss({}) == math.inf


def writeRun(directory: Path, losses: dict[int, float], best: bool = True, last: bool = True) -> dict[int, Tiny]:
    """epoch_NNN.pt for each epoch (different weights each), plus best.pt and last.pt as the Routine keeps them."""
    models = {epoch: trainedModel(seed=epoch) for epoch in losses}
    for epoch, loss in losses.items():
        saveCheckpoint(exported(models[epoch], epoch, loss), directory / epochName(epoch))
    best_epoch = min(losses, key=lambda epoch: (losses[epoch], epoch))
    if best:
        saveCheckpoint(
            exported(models[best_epoch], best_epoch, losses[best_epoch], {'aggregate': 0.7}), directory / 'best.pt'
        )
    if last:
        last_epoch = max(losses)
        saveCheckpoint(exported(models[last_epoch], last_epoch, losses[last_epoch]), directory / 'last.pt')
    return models


def test_best_checkpoint(tmp_path: Path) -> None:
    writeRun(tmp_path, {1: 0.9, 2: 0.3, 3: 0.5, 4: 0.6}, best=False)
    assert bestCheckpoint(tmp_path) == tmp_path / 'epoch_002.pt'
    saveCheckpoint(exported(trainedModel(), 2, 0.3), tmp_path / 'best.pt')
    assert bestCheckpoint(tmp_path) == tmp_path / 'best.pt'  # a tie: best.pt wins
    saveCheckpoint(exported(trainedModel(), 5, 0.2), tmp_path / 'epoch_005.pt')
    assert bestCheckpoint(tmp_path) == tmp_path / 'epoch_005.pt'  # a lower loss wins over best.pt


def test_best_checkpoint_ties_and_fallbacks(tmp_path: Path) -> None:
    writeRun(tmp_path, {1: 0.4, 2: 0.4, 3: 0.4}, best=False, last=False)
    assert bestCheckpoint(tmp_path) == tmp_path / 'epoch_003.pt'  # a tie: the latest epoch wins
    # checkpoints of the original library hold only a testing loss
    original = tmp_path / 'original'
    original.mkdir()
    saveCheckpoint(exported(trainedModel(), 1, None, {'aggregate': 0.2}), original / 'a.pt')
    saveCheckpoint(exported(trainedModel(), 2, None, {'aggregate': 0.1}), original / 'b.pt')
    saveCheckpoint(exported(trainedModel(), 3, None, None), original / 'c.pt')
    assert bestCheckpoint(original) == original / 'b.pt'


def test_best_checkpoint_skips_unreadable(tmp_path: Path) -> None:
    writeRun(tmp_path, {1: 0.9, 2: 0.3})
    (tmp_path / 'epoch_003.pt').write_bytes(b'truncated')
    (tmp_path / 'notes.txt').write_text('ignored')
    with pytest.warns(UserWarning, match=r'skipping .*epoch_003\.pt'):
        assert bestCheckpoint(tmp_path) == tmp_path / 'best.pt'


def test_best_checkpoint_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match='no checkpoint directory'):
        bestCheckpoint(tmp_path / 'absent')
    (tmp_path / 'notes.txt').write_text('no checkpoints here')
    with pytest.raises(FileNotFoundError, match=r'no checkpoint \(\*\.pt file\) in'):
        bestCheckpoint(tmp_path)
    (tmp_path / 'last.pt').write_bytes(b'')
    with pytest.raises(CheckpointError, match='no readable checkpoint in'), pytest.warns(UserWarning):
        bestCheckpoint(tmp_path)


# --------------------------------------------------------------------------------------------------------- loadModel


def assertLoaded(loaded: torch.nn.Module, original: Tiny) -> None:
    assert isinstance(loaded, Tiny) and not loaded.training
    assert loaded.model_kwargs == original.model_kwargs
    with torch.no_grad():
        assert torch.equal(loaded(X), original.eval()(X))


def test_load_model_from_directory(tmp_path: Path) -> None:
    models = writeRun(tmp_path, {1: 0.9, 2: 0.3, 3: 0.5})
    assertLoaded(loadModel(Tiny, tmp_path), models[2])
    assertLoaded(loadModel(Tiny, str(tmp_path)), models[2])


def test_load_model_from_file(tmp_path: Path) -> None:
    models = writeRun(tmp_path, {1: 0.9, 2: 0.3, 3: 0.5})
    assertLoaded(loadModel(Tiny, tmp_path / 'epoch_001.pt'), models[1])
    assertLoaded(loadModel(Tiny, str(tmp_path / 'last.pt')), models[3])


def test_load_model_other_arguments(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = Tiny(in_features=3, out_features=5, learning_rate=0.1)
    saveCheckpoint(exported(model, 1, 0.5), tmp_path / 'best.pt')
    loaded = loadModel(Tiny, tmp_path / 'best.pt')
    assert isinstance(loaded, Tiny) and loaded.linear.in_features == 3 and loaded.linear.out_features == 5
    assert loaded.model_kwargs == {'in_features': 3, 'out_features': 5, 'learning_rate': 0.1}


def test_load_model_without_model_kwargs(tmp_path: Path) -> None:
    """Checkpoints of the original library: the model's arguments are the hyperparameters that are not settings."""
    torch.manual_seed(0)
    model = Tiny(in_features=3, out_features=5)
    checkpoint: dict[str, Any] = dict(exported(model, 1, 0.5))
    del checkpoint['model_kwargs']
    torch.save(checkpoint, tmp_path / 'original.pt')
    loaded = loadModel(Tiny, tmp_path / 'original.pt')
    assert isinstance(loaded, Tiny) and loaded.linear.out_features == 5
    with torch.no_grad():
        assert torch.equal(loaded(X[:, :3]), model(X[:, :3]))


def test_load_model_wrong_class(tmp_path: Path) -> None:
    saveCheckpoint(exported(trainedModel(), 1, 0.5), tmp_path / 'best.pt')
    with pytest.raises(ValueError, match='this checkpoint holds a Tiny, not a Other'):
        loadModel(Other, tmp_path / 'best.pt')
    with pytest.raises(ValueError, match='this checkpoint holds a Tiny, not a Other'):
        loadModel(Other, tmp_path)


def test_load_model_mismatch(tmp_path: Path) -> None:
    checkpoint = exported(trainedModel(), 1, 0.5)
    checkpoint['model_kwargs'] = {'in_features': 3, 'out_features': 2, 'learning_rate': 0.01}
    saveCheckpoint(checkpoint, tmp_path / 'best.pt')
    with pytest.raises(CheckpointError, match=r'the weights in .*best\.pt do not fit Tiny'):
        loadModel(Tiny, tmp_path / 'best.pt')
    checkpoint['model_kwargs'] = {'width': 3}
    saveCheckpoint(checkpoint, tmp_path / 'best.pt')
    with pytest.raises(TypeError, match=r"could not rebuild Tiny from .*best\.pt with the arguments \['width'\]"):
        loadModel(Tiny, tmp_path / 'best.pt')


def test_load_model_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r'no checkpoint at .*absent\.pt .*no url'):
        loadModel(Tiny, tmp_path / 'absent.pt')
    assert otherFiles(tmp_path) == []


# ------------------------------------------------------------------------------------------------- loadModel by URL


@dataclass
class Server:
    """A local HTTP server: routes maps a path to (status, body, declared Content-Length or None for the real one)."""

    url: str = ''
    routes: dict[str, tuple[int, bytes, int | None]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.log.append(self.path)
            status, body, length = state.routes.get(self.path, (404, b'not found', None))
            self.send_response(status)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            if length is not None:
                self.close_connection = True

    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    state.url = f'http://127.0.0.1:{httpd.server_address[1]}'
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_load_model_from_url(tmp_path: Path, server: Server) -> None:
    model = trainedModel(seed=3)
    saveCheckpoint(exported(model, 4, 0.2), tmp_path / 'served.pt')
    served = (tmp_path / 'served.pt').read_bytes()
    server.routes['/models/tiny.pt'] = (200, served, None)
    target = tmp_path / 'downloads' / 'nested' / 'tiny.pt'
    assertLoaded(loadModel(Tiny, target, f'{server.url}/models/tiny.pt'), model)
    assert target.read_bytes() == served  # the download lands at the given path
    assert otherFiles(target.parent, 'tiny.pt') == []
    # once there, the file is used without downloading again
    assertLoaded(loadModel(Tiny, str(target), f'{server.url}/models/tiny.pt'), model)
    assert server.log == ['/models/tiny.pt']


def test_load_model_url_not_found(tmp_path: Path, server: Server) -> None:
    target = tmp_path / 'downloads' / 'tiny.pt'
    url = f'{server.url}/models/missing.pt'
    with pytest.raises(DownloadError, match=rf'{url}: HTTP 404'):
        loadModel(Tiny, target, url)
    assert not target.exists()
    assert otherFiles(target.parent) == []
    server.routes['/models/broken.pt'] = (500, b'oops', None)
    with pytest.raises(DownloadError, match='HTTP 500'):
        loadModel(Tiny, target, f'{server.url}/models/broken.pt')
    assert otherFiles(target.parent) == []


def test_load_model_url_cut_short(tmp_path: Path, server: Server) -> None:
    saveCheckpoint(exported(trainedModel(), 1, 0.5), tmp_path / 'served.pt')
    served = (tmp_path / 'served.pt').read_bytes()
    server.routes['/tiny.pt'] = (200, served[: len(served) // 2], len(served))
    target = tmp_path / 'downloads' / 'tiny.pt'
    with pytest.raises(DownloadError, match=rf'{server.url}/tiny\.pt'):
        loadModel(Tiny, target, f'{server.url}/tiny.pt')
    assert otherFiles(target.parent) == []


def test_load_model_url_not_a_checkpoint(tmp_path: Path, server: Server) -> None:
    server.routes['/page.pt'] = (200, b'<html>a login page</html>', None)
    target = tmp_path / 'downloads' / 'tiny.pt'
    with pytest.raises(CheckpointError, match=rf'the file downloaded from {server.url}/page\.pt is not a checkpoint'):
        loadModel(Tiny, target, f'{server.url}/page.pt')
    assert otherFiles(target.parent) == []


def test_load_model_url_unreachable(tmp_path: Path) -> None:
    with ThreadingHTTPServer(('127.0.0.1', 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing listens there any more
    target = tmp_path / 'tiny.pt'
    with pytest.raises(DownloadError, match=rf'127\.0\.0\.1:{port}'):
        loadModel(Tiny, target, f'http://127.0.0.1:{port}/tiny.pt')
    assert otherFiles(tmp_path) == []
