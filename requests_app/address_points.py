"""The address points the address search reads: addresses, intersections and places (the city
pack's address files and places.toml). Its own module to keep models.py under the size limit;
requests_app.models imports it, so it is an ordinary model of the app."""

from __future__ import annotations

from django.contrib.gis.db import models as gis
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_app.addresses import address_fields


class AddressPoint(models.Model):
    class Kind(models.TextChoices):
        ADDRESS = "address", _("Address")
        INTERSECTION = "intersection", _("Intersection")
        PLACE = "place", _("Place")

    label = models.CharField(max_length=200)
    # The label in the one spelling search compares (requests_app.addresses.address_normalize):
    # what makes two labels the same point.
    normalized = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ADDRESS)
    location = gis.PointField(geography=True, srid=4326)
    source = models.CharField(max_length=120, blank=True)
    # Other names people use (a place's Spanish name, nicknames, its street address), one a line.
    aliases = models.TextField(
        blank=True,
        help_text=_(
            "Other names people search for, one a line: the Spanish name, nicknames, the street "
            "address of a place."
        ),
    )
    # Derived from label and aliases by fields_refresh(); what address_search reads.
    search = models.CharField(max_length=600, blank=True, editable=False)
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    street = models.CharField(max_length=120, blank=True, editable=False)
    cross_street = models.CharField(max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = _("address point")
        verbose_name_plural = _("address points")
        ordering = ["label"]
        indexes = [
            # address_search: the names and aliases by trigram (prefix and word similarity).
            GinIndex(fields=["search"], opclasses=["gin_trgm_ops"], name="address_search_trgm"),
            # address_search: names starting with what was typed (LIKE 'X%' by b-tree).
            models.Index(
                fields=["search"], opclasses=["varchar_pattern_ops"], name="address_search_prefix"
            ),
            # address_search: exact street (and house number), and intersections by street.
            models.Index(fields=["street", "number"], name="address_street_number"),
            # address_search: a misspelt street name by trigram similarity.
            GinIndex(fields=["street"], opclasses=["gin_trgm_ops"], name="address_street_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["normalized"], name="address_normalized_unique")
        ]

    def __str__(self) -> str:
        return self.label

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def fields_refresh(self) -> None:
        """Recompute the search columns from the label and aliases (after editing either)."""
        derived = address_fields(label=self.label, kind=self.kind, aliases=self.alias_list())
        self.normalized = derived.normalized
        self.search = derived.search
        self.number = derived.number
        self.street = derived.street
        self.cross_street = derived.cross_street
