from django.urls import path

from . import views

app_name = "fidelity"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan, name="plan"),
    path("programme/", views.programme, name="programme"),
    path("scales/", views.scales, name="scales"),
    path("scales/<int:pk>/", views.scale_detail, name="scale"),
    path("sites/<slug:slug>/", views.site_history, name="site"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/checklist/", views.prep_add, name="prep_add"),
    path("reviews/<int:pk>/checklist/<int:task_id>/", views.prep_toggle, name="prep_toggle"),
    path("reviews/<int:pk>/score/", views.score, name="score"),
    path("reviews/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("reviews/<int:pk>/evidence/", views.evidence_refresh, name="evidence"),
    path("reviews/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("reviews/<int:pk>/results/", views.results, name="results"),
    path("reviews/<int:pk>/correct/", views.correct, name="correct"),
    path("reviews/<int:pk>/actions/", views.action_add, name="action_add"),
    path("reviews/<int:pk>/actions/<int:action_id>/", views.action_status, name="action_status"),
    path("reviews/<int:pk>/report/", views.report, name="report"),
    path("reviews/<int:pk>/sheet/", views.sheet_export, name="sheet"),
    path("reviews/<int:pk>/sheet/import/", views.sheet_import, name="sheet_import"),
]
