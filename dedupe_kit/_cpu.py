"""numpy's AVX-512 sort is several times slower than its AVX2 sort on AMD Zen 4, whose
compress-store to memory is microcoded (numpy/numpy#32690). On the benchmark machine, an
AMD EPYC of that family, ``np.sort`` of 10 million int64 took 78 ns a value with AVX-512
and 12 ns without; the candidate pairs of a 1,000,000-row export, 10.4 s against 8.2 s.

`prefer_avx2` has numpy leave its AVX-512 kernels aside on those processors. numpy reads
``NPY_DISABLE_CPU_FEATURES`` once, when first imported, so the package calls it before
anything else; it does nothing once numpy is loaded, or when the user chose CPU features.
"""

from __future__ import annotations

import os
import sys
import warnings

#: numpy's names for its AVX-512 targets, before 2.4 and from 2.4.
AVX512_TARGETS = "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR X86_V4"


def slow_avx512_sort(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether the processor is an AMD Zen 4 (family 25, with AVX-512)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as handle:
            first_cpu = handle.read(16384).split("\n\n", 1)[0]
    except OSError:  # not Linux
        return False
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in first_cpu.splitlines())}
    return (fields.get("vendor_id") == "AuthenticAMD" and fields.get("cpu family") == "25"
            and "avx512f" in fields.get("flags", "").split())


def prefer_avx2() -> None:
    """Import numpy without its AVX-512 kernels on an AMD Zen 4, unless numpy is loaded already
    or ``NPY_DISABLE_CPU_FEATURES`` / ``NPY_ENABLE_CPU_FEATURES`` is set."""
    if ("numpy" in sys.modules or "NPY_DISABLE_CPU_FEATURES" in os.environ or "NPY_ENABLE_CPU_FEATURES" in os.environ
            or not slow_avx512_sort()):
        return
    os.environ["NPY_DISABLE_CPU_FEATURES"] = AVX512_TARGETS
    with warnings.catch_warnings():  # a numpy version warns of the names it does not know
        warnings.simplefilter("ignore", ImportWarning)
        import numpy  # noqa: F401 (reads the variable now)
        del numpy
