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


def test_time_budgets_grow_with_the_file_from_a_small_floor():
    from indexer.conversion_sandbox import ConversionLimits

    limits = ConversionLimits()
    assert limits.budgets(37 * 1024) == (17.0, 60 + 60 * 37 / 1024)
    assert limits.budgets(3 * MB) == (105.0, 240.0)
    assert limits.budgets(50 * MB) == (120.0, 300.0)  # the ceilings
    assert ConversionLimits(cpu_seconds=0, wall_seconds=0).budgets(10) == (0.0, 0.0)  # off stays off


def _span_docx(path, rows: int = 200) -> None:
    """A ~37 KB DOCX whose table cells each span 5,000,000 grid columns."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.add_paragraph("Bike lanes")
    for row in doc.add_table(rows=rows, cols=1).rows:
        span = OxmlElement("w:gridSpan")
        span.set(qn("w:val"), "5000000")
        row.cells[0]._tc.get_or_add_tcPr().append(span)
    doc.save(path)


def test_a_tiny_docx_that_needs_minutes_is_skipped_at_its_small_budget(tmp_path):
    from indexer.conversion_sandbox import ConversionLimits
    from indexer.extract import extract_sources

    folder = tmp_path / "src"
    folder.mkdir()
    _span_docx(folder / "span.docx")
    assert (folder / "span.docx").stat().st_size < 64 * 1024
    (folder / "ok.txt").write_text("A readable policy page\n\nAbout bike lanes in Seoul.", encoding="utf-8")
    # the ceiling stays 120 s; the floor is lowered from 15 s to keep the test short
    limits = ConversionLimits(cpu_seconds=120, cpu_floor_seconds=3, cpu_seconds_per_mb=10)
    result = extract_sources([folder], limits=limits)
    assert len(result.records) == 1
    assert dict(result.errors)[str(folder / "span.docx")] == "CPU limit of 4 s exceeded"


def _glyph_pdf(pages: int = 10, glyphs: int = 1_000_000) -> bytes:
    """A ~2.5 KB PDF of ``pages`` pages, each drawing ``glyphs`` glyphs (ten times the reported
    file, so no CPU finishes it inside its budget): every page shows one
    FlateDecode content stream whose ``Tj`` draws a string of that many letters."""
    import zlib

    from tests.indexer.converters.hostile_pdfs import pdf_bytes, stream

    content = zlib.compress(b"BT /F1 1 Tf 10 10 Td (" + b"a" * glyphs + b") Tj ET", 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
               + b"] /Count %d /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> >>" % pages,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               stream(content, "/FlateDecode")]
    objects += [b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>"] * pages
    return pdf_bytes(objects)


def test_a_tiny_pdf_of_a_million_glyphs_is_skipped_and_the_folder_indexed(tmp_path):
    """A tiny PDF, 10 pages x 1,000,000 glyphs (the reported 100,000 ran past 15 s); the real build skips it at its
    size-scaled budget (the defaults: 15 s of CPU for a file this small) and indexes the rest."""
    import re

    from tests.ops.helpers import indexer

    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "glyphs.pdf").write_bytes(_glyph_pdf())
    assert (folder / "glyphs.pdf").stat().st_size < 4 * 1024
    (folder / "ok.txt").write_text("A readable policy page\n\nAbout bike lanes in Seoul.", encoding="utf-8")
    (folder / "plan.txt").write_text("Cycling plan\n\nNew protected lanes along the river.", encoding="utf-8")
    done = indexer("build", folder, "--index", tmp_path / "index", timeout=400)  # functional bound only
    assert done.returncode == 0, done.stdout + done.stderr
    (generation,) = (tmp_path / "index" / "generations").glob("*/generation.json")
    summary = json.loads(generation.read_text(encoding="utf-8"))
    assert summary["records"] == 2, summary
    (skipped,) = summary["skipped"]
    assert skipped["path"] == str(folder / "glyphs.pdf")
    # over its size-scaled CPU or wall budget (or, were it ever guarded per page, too large)
    assert re.fullmatch(r"(CPU|wall-time) limit of \d+ s exceeded|.*too large.*", skipped["reason"]), skipped
    assert f"glyphs.pdf: {skipped['reason']}" in done.stdout + done.stderr
