#!/usr/bin/env bash
# Runbook §4 security gate; see security_gate.py.
set -euo pipefail
exec "${PYTHON:-python3}" "$(dirname "$0")/security_gate.py" "$@"
