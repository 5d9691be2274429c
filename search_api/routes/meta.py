"""Service routes: health and the OpenAPI description."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify

bp = Blueprint("meta", __name__)
OPENAPI = Path(__file__).resolve().parents[2] / "schemas" / "openapi.json"


@lru_cache(maxsize=1)
def openapi_spec() -> dict:
    """The OpenAPI 3.1 description kept in schemas/openapi.json."""
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@bp.get("/healthz")
def healthz():
    with current_app.extensions["policy_search.index"].snapshot() as snapshot:
        records = int(snapshot.facets.live.sum())
        documents = int((snapshot.facets.live & snapshot.facets.canonical).sum())
        return jsonify({
            "status": "ok",
            "generation": snapshot.generation,
            # every record indexed; a near-duplicate (a copy of another record under another name or
            # format) is folded into its canonical record in results, so searches count `documents`
            "records": records,
            "documents": documents,
            "near_duplicates": records - documents,
            "built_at": snapshot.metadata.get("built_at"),
            # search by meaning: on when the generation has embeddings of the query encoder's model
            "semantic": snapshot.semantic is not None,
            "encoder": snapshot.semantic.encoder if snapshot.semantic is not None else None,
        })


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(openapi_spec())
