"""Which independent check file re-derives each row of verify_final_hardening()."""

CROSS_CHECKS = {
    "rls_enabled_and_forced": "pm010_rls_forced.sql",
    "tables_classified": "pm011_tables_classified.sql",
    "tenant_policies_bound": "pm012_tenant_policies.sql",
    "no_permissive_bypass_policies": "pm013_no_bypass_policies.sql",
    "no_policies_to_public": "pm014_no_public_policies.sql",
    "no_leakproof_functions": "pm015_no_leakproof.sql",
    "no_row_security_override": "pm016_no_row_security_off.sql",
    "app_roles_least_attributes": "pm020_role_attributes.sql",
    "app_roles_own_nothing": "pm021_roles_own_nothing.sql",
    "app_roles_not_members_of_owners": "pm023_no_owner_membership.sql",
    "bypassrls_only_backup": "pm022_bypassrls_allowlist.sql",
    "no_public_table_privileges": "pm030_public_relation_privileges.sql",
    "no_public_sequence_privileges": "pm030_public_relation_privileges.sql",
    "no_public_function_privileges": "pm031_public_function_execute.sql",
    "no_public_schema_privileges": "pm032_public_schema_privileges.sql",
    "no_public_database_temp": "pm033_public_database_temp.sql",
    "api_no_truncate_references_trigger": "pm034_api_dangerous_privileges.sql",
    "no_grant_options": "pm035_no_grant_options.sql",
    "default_privileges_no_public": "pm036_default_privileges.sql",
    "api_sequences_no_update": "pm037_sequences_no_update.sql",
    "column_grants_audited": "pm038_column_grants.sql",
    "definer_functions_owned_by_definer": "pm040_definer_owner.sql",
    "definer_functions_search_path": "pm041_definer_search_path.sql",
    "definer_functions_execute_allowlist": "pm042_definer_execute_allowlist.sql",
    "definer_functions_schema_safe": "pm043_definer_schema.sql",
    "views_security_invoker": "pm050_views_invoker.sql",
    "no_matview_or_foreign_table_for_api": "pm051_no_matview_for_api.sql",
    "tenant_id_not_null": "pm060_tenant_id_not_null.sql",
    "tenant_keys_include_tenant_id": "pm061_tenant_keys.sql",
    # rows added by 025h (the function judges effective access, every application schema)
    "schemas_reviewed": "pm002_schemas_reviewed.sql",
    "no_preset_settings": "pm017_role_database_settings.sql",
    "no_parameter_privileges": "pm018_parameter_privileges.sql",
    "runtime_roles_no_memberships": "pm024_runtime_memberships.sql",
    "no_event_triggers": "pm044_event_triggers.sql",
    "no_rules_on_tables": "pm045_no_rules_on_tables.sql",
    "tenant_triggers_invoker": "pm046_tenant_triggers_invoker.sql",
}

# pm030 judges relations and sequences in one file, the function in one row each: a row is
# contradicted only by the offenders of its own kind (pm030's detail starts with the kind).
# pm034 also judges MAINTAIN on PostgreSQL 17+, which the function's row (named for the
# three it asks) never claimed: only TRUNCATE, REFERENCES or TRIGGER contradict its PASS.
KIND_FILTERS = {
    "no_public_table_privileges": lambda detail: not detail.startswith("sequence "),
    "no_public_sequence_privileges": lambda detail: detail.startswith("sequence "),
    "api_no_truncate_references_trigger": lambda detail: bool(
        {"TRUNCATE", "REFERENCES", "TRIGGER"} & set(detail.split(", "))),
}
