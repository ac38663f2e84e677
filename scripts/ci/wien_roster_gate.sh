#!/usr/bin/env bash
# Runbook §5.1 roster gate; see wien_roster_gate.py.
set -euo pipefail
exec "${PYTHON:-python3}" "$(dirname "$0")/wien_roster_gate.py" "$@"
