"""The report escapes every dataset text and survives a failure without half-written files."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from reconcile.config import SamplerConfig
from reconcile.run import run
from support import SEEDS

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FAST = SamplerConfig(draws=100, tune=100, chains=2)


def _dataset_with_markup(root: Path) -> Path:
    data = root / "data"
    shutil.copytree(SEEDS, data)
    document = data / "documents" / "000_412b9c8617c643a7.txt"
    document.write_text(document.read_text() + f"\n{MARKUP} He said 13 dead.\n")
    with (data / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["claim_id"] == "irgc_khan_tuman_killed_eaw":
            row["quote"] = f"{MARKUP} He said 13 dead."
            row["notes"] = "=HYPERLINK(\"http://example.invalid\")"
    with (data / "claims.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return data


def test_markup_in_a_quote_is_shown_as_text(tmp_path):
    data = _dataset_with_markup(tmp_path)
    result = run(data, tmp_path / "out", seed=1, sampler=FAST, allow_bad_diagnostics=True)
    html = (result.out_dir / "report.html").read_text()
    assert "<script" not in html  # the template itself has no script at all
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_a_failure_while_writing_leaves_no_partial_folder(tmp_path, monkeypatch):
    import reconcile.run as run_module

    out = tmp_path / "out"

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(run_module, "render_report", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(SEEDS, out, seed=1, sampler=FAST, allow_bad_diagnostics=True)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
