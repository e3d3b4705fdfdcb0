"""kac_prediction._io: atomic writes (all or nothing, no temporary left), files honour the umask, journals, and
output directories that never take over a user's files."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from kac_prediction._io import (
    appendLine,
    atomicFile,
    atomicPath,
    claimDirectory,
    writeBytes,
    writeJSON,
    writeNumpy,
    writeText,
    writeTorch,
)


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_each_writer_round_trips(tmp_path: Path) -> None:
    writeBytes(tmp_path / 'b', b'\x00\x01')
    writeText(tmp_path / 't', 'héllo')
    writeJSON(tmp_path / 'j.json', {'a': [1, 2.5]})
    writeNumpy(tmp_path / 'n.npy', np.arange(6, dtype=np.float32).reshape(2, 3))
    writeTorch(tmp_path / 'w.pt', {'x': torch.ones(2)})
    assert (tmp_path / 'b').read_bytes() == b'\x00\x01'
    assert (tmp_path / 't').read_text(encoding='utf-8') == 'héllo'
    assert json.loads((tmp_path / 'j.json').read_text()) == {'a': [1, 2.5]}
    assert np.load(tmp_path / 'n.npy').tolist() == [[0, 1, 2], [3, 4, 5]]
    assert torch.equal(torch.load(tmp_path / 'w.pt', weights_only=True)['x'], torch.ones(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['b', 'j.json', 'n.npy', 't', 'w.pt']


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / 'metadata.json'
    writeJSON(target, {'version': 1})
    with pytest.raises(ValueError, match='Out of range float'):
        writeJSON(target, {'version': float('nan')})  # standard JSON has no NaN
    with pytest.raises(RuntimeError), atomicFile(target, 'w') as file:
        file.write('{"version": 2')
        raise RuntimeError('killed half-way')
    with pytest.raises(RuntimeError), atomicPath(target) as temporary:
        temporary.write_text('partial')
        raise RuntimeError('killed half-way')
    assert json.loads(target.read_text()) == {'version': 1}
    assert [p.name for p in tmp_path.iterdir()] == ['metadata.json']


def test_new_files_honour_the_umask(tmp_path: Path, umask_027: None) -> None:
    writeJSON(tmp_path / 'a.json', {})  # tempfile.mkstemp would give 0o600
    with atomicPath(tmp_path / 'b.npy') as temporary:
        np.lib.format.open_memmap(temporary, mode='w+', dtype=np.float32, shape=(2,)).flush()
    appendLine(tmp_path / 'c.jsonl', '{}')
    for name in ('a.json', 'b.npy', 'c.jsonl'):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o640, name


def test_append_line_keeps_whole_lines(tmp_path: Path) -> None:
    journal = tmp_path / 'runs.jsonl'
    appendLine(journal, '{"run": 0}')
    appendLine(journal, '{"run": 1}\n')
    assert journal.read_text() == '{"run": 0}\n{"run": 1}\n'


def test_atomic_file_refuses_other_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'wb' or 'w'"), atomicFile(tmp_path / 'x', 'a'):
        pass


def test_claim_directory_never_takes_over_a_users_files(tmp_path: Path) -> None:
    mine = tmp_path / 'mine'
    mine.mkdir()
    (mine / 'notes.txt').write_text('precious')
    with pytest.raises(FileExistsError, match='--overwrite'):
        claimDirectory(mine, '.marker')
    assert [p.name for p in mine.iterdir()] == ['notes.txt']
    claimDirectory(tmp_path / 'new' / 'out', '.marker')  # created with its parents
    (tmp_path / 'new' / 'out' / 'a.wav').write_bytes(b'')
    claimDirectory(tmp_path / 'new' / 'out', '.marker')  # its own output: reused
    claimDirectory(mine, '.marker', overwrite=True)
    assert (mine / 'notes.txt').read_text() == 'precious' and (mine / '.marker').exists()
