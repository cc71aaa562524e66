"""One translated name per event kind of the log: the audit trail's kind filter and column, and the record
timeline's sentence for an event it has no other sentence for. An unknown kind (a newer one, a plug-in's) is
shown as its id with the underscores as spaces."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Event kind → its name in the reader's language.
EVENT_KIND_NAMES = {
    # records and the engine
    "record_created": _("Record created"),
    "record_closed": _("Record closed"),
    "record_migrated": _("Moved to a newer process version"),
    "field_changed": _("Field changed"),
    "stage_changed": _("Stage changed"),
    "gate_overridden": _("Gate overridden"),
    "activity_done": _("Activity done"),
    "decision_made": _("Decision made"),
    "decision_requested": _("Decision requested"),
    "approval_requested": _("Approval requested"),
    "approval_granted": _("Approval granted"),
    "approval_refused": _("Approval refused"),
    "approval_withdrawn": _("Approval withdrawn"),
    "consultation_requested": _("Advice requested"),
    "consultation_answered": _("Advice given"),
    "delegated": _("Decisions delegated"),
    "delegation_revoked": _("Delegation revoked"),
    "probability_overridden": _("Probability overridden"),
    "members_changed": _("Members changed"),
    "inputs_frozen": _("Inputs frozen"),
    "nonconformity_raised": _("Nonconformity raised"),
    "actions_became_tasks": _("Actions became tasks"),
    "assessment_recorded": _("Assessment recorded"),
    # the sales chain
    "handoff_sent": _("Hand-off sent"),
    "link_added": _("Link added"),
    "link_removed": _("Link removed"),
    "document_added": _("Document added"),
    "reminder": _("Reminder"),
    "deadline_missed": _("Deadline missed"),
    "review_reopened": _("Review reopened"),
    "lead_attributed": _("Lead attributed"),
    # activities, accounts and contacts
    "activity_logged": _("Activity logged"),
    "task_added": _("Task added"),
    "task_done": _("Task done"),
    "task_reminded": _("Task reminder sent"),
    "account_created": _("Account created"),
    "account_changed": _("Account changed"),
    "accounts_merged": _("Accounts merged"),
    "accounts_segmented": _("Accounts segmented"),
    "contact_created": _("Contact added"),
    "contact_changed": _("Contact changed"),
    "customer_changed": _("Customer of the record changed"),
    "partner_set": _("Partner set"),
    # quotes, products, currencies
    "quote_created": _("Quote created"),
    "quote_revised": _("Quote revised"),
    "quote_accepted": _("Quote accepted"),
    "quote_rejected": _("Quote rejected"),
    "order_lines_created": _("Order lines created"),
    "order_line_changed": _("Order line changed"),
    "products_imported": _("Products imported"),
    "product_saved": _("Product saved"),
    "exchange_rate_set": _("Exchange rate set"),
    # forecasts, targets, coaching
    "forecast_submitted": _("Forecast submitted"),
    "forecast_adjusted": _("Forecast adjusted"),
    "forecast_locked": _("Forecast locked"),
    "team_structure_set": _("Team structure set"),
    "target_set": _("Target set"),
    "manager_set": _("Manager set"),
    "one_to_one_held": _("1:1 held"),
    "one_to_one_action_done": _("1:1 action done"),
    # material and risks
    "material_item_added": _("Material item added"),
    "stock_received": _("Stock received"),
    "stock_issued": _("Stock issued"),
    "stock_adjusted": _("Stock adjusted"),
    "risk_added": _("Risk added"),
    "risk_changed": _("Risk changed"),
    "risk_reviewed": _("Risk reviewed"),
    # processes, guidelines, settings
    "process_version_added": _("Process version added"),
    "process_version_proposed": _("Process change proposed"),
    "process_version_submitted": _("Process change submitted for review"),
    "process_version_approved": _("Process version approved"),
    "process_version_in_force": _("Process version in force"),
    "process_version_returned": _("Process change returned"),
    "process_retired": _("Process retired"),
    "process_reinstated": _("Process reinstated"),
    "process_setting_changed": _("Process setting changed"),
    "library_settings_loaded": _("Library settings loaded"),
    "checklist_version_added": _("Checklist version added"),
    "guideline_acknowledged": _("Guideline acknowledged"),
    "guideline_training_recorded": _("Training recorded"),
    # people, lists, operations, security
    "user_added": _("User added"),
    "filter_saved": _("Filter saved"),
    "filter_deleted": _("Filter deleted"),
    "backup_written": _("Backup written"),
    "backup_verified": _("Backup verified"),
    "backup_restored": _("Backup restored"),
    "security.login": _("Signed in"),
    "security.logout": _("Signed out"),
    "security.login_failed": _("Sign-in failed"),
    "security.login_locked": _("Sign-in locked"),
    "security.export": _("List exported"),
    "security.password_changed": _("Password changed"),
    "security.password_reset": _("One-time password set"),
    "security.token_created": _("API token created"),
    "security.token_revoked": _("API token revoked"),
    "security.token_refused": _("API token refused"),
    "security.user_updated": _("Roles and teams changed"),
    "security.user_deactivated": _("User deactivated"),
    "security.user_reactivated": _("User reactivated"),
    "security.team_created": _("Team created"),
    "security.sso_user_created": _("User created by single sign-on"),
    "security.sso_roles_synced": _("Roles taken from single sign-on"),
    "security.view_strictly_confidential": _("Strictly confidential record viewed"),
    "security.download_strictly_confidential": _("Strictly confidential document downloaded"),
}


def kind_name(kind: str) -> str:
    """The event kind's name in the active language (an unknown kind: its id, underscores as spaces)."""
    name = EVENT_KIND_NAMES.get(kind)
    return str(name) if name is not None else kind.replace("_", " ").replace(".", ": ")


def kind_choices(kinds: list[str]) -> list[tuple[str, str]]:
    """``(kind, name)`` pairs of ``kinds`` sorted by name (for a filter's drop-down)."""
    return sorted(((kind, kind_name(kind)) for kind in kinds), key=lambda pair: pair[1].casefold())
