from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/password/", views.PasswordView.as_view(), name="password"),
]
