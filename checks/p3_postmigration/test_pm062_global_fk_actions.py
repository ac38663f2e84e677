"""PM-062: No foreign key from a global table into a tenant table cascades or sets values
(referential actions ignore RLS)."""

import pytest

pytestmark = [pytest.mark.postmigration, pytest.mark.security]


@pytest.mark.check(id="PM-062", severity="major", runbook="§3.4",
                   remediation="ALTER TABLE <global> DROP CONSTRAINT <fk>, ADD ... FOREIGN KEY "
                               "... ON DELETE RESTRICT ON UPDATE RESTRICT (or NO ACTION).")
def test_pm062_global_fk_actions(catalog):
    """No foreign key from a global table into a tenant table cascades or sets values (referential
    actions ignore RLS)."""
    catalog.assert_none("pm062_global_fk_actions.sql",
                        "referential actions from global tables into tenant tables")
