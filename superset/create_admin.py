"""Create Superset's admin user once, the password read from the environment, never argv.

Run with the Python of Superset's own virtualenv (lakehouse.superset.server does): a password
given as a command-line argument would be visible to every user of the machine in `ps`.
"""

import os

from superset.app import create_app

app = create_app()
with app.app_context():
    from superset.extensions import security_manager

    username = os.environ["PELOTON_SUPERSET_ADMIN_USER"]
    password = os.environ.pop("PELOTON_SUPERSET_ADMIN_PASSWORD")
    if security_manager.find_user(username=username) is None:
        role = security_manager.find_role(security_manager.auth_role_admin)
        created = security_manager.add_user(
            username, "Peloton", "Admin", "admin@peloton.invalid", role, password=password
        )
        if not created:
            raise SystemExit(f"could not create Superset's admin user {username!r}")
