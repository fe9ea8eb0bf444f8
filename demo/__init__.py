"""The demo site (`manage.py seed_demo`): one builder module per app, in the order the floors stand."""
