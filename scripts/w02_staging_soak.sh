#!/usr/bin/env bash
# Runbook §1.1 staging soak; see cutover/runbook/soak.py and cutover/cli/soak.py.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -m cutover.cli.soak "$@"
