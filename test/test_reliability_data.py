"""Reliability of the files training depends on: corrupted checkpoints are detected (checksum, zip CRCs), non-finite
labels or X are refused when a dataset loads, and a full disk while saving a checkpoint is a clear OSError that
leaves the previous checkpoint intact."""

import errno
import io
import json
import math
import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
import torch
from test_checkpoints import Tiny, assertSame, exported, otherFiles, trainedModel

import kac_prediction._io
import kac_prediction.dataset.cache as cache
from kac_prediction._io import writeTorch
from kac_prediction.dataset import DatasetFormatError, generateDataset, loadDataset
from kac_prediction.dataset.cache import loadCache
from kac_prediction.dataset.input_representation import InputRepresentation
from kac_prediction.pipeline.checkpoints import CheckpointError, bestCheckpoint, loadCheckpoint, saveCheckpoint
from kac_prediction.pipeline.load_model import loadModel
from kac_prediction.samplers import BesselModel

X = torch.linspace(-1.0, 1.0, 12).reshape(3, 4)

# ------------------------------------------------------------------------------------------------------ checkpoints


def recordSpan(path: Path, suffix: str) -> tuple[int, int]:
    """(offset, size) of the stored bytes of the zip record whose name ends with `suffix`."""
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(suffix))
    with open(path, 'rb') as file:
        file.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack('<HH', file.read(4))
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def overwrite(path: Path, suffix: str, data: bytes, at: int = 0) -> None:
    """Overwrite bytes inside a record of a checkpoint (as a failing disk or a bad copy would), CRCs unchanged."""
    offset, size = recordSpan(path, suffix)
    data = data[: size - at]
    content = bytearray(path.read_bytes())
    content[offset + at : offset + at + len(data)] = data
    path.write_bytes(bytes(content))


def test_a_checkpoint_records_a_checksum_of_its_content(tmp_path: Path) -> None:
    checkpoint = exported(trainedModel(), 2, 0.5)
    saveCheckpoint(checkpoint, tmp_path / 'a.pt')
    raw = torch.load(tmp_path / 'a.pt', weights_only=True)
    checksum = raw['checksum']
    assert checksum['algorithm'] == 'sha256' and checksum['version'] == 1
    assert len(checksum['digest']) == 64 and int(checksum['digest'], 16) >= 0
    # loadCheckpoint verifies it and returns exactly what was saved, without the checksum entry
    assertSame(checkpoint, loadCheckpoint(tmp_path / 'a.pt'))
    # deterministic: the same content, whatever the order of dict keys or set elements, has the same digest
    reordered: dict[str, Any] = {key: checkpoint[key] for key in reversed(list(checkpoint))}  # type: ignore[literal-required]
    reordered['hyperparameters'] = dict(reversed(list(reordered['hyperparameters'].items())))
    saveCheckpoint(reordered, tmp_path / 'b.pt')  # type: ignore[arg-type]
    assert torch.load(tmp_path / 'b.pt', weights_only=True)['checksum'] == checksum
    # a loaded checkpoint saved again (as Routine._test does with best.pt) gets the checksum of its new content
    loaded = loadCheckpoint(tmp_path / 'a.pt')
    loaded['testing_loss'] = {'aggregate': 0.25}
    saveCheckpoint(loaded, tmp_path / 'a.pt')
    assert torch.load(tmp_path / 'a.pt', weights_only=True)['checksum']['digest'] != checksum['digest']
    assert loadCheckpoint(tmp_path / 'a.pt')['testing_loss'] == {'aggregate': 0.25}
    assert 'checksum' not in checkpoint  # the caller's dict is left alone


def variant() -> Any:
    """The same checkpoint each call, with values of every storable type."""
    checkpoint: Any = exported(trainedModel(), 2, 0.5)
    checkpoint['training_state']['tags'] = {'a', 'b', 'c'}
    checkpoint['training_state']['bf16'] = torch.arange(6, dtype=torch.bfloat16).reshape(2, 3)[:, 1:]  # a view
    checkpoint['training_state']['misc'] = (None, True, 3, 2.5, 1 + 2j, b'x', torch.float16, 'cpu')
    checkpoint['training_state']['device'] = torch.device('cpu')
    checkpoint['training_state']['size'] = torch.Size([2, 3])
    return checkpoint


