"""Sheets made by LibreOffice, in the dialects Italian Excel and LibreOffice users upload.

The sources are CSV files written here (UTF-8, ``,``, cells as an Italian
types them: ``120,50``, ``05/07/2027``, ``VERO``, ``036023``). LibreOffice
opens them as an Italian user would (import language it-IT: the decimal comma,
day-first dates, VERO as a boolean, 036023 as the number 36023, its leading
zero gone) and saves each dialect with ONE ``soffice --convert-to`` call for
all the sources:

- ``semicolon-1252``: CSV with ``;``, Windows-1252, cells as shown in Italian
  (what Calc and Excel save as "CSV" on an Italian desktop);
- ``utf8-bom``: CSV with ``,``, UTF-8 with a BOM (Excel's "CSV UTF-8"). The BOM
  token (14) is asked for; LibreOffice before 7.6 ignores it, and then the BOM
  is prepended here, as Excel writes it;
- ``xlsx``: Excel 2007+ (numbers, dates and booleans typed by Calc).

The profile is private (``-env:UserInstallation``) so that parallel runs do
not clash, and its locale is it-IT so that "as shown" means as in Italy.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

IMPORT = "CSV:44,34,76,1,,1040"  # ",", '"', UTF-8, from line 1, standard, it-IT
DIALECTS = {
    "semicolon-1252": ("csv", 'csv:Text - txt - csv (StarCalc):59,34,1,1,,1040'),
    "utf8-bom": ("csv", ("csv:Text - txt - csv (StarCalc):44,34,76,1,,1040,false,true,true,"
                         "false,false,,false,true")),
    "xlsx": ("xlsx", "xlsx:Calc MS Excel 2007 XML"),
}
INSTALL_HINT = ("soffice is missing: `make test` installs Debian's libreoffice-calc-nogui "
                "(deploy/tools/ensure-debian-packages.sh)")

_ITALIAN_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>it-IT</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale"
  oor:op="fuse"><value>it-IT</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        raise RuntimeError(INSTALL_HINT)
    return found


def write_sources(directory: Path, sheets: dict[str, list[list[str]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in sheets.items():
        path = directory / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
        paths.append(path)
    return paths


def convert(sources: list[Path], root: Path) -> dict[str, dict[str, Path]]:
    """dialect -> source name -> converted file; plus ``source``, the UTF-8 originals."""
    profile = root / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_ITALIAN_PROFILE)
    made: dict[str, dict[str, Path]] = {"source": {p.stem: p for p in sources}}
    for dialect, (suffix, filter_) in DIALECTS.items():
        out = root / dialect
        subprocess.run(
            [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--norestore", f"--infilter={IMPORT}", "--convert-to", filter_,
             "--outdir", str(out), *map(str, sources)],
            check=True, capture_output=True, timeout=300)
        made[dialect] = {p.stem: out / f"{p.stem}.{suffix}" for p in sources}
        for path in made[dialect].values():
            if not path.exists():
                raise RuntimeError(f"LibreOffice did not write {path}")
            if dialect == "utf8-bom" and not path.read_bytes().startswith(b"\xef\xbb\xbf"):
                path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return made
