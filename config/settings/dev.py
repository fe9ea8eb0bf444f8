from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# `runserver` is Daphne's: let every request body through to Django (see config/devserver.py).
from config.devserver import hand_bodies_to_django  # noqa: E402

hand_bodies_to_django()
