#!/usr/bin/env bash
# Install everything and run the whole test suite: the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# the browser tests drive Debian's Chromium (Playwright's own browser download is not used)
if [ ! -x /usr/bin/chromium ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
python3 -m pytest "$@"
