"""Superset's REST API as the admin: log in once (JWT), then JSON and file calls."""

from __future__ import annotations

from typing import Any

import httpx

from lakehouse.errors import PelotonError
from lakehouse.settings import Settings, require_secret


class SupersetApi:
    def __init__(self, settings: Settings) -> None:
        sup = settings.superset
        self.base = sup.url.rstrip("/")
        password = require_secret(
            sup.admin_password, "PELOTON_SUPERSET__ADMIN_PASSWORD", "Superset's admin user"
        )
        self.client = httpx.Client(base_url=self.base, timeout=300)
        token = self.call(
            "POST",
            "/api/v1/security/login",
            json={"username": sup.admin_user, "password": password, "provider": "db"},
        )["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PelotonError(f"cannot reach Superset at {self.base}: {exc}") from None
        if response.status_code >= 400:
            raise PelotonError(
                f"Superset refused {method} {path}: HTTP {response.status_code}: "
                f"{response.text[:500]}"
            )
        return response.json() if "json" in response.headers.get("content-type", "") else response

    def close(self) -> None:
        self.client.close()
