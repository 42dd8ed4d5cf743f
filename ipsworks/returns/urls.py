from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.index, name="index"),
    path("grid/", views.grid, name="grid"),
    path("template.xlsx", views.template_download, name="template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/accept/", views.import_accept, name="import_accept"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("<slug:slug>/", views.site_returns, name="site"),
    path("<slug:slug>/upload/", views.upload, name="upload"),
    path("<slug:slug>/export/", views.export, name="export"),
    path("<slug:slug>/<str:month>/", views.month_detail, name="month"),
    path("<slug:slug>/<str:month>/submit/", views.submit, name="submit"),
    path("<slug:slug>/<str:month>/lock/", views.lock, name="lock"),
    path("<slug:slug>/<str:month>/reopen/", views.reopen, name="reopen"),
]
