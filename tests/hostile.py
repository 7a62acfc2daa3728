"""A valid dataset whose every free-text cell attacks whoever opens the run's outputs.

The seed dataset, copied, with: markup that would run script or load something if it reached
the page unescaped (in every source name, quantity description and place, claim quote, note
and vague term, in a document's file name and in the dataset folder's name); a formula that a
spreadsheet would execute at the start of every name and description; TeX that matplotlib
would try to parse; a terminal escape; and one impossible nesting (a third party says the
complete Khan Tuman casualties were at most 5, while its parts are claimed at 13 and 21).
It stays a valid dataset, so that one real (short) run can be checked for all of it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from dataset_helpers import copy_seeds, read_rows, write_rows

MARKUP = (
    '<script>alert("s")</script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(2)">click</a>',
    "</textarea></title></style></pre></td><svg onload=alert(3)>",
    '"\'><iframe src="https://evil.invalid/"></iframe>',
    "&lt;b&gt; &amp; &#x3C;b&#x3E;",  # entities must come out as these very characters
)
ATTACK = " ".join(MARKUP)
FORMULAS = ("=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)")
TEX = r"$\frac{$"  # unbalanced TeX: matplotlib's mathtext raises on it
ESCAPE = "\x1b[31m\x1b]0;pwned\x07"
FOLDER = "hostile <img src=x onerror=alert(9)>"
DOCUMENT = "<img src=x onerror=alert(5)>.txt"
CONFLICT_QUANTITY = "irgc_casualties_khan_tuman"
QUOTED_CLAIMS = {  # claim -> (quote, extra cells), all cited from DOCUMENT
    "irgc_khan_tuman_killed_eaw": (f"{ATTACK} He said 13 dead.", {}),
    "rebel_outlets_morning_dozens": (f"{ATTACK} killing dozens <u>of</u> fighters",
                                     {"term": "dozens <u>of</u>", "low": "24", "high": "99"}),
}
CONFLICT = {"claim_id": "memri_khan_tuman_at_most_five", "quantity_id": CONFLICT_QUANTITY,
            "source_id": "memri", "document": DOCUMENT,
            "quote": f"{ATTACK} at most 5 IRGC casualties at Khan Tuman",
            "qualifier": "at_most", "value": "5"}


def hostile_dataset(root: Path) -> Path:
    """Write the hostile dataset under ``root``; return its folder."""
    data = copy_seeds(root / FOLDER)
    _edit(data / "sources.csv", lambda row, i: {"name": f"{FORMULAS[i % 4]} {row['name']} "
                                                        f"{ATTACK}"})
    _edit(data / "quantities.csv", lambda row, i: {
        "description": f"{FORMULAS[i % 4]} {row['description']} {TEX} {ESCAPE} {ATTACK}",
        "place": f"{row['place']} {ATTACK}"})

    def claim(row: dict, i: int) -> dict:
        cells = {"notes": f"{FORMULAS[i % 4]} {ESCAPE} {ATTACK}"}
        if row["claim_id"] in QUOTED_CLAIMS:
            quote, extra = QUOTED_CLAIMS[row["claim_id"]]
            cells |= {"document": DOCUMENT, "quote": quote, **extra}
        return cells

    _edit(data / "claims.csv", claim, append=CONFLICT)
    quotes = [quote for quote, _ in QUOTED_CLAIMS.values()] + [CONFLICT["quote"]]
    (data / "documents" / DOCUMENT).write_text("\n\n".join(quotes) + "\n", encoding="utf-8")
    return data


def _edit(path: Path, change, append: dict | None = None) -> None:
    rows = read_rows(path)
    header = rows[0]
    records = [dict(zip(header, row)) for row in rows[1:]]
    for index, record in enumerate(records):
        record.update(change(record, index))
    if append:
        records.append({column: append.get(column, "") for column in header})
    write_rows(path, [header] + [[record[column] for column in header] for record in records])


def text_cells(path: Path) -> list[str]:
    """Every non-numeric cell of a CSV output (the ones a spreadsheet could take as text)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = []
    for row in rows[1:]:
        for cell in row:
            try:
                float(cell)
            except ValueError:
                cells.append(cell)
    return cells
