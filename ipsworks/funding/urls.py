from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sites/<slug:slug>/", views.site_funding, name="site"),
    path("sites/<slug:slug>/posts/add/", views.post_form, name="post_add"),
    path("sites/<slug:slug>/posts/<int:pk>/", views.post_form, name="post_edit"),
    path("sites/<slug:slug>/status/", views.status_form, name="status"),
    path("sites/<slug:slug>/stakeholders/add/", views.stakeholder_form, name="stakeholder_add"),
    path(
        "sites/<slug:slug>/stakeholders/<int:pk>/",
        views.stakeholder_form,
        name="stakeholder_edit",
    ),
]
