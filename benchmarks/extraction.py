"""Time `reconcile extract` on 1,000 news-length documents (issue 18: under a minute).

The documents are the seed and Beirut documents, copied round-robin to 1,000 files (the seed
articles are 400-1,450 words, the Beirut excerpts 35-95: a mean of about 270 words). Each
repeat is a fresh process, as a user runs it; the record goes to
benchmarks/results/extraction.jsonl. Usage:

    .venv/bin/python benchmarks/extraction.py [--documents 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from scale import record  # noqa: E402
RECONCILE = str(Path(sys.executable).with_name("reconcile"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    originals = sorted([*(ROOT / "seeds" / "documents").iterdir(),
                        *(ROOT / "examples" / "beirut-2020" / "documents").iterdir()])
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "archive"
        (data / "documents").mkdir(parents=True)
        for name in ("sources.csv", "quantities.csv"):
            shutil.copy(ROOT / "seeds" / name, data / name)
        words = 0
        for i in range(args.documents):
            original = originals[i % len(originals)]
            text = original.read_text(encoding="utf-8")
            words += len(text.split())
            (data / "documents" / f"{i:05d}_{original.name}").write_text(text, encoding="utf-8")
        seconds = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            done = subprocess.run([RECONCILE, "extract", str(data), "--replace"],
                                  capture_output=True, text=True, check=True)
            seconds.append(time.perf_counter() - started)
        print(done.stdout.splitlines()[0])
        record("extraction", {
            "documents": args.documents, "mean_words": round(words / args.documents),
            "candidates": int(done.stdout.split(":")[1].split()[0]), "repeats": args.repeats,
            "median_s": round(statistics.median(seconds), 2), "min_s": round(min(seconds), 2),
            "max_s": round(max(seconds), 2)})


if __name__ == "__main__":
    main()
