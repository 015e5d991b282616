"""What makes a round reproducible: the input hash and the solver's version.

The input hash is the sha256 of the canonical JSON (keys sorted, no spaces,
UTF-8) of the snapshot with its parameters replaced by the effective ones
(those the round was solved with, seed included). Two runs with the same
hash, the same solver version and a solve that ended before its time limit
give byte-identical result files (``RoundResult.to_file_json``).
"""

from __future__ import annotations

import ctypes
import functools
import glob
import hashlib
import json
import os

import ortools

from schemas.parameters import RoundParameters
from schemas.snapshot import RoundSnapshot


def input_hash(snapshot: RoundSnapshot, params: RoundParameters) -> str:
    effective = snapshot.model_copy(update={"parameters": params})
    canonical = json.dumps(effective.model_dump(mode="json"), sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def solver_version(name: str) -> str:
    version = f"ortools {ortools.__version__}"
    if name == "highs":
        highs = highs_version()
        return f"{version}; highs {highs}" if highs else version
    return f"{version}; cp-sat"


@functools.cache
def highs_version() -> str | None:
    """HiGHS's own version, read from the library that ships in the OR-Tools wheel."""
    libs = os.path.join(os.path.dirname(ortools.__file__), ".libs")
    for path in sorted(glob.glob(os.path.join(libs, "libhighs.so*"))):
        try:
            lib = ctypes.CDLL(path)
            parts = []
            for name in ("Highs_versionMajor", "Highs_versionMinor", "Highs_versionPatch"):
                getter = getattr(lib, name)
                getter.restype = ctypes.c_int
                parts.append(str(getter()))
            return ".".join(parts)
        except (OSError, AttributeError):
            continue
    return None
