"""``reconcile extract``: candidate claims proposed from a dataset's documents, a review page,
and the reviewed rows accepted into claims.csv."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from reconcile.config.lexicon import Lexicon
from reconcile.errors import ReconcileError
from reconcile.extraction.accept import KEEP, accept_draft
from reconcile.extraction.draft import DRAFT, Draft, draft_claims, draft_csv
from reconcile.extraction.review import REVIEW, review_html
from reconcile.report.writing import replace_file

__all__ = ["DRAFT", "KEEP", "REVIEW", "Draft", "DraftExists", "Extraction", "accept_draft",
           "draft_claims", "extract_claims"]


class DraftExists(ReconcileError):
    """A draft holds a curator's decisions: it is never overwritten without asking."""


@dataclass(frozen=True)
class Extraction:
    draft: Draft
    draft_path: Path
    review_path: Path


def extract_claims(data_dir: str | Path, lexicon: Lexicon, replace: bool = False) -> Extraction:
    """Write ``claims.draft.csv`` and ``claims.draft.html`` into ``data_dir`` (each
    atomically); a draft with decisions in its status column is kept unless ``replace``."""
    data_dir = Path(data_dir)
    draft_path, review_path = data_dir / DRAFT, data_dir / REVIEW
    if not replace and _has_decisions(draft_path):
        raise DraftExists(f"{draft_path} has rows marked in its status column; accept them "
                          "first (--accept) or pass --replace to start a new draft.")
    draft = draft_claims(data_dir, sorted(lexicon))
    replace_file(draft_path, draft_csv(draft))
    replace_file(review_path, review_html(draft, data_dir.resolve().name))
    return Extraction(draft, draft_path, review_path)


def _has_decisions(path: Path) -> bool:
    if not path.is_file():
        return False
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig", errors="replace")))
    return any((row.get("status") or "").strip() for row in rows)
