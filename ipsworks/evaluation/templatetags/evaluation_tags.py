from django import template
from django.urls import reverse

register = template.Library()

# (url name, label, other url names that belong to the same section)
SECTIONS = [
    ("index", "Interview counts", {"check_counts"}),
    ("visit_list", "Visits and interviews", {"visit_create", "visit_detail", "visit_edit"}),
    ("codebook", "Codebook", {"theme_create", "theme_edit"}),
    ("excerpt_list", "Quotes", {"excerpt_create", "excerpt_edit", "excerpt_code"}),
    ("matrix", "Theme-by-site matrix", set()),
    ("agreement", "Coder agreement", set()),
]


@register.inclusion_tag("evaluation/_subnav.html", takes_context=True)
def evaluation_subnav(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {
        "sections": [
            {
                "href": reverse(f"evaluation:{name}"),
                "label": label,
                "current": current == name or current in also,
            }
            for name, label, also in SECTIONS
        ]
    }
