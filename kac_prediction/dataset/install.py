"""Install the official datasets (Zenodo record 7274474) into a local directory.

`installDataset(name, dataset_dir)` looks the file `NAME.zip` up in the record's metadata, downloads it with pooch
(verifying the checksum the record publishes), and extracts `NAME/data/*` flat into `dataset_dir`. The download
resumes: interrupted transfers continue where they stopped, within one call and across calls.

From a shell: `python -m kac_prediction.dataset.install NAME [DIR]` or `bin/install-dataset.sh NAME [DIR]`.

Settings taken from the environment when the arguments leave them out:
- `KAC_PREDICTION_ZENODO_URL`: the Zenodo server (default https://zenodo.org).
- `KAC_PREDICTION_ZENODO_TOKEN`: an access token, sent as `Authorization: Bearer <token>` (never printed).
- `KAC_PREDICTION_ZENODO_TOKEN_FILE`: a file holding the token (default ~/.config/kac_prediction/zenodo-token), which
  must be readable by its owner only (`chmod 600`). No token is needed for the public record.

Errors: `ValueError` for an unknown dataset name and for an archive with unsafe members (absolute paths, drive
letters, `..`, symbolic links); `DownloadError` for HTTP and network failures and checksum mismatches;
`DatasetInstallError` (its base class, a `RuntimeError`) for everything else the installer refuses to do.
"""

import argparse
import os
import re
import shutil
import stat
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any, NamedTuple, get_args
from urllib.parse import urlsplit

import pooch  # type: ignore[import-untyped]
import requests
from tqdm import tqdm

from .._io import atomicFile, atomicPath
from ..samplers.official_datasets import Datasets

__all__ = [
    'DATASET_NAMES',
    'DatasetInstallError',
    'DownloadError',
    'ResumableDownloader',
    'installDataset',
    'main',
]

DATASET_NAMES: tuple[str, ...] = get_args(Datasets)
RECORD_ID = 7274474
DEFAULT_BASE_URL = 'https://zenodo.org'
BASE_URL_ENV = 'KAC_PREDICTION_ZENODO_URL'
TOKEN_ENV = 'KAC_PREDICTION_ZENODO_TOKEN'
TOKEN_FILE_ENV = 'KAC_PREDICTION_ZENODO_TOKEN_FILE'
DEFAULT_TOKEN_FILE = '~/.config/kac_prediction/zenodo-token'
DOWNLOAD_FOLDER = '.download'
_TIMEOUT = 60.0  # seconds without data before a request counts as failed


class DatasetInstallError(RuntimeError):
    """The dataset could not be installed (see the message); nothing in the target directory was overwritten."""


class DownloadError(DatasetInstallError):
    """An HTTP error, a network failure that persisted through the retries, or a download whose checksum is wrong."""


