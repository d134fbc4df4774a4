"""Superset's REST API as the admin: log in once (JWT), then JSON and file calls; its web views
with the session of a form login."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from lakehouse.errors import PelotonError
from lakehouse.settings import Settings, require_secret
from lakehouse.superset.secrets import with_stored_secrets


class SupersetRefused(PelotonError):
    """Superset answered a call with an HTTP error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class SupersetApi:
    def __init__(self, settings: Settings) -> None:
        sup = with_stored_secrets(settings).superset
        self.base = sup.url.rstrip("/")
        password = require_secret(
            sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "Superset's admin user"
        )
        self.client = httpx.Client(base_url=self.base, timeout=300)
        self._credentials = {"username": sup.admin_user, "password": password}
        self._web_login = threading.Lock()
        self._logged_in_web = False
        token = self.call(
            "POST", "/api/v1/security/login", json=self._credentials | {"provider": "db"}
        )["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PelotonError(f"cannot reach Superset at {self.base}: {exc}") from None
        if response.status_code >= 400:
            raise SupersetRefused(
                f"Superset refused {method} {path}: HTTP {response.status_code}: "
                f"{response.text[:500]}",
                response.status_code,
            )
        return response.json() if "json" in response.headers.get("content-type", "") else response

    def exists(self, path: str) -> bool:
        """Whether a GET of `path` finds it (False on HTTP 404, an error on any other refusal)."""
        try:
            self.call("GET", path)
        except SupersetRefused as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def web(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call to one of Superset's web views (`/superset/explore_json/`), which know the
        session cookie of a login through the web form, not the JWT. Logs in once."""
        with self._web_login:
            if not self._logged_in_web:
                token = self.call("GET", "/api/v1/security/csrf_token/")["result"]
                response = self.client.post(
                    "/login/", data=self._credentials | {"csrf_token": token}
                )
                if response.status_code != 302 or "/login" in response.headers.get("location", ""):
                    raise PelotonError(f"Superset at {self.base} refused the admin's web login")
                self._logged_in_web = True
        return self.call(method, path, **kwargs)

    def close(self) -> None:
        self.client.close()
