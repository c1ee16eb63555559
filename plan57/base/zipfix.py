"""Office documents (docx, xlsx) as the same bytes for the same input (SPEC §5: byte-identical
output for identical input). Their libraries stamp the time of the run twice: on every entry of
the zip package, and as the document's `modified` time (openpyxl sets it to the clock's time when
it saves, whatever the workbook says)."""

from __future__ import annotations

import io
import re
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stable_zip(raw: bytes) -> bytes:
    """The package with its times fixed: every entry dated ZIP_TIME, and the document's `modified`
    time set to its `created` time, which the renderer derives from the report's date."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                created = _CREATED.search(data)
                if created is not None:
                    data = _MODIFIED.sub(rb"\g<1>" + created.group(1).replace(b"\\", b"\\\\") + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()
