from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("macros", views.MacroViewSet, basename="macro")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("queues/", views.QueueListView.as_view(), name="queue-list"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="ticket-attachment",
    ),
    *router.urls,
]