def test_every_value_counts_in_the_checksum(tmp_path: Path) -> None:
    base = variant()
    saveCheckpoint(base, tmp_path / 'base.pt')
    assertSame(base, loadCheckpoint(tmp_path / 'base.pt'))
    digest = torch.load(tmp_path / 'base.pt', weights_only=True)['checksum']['digest']
    saveCheckpoint(variant(), tmp_path / 'same.pt')
    assert torch.load(tmp_path / 'same.pt', weights_only=True)['checksum']['digest'] == digest
    changes: dict[str, Callable[[Any], Any]] = {
        'an int': lambda c: c['run_info'].update(epoch=3),
        'an int as a float': lambda c: c['run_info'].update(epoch=2.0),
        'a tuple as a list': lambda c: c['hyperparameters'].update(dataset_split=[0.7, 0.15, 0.15]),
        'a set element': lambda c: c['training_state']['tags'].add('d'),
        'a dtype': lambda c: c['training_state'].update(bf16=c['training_state']['bf16'].float()),
        'a shape': lambda c: c['model_state_dict'].update(
            {'linear.bias': c['model_state_dict']['linear.bias'].reshape(1, 2)}
        ),
        'one bit of a weight': lambda c: c['model_state_dict']['linear.weight'].view(torch.int32)[0, :1].add_(1),
        'a key': lambda c: c['training_state'].update(extra=c['training_state'].pop('misc')),
        'bytes': lambda c: c['training_state'].update(
            misc=(*c['training_state']['misc'][:5], b'y', *c['training_state']['misc'][6:])
        ),
        'a torch.Size': lambda c: c['training_state'].update(size=torch.Size([3, 2])),
    }
    for name, change in changes.items():
        checkpoint = variant()
        change(checkpoint)
        saveCheckpoint(checkpoint, tmp_path / 'changed.pt')
        assert torch.load(tmp_path / 'changed.pt', weights_only=True)['checksum']['digest'] != digest, name


def test_corrupted_tensor_bytes_are_refused(tmp_path: Path) -> None:
    """Bytes of a weight overwritten in place (the zip CRCs not updated): loads used to give NaN predictions."""
    model = trainedModel()
    saveCheckpoint(exported(model, 2, 0.5), tmp_path / 'best.pt')
    overwrite(tmp_path / 'best.pt', 'data/0', b'\xff\xff\xff\xff')  # linear.weight[0, 0] becomes a NaN
    message = r'best\.pt is corrupted: checksum mismatch.*retrain or restore it from a backup'
    with pytest.raises(CheckpointError, match=message):
        loadCheckpoint(tmp_path / 'best.pt')
    with pytest.raises(CheckpointError, match=message):
        loadModel(Tiny, tmp_path / 'best.pt')
    with pytest.raises(CheckpointError, match=message):
        loadModel(Tiny, tmp_path)  # bestCheckpoint chooses it without reading the weights; loading refuses it


def test_a_tampered_plain_value_is_refused(tmp_path: Path) -> None:
    saveCheckpoint(exported(trainedModel(), 2, 0.5), tmp_path / 'last.pt')
    raw = torch.load(tmp_path / 'last.pt', weights_only=True)
    raw['run_info']['epoch'] = 7  # rewritten with the old checksum
    torch.save(raw, tmp_path / 'last.pt')
    with pytest.raises(CheckpointError, match=r'last\.pt is corrupted: checksum mismatch'):
        loadCheckpoint(tmp_path / 'last.pt')
    raw['checksum'] = {'algorithm': 'md5', 'digest': 'x'}
    torch.save(raw, tmp_path / 'last.pt')
    with pytest.raises(CheckpointError, match=r'last\.pt has a checksum entry this library cannot check'):
        loadCheckpoint(tmp_path / 'last.pt')


def test_checkpoints_without_a_checksum_load_and_their_crcs_are_checked(tmp_path: Path) -> None:
    """Checkpoints written before checksums existed (and the original library's) still load; the zip's own CRCs
    catch corruption in them."""
    model = trainedModel()
    checkpoint = exported(model, 2, 0.5)
    torch.save(checkpoint, tmp_path / 'old.pt')
    assertSame(checkpoint, loadCheckpoint(tmp_path / 'old.pt'))
    torch.save(checkpoint, tmp_path / 'legacy.pt', _use_new_zipfile_serialization=False)  # not a zip at all
    assertSame(checkpoint, loadCheckpoint(tmp_path / 'legacy.pt'))
    overwrite(tmp_path / 'old.pt', 'data/0', b'\xff\xff\xff\xff')
    with pytest.raises(CheckpointError, match=r'old\.pt is corrupted: .*data/0 fails its CRC.*retrain or restore'):
        loadCheckpoint(tmp_path / 'old.pt')


