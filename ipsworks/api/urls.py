from django.urls import path, re_path

from . import endpoints

app_name = "api"
urlpatterns = [
    path("v1/", endpoints.index, name="index"),
    path("v1/sites/", endpoints.sites, name="sites"),
    path("v1/outcomes/", endpoints.outcomes, name="outcomes"),
    path("v1/measures/", endpoints.programme_measures, name="measures"),
    path("v1/sites/<slug:slug>/outcomes/", endpoints.site_outcomes, name="site_outcomes"),
    path("v1/sites/<slug:slug>/measures/", endpoints.site_measures, name="site_measures"),
    re_path(r"^(?P<rest>.*)$", endpoints.not_found),
]
