"""Rebuild the demo city's data files from the shared San Francisco sample (see README.md).

    .venv/bin/python data/cities/san-francisco/build.py [/work/shared/data/sf]

Writes, next to this script:
1. neighbourhoods.geojson: the 195 census tracts tagged with their analysis neighbourhood
   (`nhood`), coordinates rounded to 6 decimals (about 10 cm). Rounding shared vertices the same
   way keeps neighbouring tracts gap-free, so dissolving by `nhood` still gives 41 clean shapes.
2. wards.geojson: approximate supervisor districts. Each tract takes the district most of the 311
   cases inside it were filed under; tracts without cases take their nearest tract's; the tracts
   are then dissolved by district.
3. addresses.csv: unique address points and intersections from the cases, inside the boundary.
4. cases.csv: the cases the demo seed uses as templates (mapped to a demo category, inside the
   boundary), trimmed to the columns it reads.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon, Point  # noqa: E402
from requests_app.demo import sf_case_category  # noqa: E402

from requests_app.addresses import address_normalize  # noqa: E402

PRECISION = 6
TRACTS = "sf_analysis_neighborhoods_sfbrigade.geojson"
CASES = "sf311_cases_sample_sfbrigade.csv"
CITY_SUFFIX = re.compile(r"(,\s*)+SAN FRANCISCO,\s*CA(,\s*\d{5})?\s*$", re.IGNORECASE)
INTERSECTION = re.compile(r"^Intersection of (.+?) and (.+)$", re.IGNORECASE)
ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")


def rounded_ring(ring: list) -> list:
    out: list = []
    for x, y in ring:
        point = [round(x, PRECISION), round(y, PRECISION)]
        if not out or out[-1] != point:
            out.append(point)
    return out if len(out) >= 4 and out[0] == out[-1] else []


def rounded(geometry: dict) -> dict:
    """A (Multi)Polygon GeoJSON geometry as a MultiPolygon with rounded coordinates; rings that
    collapse to fewer than 4 points are dropped."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    out = []
    for polygon in polygons:
        rings = [rounded_ring(r) for r in polygon]
        if rings[0]:
            out.append([rings[0], *[r for r in rings[1:] if r]])
    return {"type": "MultiPolygon", "coordinates": out}


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    """The polygonal parts of `geom` (make_valid can add lines and points) as a MultiPolygon."""
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=geom.srid)
    parts = []
    if geom.geom_type == "GeometryCollection":
        for part in geom:
            parts.extend(as_multipolygon(part))
    return MultiPolygon(parts, srid=geom.srid)


def geojson_geometry(geom: GEOSGeometry) -> dict:
    # Not rounded again: vertices are already on the grid (printed short), and rounding the new
    # nodes make_valid/union add could make the shape invalid again.
    return json.loads(geom.json)


def write_geojson(path: Path, features: list[dict]) -> None:
    with path.open("w") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        out.write(",\n".join(json.dumps(f, separators=(",", ":")) for f in features))
        out.write("\n]}\n")


def title_word(word: str) -> str:
    if m := ORDINAL.match(word):
        return m[1] + m[2].lower()
    if len(word) > 2 and word.startswith("MC"):
        return "Mc" + word[2:].capitalize()
    if "'" in word:
        head, _, tail = word.partition("'")
        # O'FARRELL -> O'Farrell, but CHILDREN'S -> Children's
        return head.capitalize() + "'" + (tail.capitalize() if len(head) == 1 else tail.lower())
    return "-".join(part.capitalize() for part in word.split("-"))


def title(text: str) -> str:
    text = " ".join(text.split())
    if not text.isupper():
        return text
    return " ".join(title_word(w) for w in text.split(" "))


def address_label(raw: str) -> tuple[str, str] | None:
    """(label, kind) for an SF case address, or None when it is not a usable point label."""
    raw = " ".join(raw.split())
    if m := INTERSECTION.match(raw):
        return f"{title(m[1])} & {title(m[2])}", "intersection"
    if not CITY_SUFFIX.search(raw):
        return None  # e.g. "BUILDING 1750 MCALLISTER": housing-authority shorthand
    parts = [p.strip() for p in CITY_SUFFIX.sub("", raw).split(",") if p.strip()]
    if not parts:
        return None
    first = parts[0]
    if first.upper().startswith("BUILDING ") and first[9:10].isdigit():
        first = first[9:]
    if first[0].isdigit():
        return title(first), "address"  # drops ", Apt 5"
    place = title(first)
    if place.startswith("GGP "):
        place = "Golden Gate Park - " + place[4:]
    return place, "place"


