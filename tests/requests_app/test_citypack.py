"""City packs: data/cities/<city>/ validated and loaded by requests_app.citypack and load_city."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from requests_app import models
from requests_app.citypack import PackInvalid, citypack_load, citypack_sections, citypack_validate
from requests_app.services import Submission, request_submit
from routing.models import BusinessCalendar, CalendarClosure, SlaTarget, WorkingHours

CITIES = Path(settings.BASE_DIR) / "data" / "cities"
TOWN = CITIES / "example-town"
SF = CITIES / "san-francisco"
MODELS = (
    models.Department,
    models.CategoryGroup,
    models.Category,
    models.Question,
    models.QuestionChoice,
    models.ClosureReason,
    BusinessCalendar,
    WorkingHours,
    CalendarClosure,
    SlaTarget,
    models.AreaSet,
    models.AddressPoint,
)


@pytest.fixture
def town(tmp_path: Path) -> Path:
    """A copy of the example town to edit."""
    return Path(shutil.copytree(TOWN, tmp_path / "example-town"))


def edit(pack: Path, file: str, old: str, new: str) -> None:
    path = pack / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def problems_of(pack: Path) -> list:
    return citypack_validate(pack)[1]


def only_problem(pack: Path):
    problems = problems_of(pack)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- loading --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_example_town_loads_with_no_code_change():
    report = citypack_load(TOWN, commit=True)

    assert report.committed
    pothole = models.Category.objects.get(code="pothole")
    assert (pothole.name, pothole.name_es) == ("Pothole", "Bache")
    assert pothole.default_department.slug == "public-works"
    assert pothole.group.slug == "streets"
    size = pothole.questions.get(code="size")
    assert size.datatype == "singlevaluelist" and size.required
    assert list(size.choices.values_list("key", "name_es")) == [
        ("small", "Más pequeño que un plato"),
        ("large", "Más grande que una llanta"),
    ]
    note = models.Question.objects.get(category__code="trail-damage", code="wildlife")
    assert not note.variable and note.datatype == "text"
    power = models.Category.objects.get(code="downed-power-line")
    assert not power.online_submission_allowed
    assert power.offline_message_es == "Aléjese y llame al 911 ahora."
    referred = models.ClosureReason.objects.get(code="referred")
    assert (referred.outcome, referred.name, referred.name_es) == (
        "referred",
        "Referred",
        "Remitido",
    )
    hall = BusinessCalendar.objects.get(name="Town hall")
    assert (hall.time_zone, hall.holiday_country, hall.holiday_subdivision) == (
        "America/Denver",
        "US",
        "CO",
    )
    assert hall.working_hours.count() == 4
    assert hall.closures.get().name == "Christmas Eve"
    urgent = SlaTarget.objects.get(category=pothole, priority="urgent")
    assert (urgent.response_hours, urgent.clock, urgent.calendar) == (2, "24x7", None)
    assert SlaTarget.objects.get(category=pothole, priority="").calendar == hall
    assert models.AreaSet.objects.get(kind="boundary", active=True).name == "Example Town"
    assert models.AreaSet.objects.get(kind="neighbourhood", active=True).areas.count() == 2
    # Five of addresses.csv's six (the sixth is outside the boundary) and places.toml's three.
    assert models.AddressPoint.objects.exclude(source="City pack places.toml").count() == 5
    assert models.AddressPoint.objects.filter(source="City pack places.toml").count() == 3
    assert "CC0 1.0" in models.AddressPoint.objects.first().source


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    citypack_load(TOWN, commit=True)
    before = counts()

    report = citypack_load(TOWN, commit=True)

    assert report.log.changed() == 0
    assert counts() == before
    assert report.log.counts["categories"]["unchanged"] == 4


@pytest.mark.django_db
def test_an_edited_pack_updates_a_name_and_deletes_nothing(town):
    citypack_load(town, commit=True)
    before = counts()
    edit(town, "categories.toml", 'name.es = "Bache"', 'name.es = "Bache en la calle"')
    # Leave a category out of the pack: it stays in the database.
    edit(town, "categories.toml", "[snow-plow-missed]", "[snow-plow-missed-renamed]")
    edit(
        town,
        "categories.toml",
        "[[snow-plow-missed.questions]]",
        "[[snow-plow-missed-renamed.questions]]",
    )

    report = citypack_load(town, commit=True)

    assert models.Category.objects.get(code="pothole").name_es == "Bache en la calle"
    assert models.Category.objects.filter(code="snow-plow-missed").exists()
    assert report.log.counts["categories"]["updated"] == 1
    assert report.log.counts["categories"]["created"] == 1
    assert "categories pothole: name_es updated" in report.log.lines  # a dry run says so too
    after = counts()
    assert all(after[name] >= before[name] for name in before)


@pytest.mark.django_db
def test_a_dry_run_reports_what_it_would_do_and_writes_nothing():
    out = StringIO()

    call_command("load_city", str(TOWN), stdout=out)

    output = out.getvalue()
    assert "categories: 4 created" in output
    assert "Dry run: nothing written" in output
    assert "WGS84 box (W, S, E, N) -105.12000, 39.54000, -105.08000, 39.56000" in output
    assert models.Category.objects.count() == 0
    assert models.AreaSet.objects.count() == 0


@pytest.mark.django_db
def test_a_request_inside_the_town_boundary_is_accepted_and_one_outside_is_refused():
    citypack_load(TOWN, commit=True)
    pothole = models.Category.objects.get(code="pothole")

    def submit(lng: float, lat: float):
        return request_submit(
            submission=Submission(
                category=pothole,
                description="Deep hole by the library",
                location=Point(lng, lat, srid=4326),
                answers={"size": "small"},
            )
        )

    request, created = submit(-105.1103, 39.5512)
    assert created and request.neighbourhood.name == "Old Town"
    with pytest.raises(ValidationError) as refused:
        submit(-105.3, 39.65)
    assert "location" in refused.value.message_dict


def test_routing_registers_its_own_section():
    names = [section.name for section in citypack_sections()]

    assert names[0] == "definitions" and names[-1] == "geography"
    assert "routing" in names


# --- validation: every problem, with its file, key, line and a fix --------------------------------
@pytest.mark.django_db
def test_the_example_town_and_san_francisco_validate_clean():
    assert problems_of(TOWN) == []
    assert problems_of(SF) == []


@pytest.mark.django_db
def test_an_unknown_department_is_reported_with_its_key_line_and_fix(town):
    edit(town, "categories.toml", 'department = "parks"', 'department = "parcs"')

    problem = only_problem(town)

    assert (problem.file, problem.key) == ("categories.toml", "trail-damage.department")
    assert "Unknown department 'parcs'" in problem.message
    assert "public-works, parks" in problem.fix
    assert (town / "categories.toml").read_text().splitlines()[problem.line - 1] == (
        'department = "parcs"'
    )


@pytest.mark.django_db
def test_a_duplicate_code_is_reported_with_its_line(town):
    text = (town / "closure-reasons.toml").read_text()
    (town / "closure-reasons.toml").write_text(text + '\n[fixed]\nname = "Fixed again"\n')

    problem = only_problem(town)

    assert (problem.file, problem.key) == ("closure-reasons.toml", "fixed")
    assert "Duplicate code or key" in problem.message
    assert problem.line == len(text.splitlines()) + 2
    assert "appear once" in problem.fix


# One mistake each: the file to edit, the text to replace and its replacement, then the key the
# problem names and words its message and its fix must contain.
ONE_MISTAKE = [
    pytest.param(
        "categories.toml",
        'datatype = "number"',
        'datatype = "integer"',
        "snow-plow-missed.questions[0].datatype",
        "'integer' is not allowed",
        "singlevaluelist",
        id="a_bad_question_datatype_lists_the_allowed_ones",
    ),
    pytest.param(
        "categories.toml",
        'code = "blocked"',
        'code = "wildlife"',
        "trail-damage.questions",
        "'wildlife' appears twice",
        "its own code",
        id="a_duplicate_question_code_is_reported",
    ),
    pytest.param(
        "categories.toml",
        'datatype = "number"',
        'datatype = "number"\nchoices = [ { key = "a", name = { en = "A", es = "A" } } ]',
        "snow-plow-missed.questions[0].choices",
        "choice list on a number question",
        "singlevaluelist",
        id="a_choice_list_on_a_non_list_question_is_reported",
    ),
    pytest.param(
        "groups.toml",
        'name.es = "Parques y senderos"\n',
        "",
        "parks.name.es",
        "Missing es translation",
        'parks.name.es = "..."',
        id="a_missing_translation_names_the_language_and_the_key",
    ),
    pytest.param(
        "closure-reasons.toml",
        'name.es = "Remitido"\n',
        "",
        "referred.name.es",
        "Missing es translation",
        'referred.name.es = "..."',
        id="a_closure_reasons_name_without_its_spanish_is_reported",
    ),
    pytest.param(
        "geography.toml",
        "dissolve_all = true\nsrid = 4326\n",
        "dissolve_all = true\n",
        "areas.boundary",
        "no coordinate system",
        "srid = 4326",
        id="an_area_file_without_a_coordinate_system_is_reported",
    ),
    pytest.param(
        "service-levels.toml",
        'calendar = "town-hall"',
        'calendar = "city-hall"',
        "pothole.any.calendar",
        "Unknown calendar 'city-hall'",
        "town-hall",
        id="routing_checks_its_service_levels",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "old", "new", "key", "message", "fix"), ONE_MISTAKE)
def test_one_mistake_is_reported_with_its_file_key_line_and_fix(
    town, file, old, new, key, message, fix
):
    edit(town, file, old, new)

    problem = only_problem(town)

    assert (problem.file, problem.key) == (file, key)
    assert message in problem.message
    assert fix in problem.fix
    assert problem.line is not None


@pytest.mark.django_db
def test_an_unknown_key_and_a_wrong_type_are_reported(town):
    edit(town, "departments.toml", 'email = "parks@', 'emial = "parks@')
    edit(town, "groups.toml", "order = 20", 'order = "twenty"')

    problems = problems_of(town)

    keys = {(p.file, p.key) for p in problems}
    assert ("departments.toml", "parks") in keys
    assert ("groups.toml", "parks.order") in keys
    unknown = next(p for p in problems if p.file == "departments.toml")
    assert "emial" in unknown.message and "email" in unknown.fix


@pytest.mark.django_db
def test_load_city_reports_every_problem_and_loads_nothing(town):
    edit(town, "categories.toml", 'department = "parks"', 'department = "parcs"')
    edit(town, "groups.toml", 'name.es = "Calles"\n', "")
    err = StringIO()

    with pytest.raises(CommandError, match="2 problem"):
        call_command("load_city", str(town), "--commit", stdout=StringIO(), stderr=err)

    assert "categories.toml:" in err.getvalue() and "Fix:" in err.getvalue()
    assert "groups.toml:" in err.getvalue()
    assert models.Department.objects.count() == 0


@pytest.mark.django_db
def test_an_invalid_pack_raises_with_every_problem(town):
    edit(town, "categories.toml", 'department = "parks"', 'department = "parcs"')

    with pytest.raises(PackInvalid) as caught:
        citypack_load(town, commit=True)

    assert len(caught.value.problems) == 1


# --- San Francisco --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_san_francisco_dry_run_loads_its_definitions_and_areas():
    report = citypack_load(SF, addresses=False)

    c = report.log.counts
    assert c["departments"]["created"] == 10
    assert c["categories"]["created"] == 36
    assert c["closure reasons"]["created"] == 7
    assert c["service levels"]["created"] == 4
    assert c["area sets"]["created"] == 3
    assert models.Category.objects.count() == 0


@pytest.mark.django_db
def test_the_san_francisco_definitions_load_as_the_seed_wrote_them():
    citypack_load(SF, commit=True, areas=False, addresses=False)

    pothole = models.Category.objects.get(code="pothole")
    assert (pothole.response_target_hours, pothole.resolution_target_hours) == (48, 168)
    assert models.Question.objects.filter(variable=False, code="call-911").exists()
    targets = SlaTarget.objects.filter(category=pothole).order_by("priority")
    assert [(t.priority, t.response_hours, t.clock) for t in targets] == [
        ("", 8, "business"),
        ("urgent", 2, "24x7"),
    ]
    assert BusinessCalendar.objects.get().time_zone == "America/Los_Angeles"


@pytest.mark.django_db
def test_the_load_says_which_categories_take_their_due_dates_from_the_service_levels():
    report = citypack_load(SF, addresses=False)

    said = [line for line in report.log.lines if line.startswith("Service levels:")]
    assert said == [
        "Service levels: 3 categories take their due dates from service-levels.toml (graffiti, "
        "pothole, streetlight-out); their hours in categories.toml count only for a priority "
        "without a level of its own, as every other category's do."
    ]


# --- settings -------------------------------------------------------------------------------------
def city_settings(**env: str) -> list[str]:
    """The city settings as a fresh process reads them (settings are read once, at import)."""
    code = (
        "import civic311.settings as s;"
        "print(s.CITY_NAME, s.CITY_TIME_ZONE, s.MAP_ZOOM, s.PHONENUMBER_DEFAULT_REGION, sep='|')"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CITY_", "MAP_"))}
    result = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", code],
        env={**environment, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split("|")


def test_city_toml_drives_the_city_settings_and_the_environment_overrides_it():
    assert city_settings(CITY_PACK=str(TOWN)) == ["Example Town", "America/Denver", "14", "US"]
    assert city_settings(CITY_PACK="data/cities/example-town", CITY_NAME="Elsewhere")[0] == (
        "Elsewhere"
    )


# --- coordinate systems in a pack -----------------------------------------------------------------
def state_plane_boundary(pack: Path) -> None:
    """Replace the town's boundary with the same squares in NAD83 / Colorado Central (US feet,
    EPSG:2232), written without a crs member, as a county GIS export might be."""
    data = json.loads((pack / "boundary.geojson").read_text())
    del data["crs"]
    for feature in data["features"]:
        polygon = Polygon(feature["geometry"]["coordinates"][0], srid=4326)
        polygon.transform(2232)
        feature["geometry"] = json.loads(polygon.json)
    (pack / "boundary.geojson").write_text(json.dumps(data))


@pytest.mark.django_db
def test_a_state_plane_area_file_declared_as_4326_is_reported(town):
    state_plane_boundary(town)

    problems = problems_of(town)

    assert {(p.file, p.key) for p in problems} == {
        ("geography.toml", "areas.boundary.srid"),
        ("geography.toml", "areas.neighbourhoods.srid"),
    }
    assert "cannot be degrees" in problems[0].message


@pytest.mark.django_db
def test_a_state_plane_area_file_loads_with_its_srid(town):
    state_plane_boundary(town)
    edit(town, "geography.toml", "srid = 4326", "srid = 2232")
    edit(town, "geography.toml", "srid = 4326", "srid = 2232")
    out = StringIO()

    call_command("load_city", str(town), "--commit", stdout=out)

    assert "EPSG:2232, declared), transformed to WGS84" in out.getvalue()
    old_town = (
        models.AreaSet.objects.get(kind="neighbourhood").areas.get(code="old-town").geom.centroid
    )
    assert old_town.x == pytest.approx(-105.11, abs=0.0005)
    assert old_town.y == pytest.approx(39.55, abs=0.0005)
    assert models.AddressPoint.objects.exclude(source="City pack places.toml").count() == 5
