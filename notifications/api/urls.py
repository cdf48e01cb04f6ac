from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)  # path converters: see lookup_value_converter
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
