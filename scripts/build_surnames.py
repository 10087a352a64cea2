"""Compile the surname lists of ../shared/data/surnames into src/kg/data/surnames.tsv.

One surname per line with its frequency in parts per million (0 when only the
百家姓 lists it). Run: python scripts/build_surnames.py [SHARED_SURNAMES_DIR]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/surnames")
TARGET = Path(__file__).resolve().parents[1] / "src/kg/data/surnames.tsv"


def main() -> None:
    frequency: dict[str, float] = {}
    for listing in ("baijiaxing_single.txt", "baijiaxing_compound.txt"):
        for line in (SOURCE / listing).read_text(encoding="utf-8").split():
            frequency.setdefault(line.strip(), 0.0)
    with open(SOURCE / "familyname_orcid.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["surname"].strip()
            if 1 <= len(name) <= 2:
                frequency[name] = max(frequency.get(name, 0.0), float(row["ppm"]))
    rows = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))
    TARGET.write_text("".join(f"{name}\t{ppm:.3f}\n" for name, ppm in rows), encoding="utf-8")
    print(f"{TARGET}: {len(rows)} surnames")


if __name__ == "__main__":
    main()
