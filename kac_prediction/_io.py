"""Atomic file writes: the one policy for every file the package writes (docs/architecture.md, "Files").

A file is written to a hidden temporary file in the target's directory, flushed to disk (`os.fsync`) and renamed over
the target (`os.replace`), and the directory is synced so that the rename itself survives a crash. Whatever fails,
the target keeps its previous content (or stays absent) and the temporary file is removed. New files get the
permissions of any new file, 0o666 less the process's umask (`tempfile.mkstemp` would give 0o600); a file that is
replaced gets the permissions of the new one.

    writeJSON('run/metrics.json', {'rmse': 0.01})
    with atomicFile('out.png') as file:
        figure.savefig(file, format='png')
    with atomicPath('cache/x.npy') as temporary:          # for writers that need a path (numpy memory maps)
        np.lib.format.open_memmap(temporary, mode='w+', dtype=np.float32, shape=(10, 4))

`describeOSError` and `explainOSError` turn a failed read or write (a full disk, a quota, a permission, a read-only
file system) into one line naming the file and the fix; `writeTorch` raises its errors that way.
"""

import contextlib
import errno
import json
import math
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    'appendLine',
    'atomicFile',
    'atomicPath',
    'claimDirectory',
    'createTemporary',
    'describeOSError',
    'explainOSError',
    'fsyncDirectory',
    'jsonSafe',
    'writeBytes',
    'writeJSON',
    'writeNumpy',
    'writeText',
    'writeTorch',
]

# errno → (what happened, what to do): the causes a user can fix
_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ('no space left on the device', 'free space there or write elsewhere'),
    getattr(errno, 'EDQUOT', -1): ('disk quota exceeded', 'free space within your quota or write elsewhere'),
    errno.EACCES: ('permission denied', 'check the permissions of the file and its directory'),
    errno.EPERM: ('operation not permitted', 'check the permissions of the file and its directory'),
    errno.EROFS: ('read-only file system', 'write elsewhere'),
}

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)


def createTemporary(target: str | os.PathLike[str], suffix: str = '.tmp') -> tuple[int, Path]:
    """Create and open (write-only) a new hidden file beside `target`: `.<name>.<random hex><suffix>`, mode 0o666
    less the umask. Returns (file descriptor, path); the caller closes the descriptor."""
    target = Path(target)
    while True:
        temporary = target.parent / f'.{target.name}.{secrets.token_hex(4)}{suffix}'
        try:
            return os.open(temporary, _FLAGS, 0o666), temporary
        except FileExistsError:
            continue


def fsyncDirectory(directory: str | os.PathLike[str]) -> None:
    """Make the renames in `directory` durable (POSIX; a no-op where a directory cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsyncPath(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, 'O_BINARY', 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@contextlib.contextmanager
def atomicPath(path: str | os.PathLike[str], durable: bool = True) -> Iterator[Path]:
    """Yield the path of a new, empty temporary file beside `path`; when the block exits normally, that file replaces
    `path` (fsynced first, and the directory after, when `durable`), else it is removed. The directory must exist."""
    target = Path(path)
    fd, temporary = createTemporary(target)
    os.close(fd)
    try:
        yield temporary
        if durable:
            _fsyncPath(temporary)
        os.replace(temporary, target)
    except BaseException:
        _remove(temporary)
        raise
    if durable:
        fsyncDirectory(target.parent)


@contextlib.contextmanager
def atomicFile(path: str | os.PathLike[str], mode: str = 'wb', durable: bool = True) -> Iterator[IO[Any]]:
    """Yield an open file (mode 'wb', or 'w' for UTF-8 text) whose content replaces `path` when the block exits
    normally (as `atomicPath`)."""
    if mode not in ('wb', 'w'):
        raise ValueError(f"atomicFile writes with mode 'wb' or 'w', got {mode!r}.")
    with (
        atomicPath(path, durable) as temporary,
        open(temporary, mode, encoding='utf-8' if mode == 'w' else None) as file,
    ):
        yield file


def writeBytes(path: str | os.PathLike[str], data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` atomically."""
    with atomicFile(path, 'wb', durable) as file:
        file.write(data)


def writeText(path: str | os.PathLike[str], text: str, durable: bool = True) -> None:
    """Write `text` to `path` atomically, UTF-8 encoded."""
    with atomicFile(path, 'w', durable) as file:
        file.write(text)


