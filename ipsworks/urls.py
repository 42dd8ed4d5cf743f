from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ipsworks administration"
admin.site.site_title = "ipsworks"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("ipsworks.accounts.urls")),
    path("account/api-tokens/", include("ipsworks.api.token_urls")),
    path("caseload/", include("ipsworks.caseload.urls")),
    path("returns/", include("ipsworks.returns.urls")),
    path("outcomes/", include("ipsworks.outcomes.urls")),
    path("fidelity/", include("ipsworks.fidelity.urls")),
    path("evaluation/", include("ipsworks.evaluation.urls")),
    path("funding/", include("ipsworks.funding.urls")),
    path("api/", include("ipsworks.api.urls")),
    path("", include("ipsworks.core.urls")),
]
