"""The exclusive lock of a dataset directory (docs/architecture.md, "Files and errors"): `<dataset_dir>/.lock`.

`generateDataset`, `regenerateDataPoints` / `regenerateItems` and `mergeShards`' output directory hold it for the whole
call, so two processes never write one dataset at once (their files would mix: labels of one run, audio of the
other). It is an OS lock (`fcntl.flock`) on the file: the kernel releases it when its holder exits, however it dies
(kill -9 included), so a lock file left behind never blocks anyone. After locking, the holder writes its pid and
command line into the file, for the error the next process gets (in place, not by `kac_prediction._io`'s
rename: a new file would be a new, unlocked inode); it removes the file when it is done. The lock is re-entrant within
a thread. Forked generation workers close their inherited copy (`closeInheritedLocks`), so a killed parent frees it.

Where `fcntl` does not exist (Windows) nothing is locked: running two generations into one directory there is the
user's responsibility.
"""

import contextlib
import errno
import json
import os
import shlex
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no locking (see the module docstring)
    fcntl = None  # type: ignore[assignment]

__all__ = ['LOCK_FILE', 'DatasetLockedError', 'closeInheritedLocks', 'datasetLock', 'lockHolder']

LOCK_FILE = '.lock'
_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


class DatasetLockedError(FileExistsError):
    """Another process (or thread) holds a dataset directory's lock; the message names the directory and the holder."""


# this process's locks: real path of the directory → [fd of its lock file, depth, owning thread id]
_HELD: dict[str, list[int]] = {}
_MUTEX = threading.Lock()


def _describe(text: str) -> str:
    """'pid 123 (kac-prediction generate …)' from a lock file's content; 'unknown' when it holds none."""
    try:
        holder = json.loads(text)
        return f'pid {int(holder["pid"])} ({holder["command"]})'
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return 'unknown'


def _readHolder(fd: int) -> str:
    """The holder of the lock open as `fd`, as `_describe` gives it; waits up to 0.5 s for it to write its pid."""
    deadline = time.monotonic() + 0.5
    while True:
        try:
            text = os.pread(fd, 4096, 0).decode('utf-8', 'replace')
        except OSError:
            text = ''
        if _describe(text) != 'unknown' or time.monotonic() > deadline:
            return _describe(text)
        time.sleep(0.01)


def _writeHolder(fd: int) -> None:
    """Write this process's pid and command line into its lock file (best effort: a full disk does not stop it)."""
    content = json.dumps({'pid': os.getpid(), 'command': shlex.join(sys.argv) or sys.executable}).encode()
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, content, 0)


def _acquire(directory: Path) -> int | None:
    """Lock `directory`: the fd of its lock file (None where the file system has no locks); DatasetLockedError if
    another process holds it."""
    path = directory / LOCK_FILE
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _readHolder(fd)
            os.close(fd)
            raise DatasetLockedError(
                f'{directory} is locked by another process, {holder}, which is writing this dataset: wait for it '
                'to finish (or stop it), then run this again.'
            ) from None
        except OSError as error:
            os.close(fd)
            if error.errno not in _UNSUPPORTED:
                raise
            warnings.warn(f'{directory}: the file system does not support locks; not locked.', stacklevel=4)
            return None
        try:  # the previous holder may have removed the file between our open and our lock: lock the new one
            current = os.stat(path)
            same = (current.st_dev, current.st_ino) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
        except FileNotFoundError:
            same = False
        if same:
            _writeHolder(fd)
            return fd
        os.close(fd)


@contextlib.contextmanager
def datasetLock(dataset_dir: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the exclusive lock of `dataset_dir` (an existing directory) for the block; DatasetLockedError naming the
    directory and the holding process (pid, command line) when another process or thread holds it."""
    directory = Path(dataset_dir)
    if fcntl is None:
        yield
        return
    key = os.path.realpath(directory)
    with _MUTEX:
        held = _HELD.get(key)
        if held is not None and held[2] != threading.get_ident():
            raise DatasetLockedError(f'{directory} is locked by another thread of this process (pid {os.getpid()}).')
        if held is not None:
            held[1] += 1
        else:
            fd = _acquire(directory)
            if fd is not None:
                _HELD[key] = [fd, 1, threading.get_ident()]
    try:
        yield
    finally:
        with _MUTEX:
            entry = _HELD.get(key)
            if entry is not None:
                entry[1] -= 1
                if entry[1] == 0:
                    del _HELD[key]
                    with contextlib.suppress(OSError):
                        os.unlink(directory / LOCK_FILE)  # while still locked: a waiter then locks a new file
                    os.close(entry[0])


def closeInheritedLocks() -> None:
    """In a forked child: close the lock files inherited from the parent (closing, not unlocking, which would free
    the parent's lock), so that the lock ends with the parent even if the child outlives it."""
    for fd, _, _ in _HELD.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


def lockHolder(dataset_dir: str | os.PathLike[str]) -> str | None:
    """The process holding `dataset_dir`'s lock ('pid N (command)', or 'unknown'), or None when it is free; changes
    nothing (the lock file is only opened for reading, when it exists)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(Path(dataset_dir) / LOCK_FILE, os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _readHolder(fd)
        os.close(fd)
        return holder
    except OSError:
        os.close(fd)
        return None
    os.close(fd)  # closing releases the shared lock
    return None
