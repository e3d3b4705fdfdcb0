#!/bin/sh
# Install an official kac_prediction dataset from Zenodo: bin/install-dataset.sh NAME [DIR] (DIR defaults to data).
# A thin wrapper over `python -m kac_prediction.dataset.install`; run it with -h for the names and the options.
set -eu

if [ "$#" -eq 0 ]; then
	echo "usage: $0 NAME [DIR] [--base-url URL] [--cache-dir DIR] [--no-progress]   (see $0 -h)" >&2
	exit 2
fi

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
python="$root/.venv/bin/python"
if [ ! -x "$python" ]; then
	python=python3
fi
# The repository's own package, also when it is not installed in that Python.
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
exec "$python" -m kac_prediction.dataset.install "$@"
