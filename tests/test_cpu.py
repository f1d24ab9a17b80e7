"""numpy's AVX-512 targets are set aside on AMD Zen 4 only, and only before numpy is loaded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dedupe_kit import _perf
from dedupe_kit._cpu import AVX512_TARGETS, slow_avx512_sort

ZEN4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nflags\t\t: fpu avx2 avx512f avx512bw\n\n"


@pytest.mark.parametrize("cpuinfo, expected", [
    (ZEN4, True),
    (ZEN4.replace(" avx512f avx512bw", ""), False),  # Zen 3: no AVX-512
    (ZEN4.replace(": 25", ": 26"), False),  # Zen 5
    (ZEN4.replace("AuthenticAMD", "GenuineIntel").replace(": 25", ": 6"), False),
])
def test_only_zen4_has_the_slow_sort(tmp_path, cpuinfo, expected):
    path = tmp_path / "cpuinfo"
    path.write_text(cpuinfo + cpuinfo.replace(": 0", ": 1"))
    assert slow_avx512_sort(str(path)) is expected
    assert not slow_avx512_sort(str(tmp_path / "missing"))


def disabled(code: str, **env: str) -> str:
    """``NPY_DISABLE_CPU_FEATURES`` after running ``code`` in a fresh Python where warnings are errors."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NPY_")} | env
    done = subprocess.run([sys.executable, "-W", "error", "-c", code + "; import os, numpy; numpy.sort(numpy.arange(3));"
                           "print(os.environ.get('NPY_DISABLE_CPU_FEATURES', ''))"],
                          env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.strip()


def test_the_package_sets_numpy_s_avx512_aside_before_numpy_loads_and_only_then():
    assert disabled("import dedupe_kit") == (AVX512_TARGETS if slow_avx512_sort() else "")
    assert disabled("import numpy, dedupe_kit") == ""
    assert disabled("import dedupe_kit", NPY_ENABLE_CPU_FEATURES="") == ""


def test_a_batch_run_keeps_the_memory_it_frees_for_its_next_stages():
    # in a fresh process: the setting is for the whole process
    code = ("from dedupe_kit import _perf\n"
            "calls = []\n"
            "_perf._MALLOC_TRIM = calls.append if _perf._MALLOC_TRIM else None\n"
            "_perf.release_memory()\n"
            "with _perf.freed_memory_kept():\n"
            "    _perf.release_memory()\n"
            "    print(len(calls), _perf._keep_freed)\n"
            "print(_perf._MALLOPT is not None, len(calls), _perf._keep_freed)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    *within, glibc, trims, kept = done.stdout.split()
    assert glibc == str(sys.platform == "linux")  # the CI's Debian, and this machine
    if glibc == "True":  # trims before and after (the memory goes back at the end), not within
        assert within == ["1", "True"] and [trims, kept] == ["2", "False"]
    else:
        assert within == ["0", "False"] and [trims, kept] == ["0", "False"]


def test_a_batch_run_keeps_numpy_off_huge_pages_unless_told(monkeypatch):
    switch = _perf._huge_page_switch()
    assert switch is not None  # numpy 1.26 and 2 both have it
    switch(True)
    with _perf.small_pages():
        inside = switch(False)
    after = switch(True)
    assert (inside, after) == (False, True)  # off within, as it was after
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")  # the user's setting wins
    with _perf.small_pages():
        assert switch(True) is True
