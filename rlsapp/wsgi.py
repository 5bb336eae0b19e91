import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rlsapp.settings")
application = get_wsgi_application()

# The cyclic garbage collector, set for a server process (gunicorn imports this module in
# each worker; runserver too). Its full collections walk every object the process holds,
# most of them the modules, models, views and rules loaded once: imported now (the URLs
# import every view) and frozen, they are left out of every later walk. It runs when the
# container objects made since its last run, less those freed, pass a threshold: a save's
# own live objects (form fields, rows, instances, freed by reference counting as the
# request ends) passed the default 700 within one request, so it walked them there, and
# every tenth time the older generation too. Past 10,000 it runs once in many requests,
# and what it frees is the same.
import_module(settings.ROOT_URLCONF)
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 20, 20)
