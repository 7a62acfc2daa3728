"""The final toll of a real running toll from the reports out by each of a few moments,
against the final count published later (issue 15): one fit per cut (sampled until healthy,
as `reconcile run` does), written as a Markdown
table into the example's README between the ``<!-- results -->`` markers.

    .venv/bin/python scripts/toll_example.py examples/beirut-2020 --final 218 \\
        --cut 2020-08-05 --cut 2020-08-06 --cut 2020-08-08 --cut 2020-08-14 \\
        --readme examples/beirut-2020/README.md
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import reconcile
from reconcile.analysis.extension import sample_until_healthy

MARKERS = ("<!-- results -->", "<!-- /results -->")


def estimate_rows(folder: Path, final: float, cuts: list[str], seed: int,
                  model: Path | None = None) -> list[str]:
    """One Markdown row per cut (and one for every report), each from its own fit."""
    full = reconcile.load_dataset(folder)
    rows = [f"| reports out by | claims | median | 50% interval | 90% interval | "
            f"{final:,.0f} in 50% / 90% |", "|---|---|---|---|---|---|"]
    for cut in [*cuts, None]:
        dataset = full if cut is None else full.reported_by(cut)
        fitted = reconcile.fit(dataset, reconcile.load_config(model), seed=seed)
        fitted, _ = sample_until_healthy(fitted)  # as `reconcile run` does
        if not reconcile.diagnostics(fitted)["ok"]:
            raise SystemExit(f"the fit of the reports out by {cut} fails its diagnostics")
        tolls = reconcile.estimates(fitted)
        row = tolls[tolls["quantity_id"] == full.quantities[0].quantity_id].iloc[0]
        inside = ["yes" if row[f"lower_{p}"] <= final <= row[f"upper_{p}"] else "no"
                  for p in (50, 90)]
        rows.append(f"| {cut or 'all (to the last report)'} | {len(dataset.claims)} | "
                    f"{row['median']:,.0f} | {row['lower_50']:,.0f}-{row['upper_50']:,.0f} | "
                    f"{row['lower_90']:,.0f}-{row['upper_90']:,.0f} | {' / '.join(inside)} |")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--final", type=float, required=True, help="the final count")
    parser.add_argument("--cut", action="append", default=[], help="ISO date or date and time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--readme", type=Path, help="write the rows between the markers")
    parser.add_argument("--model", type=Path, help="a model file (default: the default model)")
    args = parser.parse_args()
    rows = estimate_rows(args.folder, args.final, args.cut, args.seed, args.model)
    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        block = "\n".join([MARKERS[0], *rows, MARKERS[1]])
        pattern = re.escape(MARKERS[0]) + ".*?" + re.escape(MARKERS[1])
        args.readme.write_text(re.sub(pattern, lambda _: block, text, flags=re.S),
                               encoding="utf-8")


if __name__ == "__main__":
    main()
