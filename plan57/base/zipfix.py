"""Office documents (docx, xlsx) as the same bytes for the same input (SPEC §5: byte-identical
output for identical input). Their libraries stamp the time of the run twice: on every entry of
the zip package, and as the document's `modified` time (openpyxl's `save` sets it to the clock's
time, whatever the workbook says). `FixedTimeZip` writes a package with fixed times as it goes;
`stable_zip` mends a package already written."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

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


class FixedTimeZip(zipfile.ZipFile):
    """A zip package being written whose every entry is dated ZIP_TIME, whether given as bytes
    (`writestr`) or as a file on disk (`write`, which would take the file's time)."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        fixed = zipfile.ZipInfo(name, ZIP_TIME)
        fixed.compress_type = self.compression
        super().writestr(fixed, data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        with open(filename, "rb") as fh:
            self.writestr(arcname if arcname is not None else str(filename), fh.read())