def test_corrupted_checkpoint_fails_predict_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import soundfile as sf
    from test_predict import LABELS, RATE, WAVEFORMS
    from test_predict import exported as spectrum_exported

    from kac_prediction.architecture import SpectrumCRePE
    from kac_prediction.cli import main

    torch.manual_seed(0)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([label['drum_size'] for label in LABELS], dtype=torch.float64))
    saveCheckpoint(spectrum_exported(model, dict(model.model_kwargs), 'SpectrumCRePE', tmp_path), tmp_path / 'best.pt')
    sf.write(tmp_path / 'drum.wav', WAVEFORMS[0], RATE)
    assert main(['predict', str(tmp_path / 'best.pt'), str(tmp_path / 'drum.wav')]) == 0
    capsys.readouterr()
    overwrite(tmp_path / 'best.pt', 'data/0', b'\xff' * 4)
    assert main(['predict', str(tmp_path / 'best.pt'), str(tmp_path / 'drum.wav')]) == 2
    error = capsys.readouterr().err
    assert error.startswith('error: ') and 'best.pt is corrupted: checksum mismatch' in error
    assert len(error.strip().splitlines()) == 1


def test_best_checkpoint_still_reads_without_hashing(tmp_path: Path) -> None:
    for epoch, loss in ((1, 0.5), (2, 0.25)):
        saveCheckpoint(exported(trainedModel(seed=epoch), epoch, loss), tmp_path / f'epoch_00{epoch}.pt')
    assert bestCheckpoint(tmp_path) == tmp_path / 'epoch_002.pt'


# ---------------------------------------------------------------------------------------------------- a full disk


class FillingFile(io.RawIOBase):
    """A file whose device fills up after `room` bytes: write raises OSError(code)."""

    def __init__(self, file: IO[Any], room: int, code: int) -> None:
        self.file, self.room, self.code = file, room, code

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise OSError(self.code, os.strerror(self.code))
        self.room -= len(data)
        return self.file.write(data)

    def close(self) -> None:
        self.file.close()
        super().close()


def fillAfter(monkeypatch: pytest.MonkeyPatch, room: int, code: int = errno.ENOSPC) -> None:
    """Make every file the atomic writers open fill up after `room` bytes."""
    monkeypatch.setattr(
        kac_prediction._io,
        'open',
        lambda *args, **kwargs: FillingFile(open(*args, **kwargs), room, code),
        raising=False,
    )


@pytest.mark.parametrize(('room', 'code'), [(0, errno.ENOSPC), (100, errno.ENOSPC), (2000, errno.EDQUOT)])
def test_disk_full_while_saving_a_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int, code: int
) -> None:
    target = tmp_path / 'run-1' / 'last.pt'
    target.parent.mkdir()
    saveCheckpoint(exported(trainedModel(), 1, 0.5), target)
    before = target.read_bytes()
    fillAfter(monkeypatch, room, code)
    with pytest.raises(OSError) as caught:
        saveCheckpoint(exported(trainedModel(seed=1), 2, 0.1), target)
    assert caught.value.errno == code
    message = str(caught.value)
    assert str(target) in message and 'free space' in message and 'unexpected pos' not in message
    assert f'--resume {target.parent}' in message and '\n' not in message
    assert target.read_bytes() == before  # the previous checkpoint is intact
    assert otherFiles(target.parent, 'last.pt') == []  # and no temporary file remains
    monkeypatch.undo()
    assert loadCheckpoint(target)['run_info']['epoch'] == 1


