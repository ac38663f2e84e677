"""PF-008: the config store answers and the write-freeze flag is readable."""

import os

import pytest

from cutover.configstore import WRITES_DISABLED_KEY, flag_label, open_store
from cutover.errors import CutoverError

pytestmark = [pytest.mark.preflight, pytest.mark.postrollback]


@pytest.mark.check(id="PF-008", severity="blocker", runbook="§2.1",
                   remediation="Check the App Configuration endpoint, network path and "
                               "credentials; create the flag key with value false.")
def test_pf008_config_store_answers(target, evidence):
    """The freeze depends on the store: find out now, not at 02:00."""
    env = {**os.environ, **target.environ}
    try:
        label = flag_label(env)
        with open_store(env, retry_total=0) as store:
            store.ping()
            labels = store.list_all_labels(WRITES_DISABLED_KEY)
            evidence.data["store"] = store.describe()
    except CutoverError as exc:
        evidence.offenders = ["config store"]
        pytest.fail(f"config store: {exc}", pytrace=False)
    evidence.data["labels"] = [{"label": f.label, "value": f.raw} for f in labels]
    assert labels, f"{WRITES_DISABLED_KEY} does not exist under any label"
    named = "the null label" if label is None else f"label {label!r}"
    assert any(f.label == label for f in labels), (
        f"{WRITES_DISABLED_KEY} does not exist under {named}, where the application reads it "
        f"(found under: {', '.join(repr(f.label) for f in labels)}); a missing flag means "
        "writes disabled")
    raw = next(f.raw for f in labels if f.label == label)
    assert raw in ("true", "false"), (
        f"{WRITES_DISABLED_KEY} under {named} holds {raw!r}, not 'true' or 'false': the "
        "application reads it as writes disabled")
