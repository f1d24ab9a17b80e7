#!/usr/bin/env bash
# Install everything and run the whole test suite: the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
python3 -m pytest "$@"
