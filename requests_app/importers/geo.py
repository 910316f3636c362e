"""What the importers share: opening vector files, coordinate systems, coordinate checks and the
active service boundary."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    OGRGeometry,
    SpatialReference,
)
from django.contrib.gis.gdal.layer import Layer
from django.contrib.gis.geos import GeometryCollection, Point
from django.contrib.gis.geos.prepared import PreparedGeometry

from requests_app.importers import ImportFileError
from requests_app.models import Area, AreaSet

WGS84 = 4326
BATCH = 2000
BLANKS = frozenset({"", "na", "n/a", "nan", "null", "none"})
LAT_COLUMNS = ("lat", "latitude", "y")
LNG_COLUMNS = ("lng", "lon", "long", "longitude", "x")

ERR_FILE_MISSING = "File not found: {path}"
ERR_UNREADABLE = "Could not read {path}: {error}"
ERR_UNKNOWN_SRID = (
    "--srid {srid} is not a coordinate system GDAL knows (try an EPSG code such as 2227)."
)
ERR_NOT_LONLAT = (
    "{path} has no coordinate system (no 'crs' member), so it would be read as longitude/latitude "
    "(WGS84), but its coordinates span x {xmin:.0f}..{xmax:.0f}, y {ymin:.0f}..{ymax:.0f}, which "
    "cannot be degrees. It is probably in a projected system such as a State Plane zone (feet) or "
    "UTM (metres). Declare it with --srid (e.g. --srid 2227 for California zone 3, US feet), or "
    "`srid = ...` in the city pack's areas.toml, or re-export the file as WGS84."
)

# Why rows are skipped, as reported.
SKIP_BLANK_COORDS = "blank or unreadable coordinates"
SKIP_PLACEHOLDER = "placeholder coordinates (0,0 or whole degrees)"
SKIP_OUT_OF_RANGE = "coordinates out of range"
SKIP_NOT_POINT = "not a point"
SKIP_OUTSIDE = "outside the service boundary"
SKIP_DUPLICATE_FILE = "duplicate in the file"
SKIP_EXISTING = "already in the database"


@dataclass
class RowSieve:
    """The checks every point import makes on a row, in order, counting the rows read and the
    ones skipped by reason: a blank key, its coordinates, the reader's own `problem`, the active
    service boundary (when given), then a key already taken by an earlier row of the file."""

    boundary: PreparedGeometry | None = None
    rows: int = 0
    skipped: Counter = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)

    def passes(
        self,
        key: str,
        lat: float | None,
        lng: float | None,
        *,
        is_point: bool,
        blank: str,
        problem: str | None = None,
    ) -> bool:
        self.rows += 1
        if not key:
            reason = blank
        else:
            reason = (
                (coordinates_problem(lat, lng) if is_point else SKIP_NOT_POINT)
                or problem
                or (SKIP_OUTSIDE if self._outside(lat, lng) else None)
                or (SKIP_DUPLICATE_FILE if key in self.seen else None)
            )
        if reason:
            self.skipped[reason] += 1
            return False
        self.seen.add(key)
        return True

    def _outside(self, lat: float, lng: float) -> bool:
        return self.boundary is not None and not self.boundary.contains(Point(lng, lat))


@dataclass
class SourceSystem:
    """The coordinate system a layer is read in, and how to get it to WGS84."""

    note: str  # for the dry-run report, e.g. "NAD83 / California zone 3 (ftUS) (EPSG:2227)"
    transform: CoordTransform | None


def layer_open(path: Path) -> Layer:
    if not path.exists():
        raise ImportFileError(ERR_FILE_MISSING.format(path=path))
    try:
        return DataSource(str(path))[0]
    except (GDALException, IndexError) as exc:
        raise ImportFileError(ERR_UNREADABLE.format(path=path, error=exc)) from exc


def geojson_has_crs(path: Path) -> bool:
    """Whether a GeoJSON file names its coordinate system (the pre-RFC 7946 `crs` member). GDAL
    reports WGS84 for a file without one, so the layer's SRS cannot tell the two apart."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return True
    try:
        with path.open(encoding="utf-8") as f:
            return "crs" in json.load(f)
    except (OSError, ValueError):
        return True  # GDAL reported on it already; let its reading stand


def _srs_label(srs: SpatialReference, srid: int | None) -> str:
    return f"{srs.name} (EPSG:{srid})" if srid else srs.name


def source_system(layer: Layer, *, path: Path, srid: int | None = None) -> SourceSystem:
    """How to read `layer`'s coordinates.

    1. A declared `srid` wins over whatever the file says.
    2. Else the file's own system (a shapefile's .prj, a GeoJSON `crs` member).
    3. A file that names none is WGS84 (as RFC 7946 says) -- but only if its extent can be
       degrees: a State Plane or UTM file without a `crs` would otherwise land near (0, 0) or be
       refused point by point, so it is refused as a whole with the fix."""
    target = SpatialReference(WGS84)
    if srid is not None:
        try:
            declared = SpatialReference(srid)
        except (GDALException, TypeError) as exc:
            raise ImportFileError(ERR_UNKNOWN_SRID.format(srid=srid)) from exc
        label = f"{declared.name} (EPSG:{srid}, declared)"
        if srid == WGS84:
            return SourceSystem(note=label, transform=None)
        return SourceSystem(
            note=f"{label}, transformed to WGS84", transform=CoordTransform(declared, target)
        )
    srs = layer.srs
    named = srs is not None and geojson_has_crs(path)
    if named and srs.srid != WGS84:
        return SourceSystem(
            note=f"{_srs_label(srs, srs.srid)}, transformed to WGS84",
            transform=CoordTransform(srs, target),
        )
    xmin, ymin, xmax, ymax = layer.extent.tuple
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise ImportFileError(
            ERR_NOT_LONLAT.format(path=path, xmin=xmin, xmax=xmax, ymin=ymin, ymax=ymax)
        )
    if named:
        return SourceSystem(note="WGS84 (EPSG:4326)", transform=None)
    return SourceSystem(
        note="no coordinate system given; read as WGS84 longitude/latitude (EPSG:4326)",
        transform=None,
    )


def ogr_to_wgs84(geom: OGRGeometry, system: SourceSystem) -> OGRGeometry:
    if geom.is_3d:
        geom.set_3d(False)
    if system.transform is not None:
        geom.transform(system.transform)
    return geom


def coordinate(value: object) -> float | None:
    text = str(value if value is not None else "").strip()
    if text.lower() in BLANKS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def coordinates_problem(lat: float | None, lng: float | None) -> str | None:
    """Why a pair of coordinates is unusable, or None. Whole-degree pairs such as (39, -77) are
    the placeholders some source systems write when geocoding failed."""
    if lat is None or lng is None:
        return SKIP_BLANK_COORDS
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return SKIP_OUT_OF_RANGE
    if lat.is_integer() and lng.is_integer():
        return SKIP_PLACEHOLDER
    return None


def boundary_prepared() -> PreparedGeometry | None:
    """The active service boundary, prepared for fast point-in-polygon tests, if there is one."""
    geoms = [
        a.geom
        for a in Area.objects.filter(area_set__kind=AreaSet.Kind.BOUNDARY, area_set__active=True)
    ]
    if not geoms:
        return None
    return (geoms[0] if len(geoms) == 1 else GeometryCollection(geoms).unary_union).prepared
