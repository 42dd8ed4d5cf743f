from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("counts.csv", views.counts_csv, name="counts_csv"),
    path("counts/check/", views.check_counts, name="check_counts"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_form, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_form, name="visit_edit"),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
    path("codebook/", views.codebook, name="codebook"),
    path("codebook.csv", views.codebook_export, name="codebook_export"),
    path("codebook/themes/new/", views.theme_form, name="theme_create"),
    path("codebook/themes/<int:pk>/edit/", views.theme_form, name="theme_edit"),
    path("excerpts/", views.excerpt_list, name="excerpt_list"),
    path("excerpts/new/", views.excerpt_form, name="excerpt_create"),
    path("excerpts/<int:pk>/edit/", views.excerpt_form, name="excerpt_edit"),
    path("excerpts/<int:pk>/code/", views.excerpt_code, name="excerpt_code"),
    path("excerpts/export.<str:fmt>", views.excerpt_export, name="excerpt_export"),
    path("matrix/", views.matrix, name="matrix"),
    path("agreement/", views.agreement, name="agreement"),
]
