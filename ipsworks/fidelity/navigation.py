from ipsworks.core.navigation import NavItem

ITEMS = [
    NavItem(
        "Fidelity",
        "fidelity:index",
        frozenset(
            {
                "reviewer",
                "programme_manager",
                "implementation_manager",
                "commissioner",
                "administrator",
            }
        ),
        order=40,
    ),
]
