"""bthd: plan and follow a regional public FTTH network, modelled on Bretagne Très Haut Débit."""

from __future__ import annotations

from bthd._errors import (
    BthdError,
    CRSError,
    InputError,
    InputNotFoundError,
    OutputExistsError,
    ParameterError,
    Problem,
    ValidationError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "BthdError",
    "CRSError",
    "InputError",
    "InputNotFoundError",
    "OutputExistsError",
    "ParameterError",
    "Problem",
    "ValidationError",
    "__version__",
]
