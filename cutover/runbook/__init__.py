"""The runbook end to end: prod_cutover's steps, the rehearsal, the soak, the aftermath drill."""
