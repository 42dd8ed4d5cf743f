from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "caseload"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="caseload:list"), name="index"),
    path("people/", views.caseload_list, name="list"),
    path("refer/", views.refer, name="refer"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/new-referral/", views.new_episode, name="new_episode"),
    path("people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("referrals/<int:pk>/edit/", views.episode_edit, name="episode_edit"),
    path("referrals/<int:pk>/discharge/", views.discharge, name="discharge"),
    path("referrals/<int:pk>/log/", views.log_other, name="log_other"),
    path("referrals/<int:pk>/log/<slug:kind>/", views.log_activity, name="log_activity"),
    path("referrals/<int:pk>/jobs/new/", views.job_start, name="job_start"),
    path("jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("jobs/<int:pk>/end/", views.job_end, name="job_end"),
    path("supervision/", views.supervision, name="supervision"),
    path("sites/", views.site_index, name="sites"),
    path("sites/<slug:slug>/", views.site_view, name="site"),
]
