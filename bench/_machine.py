"""What else the machine did during a benchmark: the share of the CPUs that other processes used."""

import os
import time
from types import TracebackType


def cpuSeconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its reaped children)."""
    with open('/proc/stat') as file:
        fields = [int(v) for v in file.readline().split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    ours = os.times()
    return busy / os.sysconf('SC_CLK_TCK'), ours.user + ours.system + ours.children_user + ours.children_system


class OtherProcesses:
    """`with OtherProcesses() as load: ...` sets `load.share`: the fraction (0–1) of all CPUs that processes other
    than this one and its reaped children kept busy during the block."""

    share: float

    def __enter__(self) -> 'OtherProcesses':
        (self._busy, self._ours), self._start = cpuSeconds(), time.perf_counter()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        (busy, ours), wall = cpuSeconds(), time.perf_counter() - self._start
        self.share = max(0.0, (busy - self._busy) - (ours - self._ours)) / (wall * (os.cpu_count() or 1))
