"""Values every page's shell (header, navigation) needs."""

from ipsworks.accounts.scoping import primary_membership, scope_for

from .navigation import items_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_membership": None}
    return {
        "nav_items": items_for(scope_for(user), request.path),
        "current_membership": primary_membership(user),
    }