class _BearerAuth(requests.auth.AuthBase):
    """Send a token as `Authorization: Bearer`. As an `auth` object (not a plain header) it keeps requests from
    replacing it with credentials from ~/.netrc; requests drops it when a redirect leaves the host."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers['Authorization'] = f'Bearer {self._token}'
        return request

    def __repr__(self) -> str:
        return '_BearerAuth(<hidden>)'


class _RemoteFile(NamedTuple):
    key: str
    url: str
    known_hash: str
    size: int | None


class _Attempt(NamedTuple):
    complete: bool
    problem: str


def installDataset(
    name: Datasets,
    dataset_dir: str | os.PathLike[str] = 'data',
    *,
    base_url: str | None = None,
    token: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progressbar: bool = True,
) -> Path:
    """Download the official dataset `name` from Zenodo and extract it into `dataset_dir`.

    params:
        name         one of `DATASET_NAMES`
        dataset_dir  created if missing; files already there are never deleted or overwritten: a file of the dataset
                     that exists with different content is an error, one with identical content is kept (so an
                     interrupted installation can simply be run again). `metadata.json` is written last.
        base_url     the Zenodo server; default `$KAC_PREDICTION_ZENODO_URL`, else https://zenodo.org
        token        a Zenodo access token; default `$KAC_PREDICTION_ZENODO_TOKEN`, else the token file (see the
                     module docstring), else none. It is only sent to the server of `base_url`.
        cache_dir    where the zip is downloaded (with `NAME.zip.part` while incomplete). Default: the folder
                     `.download` inside `dataset_dir`: after a successful extraction the zip is deleted from it, and
                     the folder too if nothing else is in it. A `cache_dir` that is given is a cache: the verified
                     zip is kept there, and later installs from it download nothing.
        progressbar  show a tqdm progress bar on stderr while downloading
    returns:
        the dataset directory (absolute)
    raises:
        ValueError           unknown name; unsafe archive member (before anything is extracted)
        DownloadError        HTTP error (the message names the URL and status), network failure, checksum mismatch
        DatasetInstallError  the record lacks the file, a conflicting file exists, the token file is not private, …
    """
    if name not in DATASET_NAMES:
        raise ValueError(_unknownName(name))
    dataset_path = Path(dataset_dir).absolute()
    base = _baseURL(base_url)
    auth_token = _resolveToken(token)
    cache = Path(cache_dir).absolute() if cache_dir is not None else dataset_path / DOWNLOAD_FOLDER
    with requests.Session() as session:
        record_url = f'{base}/api/records/{RECORD_ID}'
        record = _getJSON(session, record_url, _BearerAuth(auth_token) if auth_token else None)
        remote = _findFile(record, f'{name}.zip', record_url)
        # Only Zenodo itself gets the token, should the record ever link a file elsewhere.
        same_origin = _origin(remote.url) == _origin(base)
        downloader = ResumableDownloader(
            cache / f'{remote.key}.part',
            session=session,
            auth=_BearerAuth(auth_token) if auth_token and same_origin else None,
            size=remote.size,
            progressbar=progressbar,
        )
        try:
            archive = Path(
                pooch.retrieve(
                    remote.url,
                    known_hash=remote.known_hash,
                    fname=remote.key,
                    path=cache,
                    downloader=downloader,
                    progressbar=progressbar,
                )
            )
        except ValueError as error:  # pooch's checksum mismatch: names the file, the expected and the actual hash
            raise DownloadError(f'the download of {remote.url} is corrupt and was deleted: {error}') from error
    _extractDataset(archive, name, dataset_path)
    if cache_dir is None:
        archive.unlink()
        if not any(cache.iterdir()):
            cache.rmdir()
    return dataset_path


class ResumableDownloader:
    """A pooch downloader that resumes.

    Bytes are appended to `part_file` as they arrive. When `part_file` already holds bytes (from a dropped connection
    or an earlier, killed process) the download continues with `Range: bytes=<n>-`; a server that answers 200
    instead of 206 is followed from byte 0. Dropped connections and short bodies are retried, continuing from the
    bytes received, until `retries` attempts in a row end with no more bytes than were ever held before. When
    complete, the data is moved to the file pooch asks for (which pooch then verifies).
    """

    def __init__(
        self,
        part_file: str | os.PathLike[str],
        *,
        session: requests.Session | None = None,
        auth: requests.auth.AuthBase | None = None,
        size: int | None = None,
        progressbar: bool = True,
        retries: int = 5,
        timeout: float = _TIMEOUT,
        chunk_size: int = 1 << 16,
    ) -> None:
        self.part_file = Path(part_file)
        self.session = session if session is not None else requests.Session()
        self.auth = auth
        self.size = size
        self.progressbar = progressbar
        self.retries = retries
        self.timeout = timeout
        self.chunk_size = chunk_size

    def __call__(
        self, url: str, output_file: str | IO[bytes], pooch_instance: object, check_only: bool | None = False
    ) -> bool | None:
        """Download `url` into `output_file` (a path or a binary file); with `check_only`, only say whether the
        file is available."""
        if check_only:
            try:
                with self.session.head(url, auth=self.auth, timeout=self.timeout, allow_redirects=True) as response:
                    return response.status_code == 200
            except requests.RequestException:
                return False
        self._download(url)
        if isinstance(output_file, str):
            with atomicPath(output_file) as temporary:  # the complete part file is the write: fsynced, then renamed
                os.replace(self.part_file, temporary)
        else:
            with open(self.part_file, 'rb') as part:
                shutil.copyfileobj(part, output_file)
            self.part_file.unlink()
        return None

    def _download(self, url: str) -> None:
        part = self.part_file
        part.parent.mkdir(parents=True, exist_ok=True)
        failures = 0
        most = 0  # the most bytes held so far: an attempt that ends above it made progress
        with tqdm(
            total=self.size,
            desc=part.name.removesuffix('.part'),
            unit='B',
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            disable=not self.progressbar,
        ) as bar:
            while True:
                have = part.stat().st_size if part.exists() else 0
                if self.size is not None and have > self.size:
                    part.unlink()  # more than the whole file: not a prefix of it
                    have = 0
                if self.size is not None and have == self.size:
                    return  # an earlier run received everything but stopped before moving it
                attempt = self._attempt(url, have, bar)
                if attempt.complete:
                    return
                kept = part.stat().st_size if part.exists() else 0
                failures = 1 if kept > most else failures + 1
                most = max(most, kept)
                if failures > self.retries:
                    raise DownloadError(
                        f'downloading {url} failed {failures} times in a row ({attempt.problem}); the {kept} bytes '
                        f'received are kept in {part} and the next run continues from there'
                    )
                time.sleep(min(0.5 * (failures - 1), 5.0))

    def _attempt(self, url: str, have: int, bar: 'tqdm[Any]') -> _Attempt:
        """One request: append what arrives to the part file."""
        part = self.part_file
        headers = {'Accept-Encoding': 'identity'}  # byte counts must be those of the file
        if have:
            headers['Range'] = f'bytes={have}-'
        received = 0
        total: int | None = self.size
        try:
            with self.session.get(url, headers=headers, auth=self.auth, stream=True, timeout=self.timeout) as response:
                if have and response.status_code == 416:  # the part file is not a prefix of this file
                    part.unlink()
                    return _Attempt(False, 'the server rejected the range of the partial download')
                _raiseForStatus(response, url)
                if response.status_code == 206:
                    start, range_total = _parseContentRange(response.headers.get('Content-Range', ''))
                    if start != have:
                        part.unlink()
                        return _Attempt(False, 'the server answered with another range')
                    total = range_total if range_total is not None else total
                    mode = 'ab'
                else:  # a full answer, also to a range request: start again from byte 0
                    have = 0
                    mode = 'wb'
                    length = response.headers.get('Content-Length', '')
                    total = int(length) if length.isdigit() else total
                bar.reset(total=total)
                bar.update(have)
                # A body cut short then ends quietly with the bytes that came (counted below), instead of urllib3
                # raising IncompleteRead and discarding the last chunk read.
                response.raw.enforce_content_length = False
                with open(part, mode) as out:
                    for chunk in response.iter_content(self.chunk_size):
                        out.write(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            return _Attempt(False, f'{type(error).__name__}: {error}')
        except requests.RequestException as error:
            raise DownloadError(f'downloading {url} failed: {error}') from error
        if total is not None and have + received != total:
            if have + received > total:
                part.unlink()
            return _Attempt(False, f'received {have + received} of {total} bytes')
        return _Attempt(True, '')


def _parseContentRange(value: str) -> tuple[int | None, int | None]:
    """`bytes <start>-<end>/<total>` → (start, total); (None, None) when it cannot be read."""
    match = re.fullmatch(r'\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*', value)
    if match is None:
        return None, None
    return int(match[1]), int(match[2]) if match[2] != '*' else None


def _unknownName(name: object) -> str:
    return f'unknown dataset {name!r}; the official datasets are: {", ".join(DATASET_NAMES)}'


def _baseURL(base_url: str | None) -> str:
    url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip('/')
    if urlsplit(url).scheme not in ('http', 'https') or not urlsplit(url).netloc:
        raise ValueError(f'the Zenodo base URL must be an http(s) URL, not {url!r}')
    return url


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _resolveToken(token: str | None) -> str | None:
    """The argument, else the environment variable, else the token file (which must be private), else None."""
    if token:
        return token.strip()
    from_env = os.environ.get(TOKEN_ENV, '').strip()
    if from_env:
        return from_env
    path = Path(os.environ.get(TOKEN_FILE_ENV) or DEFAULT_TOKEN_FILE).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if os.name == 'posix' and mode & 0o077:
        raise DatasetInstallError(
            f'the token file {path} is readable by other users (mode {stat.S_IMODE(mode):o}); '
            f'run `chmod 600 {path}` and try again'
        )
    return path.read_text(encoding='utf-8').strip() or None


def _raiseForStatus(response: requests.Response, url: str) -> None:
    if response.status_code < 400:
        return
    reason = f' {response.reason}' if response.reason else ''
    hint = '; check your Zenodo token' if response.status_code in (401, 403) else ''
    raise DownloadError(f'HTTP {response.status_code}{reason} from {url}{hint}')


def _getJSON(session: requests.Session, url: str, auth: requests.auth.AuthBase | None) -> Any:
    try:
        with session.get(url, headers={'Accept': 'application/json'}, auth=auth, timeout=_TIMEOUT) as response:
            _raiseForStatus(response, url)
            return response.json()
    except requests.RequestException as error:
        raise DownloadError(f'could not read the Zenodo record {url}: {error}') from error


def _findFile(record: Any, key: str, record_url: str) -> _RemoteFile:
    """The entry `key` of the record's file list, with its download URL, checksum and size."""
    files = record.get('files') if isinstance(record, dict) else None
    if not isinstance(files, list):
        raise DatasetInstallError(f'{record_url} did not answer with a Zenodo record listing files')
    entries = [entry for entry in files if isinstance(entry, dict)]
    entry = next((entry for entry in entries if entry.get('key') == key), None)
    if entry is None:
        offered = ', '.join(str(entry.get('key')) for entry in entries) or 'no files'
        raise DatasetInstallError(f'Zenodo record {RECORD_ID} ({record_url}) has no file {key}; it offers: {offered}')
    links = entry.get('links')
    url = links.get('self') if isinstance(links, dict) else None
    checksum = entry.get('checksum')
    size = entry.get('size')
    if not isinstance(url, str) or urlsplit(url).scheme not in ('http', 'https'):
        raise DatasetInstallError(f'Zenodo record {RECORD_ID} gives no download link for {key}')
    if not isinstance(checksum, str) or not re.fullmatch(r'(md5|sha1|sha256):[0-9a-fA-F]+', checksum):
        raise DatasetInstallError(f'Zenodo record {RECORD_ID} gives no usable checksum for {key}: {checksum!r}')
    return _RemoteFile(key, url, checksum, size if isinstance(size, int) and size >= 0 else None)


