"""Run folders: kept for imports written before :mod:`bthd.io.runs` (their one home)."""

from bthd.io.runs import (  # noqa: F401
    FORMAT_VERSION,
    TRACKED_PACKAGES,
    Run,
    RunFolder,
    RunFolderError,
    file_sha256,
    open_run,
    run_folder,
    versions,
)
