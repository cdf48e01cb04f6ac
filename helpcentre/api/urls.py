from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "help"

router = SimpleRouter()
router.register("help/articles", views.ArticleViewSet, basename="article")
router.register("help/announcements", views.AnnouncementViewSet, basename="announcement")

urlpatterns = [path("help/suggest/", views.SuggestView.as_view(), name="suggest"), *router.urls]