def _checkMember(info: zipfile.ZipInfo, archive: Path) -> None:
    """Refuse members that could write outside the target directory."""
    name = info.filename
    parts = name.replace('\\', '/').split('/')
    if name.startswith(('/', '\\')) or re.match(r'[A-Za-z]:', name) or '..' in parts:
        raise ValueError(
            f'{archive} has an unsafe member {name!r} (absolute path, drive letter or `..`); nothing was extracted'
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ValueError(f'{archive} has a symbolic link {name!r}; nothing was extracted')


def _planExtraction(archive: Path, members: list[zipfile.ZipInfo], name: str) -> list[tuple[zipfile.ZipInfo, str]]:
    """The files below `NAME/data/` with their paths relative to it, `metadata.json` last. Directories, other
    folders and `__MACOSX/` are skipped."""
    prefix = f'{name}/data/'
    plan = [
        (info, info.filename.removeprefix(prefix))
        for info in members
        if info.filename.startswith(prefix) and not info.is_dir() and '__MACOSX' not in info.filename.split('/')
    ]
    counts = Counter(path for _, path in plan)
    if 'metadata.json' not in counts:
        raise DatasetInstallError(f'{archive} has no {prefix}metadata.json: it is not the dataset {name}')
    duplicate = next((path for path, count in counts.items() if count > 1), None)
    if duplicate is not None:
        raise ValueError(f'{archive} holds {prefix}{duplicate} twice; nothing was extracted')
    return sorted(plan, key=lambda item: item[1] == 'metadata.json')


def _sameContent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bool:
    if not path.is_file() or path.stat().st_size != info.file_size:
        return False
    with archive.open(info) as packed, open(path, 'rb') as existing:
        while True:
            chunk = packed.read(1 << 20)
            if chunk != existing.read(len(chunk)):
                return False
            if not chunk:
                return True


def _extractFile(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Write `target` atomically (`_io.atomicFile`): a file either is complete or is absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as packed, atomicFile(target) as out:
        shutil.copyfileobj(packed, out, 1 << 20)


def _extractDataset(archive_path: Path, name: str, dataset_dir: Path) -> None:
    """Check every member and every target first, then extract `NAME/data/*` flat into `dataset_dir`."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = archive.infolist()
            for info in members:
                _checkMember(info, archive_path)
            dataset_dir.mkdir(parents=True, exist_ok=True)
            root = dataset_dir.resolve()
            pending: list[tuple[zipfile.ZipInfo, Path]] = []
            for info, relative in _planExtraction(archive_path, members, name):
                target = dataset_dir.joinpath(*PurePosixPath(relative).parts)
                if not target.parent.resolve().is_relative_to(root):
                    raise ValueError(f'{info.filename} would be written outside {dataset_dir}; nothing was extracted')
                if target.exists() or target.is_symlink():
                    if _sameContent(archive, info, target):
                        continue
                    raise DatasetInstallError(
                        f'{target} already exists and differs from {info.filename} in the download; nothing was '
                        'extracted and nothing was overwritten: install into another (empty) directory'
                    )
                pending.append((info, target))
            for info, target in pending:
                _extractFile(archive, info, target)
    except zipfile.BadZipFile as error:
        raise DatasetInstallError(f'{archive_path} is not a readable zip archive: {error}') from error


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: install an official dataset; 0 on success, 1 on failure, 2 for bad arguments."""
    parser = argparse.ArgumentParser(
        prog='python -m kac_prediction.dataset.install',
        description='Download an official kac_prediction dataset from Zenodo (record 7274474) and extract it.',
        epilog=(
            f'An access token, if one is needed, is read from ${TOKEN_ENV} or from the file {DEFAULT_TOKEN_FILE} '
            f'(mode 600; path overridable with ${TOKEN_FILE_ENV}). Interrupted downloads resume when run again.'
        ),
    )
    parser.add_argument('name', metavar='NAME', help=f'the dataset, one of: {", ".join(DATASET_NAMES)}')
    parser.add_argument(
        'dataset_dir', metavar='DIR', nargs='?', default='data', help='the target directory (default: data)'
    )
    parser.add_argument('--base-url', help=f'the Zenodo server (default: ${BASE_URL_ENV} or {DEFAULT_BASE_URL})')
    parser.add_argument('--cache-dir', help=f'keep the downloaded zip here (default: DIR/{DOWNLOAD_FOLDER}, removed)')
    parser.add_argument('--no-progress', action='store_true', help='do not show a progress bar')
    args = parser.parse_args(argv)
    if args.name not in DATASET_NAMES:
        print(f'error: {_unknownName(args.name)}', file=sys.stderr)
        return 2
    try:
        path = installDataset(
            args.name,
            args.dataset_dir,
            base_url=args.base_url,
            cache_dir=args.cache_dir,
            progressbar=not args.no_progress,
        )
    except KeyboardInterrupt:
        print('error: interrupted; run the same command again to continue the download', file=sys.stderr)
        return 130
    except (DatasetInstallError, ValueError, OSError) as error:
        print('error: ' + ' '.join(str(error).split()), file=sys.stderr)
        return 1
    print(f'Installed {args.name} in {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
