"""No byte of a source file is sniffed, inflated or parsed in the main process."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.ops.helpers import REPO, env

MB = 1024 * 1024

#: Extracts the folder given and prints the records kept, the skip reasons and this process's
#: (not its workers') peak RSS before and after.
_PROBE = """
import json, resource, sys
from pathlib import Path
from indexer.extract import extract_sources
import indexer.converters.hwpx, indexer.converters.docx, indexer.converters.pdf  # imported before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = extract_sources([Path(sys.argv[1])])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"records": len(result.records), "errors": result.errors, "before_kb": before, "after_kb": after}))
"""


def _hwpx_with_huge_mimetype(path, inflated_mb: int) -> None:
    chunk = b"application/hwp+zip" + b" " * (MB - 19)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
                chunk = b" " * MB
        archive.writestr("Contents/section0.xml", "<hs:sec xmlns:hs='x'><hp:t xmlns:hp='y'>text</hp:t></hs:sec>")


def _probe(folder) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(folder)], capture_output=True, text=True,
                          timeout=600, cwd=REPO, env=env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_hwpx_whose_mimetype_inflates_to_400_mb_costs_the_main_process_nothing(tmp_path):
    plain, hostile = tmp_path / "plain", tmp_path / "hostile"
    for folder in (plain, hostile):
        folder.mkdir()
        (folder / "ok.txt").write_text("A readable policy page\n\nAbout bike lanes in Seoul.", encoding="utf-8")
    _hwpx_with_huge_mimetype(hostile / "bomb.hwpx", 400)
    assert (hostile / "bomb.hwpx").stat().st_size < 2 * MB
    base, out = _probe(plain), _probe(hostile)
    assert out["records"] == base["records"] == 1
    (reason,) = [r for p, r in out["errors"] if p.endswith("bomb.hwpx")]
    assert "mimetype" in reason and ("bomb" in reason or "oversized" in reason), reason
    # the main process's peak is that of the same run without the file (it sniffed 400 MB before)
    assert (out["after_kb"] - base["after_kb"]) * 1024 < 50 * MB, (base, out)
