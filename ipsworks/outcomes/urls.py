from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("", views.programme_dashboard, name="programme"),
    path("report/", views.programme_report, name="report"),
    path("download/<slug:dataset>.<str:fmt>", views.programme_download, name="programme_download"),
    path("site/<slug:slug>/", views.site_dashboard, name="site"),
    path(
        "site/<slug:slug>/download/<slug:dataset>.<str:fmt>",
        views.site_download,
        name="site_download",
    ),
    path("mine/", views.my_figures, name="mine"),
    path("my-site/", views.my_site, name="my_site"),
    path("settings/", views.target_settings, name="settings"),
]
