#!/usr/bin/env bash
# Every test of chaff: the Rust tests, then the Python package's tests with the datatrove step
# and the Spark job (python/tests/), in a virtual environment under target/ that this script
# makes from the project's own files. A suite that cannot run is a failure, not a skip: a
# missing tool stops this script, and python/tests/conftest.py fails skipped tests.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test

command -v java >/dev/null || { echo "tests/run.sh: java is missing (PySpark needs Java 17 or later)" >&2; exit 1; }
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install -r python/requirements-test.txt
# As a user installs it (README.md): pip builds the extension with maturin and cargo.
"${pip[@]}" install ./python
# The tests compare the package with the command line that `cargo test` built.
CHAFF_BIN="$PWD/target/debug/chaff" "$venv/bin/python" -m pytest -p no:cacheprovider python/tests
