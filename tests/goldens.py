"""Golden files for syrupy, one file a snapshot so a reviewer can open each one as it is
(a chart as .txt, an exported picture as .svg or .html). Refresh them after a deliberate
change, look at the diff and the pictures, and commit: `python -m pytest --snapshot-update`.
"""

from __future__ import annotations

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class _TextFile(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT


class TextGolden(_TextFile):
    file_extension = "txt"


class SvgGolden(_TextFile):
    file_extension = "svg"


class HtmlGolden(_TextFile):
    file_extension = "html"
