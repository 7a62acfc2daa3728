"""A run's citation as files a reference manager reads: BibTeX (``citation.bib``) and
CSL-JSON (``citation.json``), from run.json's content. The entry cites the software and
names what makes the numbers reproducible (dataset hash, model and its configuration hash,
seed, identification anchor); each estimate's own sentence is in run.json and the report."""

from __future__ import annotations

import datetime as dt
import json
import re

AUTHOR = "The reconcile developers"  # as in CITATION.cff
_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%",
                  "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}",
                  "~": r"\~{}"}
REPOSITORY_NOTE = "Software: reconcile, Bayesian reconciliation of conflicting casualty claims"


def citation_key(info: dict) -> str:
    """reconcile-<dataset hash, 8 hex>-<model>-s<seed>: stable for the same run."""
    model = re.sub(r"[^A-Za-z0-9]+", "-", info["model"]["name"]).strip("-") or "model"
    return f"reconcile-{info['dataset']['sha256'][:8]}-{model}-s{info['seed']}"


def _title(info: dict) -> str:
    return (f"Estimates from reconcile {info['reconcile_version']} on dataset "
            f"'{info['dataset']['name']}' (model {info['model']['name']}, seed {info['seed']})")


def _note(info: dict) -> str:
    model = info["model"]
    return (f"dataset sha256 {info['dataset']['sha256']}; model {model['name']} "
            f"(configuration sha256 {model['config_sha256']}); seed {info['seed']}; "
            f"{model['identification']} Rerun: {info['rerun']}")


def bibtex(info: dict, day: dt.date) -> str:
    """A @software entry (biblatex; BibTeX styles read it as @misc)."""
    def braced(text: str) -> str:  # LaTeX's special characters, escaped in one pass
        return re.sub(r"[{}\\%&$#_^~]", lambda m: _LATEX_ESCAPES[m.group()], text)

    fields = {
        "title": braced(_title(info)), "author": "{" + AUTHOR + "}",
        "version": info["reconcile_version"], "year": str(day.year),
        "date": day.isoformat(), "note": braced(_note(info)),
        "howpublished": braced(REPOSITORY_NOTE),
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@software{{{citation_key(info)},\n{body}\n}}\n"


def csl_json(info: dict, day: dt.date) -> str:
    """One CSL-JSON item of type "software" (Zotero, Pandoc and citeproc read it)."""
    item = {
        "id": citation_key(info), "type": "software", "title": _title(info),
        "author": [{"literal": AUTHOR}], "version": info["reconcile_version"],
        "issued": {"date-parts": [[day.year, day.month, day.day]]}, "note": _note(info),
    }
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"
