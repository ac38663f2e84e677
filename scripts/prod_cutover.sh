#!/usr/bin/env bash
# Runbook §3.2: the cutover proper. See cutover/runbook/prod_cutover.py.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -m cutover.runbook.prod_cutover "$@"
