"""The law as dated data: parameter files, their loader and typed snapshots per income year."""

from echeancier.law.loader import Law, LawError, Parameter, Value, load_law
from echeancier.law.snapshot import LawSnapshot, snapshot, supported_years

__all__ = ["Law", "LawError", "LawSnapshot", "Parameter", "Value", "load_law", "snapshot", "supported_years"]
