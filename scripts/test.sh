#!/usr/bin/env bash
# Install everything and run the whole test suite: the README's second command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# the browser tests drive Debian's Chromium (Playwright's own browser download is not used)
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    else  # the browser tests then skip, saying so (and fail under CI=true)
        echo "no /usr/bin/chromium, and not root to install it: sudo apt-get install chromium" >&2
    fi
fi
python3 -m pytest "$@"