def test_disk_full_when_syncing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system that reports ENOSPC only when the data is flushed (delayed allocation, network file systems)."""

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, 'fsync', fsync)
    with pytest.raises(OSError, match=r'could not write .*w\.pt: no space left on the device') as caught:
        writeTorch(tmp_path / 'w.pt', {'x': torch.ones(2)})
    assert caught.value.errno == errno.ENOSPC
    assert otherFiles(tmp_path) == []


def test_describe_os_error(tmp_path: Path) -> None:
    path = tmp_path / 'x.pt'
    assert kac_prediction._io.describeOSError(OSError(errno.ENOSPC, 'No space left on device'), path, 'write') == (
        f'could not write {path}: no space left on the device (ENOSPC); free space there or write elsewhere'
    )
    assert 'disk quota exceeded (EDQUOT)' in kac_prediction._io.describeOSError(
        OSError(errno.EDQUOT, 'Disk quota exceeded'), path, 'write'
    )
    assert 'permission denied (EACCES)' in kac_prediction._io.describeOSError(
        PermissionError(errno.EACCES, 'denied'), path, 'read'
    )
    assert 'read-only file system (EROFS)' in kac_prediction._io.describeOSError(
        OSError(errno.EROFS, 'ro'), path, 'write'
    )
    assert (
        kac_prediction._io.describeOSError(OSError('something odd'), path, 'write')
        == f'could not write {path}: something odd'
    )


# ----------------------------------------------------------------------------------------------------------- datasets

SETTINGS = {'duration': 0.05, 'sample_rate': 16000}


@pytest.fixture(scope='module')
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp('pristine')
    generateDataset(BesselModel, directory, 10, sampler_settings=SETTINGS, seed=3, num_workers=1, progressbar=False)
    return directory


@pytest.fixture
def damaged(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / 'copy'))


@pytest.mark.parametrize(('value', 'shown'), [('NaN', 'nan'), ('Infinity', 'inf'), ('-Infinity', '-inf')])
def test_a_non_finite_label_is_refused(damaged: Path, value: str, shown: str) -> None:
    metadata = damaged / 'metadata.json'
    content = json.loads(metadata.read_text())
    content['data'][7]['y']['drum_size'] = [12345.5]
    metadata.write_text(json.dumps(content).replace('12345.5', value))  # Python's json reads these tokens
    with pytest.raises(DatasetFormatError, match=rf"metadata\.json: item 7 label 'drum_size' is {shown}"):
        loadDataset(damaged, progressbar=False)


def test_a_label_that_is_not_a_number_is_refused(damaged: Path) -> None:
    metadata = damaged / 'metadata.json'
    content = json.loads(metadata.read_text())
    content['data'][2]['y']['strike_location'][1] = 'nan'
    metadata.write_text(json.dumps(content))
    with pytest.raises(DatasetFormatError, match=r"item 2 label 'strike_location' holds 'nan', not a number"):
        loadDataset(damaged, progressbar=False)


@pytest.mark.parametrize('memory_map', [True, False])
def test_a_non_finite_cache_is_refused_and_rebuilt(damaged: Path, pristine: Path, memory_map: bool) -> None:
    path = next((damaged / 'cache').glob('*.npy'))
    X = np.load(path, mmap_mode='r+')
    X[3, 5] = np.nan
    X[8, 0] = np.inf
    X.flush()
    del X
    with pytest.raises(DatasetFormatError, match=rf'{path.name}: X of item 3 holds nan or inf'):
        loadCache(path, (10, 800), memory_map)
    with pytest.warns(UserWarning, match=r'X of item 3 holds nan or inf.*Rebuilding it from the WAVs'):
        dataset = loadDataset(damaged, memory_map=memory_map, progressbar=False)
    assert np.array_equal(dataset.X.numpy(), loadDataset(pristine, progressbar=False).X.numpy())


def test_non_finite_computed_x_is_refused(damaged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transform = InputRepresentation.transformBatch

    def broken(self: InputRepresentation, audio: Any) -> torch.Tensor:
        X = transform(self, audio).clone()
        X[-1, 0] = math.nan
        return X

    monkeypatch.setattr(InputRepresentation, 'transformBatch', broken)
    monkeypatch.setattr(cache, '_BATCH', 4)
    with pytest.raises(DatasetFormatError, match=r'sample_00003\.wav: X of item 3 computed from it holds nan or inf'):
        loadDataset(damaged, {'output_type': 'fft', 'n_bins': 64, 'window_length': 64, 'hop_length': 32})
    assert not any(path.name.startswith('.') for path in (damaged / 'cache').iterdir())  # no temporary left


def test_legacy_inline_x_that_is_not_finite_is_refused(tmp_path: Path) -> None:
    from test_dataset_load import _writeLegacy

    X = np.zeros((3, 160), dtype=np.float32)
    _writeLegacy(tmp_path / 'legacy', X, [{'f_0': [1.0]}] * 3, {'duration': 0.01, 'sample_rate': 16000}, 'TestTone')
    metadata = tmp_path / 'legacy' / 'metadata.json'
    lines = metadata.read_text().splitlines(keepends=True)
    x_lines = [n for n, line in enumerate(lines) if line.startswith('"x":')]
    lines[x_lines[1]] = lines[x_lines[1]].replace('0.0', 'NaN', 1)
    metadata.write_text(''.join(lines))
    with (
        pytest.raises(DatasetFormatError, match=r'metadata\.json: x of item 1 holds nan or inf'),
        pytest.warns(UserWarning),
    ):
        loadDataset(tmp_path / 'legacy')


@pytest.mark.parametrize('chunk_bytes', [1, 24, 1 << 20])
def test_first_non_finite_reads_in_chunks(chunk_bytes: int) -> None:
    X = np.ones((7, 3, 2), dtype=np.float32)
    assert cache.firstNonFinite(X, chunk_bytes) is None
    assert cache.firstNonFinite(X[:0], chunk_bytes) is None
    X[6, 2, 1] = -np.inf
    assert cache.firstNonFinite(X, chunk_bytes) == 6
    X[2, 0, 0] = np.nan
    assert cache.firstNonFinite(X, chunk_bytes) == 2
    big = np.full((4, 3), 3e38, dtype=np.float32)  # finite values whose sum overflows
    assert cache.firstNonFinite(big, chunk_bytes) is None
