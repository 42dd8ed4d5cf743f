from ipsworks.core.navigation import NavItem

_COUNTS = frozenset(
    {
        "evaluator",
        "programme_manager",
        "commissioner",
        "implementation_manager",
        "team_leader",
        "specialist",
    }
)
_EVALUATION = frozenset({"evaluator", "programme_manager"})

ITEMS = [
    NavItem("Evaluation", "evaluation:index", _COUNTS, order=60),
    NavItem("Quotes", "evaluation:excerpt_list", _EVALUATION, order=61),
]
