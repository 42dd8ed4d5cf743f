from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<slug:slug>/", views.site_detail, name="site_detail"),
    path("audit/", views.audit_list, name="audit_list"),
    path("healthz", views.healthz, name="healthz"),
]
