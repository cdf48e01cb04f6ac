"""People's data is Django's (auth) for now. This module makes `accounts` an app with
models, which Django's post_migrate signal (accounts/apps.py) is sent for."""
