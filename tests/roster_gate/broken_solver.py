"""A test double of the platform's solver: the real one, then one deliberate defect.

    python tests/roster_gate/broken_solver.py MODE solve|repair ... --out F

MODE: violating (a shift given to an unqualified driver), uncovered (a coverable shift
left uncovered, beyond the allowed count of 0), nondeterministic (a different seed field, and so a
different canonical hash, in every process), drifting (the same within a soak iteration,
different from one iteration to the next), stale (a plan that names another instance's hash),
padded_history (plans as if every driver's history recorded 16 weeks: a solver that pads
what was never recorded, so R14's average is "judged" on missing weeks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _padded(args: list[str]) -> tuple[list[str], str]:
    """The solver's arguments with the instance replaced by a copy claiming 16 recorded weeks
    for every driver, and the real instance's hash for the plan to name."""
    from cutover.roster.canonical import instance_sha256

    at = args.index("--instance") + 1
    real = json.loads(Path(args[at]).read_text())
    padded = dict(real, history_weeks=16,
                  drivers=[dict(d, history_weeks=16) for d in real["drivers"]])
    path = Path(args[at]).with_name("padded_instance.json")
    path.write_text(json.dumps(padded, sort_keys=True))
    return [*args[:at], str(path), *args[at + 1:]], instance_sha256(real)


def main() -> int:
    mode, args = sys.argv[1], sys.argv[2:]
    real_sha = None
    if mode == "padded_history":
        args, real_sha = _padded(args)
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
    elif mode == "padded_history":
        plan["instance_sha256"] = real_sha
    with open(out, "w") as fh:
        json.dump(plan, fh, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
