"""The household case aggregate."""

from domain.case.aggregate import Case
from domain.case.base import CaseEvent, EntryRef

__all__ = ["Case", "CaseEvent", "EntryRef"]
