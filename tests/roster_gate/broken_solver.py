"""A test double of the platform's solver: the real one, then one deliberate defect.

    python tests/roster_gate/broken_solver.py MODE solve|repair ... --out F

MODE: violating (a shift given to an unqualified driver), uncovered (a coverable shift
left uncovered, beyond the allowed count of 0), nondeterministic (a different seed field, and so a
different canonical hash, in every process), drifting (the same within a soak iteration,
different from one iteration to the next), stale (a plan that names another instance's hash).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    mode, args = sys.argv[1], sys.argv[2:]
    proc = subprocess.run([sys.executable, "-m", "sandbox.solver", *args], check=False)
    if proc.returncode != 0:
        return proc.returncode
    out = args[args.index("--out") + 1]
    instance = json.loads(Path(args[args.index("--instance") + 1]).read_text())
    plan = json.loads(Path(out).read_text())
    if mode == "violating":
        quals = {d["id"]: set(d["qualifications"]) for d in instance["drivers"]}
        shift_q = {s["id"]: s["qualification"] for s in instance["shifts"]}
        first = plan["assignments"][0]
        first["driver"] = next(d for d, q in sorted(quals.items())
                               if shift_q[first["shift"]] not in q)
    elif mode == "uncovered":
        dropped = plan["assignments"].pop(0)
        plan["uncovered"] = sorted([*plan["uncovered"], dropped["shift"]])
    elif mode == "nondeterministic":
        plan["seed"] = int.from_bytes(os.urandom(4), "big")
    elif mode == "stale":
        plan["instance_sha256"] = "0" * 64
    elif mode == "drifting":  # stable within a soak iteration, different across them
        plan["seed"] = int(os.environ.get("SOLVEREIGN_SOAK_ITERATION", "0"))
    with open(out, "w") as fh:
        json.dump(plan, fh, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
