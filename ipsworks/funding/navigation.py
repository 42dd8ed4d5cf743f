from ipsworks.core.navigation import NavItem

ITEMS = [
    NavItem(
        "Funding",
        "funding:dashboard",
        frozenset(
            {
                "programme_manager",
                "administrator",
                "commissioner",
                "evaluator",
                "implementation_manager",
                "team_leader",
                "specialist",
            }
        ),
        order=70,
    )
]
