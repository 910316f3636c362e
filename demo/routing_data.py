"""The demo city's routing set-up: crews and their strategies, routing rules, escalation policies,
priority-scoring weights, an asset layer and sensitive places. Written by demo.routing_seed
(``manage.py seed_routing_demo``, which ``make run`` calls after ``seed_demo``); every part is an
update-or-create, so running it again changes nothing.

Everything here is invented for the demo except where it says otherwise: the streetlight and sign
ids are synthetic, placed at the demo city's real intersections; the schools and hospitals are
real San Francisco places at approximate, hand-entered coordinates."""

from __future__ import annotations

from dataclasses import dataclass

# (username, first name, last name, department slug)
CREW_USERS = (
    ("rosa", "Rosa", "Reyes", "public-works-streets"),
    ("tomas", "Tomás", "Nguyen", "public-works-streets"),
    ("lena", "Lena", "Park", "street-lighting"),
    ("omar", "Omar", "Haddad", "street-lighting"),
)


@dataclass(frozen=True)
class TeamSpec:
    department: str
    name: str
    strategy: str
    members: tuple[str, ...]
    # District number -> member username, for the by-zone strategy.
    zones: tuple[tuple[str, str], ...] = ()


TEAMS = (
    TeamSpec(
        "public-works-streets",
        "Pothole crew",
        "by_zone",
        ("crew", "rosa", "tomas"),
        zones=(
            *((f"District {n}", "crew") for n in (1, 2, 3, 4)),
            *((f"District {n}", "rosa") for n in (5, 6, 7, 8)),
            *((f"District {n}", "tomas") for n in (9, 10, 11)),
        ),
    ),
    TeamSpec("public-works-streets", "Supervisors", "manual", ("supervisor",)),
    TeamSpec("street-lighting", "Lighting crew", "round_robin", ("lena", "omar")),
)
# Department slug -> username of its head (told when a request breaches its target).
DEPARTMENT_HEADS = {"public-works-streets": "supervisor"}


@dataclass(frozen=True)
class RuleSpec:
    name: str
    order: int
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()  # ward names
    keywords: str = ""
    department: str = ""
    team: tuple[str, str] | None = None  # (department slug, team name)
    priority: str = ""
    tag: str = ""


RULES = (
    RuleSpec(
        "Potholes go to the pothole crew",
        10,
        categories=("pothole",),
        team=("public-works-streets", "Pothole crew"),
    ),
    RuleSpec(
        "Streetlights and wires go to the lighting crew",
        20,
        categories=("streetlight-out", "dangerous-wires"),
        team=("street-lighting", "Lighting crew"),
    ),
    RuleSpec(
        "Graffiti in parks goes to Parks",
        30,
        categories=("graffiti",),
        keywords="park, playground",
        department="parks",
    ),
    RuleSpec(
        "Downtown sidewalks are tagged for the sidewalk program",
        40,
        categories=("damaged-sidewalk", "blocked-sidewalk", "curb-ramp"),
        areas=("District 3", "District 6"),
        tag="downtown-sidewalks",
    ),
    RuleSpec(
        "Sparking wires are urgent",
        50,
        categories=("dangerous-wires",),
        keywords="sparking, sparks, fire, smoke",
        priority="urgent",
    ),
)


@dataclass(frozen=True)
class StepSpec:
    name: str
    trigger: str
    value: float
    target: str = "resolution"
    notify: str = ""
    raise_priority: bool = False
    reassign_team: tuple[str, str] | None = None


@dataclass(frozen=True)
class PolicySpec:
    name: str
    department: str  # slug, "" for city-wide
    steps: tuple[StepSpec, ...]


# Both policies warn the supervisors at three quarters of the time to resolve.
SUPERVISORS_AT_75 = StepSpec(
    "Supervisors told at 75% of the time to resolve", "target_percent", 75, notify="supervisors"
)
POLICIES = (
    PolicySpec(
        "City-wide default",
        "",
        (
            StepSpec("Remind after two days without action", "idle", 48, notify="assignee"),
            SUPERVISORS_AT_75,
            StepSpec(
                "Breach: priority up, department head told",
                "target_percent",
                100,
                notify="department_head",
                raise_priority=True,
            ),
        ),
    ),
    PolicySpec(
        "Streets",
        "public-works-streets",
        (
            StepSpec("Remind after a day without action", "idle", 24, notify="assignee"),
            StepSpec(
                "First action late: supervisors told",
                "target_percent",
                100,
                target="response",
                notify="supervisors",
            ),
            SUPERVISORS_AT_75,
            StepSpec(
                "Breach: priority up, to the supervisors' queue, head told",
                "target_percent",
                100,
                notify="department_head",
                raise_priority=True,
                reassign_team=("public-works-streets", "Supervisors"),
            ),
        ),
    ),
)

# Category code -> base severity (points the priority score starts from).
BASE_SEVERITY = {
    "gas-leak-live-wire": 70,
    "dangerous-wires": 55,
    "traffic-signal-out": 45,
    "tree-down": 40,
    "street-flooding": 35,
    "needles": 30,
    "water-leak": 25,
    "blocked-stop-sign": 25,
    "sign-damaged": 20,
    "encampment-welfare-check": 20,
    "pothole": 15,
    "streetlight-out": 15,
    "clogged-storm-drain": 15,
    "sewer-odor": 15,
    "curb-ramp": 15,
    "damaged-sidewalk": 10,
    "blocked-sidewalk": 10,
    "illegal-dumping": 10,
    "housing-conditions": 10,
    "rodents": 10,
    "dead-animal": 10,
    "graffiti": 5,
    "illegal-posting": 0,
}
# (word or phrase, points)
KEYWORDS = (
    ("injured", 30),
    ("injury", 30),
    ("hurt", 25),
    ("exposed wires", 30),
    ("sparking", 25),
    ("gas", 25),
    ("fire", 25),
    ("flooding", 15),
    ("school", 10),
    ("children", 10),
    ("wheelchair", 10),
    ("blocking traffic", 15),
)
# Asset layers placed at the demo's intersections: (type, id prefix, every nth intersection,
# owner department slug, categories that offer it).
ASSET_LAYERS = (
    ("streetlight", "SL", 1, "street-lighting", ("streetlight-out",)),
    ("sign", "SGN", 3, "traffic", ("sign-damaged", "blocked-stop-sign")),
)
# Real places, approximate coordinates (lat, lng), hand-entered for the demo.
SENSITIVE_PLACES = (
    ("hospital", "Zuckerberg San Francisco General Hospital", 37.7557, -122.4048, 200, 15),
    ("hospital", "UCSF Medical Center at Parnassus", 37.7631, -122.4586, 200, 15),
    ("hospital", "CPMC Van Ness Campus", 37.7863, -122.4213, 200, 15),
    ("hospital", "Kaiser Permanente San Francisco", 37.7829, -122.4425, 200, 15),
    ("hospital", "Saint Francis Memorial Hospital", 37.7895, -122.4166, 200, 15),
    ("school", "Mission High School", 37.7617, -122.4276, 150, 15),
    ("school", "Lowell High School", 37.7309, -122.4839, 150, 15),
    ("school", "Balboa High School", 37.7219, -122.4400, 150, 15),
    ("school", "Galileo Academy of Science and Technology", 37.8040, -122.4240, 150, 15),
    ("school", "George Washington High School", 37.7786, -122.4850, 150, 15),
    ("school", "Thurgood Marshall Academic High School", 37.7352, -122.4078, 150, 15),
    ("school", "Lincoln High School", 37.7440, -122.4930, 150, 15),
)
