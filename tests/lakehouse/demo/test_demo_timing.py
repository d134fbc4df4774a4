"""The demo's step times: read per step from any thread, printed as a person reads them."""

import threading
import time

from lakehouse.demo.timing import Stopwatch, duration


def test_each_step_keeps_its_own_time_while_another_thread_ends_its_step() -> None:
    watch = Stopwatch()
    ended = threading.Event()

    def beside() -> None:
        with watch.step("beside"):
            time.sleep(0.01)
        ended.set()

    with watch.step("main"):
        worker = threading.Thread(target=beside)
        worker.start()
        ended.wait(5)
        time.sleep(0.05)
    worker.join()
    assert [s.name for s in watch.steps] == ["beside", "main"]  # in the order they ended
    assert watch.seconds_of("main") > watch.seconds_of("beside")
    assert watch.total_s >= watch.seconds_of("main")


def test_durations_read_in_seconds_then_minutes() -> None:
    assert duration(4.94) == "4.9 s"
    assert duration(59.94) == "59.9 s"
    assert duration(60.4) == "1 min 00 s"
    assert duration(3 * 60 + 13.2) == "3 min 13 s"
