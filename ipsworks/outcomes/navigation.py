from ipsworks.core.navigation import NavItem

ITEMS = [
    NavItem(
        "Outcomes",
        "outcomes:programme",
        frozenset({"programme_manager", "commissioner", "reviewer", "evaluator", "administrator"}),
        order=20,
    ),
    NavItem(
        "Site outcomes",
        "outcomes:my_site",
        frozenset({"implementation_manager", "team_leader"}),
        order=20,
    ),
    NavItem("My figures", "outcomes:mine", frozenset({"specialist"}), order=25),
]
