from ipsworks.core.navigation import NavItem

ITEMS = [
    NavItem(
        "Monthly returns",
        "returns:index",
        frozenset({"implementation_manager", "programme_manager", "administrator"}),
        order=40,
    ),
]
