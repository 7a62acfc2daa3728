"""Vague words ("dozens", "many") as intervals of counts: the lexicon's entries and lookup.

The lexicon is part of a model configuration (its ``[lexicon]`` table); the dataset reads
vague claims through it, so it lives apart from the rest of the schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator


class LexiconEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int = Field(ge=0)
    high: int | None = Field(None, ge=0, description="empty for an open upper bound")

    @model_validator(mode="after")
    def _ordered(self) -> LexiconEntry:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self


Lexicon = Mapping[str, LexiconEntry]


def normalize_term(term: str) -> str:
    return " ".join(term.casefold().split())


def lookup_term(lexicon: Mapping[str, LexiconEntry], term: str) -> LexiconEntry | None:
    """The entry for ``term`` in a lexicon whose keys are normalized (case and spaces)."""
    return lexicon.get(normalize_term(term))