def main(source: Path) -> None:
    # Validity checks log a GEOS notice per invalid tract; make_valid below repairs them.
    logging.getLogger("django.contrib.gis").setLevel(logging.ERROR)
    # 1. Tracts, rounded, with their neighbourhood.
    tracts = []
    for feature in json.loads((source / TRACTS).read_text())["features"]:
        props = feature["properties"]
        geometry = rounded(feature["geometry"])
        geom = GEOSGeometry(json.dumps(geometry), srid=4326)
        if not geom.valid:
            geom = as_multipolygon(geom.make_valid())
            geometry = geojson_geometry(geom)
        tracts.append({"nhood": props["nhood"], "geoid": props["geoid"], "geometry": geometry})
        tracts[-1]["geom"] = geom
    write_geojson(
        HERE / "neighbourhoods.geojson",
        [
            {
                "type": "Feature",
                "properties": {"nhood": t["nhood"], "geoid": t["geoid"]},
                "geometry": t["geometry"],
            }
            for t in tracts
        ],
    )
    boundary = GeometryCollection([t["geom"] for t in tracts]).unary_union.prepared
    prepared = [t["geom"].prepared for t in tracts]

    # 2. Cases inside the boundary, each placed in its tract.
    cases = []
    with (source / CASES).open(newline="") as f:
        for row in csv.DictReader(f):
            try:
                lat, lng = round(float(row["Lat"]), 6), round(float(row["Long"]), 6)
            except ValueError:
                continue
            point = Point(lng, lat, srid=4326)
            if not boundary.contains(point):
                continue
            tract = next((i for i, p in enumerate(prepared) if p.contains(point)), None)
            cases.append((row, lat, lng, tract))

    # 3. Wards: majority district per tract, then nearest tract for tracts without cases.
    votes: dict[int, Counter] = {}
    for row, _, _, tract in cases:
        if tract is not None and row["Supervisor.District"].isdigit():
            votes.setdefault(tract, Counter())[int(row["Supervisor.District"])] += 1
    district = {i: c.most_common(1)[0][0] for i, c in votes.items()}
    for i, t in enumerate(tracts):
        if i not in district:
            nearest = min(votes, key=lambda j: t["geom"].distance(tracts[j]["geom"]))
            district[i] = district[nearest]
    wards = []
    for number in sorted(set(district.values())):
        members = [tracts[i]["geom"] for i in district if district[i] == number]
        geom = as_multipolygon(GeometryCollection(members).unary_union)
        wards.append(
            {
                "type": "Feature",
                "properties": {"name": f"District {number}", "code": str(number)},
                "geometry": geojson_geometry(geom),
            }
        )
    write_geojson(HERE / "wards.geojson", wards)

    # 4. Addresses and 5. template cases.
    addresses: dict[str, tuple[str, float, float, str]] = {}
    crossings: set[tuple[str, ...]] = set()
    templates = []
    for row, lat, lng, _ in cases:
        labelled = address_label(row["Address"])
        label = labelled[0] if labelled else ""
        if labelled:
            kind = labelled[1]
            key = address_normalize(label)
            pair = tuple(sorted(address_normalize(s) for s in label.split(" & ")))
            if key not in addresses and (kind != "intersection" or pair not in crossings):
                addresses[key] = (label, round(lat, 6), round(lng, 6), kind)
                if kind == "intersection":
                    crossings.add(pair)
        if sf_case_category(row["Category"], row["Request.Type"], row["Request.Details"]):
            templates.append(
                {
                    "opened": row["Opened"],
                    "closed": "" if row["Closed"] in ("", "NA") else row["Closed"],
                    "category": row["Category"],
                    "request_type": row["Request.Type"],
                    # Abandoned-vehicle details hold number plates; the mapping does not need them.
                    "details": ""
                    if row["Request.Details"] == "NA" or row["Category"] == "Abandoned Vehicle"
                    else row["Request.Details"],
                    "address": label,
                    "lat": round(lat, 6),
                    "lng": round(lng, 6),
                    "source": row["Source"],
                }
            )
    with (HERE / "addresses.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["label", "lat", "lng", "kind"])
        writer.writerows(sorted(addresses.values()))
    with (HERE / "cases.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(templates[0]))
        writer.writeheader()
        writer.writerows(templates)

    print(
        f"{len(tracts)} tracts in {len({t['nhood'] for t in tracts})} neighbourhoods, "
        f"{len(wards)} wards, {len(addresses)} addresses, "
        f"{len(templates)} template cases of {len(cases)} inside the boundary"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/sf"))