def jsonSafe(value: Any) -> Any:
    """`value` with every NaN and infinity replaced by None (JSON has neither), walked through dicts (keys as str),
    lists and tuples (as lists)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): jsonSafe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonSafe(item) for item in value]
    return value


def writeJSON(path: str | os.PathLike[str], content: Any, indent: int | None = 1, durable: bool = True) -> None:
    """Write `content` to `path` atomically as standard JSON (ValueError for NaN or infinity: encode them first)."""
    writeText(path, json.dumps(content, indent=indent, allow_nan=False) + '\n', durable)


def writeNumpy(path: str | os.PathLike[str], array: npt.ArrayLike, durable: bool = True) -> None:
    """Write `array` to `path` atomically in NumPy's .npy format (no pickled objects)."""
    with atomicFile(path, 'wb', durable) as file:
        np.save(file, np.asarray(array), allow_pickle=False)


def describeOSError(error: OSError, path: str | os.PathLike[str], action: str) -> str:
    """One line, 'could not <action> <path>: <cause> (<ERRNO>); <fix>', for ENOSPC, EDQUOT, EACCES, EPERM and EROFS;
    'could not <action> <path>: <the system's message> (<ERRNO>)' for other errors (without an errno: `str(error)`)."""
    code = error.errno
    name = errno.errorcode.get(code, '') if isinstance(code, int) else ''
    if code in _CAUSES:
        cause, fix = _CAUSES[code]
        return f'could not {action} {os.fspath(path)}: {cause} ({name}); {fix}'
    if name and error.strerror:
        return f'could not {action} {os.fspath(path)}: {error.strerror[:1].lower()}{error.strerror[1:]} ({name})'
    return f'could not {action} {os.fspath(path)}: {error}'


def explainOSError(error: OSError, path: str | os.PathLike[str], action: str, hint: str = '') -> OSError:
    """An exception of the type of `error`, with its errno, whose message is `describeOSError(...)` followed by
    '; <hint>' when given. Raise it `from error`."""
    message = describeOSError(error, path, action) + (f'; {hint}' if hint else '')
    try:
        explained = type(error)(message)
    except TypeError:  # a subclass with another signature
        explained = OSError(message)
    explained.errno = error.errno  # str() stays the message: strerror and filename are left unset
    return explained


class _Recorder:
    """A binary file that remembers the OSError its `write` raised: torch.save reports a failed write as a
    RuntimeError ('unexpected pos …') that hides the cause."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.error: OSError | None = None

    def write(self, data: Any) -> int:
        try:
            return self.file.write(data)
        except OSError as error:
            self.error = error
            raise

    def flush(self) -> None:
        self.file.flush()


def writeTorch(path: str | os.PathLike[str], content: Any, durable: bool = True, hint: str = '') -> None:
    """Write `content` to `path` atomically with `torch.save`. A failed write (a full disk, a quota…) raises OSError
    with its errno and a one-line message naming `path` and the fix (`explainOSError`, `hint` appended); `path`
    keeps its previous content and no temporary file remains."""
    import torch

    try:
        with atomicFile(path, 'wb', durable) as file:
            recorder = _Recorder(file)
            try:
                torch.save(content, cast(IO[bytes], recorder))
            except RuntimeError as error:
                if recorder.error is None:
                    raise
                raise recorder.error from error
    except OSError as error:
        raise explainOSError(error, path, 'write', hint) from error


def appendLine(path: str | os.PathLike[str], line: str, durable: bool = True) -> None:
    """Append `line` and a newline to `path` (created if absent, mode 0o666 less the umask) in one write, flushed
    and fsynced when `durable`: a journal that a killed process leaves with whole lines, at most one partial last."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, 'O_BINARY', 0), 0o666)
    try:
        data = memoryview((line.rstrip('\n') + '\n').encode('utf-8'))
        while data:
            data = data[os.write(fd, data) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def claimDirectory(directory: str | os.PathLike[str], marker: str, overwrite: bool = False) -> Path:
    """Create `directory` (and its parents) for a command's output, or reuse it when it is empty or holds the file
    `marker` (left there by an earlier run of the same command). FileExistsError when it holds other files, unless
    `overwrite`: what a user made is never written over without their say. Returns the directory."""
    path = Path(directory)
    if path.is_dir() and any(path.iterdir()) and not (path / marker).exists() and not overwrite:
        raise FileExistsError(
            f'{path} already holds files this command did not write; choose another directory or pass --overwrite.'
        )
    path.mkdir(parents=True, exist_ok=True)
    (path / marker).touch()
    return path
