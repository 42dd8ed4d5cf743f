"""The roles a person can hold in ipsworks, and what each one may do."""

from django.db import models


class Role(models.TextChoices):
    SPECIALIST = "specialist", "Employment specialist"
    TEAM_LEADER = "team_leader", "Team leader"
    IMPLEMENTATION_MANAGER = "implementation_manager", "Implementation manager"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    REVIEWER = "reviewer", "Fidelity reviewer"
    EVALUATOR = "evaluator", "Evaluator"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles held at one site (the membership names the site); the rest span a programme.
SITE_ROLES = frozenset({Role.SPECIALIST, Role.TEAM_LEADER, Role.IMPLEMENTATION_MANAGER})
PROGRAMME_ROLES = frozenset(set(Role) - SITE_ROLES)

# Roles that may read individual service users' records (each within its own scope).
CASE_ROLES = frozenset(
    {
        Role.SPECIALIST,
        Role.TEAM_LEADER,
        Role.IMPLEMENTATION_MANAGER,
        Role.PROGRAMME_MANAGER,
        Role.ADMINISTRATOR,
    }
)
# Roles that may read the audit trail.
AUDIT_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR})
