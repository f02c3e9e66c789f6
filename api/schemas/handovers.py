from __future__ import annotations

from datetime import date
from typing import Literal

from api.schemas.base import CommandBody, Name, Text


class HandoverCreate(CommandBody):
    member_id: Name
    at_age: Literal[18, 40, 65]
    to_agency: Name
    due_on: date


class HandoverCompletion(CommandBody):
    note: Text = ""
