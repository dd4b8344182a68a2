"""JSON responses and the error body every endpoint answers with (``{"data": null, "errors": [...code...]}``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


def encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(body), status_code=status, media_type="application/json", headers=headers)


def error_response(code: str, message: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response(error_body(code, message), status, headers)


__all__ = ["encode", "error_body", "error_response", "json_response"]
