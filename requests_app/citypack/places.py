"""The city pack's places.toml: landmarks, parks, schools and libraries people name instead of an
address ("City Hall", "Ayuntamiento", "Dolores Park"). Each becomes an address point of kind
place, found by its name in every language, its aliases and its street address.

    [city-hall]
    name = { en = "City Hall", es = "Ayuntamiento" }
    aliases = ["SF City Hall"]
    address = "1 Dr Carlton B Goodlett Pl"
    lat = 37.77930
    lng = -122.41930

Loaded by code-free upsert on the place's label: a second load changes nothing, an edited place
is updated, and a place removed from the file stays (edit or delete it in the admin)."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from requests_app.citypack.load import LoadLog, row_upsert
from requests_app.citypack.pack import CityPack, translated_fields, translations_check
from requests_app.importers.geo import boundary_prepared
from requests_app.models import AddressPoint

PLACES = "places.toml"
SOURCE = "City pack places.toml"

_COORDINATE = {"type": "number"}
SCHEMA: dict = {
    "type": "object",
    "propertyNames": {"pattern": r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"},
    "additionalProperties": {
        "type": "object",
        "required": ["name", "lat", "lng"],
        "additionalProperties": False,
        "properties": {
            "name": {
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ]
            },
            "aliases": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "address": {"type": "string", "minLength": 1, "maxLength": 120},
            "lat": {**_COORDINATE, "minimum": -90, "maximum": 90},
            "lng": {**_COORDINATE, "minimum": -180, "maximum": 180},
        },
    },
}


def _label(place: dict, pack: CityPack) -> str:
    """What the search shows and the request keeps: the English name, with the street address
    when there is one, so staff reading the request know the spot."""
    name = translated_fields(place["name"], pack, "name")["name"]
    return f"{name}, {place['address']}"[:200] if place.get("address") else name[:200]


def places_validate(pack: CityPack) -> None:
    for code, place in pack.table(PLACES).items():
        translations_check(pack, PLACES, f"{code}.name", place.get("name"), max_length=150)


def places_load(pack: CityPack, log: LoadLog) -> None:
    """Upsert every place inside the service boundary; one outside it is skipped and said."""
    boundary = boundary_prepared()
    for code, place in pack.table(PLACES).items():
        location = Point(place["lng"], place["lat"], srid=4326)
        if boundary is not None and not boundary.contains(location):
            log.say(f"Places {code}: outside the service area; skipped.")
            continue
        names = translated_fields(place["name"], pack, "name")
        aliases = [names["name_es"], *place.get("aliases", []), place.get("address", "")]
        point = AddressPoint(
            label=_label(place, pack),
            kind=AddressPoint.Kind.PLACE,
            aliases="\n".join(a for a in aliases if a),
        )
        point.fields_refresh()
        row_upsert(
            AddressPoint,
            lookup={"normalized": point.normalized},
            values={
                "label": point.label,
                "kind": point.kind,
                "aliases": point.aliases,
                "search": point.search,
                "number": point.number,
                "street": point.street,
                "cross_street": point.cross_street,
                "location": location,
                "source": SOURCE,
            },
            log=log,
            label="places",
        )
