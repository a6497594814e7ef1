"""The WSGI application gunicorn serves: rtutils.wsgi:application."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtutils.settings")
application = get_wsgi_application()
