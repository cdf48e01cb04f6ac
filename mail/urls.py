from django.urls import path

from .inbound import inbound_webhook

urlpatterns = [path("<slug:provider>/", inbound_webhook, name="mail-inbound")]
