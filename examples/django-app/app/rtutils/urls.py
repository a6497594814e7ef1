from django.urls import path

from labels import views

urlpatterns = [
    path("", views.index),
    path("labels/next", views.next_label),
    path("healthz", views.healthz),
]
