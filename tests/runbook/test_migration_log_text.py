"""migration_log.txt, the runbook §10 name: a readable account of the migration step."""

from __future__ import annotations

from cutover.runbook.artifacts import RUNBOOK_ARTIFACTS, migration_log_text


def test_the_runbook_names_include_the_text_log():
    assert "migration_log.txt" in RUNBOOK_ARTIFACTS and len(RUNBOOK_ARTIFACTS) == 11


def test_a_successful_step_lists_heads_files_and_durations():
    text = migration_log_text({
        "verdict": "PASS", "from_head": "024_table_classification", "head": "025a_x",
        "applied": [{"name": "025_y", "duration_ms": 14, "attempts": 1},
                    {"name": "025a_x", "duration_ms": 9, "attempts": 2}],
        "log": ["applied 025_y in 14 ms"],
        "target": {"database": "solvereign", "system_identifier": "77"}})
    assert "verdict:           PASS" in text
    assert "ledger head before: 024_table_classification" in text
    assert "ledger head after:  025a_x" in text and "solvereign (system 77)" in text
    assert "  025_y  14 ms\n" in text and "  025a_x  9 ms  (2 attempts)" in text
    assert text.endswith("  applied 025_y in 14 ms\n")


def test_a_failed_step_says_why_and_that_nothing_was_applied():
    text = migration_log_text({"verdict": "FAIL", "from_head": None, "head": None,
                               "applied": [], "error": "025c: syntax error at line 3"})
    assert "ledger head before: (empty ledger)" in text
    assert "applied: nothing" in text and "error: 025c: syntax error at line 3" in text
