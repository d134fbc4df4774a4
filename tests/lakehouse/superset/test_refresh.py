"""The pipeline's last step, without a Superset: skipped, or reported unreachable, never fatal."""

from lakehouse.ports import free_port
from lakehouse.settings import Settings
from lakehouse.superset.refresh import refresh_dashboards


def _capture() -> tuple[list[str], list[str]]:
    return [], []


def test_skipped_without_an_admin_password() -> None:
    infos, warnings = _capture()
    settings = Settings(superset={"admin_password": None})
    assert refresh_dashboards(settings, infos.append, warnings.append) is None
    assert warnings == []
    assert "PELOTON_SUPERSET__ADMIN_PASSWORD is not set" in infos[0]


def test_an_unreachable_superset_is_a_warning_without_the_password() -> None:
    infos, warnings = _capture()
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(superset={"url": url, "admin_password": "a-secret-never-printed"})
    assert refresh_dashboards(settings, infos.append, warnings.append) is None
    assert infos == []
    assert f"cannot reach Superset at {url}" in warnings[0]
    assert "peloton superset warm" in warnings[0]
    assert "a-secret-never-printed" not in warnings[0]
