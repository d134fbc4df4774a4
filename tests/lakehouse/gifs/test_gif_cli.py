"""`peloton gif` as a user runs it: the file and its summary, or one line on bad input."""

import sys
from pathlib import Path

import pytest
from cli_helpers import peloton
from climb_duel import ClimbDuel
from PIL import Image

from lakehouse.cli import main
from lakehouse.settings import Settings, get_settings

pytestmark = pytest.mark.integration


def _env(lake: Settings) -> dict[str, str]:
    return {
        "PELOTON_HOME": str(lake.home),
        "PELOTON_SOURCE__URL": lake.source.url.get_secret_value() if lake.source.url else "",
        "PELOTON_SOURCE__SCHEMA_NAME": lake.source.schema_name,
        "PELOTON_CATALOG__NAME": lake.catalog.name,
        "COLUMNS": "200",
    }


def test_writes_the_gif_and_prints_what_it_holds(
    lake: Settings, climb_duel: ClimbDuel, tmp_path: Path
) -> None:
    out = tmp_path / "duel.gif"
    a, b = climb_duel.bibs
    done = peloton(
        "gif", "--stage", str(climb_duel.stage), "--climb", climb_duel.climb_name.upper(),
        "--riders", f"{a},{b}", "--duration", "3", "--size", "480x360", "--out", str(out),
        env=_env(lake),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = Image.open(out)
    assert image.size == (480, 360) and image.n_frames == 30
    gap = abs(climb_duel.times_s[1] - climb_duel.times_s[0])
    assert f"{out}: 30 frames, {out.stat().st_size:,} bytes" in done.stdout
    assert f"gap {gap:.1f} s" in done.stdout


BAD = [
    (["--stage", "99", "--last-km", "5"], "stage 99 is not in the lakehouse; known stages:"),
    (["--climb", "Mont Ventoux"], "has no climb 'Mont Ventoux'; its climbs: 1 "),
    (["--from-km", "9", "--to-km", "4"], "--from-km 9 is not before --to-km 4"),
    (["--from-km", "1", "--to-km", "9999"], "outside stage {stage}'s route, which runs from km 0"),
    (["--last-km", "5", "--same"], "are the same rider"),
    (["--last-km", "5", "--riders", "1,no such rider"], "no rider matches 'no such rider'"),
    (["--last-km", "5", "--align", "sideways"], "--align 'sideways': expected one of start, clock"),
    (["--last-km", "5", "--frames", "1"], "1 frames asked for: expected from 2"),
]


def _args(args: list[str], climb_duel: ClimbDuel) -> list[str]:
    a, b = climb_duel.bibs
    riders = f"{a},{a}" if "--same" in args else f"{a},{b}"
    args = [x for x in args if x != "--same"]
    if "--stage" not in args:
        args = ["--stage", str(climb_duel.stage), *args]
    if "--riders" not in args:
        args += ["--riders", riders]
    return args


def _one_error_line(code: object, stderr: str, message: str, out: Path) -> None:
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert message in lines[0]
    assert "Traceback" not in stderr and not out.exists()


def test_bad_input_in_a_child_process(
    lake: Settings, climb_duel: ClimbDuel, tmp_path: Path
) -> None:
    args, message = BAD[1]
    out = tmp_path / "never.gif"
    done = peloton("gif", *_args(args, climb_duel), "--out", str(out), env=_env(lake))
    _one_error_line(done.returncode, done.stderr, message, out)


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_no_file(
    args: list[str],
    message: str,
    lake: Settings,
    climb_duel: ClimbDuel,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same entry point as the `peloton` script, in this process (no start-up to pay)."""
    out = tmp_path / "never.gif"
    for name, value in _env(lake).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    monkeypatch.setattr(
        sys, "argv", ["peloton", "gif", *_args(args, climb_duel), "--out", str(out)]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    _one_error_line(
        exited.value.code, capsys.readouterr().err, message.format(stage=climb_duel.stage), out
    )
