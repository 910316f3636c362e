"""Factories for a small, self-contained test city."""

from __future__ import annotations

import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from requests_app import models
from requests_app.services import Reporter


def square(lng: float, lat: float, half: float) -> MultiPolygon:
    ring = (
        (lng - half, lat - half),
        (lng + half, lat - half),
        (lng + half, lat + half),
        (lng - half, lat + half),
        (lng - half, lat - half),
    )
    return MultiPolygon(Polygon(ring), srid=4326)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Department {n}")
    name_es = factory.LazyAttribute(lambda o: f"Departamento {o.name}")
    slug = factory.Sequence(lambda n: f"dept-{n}")


class CategoryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CategoryGroup
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Group {n}")
    name_es = factory.LazyAttribute(lambda o: f"Grupo {o.name}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    icon = "🛣️"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ["code"]

    group = factory.SubFactory(CategoryGroupFactory)
    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    name_es = factory.LazyAttribute(lambda o: f"Categoría {o.name}")
    description = "A plain-language line."
    description_es = "Una línea en lenguaje claro."
    default_department = factory.SubFactory(DepartmentFactory)
    response_target_hours = 24
    resolution_target_hours = 72


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    prompt_es = factory.LazyAttribute(lambda o: f"¿{o.prompt}")
    datatype = models.Question.Datatype.STRING


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionChoice

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"Choice {n}")


class AreaSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AreaSet

    kind = models.AreaSet.Kind.BOUNDARY
    name = "Test set"
    active = True


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area

    area_set = factory.SubFactory(AreaSetFactory)
    kind = factory.LazyAttribute(lambda o: o.area_set.kind)
    name = factory.Sequence(lambda n: f"Area {n}")
    geom = factory.LazyFunction(lambda: square(-122.44, 37.76, 0.05))


class AddressPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AddressPoint

    label = factory.Sequence(lambda n: f"{n} Test St")
    location = factory.LazyFunction(lambda: Point(-122.44, 37.76, srid=4326))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The search columns come from the label, as the importer and admin derive them.
        point = model_class(*args, **kwargs)
        point.fields_refresh()
        point.save()
        return point


class ClosureReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClosureReason
        django_get_or_create = ["code"]

    code = "repaired"
    name = "Repaired"
    name_es = "Reparado"
    public_text = "The crew repaired it."
    public_text_es = "El equipo lo reparó."


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Asset

    asset_type = "streetlight"
    asset_id = factory.Sequence(lambda n: f"SL-{1000 + n}")
    location = factory.LazyFunction(lambda: Point(-122.44, 37.76, srid=4326))


def streetlight_category(city, **kwargs) -> models.Category:
    """'Streetlight out' (Streets by default): residents pick the pole from the layer."""
    return CategoryFactory(
        group=city.pothole.group,
        code="streetlight-out",
        name="Streetlight out",
        default_department=city.streets,
        asset_type="streetlight",
        **kwargs,
    )


class ReporterFactory(factory.Factory):
    """Rosa, who gives her name and hears back by email, in English (Reporter's default)."""

    class Meta:
        model = Reporter

    name = "Rosa Martínez"
    email = "rosa@example.com"
    phone = "+14155550134"
    contact_method = "email"
    anonymous = False
