from ipsworks.core.navigation import NavItem

ITEMS = [
    NavItem("My caseload", "caseload:list", frozenset({"specialist"}), order=10),
    NavItem(
        "Caseloads",
        "caseload:list",
        frozenset({"team_leader", "implementation_manager", "programme_manager", "administrator"}),
        order=11,
    ),
    NavItem(
        "Supervision",
        "caseload:supervision",
        frozenset({"team_leader", "implementation_manager"}),
        order=12,
    ),
    NavItem(
        "Site caseload",
        "caseload:sites",
        frozenset({"implementation_manager", "programme_manager", "administrator"}),
        order=13,
    ),
]
