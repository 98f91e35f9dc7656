"""The French web page (issue #8): placeholder until the simulator form is written."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
