"""The demo city, as data: departments, category groups, categories with their Open311 questions,
closure reasons, the files its areas and addresses come from, and the text the demo seed uses.

This is the only Python module that knows anything about San Francisco. Another city replaces this
data (or enters it in the admin) and loads its own boundaries and addresses with `import_areas` and
`import_addresses`; nothing else changes. `manage.py seed_demo` writes all of it to the database.

Pure data and small pure functions: no Django imports, so data scripts can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "demo_city"
ADDRESSES_FILE = "addresses.csv"
CASES_FILE = "cases.csv"
SOURCE_NOTE = (
    "DataSF via sfbrigade/data-science-wg @ f1625aba8ac51ad90ec008f8ebc5ca1c42b304d7 "
    "(see data/demo_city/README.md)"
)


# --- Shapes of the data ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str
    name_es: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    name_es: str
    icon: str
    order: int


@dataclass(frozen=True)
class ChoiceSpec:
    key: str
    name: str
    name_es: str


@dataclass(frozen=True)
class QuestionSpec:
    """One Open311 attribute. `variable=False` is an informational note that asks nothing."""

    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    prompt: str
    prompt_es: str
    help_text: str = ""
    help_text_es: str = ""
    required: bool = False
    variable: bool = True
    choices: tuple[ChoiceSpec, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    code: str
    group: str  # GroupSpec.slug
    department: str  # DepartmentSpec.slug
    name: str
    name_es: str
    description: str
    description_es: str
    keywords: str
    icon: str
    response_target_hours: int
    resolution_target_hours: int
    questions: tuple[QuestionSpec, ...] = ()
    notice: str = ""
    notice_es: str = ""
    online_submission_allowed: bool = True
    offline_message: str = ""
    offline_message_es: str = ""
    # For the seed: how a finished request of this kind is usually closed, and sample descriptions.
    resolved_reason: str = "completed"
    private_property_possible: bool = False
    descriptions: tuple[str, ...] = ()
    descriptions_es: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClosureReasonSpec:
    code: str
    name: str
    public_text: str
    public_text_es: str


@dataclass(frozen=True)
class AreaImportSpec:
    """Arguments for `manage.py import_areas` (file relative to DATA_DIR)."""

    file: str
    kind: str
    name: str
    name_field: str | None = None
    code_field: str | None = None
    dissolve_by: str | None = None
    dissolve_all: bool = False


def _choices(*rows: tuple[str, str, str]) -> tuple[ChoiceSpec, ...]:
    return tuple(ChoiceSpec(*row) for row in rows)


def _note(code: str, text: str, text_es: str) -> QuestionSpec:
    return QuestionSpec(code, "text", text, text_es, variable=False)


YES_NO = _choices(("yes", "Yes", "Sí"), ("no", "No", "No"))
YES_NO_UNSURE = _choices(("yes", "Yes", "Sí"), ("no", "No", "No"), ("unsure", "Not sure", "No sé"))
CALL_911 = _note(
    "call-911",
    "If anyone is hurt or in danger, call 911 now.",
    "Si alguien está herido o en peligro, llame al 911 ahora.",
)


# --- Departments ----------------------------------------------------------------------------------
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "public-works-streets",
        "Public Works — Streets",
        "Obras Públicas — Calles",
        "streets@city.example",
    ),
    DepartmentSpec("sanitation", "Sanitation", "Saneamiento", "sanitation@city.example"),
    DepartmentSpec("parks", "Parks & Recreation", "Parques y Recreación", "parks@city.example"),
    DepartmentSpec("water", "Water & Sewer", "Agua y Alcantarillado", "water@city.example"),
    DepartmentSpec("urban-forestry", "Urban Forestry", "Arbolado Urbano", "trees@city.example"),
    DepartmentSpec(
        "police-non-emergency",
        "Police Non-Emergency",
        "Policía (no emergencias)",
        "police-nonemergency@city.example",
    ),
    DepartmentSpec(
        "code-enforcement", "Code Enforcement", "Inspección de Códigos", "code@city.example"
    ),
    DepartmentSpec("traffic", "Traffic & Signals", "Tráfico y Semáforos", "traffic@city.example"),
    DepartmentSpec(
        "street-lighting", "Street Lighting", "Alumbrado Público", "lighting@city.example"
    ),
    DepartmentSpec(
        "homeless-outreach",
        "Homeless Outreach",
        "Atención a Personas sin Hogar",
        "outreach@city.example",
    ),
)


# --- Category groups ------------------------------------------------------------------------------
GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("streets", "Streets & sidewalks", "Calles y aceras", "🛣️", 10),
    GroupSpec("trash", "Trash & dumping", "Basura y desechos", "🗑️", 20),
    GroupSpec("parks", "Parks", "Parques", "🏞️", 30),
    GroupSpec("water", "Water & sewer", "Agua y alcantarillado", "💧", 40),
    GroupSpec("trees", "Trees & plants", "Árboles y plantas", "🌳", 50),
    GroupSpec("noise", "Noise", "Ruido", "🔊", 60),
    GroupSpec("code", "Code enforcement", "Inspección de códigos", "🏚️", 70),
    GroupSpec("lights", "Lights, signs & signals", "Luces, señales y semáforos", "🚦", 80),
    GroupSpec("vehicles", "Vehicles & parking", "Vehículos y estacionamiento", "🚗", 90),
    GroupSpec("welfare", "People & welfare", "Personas y bienestar", "🤝", 100),
)


# --- Categories -----------------------------------------------------------------------------------
CATEGORIES: tuple[CategorySpec, ...] = (
    # Streets & sidewalks
    CategorySpec(
        "pothole",
        "streets",
        "public-works-streets",
        "Pothole",
        "Bache",
        "A hole or broken pavement in the street.",
        "Un hueco o pavimento roto en la calle.",
        "hole, road, pavement, asphalt, crater, bump, street damage, bache",
        "🕳️",
        48,
        168,
        questions=(
            QuestionSpec(
                "size",
                "singlevaluelist",
                "About how big is it?",
                "¿Qué tamaño tiene, más o menos?",
                required=True,
                choices=_choices(
                    ("small", "Smaller than a dinner plate", "Más pequeño que un plato"),
                    ("medium", "About the size of a car tyre", "Del tamaño de una llanta"),
                    ("large", "Bigger than a car tyre", "Más grande que una llanta"),
                ),
            ),
            QuestionSpec(
                "position",
                "singlevaluelist",
                "Where in the street is it?",
                "¿En qué parte de la calle está?",
                choices=_choices(
                    ("lane", "In a traffic lane", "En un carril"),
                    ("crosswalk", "In a crosswalk", "En un cruce peatonal"),
                    ("bike-lane", "In a bike lane", "En un carril de bicicletas"),
                    ("curb", "Next to the curb", "Junto a la banqueta"),
                ),
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Big pothole in the right lane, cars are swerving around it.",
            "Deep pothole near the crosswalk. My tyre hit it hard this morning.",
            "Pothole keeps getting bigger after the rain.",
            "Several potholes in a row along this block, bad for bikes.",
            "Pavement is broken and sinking next to the manhole cover.",
        ),
        descriptions_es=(
            "Hay un bache grande en el carril derecho, los coches lo esquivan.",
            "Bache profundo cerca del cruce peatonal.",
        ),
    ),
    CategorySpec(
        "damaged-sidewalk",
        "streets",
        "public-works-streets",
        "Damaged sidewalk",
        "Acera dañada",
        "Cracked, raised or broken sidewalk that people could trip on.",
        "Acera rota, levantada o agrietada en la que alguien podría tropezar.",
        "sidewalk, pavement, crack, trip, uneven, roots, broken concrete, acera, banqueta",
        "🚶",
        72,
        720,
        questions=(
            QuestionSpec(
                "problem",
                "multivaluelist",
                "What is wrong with it?",
                "¿Qué problema tiene?",
                required=True,
                choices=_choices(
                    ("cracked", "Cracked", "Agrietada"),
                    ("raised", "Raised by tree roots", "Levantada por raíces"),
                    ("hole", "Hole or missing piece", "Hueco o pedazo faltante"),
                    ("stairs", "Public stairway damaged", "Escalera pública dañada"),
                ),
            ),
            QuestionSpec(
                "injury",
                "singlevaluelist",
                "Has anyone tripped or been hurt here?",
                "¿Alguien se ha tropezado o lastimado aquí?",
                choices=YES_NO_UNSURE,
            ),
        ),
        resolved_reason="repaired",
        private_property_possible=True,
        descriptions=(
            "Sidewalk slab lifted by tree roots, about 5 cm lip. Easy to trip on.",
            "Large crack across the whole sidewalk in front of the building.",
            "Missing chunk of concrete next to the driveway.",
            "Uneven sidewalk, my neighbour with a walker struggles to pass.",
        ),
        descriptions_es=("La acera está levantada por las raíces del árbol.",),
    ),
    CategorySpec(
        "curb-ramp",
        "streets",
        "public-works-streets",
        "Curb ramp problem",
        "Problema con rampa de acera",
        "A missing, broken or blocked ramp at a corner.",
        "Una rampa de esquina que falta, está rota o bloqueada.",
        "curb ramp, wheelchair, stroller, corner, accessibility, ada, rampa",
        "♿",
        72,
        720,
        questions=(
            QuestionSpec(
                "problem",
                "singlevaluelist",
                "What is the problem?",
                "¿Cuál es el problema?",
                required=True,
                choices=_choices(
                    ("missing", "There is no ramp", "No hay rampa"),
                    ("damaged", "The ramp is broken", "La rampa está rota"),
                    ("blocked", "Something blocks the ramp", "Algo bloquea la rampa"),
                    ("ponding", "Water pools at the bottom", "Se acumula agua abajo"),
                ),
            ),
            QuestionSpec(
                "corner",
                "string",
                "Which corner of the intersection?",
                "¿En qué esquina del cruce?",
                help_text="For example: north-east corner.",
                help_text_es="Por ejemplo: esquina noreste.",
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "No curb ramp on this corner, wheelchair users have to go into the street.",
            "Curb ramp is cracked and has a big gap at the bottom.",
            "Water always pools at the bottom of the ramp.",
        ),
        descriptions_es=("No hay rampa en esta esquina para sillas de ruedas.",),
    ),
    CategorySpec(
        "blocked-sidewalk",
        "streets",
        "public-works-streets",
        "Sidewalk blocked",
        "Acera bloqueada",
        "Something blocks the sidewalk so people cannot pass.",
        "Algo bloquea la acera y la gente no puede pasar.",
        "blocked, obstruction, construction, scaffolding, sidewalk, pass, acera bloqueada",
        "🚧",
        24,
        72,
        questions=(
            QuestionSpec(
                "blocked-by",
                "singlevaluelist",
                "What is blocking it?",
                "¿Qué la bloquea?",
                required=True,
                choices=_choices(
                    ("construction", "Construction or scaffolding", "Obra o andamio"),
                    ("vehicle", "A parked vehicle", "Un vehículo estacionado"),
                    ("objects", "Objects or merchandise", "Objetos o mercancía"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
            QuestionSpec(
                "fully-blocked",
                "singlevaluelist",
                "Can a wheelchair or stroller get past?",
                "¿Puede pasar una silla de ruedas o una carriola?",
                choices=YES_NO,
            ),
        ),
        descriptions=(
            "Construction fence takes the whole sidewalk, no safe way around.",
            "Car parked fully on the sidewalk every night.",
            "Shop puts its racks out and blocks the sidewalk.",
        ),
        descriptions_es=("Una obra bloquea toda la acera.",),
    ),
    CategorySpec(
        "graffiti",
        "streets",
        "public-works-streets",
        "Graffiti",
        "Grafiti",
        "Paint or tags on a wall, pole, sign or other surface.",
        "Pintura o firmas en una pared, poste, señal u otra superficie.",
        "graffiti, tag, paint, vandalism, spray, mural, grafiti, pintas",
        "🎨",
        48,
        168,
        questions=(
            QuestionSpec(
                "surface",
                "singlevaluelist",
                "Where is it painted?",
                "¿Dónde está pintado?",
                required=True,
                choices=_choices(
                    ("building", "Building wall or door", "Pared o puerta de un edificio"),
                    ("pole", "Pole or signal box", "Poste o caja de semáforo"),
                    ("mailbox", "Mailbox or newspaper rack", "Buzón o exhibidor de periódicos"),
                    ("sidewalk", "Sidewalk or street", "Acera o calle"),
                    ("other", "Somewhere else", "Otro lugar"),
                ),
            ),
            QuestionSpec(
                "offensive",
                "singlevaluelist",
                "Is it offensive or hateful?",
                "¿Es ofensivo o de odio?",
                help_text="We remove offensive graffiti first.",
                help_text_es="Quitamos primero los grafitis ofensivos.",
                choices=YES_NO,
            ),
            QuestionSpec(
                "property",
                "singlevaluelist",
                "Is it on public or private property?",
                "¿Está en propiedad pública o privada?",
                choices=_choices(
                    ("public", "Public", "Pública"),
                    ("private", "Private", "Privada"),
                    ("unsure", "Not sure", "No sé"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Fresh tags all over the side of the building.",
            "Graffiti on the signal box at the corner.",
            "Offensive words sprayed on the wall near the school.",
            "The mailbox has been tagged again.",
            "Large graffiti on the garage door, facing the street.",
        ),
        descriptions_es=(
            "Pintaron grafiti en la pared del edificio.",
            "Hay grafiti ofensivo cerca de la escuela.",
        ),
    ),
    CategorySpec(
        "illegal-posting",
        "streets",
        "public-works-streets",
        "Posters or flyers on poles",
        "Carteles o volantes en postes",
        "Posters, flyers or signs stuck on poles, signals or walls.",
        "Carteles, volantes o letreros pegados en postes, semáforos o paredes.",
        "poster, flyer, sign, sticker, posting, advertisement, cartel, volante",
        "📜",
        72,
        240,
        questions=(
            QuestionSpec(
                "where",
                "singlevaluelist",
                "Where are they posted?",
                "¿Dónde están pegados?",
                choices=_choices(
                    ("pole", "Utility or light pole", "Poste de luz o de servicios"),
                    ("signal", "Traffic signal", "Semáforo"),
                    ("wall", "Wall or fence", "Pared o cerca"),
                ),
            ),
            QuestionSpec(
                "count",
                "number",
                "About how many are there?",
                "¿Cuántos hay, más o menos?",
            ),
        ),
        descriptions=(
            "Dozens of flyers stapled to every pole on the block.",
            "Posters glued to the traffic light, covering the pedestrian button.",
            "Old event posters all over the fence.",
        ),
    ),
    # Trash & dumping
    CategorySpec(
        "illegal-dumping",
        "trash",
        "sanitation",
        "Illegal dumping",
        "Basura tirada ilegalmente",
        "Furniture, mattresses, bags or other items left on the street or sidewalk.",
        "Muebles, colchones, bolsas u otras cosas dejadas en la calle o la acera.",
        "dumping, mattress, couch, sofa, furniture, junk, bulky items, trash pile, basura, colchón",
        "🛋️",
        24,
        72,
        questions=(
            QuestionSpec(
                "items",
                "multivaluelist",
                "What was left there?",
                "¿Qué dejaron?",
                required=True,
                choices=_choices(
                    ("furniture", "Furniture", "Muebles"),
                    ("mattress", "Mattress", "Colchón"),
                    ("appliance", "Appliance", "Electrodoméstico"),
                    ("electronics", "TV or electronics", "Televisión o aparatos electrónicos"),
                    ("bags", "Bags of trash", "Bolsas de basura"),
                    ("construction", "Construction debris", "Escombros de obra"),
                    ("tires", "Tyres", "Llantas"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
            QuestionSpec(
                "blocking",
                "singlevaluelist",
                "Is it blocking the sidewalk or street?",
                "¿Está bloqueando la acera o la calle?",
                choices=YES_NO,
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Someone dumped a mattress and two chairs on the sidewalk overnight.",
            "Pile of garbage bags next to the tree, it is starting to smell.",
            "Old couch left on the corner for three days.",
            "Broken fridge and a TV left by the curb.",
            "Construction debris dumped in the alley.",
        ),
        descriptions_es=(
            "Dejaron un colchón y muebles viejos en la acera.",
            "Hay bolsas de basura tiradas en la esquina.",
        ),
    ),
    CategorySpec(
        "missed-trash-pickup",
        "trash",
        "sanitation",
        "Missed trash pickup",
        "No recogieron la basura",
        "Your trash, recycling or compost was not collected on your pickup day.",
        "No recogieron su basura, reciclaje o composta el día que tocaba.",
        "missed pickup, garbage, trash, recycling, compost, collection, bin, recolección",
        "🚛",
        24,
        48,
        questions=(
            _note(
                "bin-out-by",
                "Bins must be at the curb by 6 am on your pickup day.",
                "Los contenedores deben estar en la banqueta antes de las 6 a. m. del día de"
                " recolección.",
            ),
            QuestionSpec(
                "bin",
                "multivaluelist",
                "Which bins were missed?",
                "¿Qué contenedores no recogieron?",
                required=True,
                choices=_choices(
                    ("trash", "Trash (black)", "Basura (negro)"),
                    ("recycling", "Recycling (blue)", "Reciclaje (azul)"),
                    ("compost", "Compost (green)", "Composta (verde)"),
                ),
            ),
            QuestionSpec(
                "pickup-day",
                "datetime",
                "When should it have been picked up?",
                "¿Cuándo debían recogerla?",
            ),
        ),
        descriptions=(
            "Our recycling was not picked up this week, the whole street was skipped.",
            "Trash bin was out by 6 am and is still full.",
            "Compost missed two weeks in a row.",
        ),
        descriptions_es=("No recogieron la basura esta semana.",),
    ),
    CategorySpec(
        "street-cleaning",
        "trash",
        "sanitation",
        "Street or sidewalk needs cleaning",
        "Calle o acera sucia",
        "Litter, spills, broken glass or human waste that needs cleaning up.",
        "Basura suelta, derrames, vidrios rotos o desechos humanos que hay que limpiar.",
        "dirty, litter, glass, spill, human waste, feces, urine, sweep, clean, limpieza",
        "🧹",
        24,
        72,
        questions=(
            QuestionSpec(
                "what",
                "multivaluelist",
                "What needs cleaning?",
                "¿Qué hay que limpiar?",
                required=True,
                choices=_choices(
                    ("litter", "Litter", "Basura suelta"),
                    ("human-waste", "Human waste", "Desechos humanos"),
                    ("glass", "Broken glass", "Vidrios rotos"),
                    ("spill", "Oil, paint or other spill", "Derrame de aceite, pintura u otro"),
                    ("leaves", "Leaves or mud", "Hojas o lodo"),
                ),
            ),
        ),
        descriptions=(
            "Broken glass all over the sidewalk outside the bus stop.",
            "Lots of loose litter along the block after the weekend.",
            "Human waste in the doorway, needs steam cleaning.",
            "Oil spill across the bike lane, it is slippery.",
            "The street sweeper skipped our block again.",
        ),
        descriptions_es=(
            "Hay vidrios rotos en la acera frente a la parada.",
            "La calle está muy sucia desde el fin de semana.",
        ),
    ),
    CategorySpec(
        "overflowing-bin",
        "trash",
        "sanitation",
        "Overflowing public trash can",
        "Papelera pública desbordada",
        "A public trash can or dumpster that is full, overflowing or damaged.",
        "Una papelera pública o contenedor lleno, desbordado o dañado.",
        "trash can, bin, litter basket, overflowing, full, dumpster, papelera, bote",
        "🗑️",
        24,
        48,
        questions=(
            QuestionSpec(
                "bin-type",
                "singlevaluelist",
                "What kind of container?",
                "¿Qué tipo de contenedor?",
                choices=_choices(
                    ("public-can", "Public trash can", "Papelera pública"),
                    ("recycling", "Public recycling bin", "Contenedor público de reciclaje"),
                    ("dumpster", "Dumpster", "Contenedor grande"),
                ),
            ),
            QuestionSpec(
                "damaged",
                "singlevaluelist",
                "Is the container damaged?",
                "¿Está dañado el contenedor?",
                choices=YES_NO,
            ),
        ),
        descriptions=(
            "Trash can at the bus stop is overflowing onto the sidewalk.",
            "Public bin on the corner is full and the lid is broken.",
            "The litter basket by the park has not been emptied in days.",
        ),
        descriptions_es=("La papelera de la esquina está llena y desbordada.",),
    ),
    CategorySpec(
        "needles",
        "trash",
        "sanitation",
        "Needles or sharps",
        "Agujas o jeringas",
        "Used needles or syringes left in a public place.",
        "Agujas o jeringas usadas tiradas en un lugar público.",
        "needle, syringe, sharps, drugs, hazardous, aguja, jeringa",
        "💉",
        4,
        24,
        notice="Do not pick up needles yourself.",
        notice_es="No recoja las agujas usted mismo.",
        questions=(
            _note(
                "do-not-touch",
                "Do not touch or pick up needles. Keep children and pets away.",
                "No toque ni recoja las agujas. Mantenga alejados a los niños y las mascotas.",
            ),
            QuestionSpec(
                "count",
                "singlevaluelist",
                "How many are there?",
                "¿Cuántas hay?",
                required=True,
                choices=_choices(
                    ("one", "One", "Una"),
                    ("few", "A few (2 to 10)", "Algunas (de 2 a 10)"),
                    ("many", "Many (more than 10)", "Muchas (más de 10)"),
                ),
            ),
            QuestionSpec(
                "near",
                "singlevaluelist",
                "Is it near any of these?",
                "¿Está cerca de alguno de estos lugares?",
                choices=_choices(
                    ("playground", "Playground or school", "Parque infantil o escuela"),
                    ("park", "Park", "Parque"),
                    ("doorway", "Building doorway", "Entrada de un edificio"),
                    ("none", "None of these", "Ninguno"),
                ),
            ),
        ),
        descriptions=(
            "Two used syringes on the sidewalk next to the playground fence.",
            "Needles in the planter outside the building.",
            "Several needles near the bus shelter.",
        ),
        descriptions_es=("Hay jeringas usadas cerca del parque infantil.",),
    ),
    CategorySpec(
        "dead-animal",
        "trash",
        "sanitation",
        "Dead animal",
        "Animal muerto",
        "A dead animal on the street, sidewalk or in a park.",
        "Un animal muerto en la calle, la acera o un parque.",
        "dead animal, carcass, roadkill, dead cat, dead bird, dead rat, animal muerto",
        "🐾",
        12,
        48,
        questions=(
            _note(
                "live-animal",
                "For an injured or live animal in distress, call Animal Care & Control.",
                "Si es un animal vivo herido o en peligro, llame a Control Animal.",
            ),
            QuestionSpec(
                "animal",
                "singlevaluelist",
                "What kind of animal?",
                "¿Qué tipo de animal?",
                choices=_choices(
                    ("cat", "Cat", "Gato"),
                    ("dog", "Dog", "Perro"),
                    ("bird", "Bird", "Pájaro"),
                    ("rodent", "Rat or mouse", "Rata o ratón"),
                    ("raccoon", "Raccoon or skunk", "Mapache o zorrillo"),
                    ("other", "Other", "Otro"),
                ),
            ),
        ),
        descriptions=(
            "Dead cat in the street near the curb.",
            "Dead seagull on the sidewalk outside the cafe.",
            "Dead raccoon in the bike lane.",
        ),
        descriptions_es=("Hay un animal muerto en la calle.",),
    ),
    # Parks
    CategorySpec(
        "park-maintenance",
        "parks",
        "parks",
        "Park maintenance",
        "Mantenimiento de parque",
        "Restrooms, lawns, paths, lights, irrigation or litter in a park.",
        "Baños, pasto, senderos, luces, riego o basura en un parque.",
        "park, restroom, toilet, lawn, grass, path, bench, irrigation, sprinkler, parque",
        "⛲",
        72,
        240,
        questions=(
            QuestionSpec(
                "park-name",
                "string",
                "Which park?",
                "¿Qué parque?",
                required=True,
            ),
            QuestionSpec(
                "issue",
                "singlevaluelist",
                "What needs attention?",
                "¿Qué necesita atención?",
                required=True,
                choices=_choices(
                    ("restroom", "Restroom", "Baño"),
                    ("irrigation", "Broken sprinkler or irrigation", "Riego o aspersor roto"),
                    ("lawn", "Lawn or plants", "Pasto o plantas"),
                    ("litter", "Litter or full bins", "Basura o botes llenos"),
                    ("lighting", "Lights", "Luces"),
                    ("path", "Path, bench or fence", "Sendero, banca o cerca"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
        ),
        descriptions=(
            "The restroom by the tennis courts has been locked all week.",
            "Broken sprinkler is flooding the path.",
            "Bins in the picnic area are overflowing.",
            "Two lights along the main path are out.",
            "Bench near the entrance is broken.",
        ),
        descriptions_es=("El baño del parque está cerrado y sucio.",),
    ),
    CategorySpec(
        "playground-damage",
        "parks",
        "parks",
        "Damaged playground equipment",
        "Juegos infantiles dañados",
        "Broken, unsafe or missing playground equipment or surfacing.",
        "Juegos infantiles rotos, inseguros o piso de seguridad dañado.",
        "playground, swing, slide, climbing, play structure, kids, juegos, columpio",
        "🛝",
        24,
        168,
        questions=(
            CALL_911,
            QuestionSpec("park-name", "string", "Which park?", "¿Qué parque?", required=True),
            QuestionSpec(
                "equipment",
                "singlevaluelist",
                "What is damaged?",
                "¿Qué está dañado?",
                required=True,
                choices=_choices(
                    ("swing", "Swing", "Columpio"),
                    ("slide", "Slide", "Resbaladilla"),
                    ("climbing", "Climbing structure", "Estructura para trepar"),
                    ("surface", "Soft ground surface", "Piso de seguridad"),
                    ("fence", "Fence or gate", "Cerca o puerta"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
            QuestionSpec(
                "unsafe",
                "singlevaluelist",
                "Is it unsafe for children to use now?",
                "¿Es peligroso para los niños usarlo ahora?",
                required=True,
                choices=YES_NO_UNSURE,
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "One of the swing chains is broken and hanging.",
            "Sharp metal edge sticking out of the slide.",
            "Rubber surface under the climbing frame is torn, big holes.",
            "Playground gate does not close, kids can run into the street.",
        ),
        descriptions_es=("El columpio está roto y es peligroso para los niños.",),
    ),
    # Water & sewer
    CategorySpec(
        "water-leak",
        "water",
        "water",
        "Water leak",
        "Fuga de agua",
        "Water running or bubbling up from the street, sidewalk, hydrant or meter.",
        "Agua que corre o brota de la calle, la acera, un hidrante o un medidor.",
        "water leak, broken pipe, main break, hydrant, meter, running water, fuga",
        "🚰",
        4,
        48,
        questions=(
            QuestionSpec(
                "source",
                "singlevaluelist",
                "Where is the water coming from?",
                "¿De dónde sale el agua?",
                required=True,
                choices=_choices(
                    ("street", "The street", "La calle"),
                    ("sidewalk", "The sidewalk", "La acera"),
                    ("hydrant", "A fire hydrant", "Un hidrante"),
                    ("meter", "A water meter box", "Una caja de medidor"),
                ),
            ),
            QuestionSpec(
                "flow",
                "singlevaluelist",
                "How much water?",
                "¿Cuánta agua?",
                help_text="Gushing water can undermine the street; we treat it as urgent.",
                help_text_es="El agua a chorros puede dañar la calle; la tratamos como urgente.",
                required=True,
                choices=_choices(
                    ("trickle", "A trickle", "Un hilo de agua"),
                    ("steady", "A steady flow", "Un flujo constante"),
                    ("gushing", "Gushing", "A chorros"),
                ),
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Clean water bubbling up through a crack in the street for two days.",
            "Fire hydrant is leaking steadily onto the sidewalk.",
            "Water running down the gutter from the meter box.",
            "Looks like a water main break, water is gushing into the street.",
        ),
        descriptions_es=("Sale agua de la calle desde ayer.",),
    ),
    CategorySpec(
        "clogged-storm-drain",
        "water",
        "water",
        "Clogged storm drain",
        "Alcantarilla pluvial tapada",
        "A storm drain or catch basin blocked by leaves, trash or mud.",
        "Una coladera o alcantarilla pluvial tapada por hojas, basura o lodo.",
        "storm drain, catch basin, gutter, clogged, blocked drain, coladera, alcantarilla",
        "🌧️",
        24,
        72,
        questions=(
            QuestionSpec(
                "pooling",
                "singlevaluelist",
                "Is water pooling in the street?",
                "¿Se está acumulando agua en la calle?",
                choices=YES_NO,
            ),
            QuestionSpec(
                "blocked-by",
                "singlevaluelist",
                "What is blocking it?",
                "¿Qué la tapa?",
                choices=_choices(
                    ("leaves", "Leaves", "Hojas"),
                    ("trash", "Trash", "Basura"),
                    ("mud", "Mud or sand", "Lodo o arena"),
                    ("unsure", "Not sure", "No sé"),
                ),
            ),
        ),
        descriptions=(
            "Storm drain at the corner is covered in leaves, big puddle forming.",
            "Catch basin full of trash, water not draining.",
            "Drain blocked with mud after the last storm.",
        ),
        descriptions_es=("La coladera está tapada con hojas y se hace un charco.",),
    ),
    CategorySpec(
        "sewer-odor",
        "water",
        "water",
        "Sewer smell or backup",
        "Olor o desborde de alcantarillado",
        "A sewer smell, or sewage coming up in the street or a building.",
        "Olor a drenaje, o aguas negras que salen en la calle o un edificio.",
        "sewer, smell, odor, odour, sewage, backup, overflow, drain, drenaje, aguas negras",
        "🦨",
        8,
        48,
        questions=(
            _note(
                "avoid-contact",
                "Avoid touching sewage. If it is coming up inside your home, tell us in the"
                " description.",
                "Evite tocar las aguas negras. Si salen dentro de su casa, díganoslo en la"
                " descripción.",
            ),
            QuestionSpec(
                "issue",
                "singlevaluelist",
                "What is happening?",
                "¿Qué está pasando?",
                required=True,
                choices=_choices(
                    ("smell", "Only a smell", "Solo hay olor"),
                    ("street", "Sewage in the street", "Aguas negras en la calle"),
                    (
                        "building",
                        "Sewage backing up into a building",
                        "Aguas negras en un edificio",
                    ),
                ),
            ),
        ),
        descriptions=(
            "Strong sewer smell from the manhole, worse in the evening.",
            "Sewage coming up from the drain in front of the house.",
            "Basement toilet backing up, neighbours too, think it is the main line.",
        ),
        descriptions_es=("Hay un olor fuerte a drenaje en toda la cuadra.",),
    ),
    CategorySpec(
        "street-flooding",
        "water",
        "water",
        "Street flooding",
        "Calle inundada",
        "Water standing across the street or sidewalk after rain.",
        "Agua estancada en la calle o la acera después de la lluvia.",
        "flooding, flood, water, rain, puddle, standing water, inundación",
        "🌊",
        4,
        24,
        questions=(
            _note(
                "car-stuck",
                "If water is entering a building or someone is stuck in a car, call 911 now.",
                "Si el agua entra a un edificio o alguien quedó atrapado en un coche, llame al"
                " 911 ahora.",
            ),
            QuestionSpec(
                "depth",
                "singlevaluelist",
                "How deep is the water?",
                "¿Qué tan profunda es el agua?",
                choices=_choices(
                    ("ankle", "Up to the ankle", "Hasta el tobillo"),
                    ("knee", "Up to the knee", "Hasta la rodilla"),
                    ("deeper", "Deeper", "Más profunda"),
                ),
            ),
        ),
        descriptions=(
            "The whole intersection is flooded after the rain.",
            "Water up to the curb, cars are splashing people at the bus stop.",
            "Flooding at the bottom of the hill every time it rains.",
        ),
        descriptions_es=("La esquina está inundada después de la lluvia.",),
    ),
    # Trees & plants
    CategorySpec(
        "tree-down",
        "trees",
        "urban-forestry",
        "Tree down or fallen limb",
        "Árbol o rama caída",
        "A fallen tree or large branch, or one that is about to fall.",
        "Un árbol o una rama grande caída, o a punto de caer.",
        "tree down, fallen tree, branch, limb, storm damage, árbol caído, rama",
        "🌳",
        4,
        48,
        questions=(
            _note(
                "power-lines",
                "If the tree is touching power lines, stay at least 10 m (35 ft) away and call"
                " 911.",
                "Si el árbol toca cables eléctricos, aléjese al menos 10 m y llame al 911.",
            ),
            QuestionSpec(
                "what",
                "singlevaluelist",
                "What fell?",
                "¿Qué se cayó?",
                required=True,
                choices=_choices(
                    ("whole-tree", "A whole tree", "Un árbol entero"),
                    ("large-limb", "A large branch", "Una rama grande"),
                    ("small-branches", "Small branches", "Ramas pequeñas"),
                    ("hanging", "A branch is hanging and may fall", "Una rama cuelga y puede caer"),
                ),
            ),
            QuestionSpec(
                "blocking",
                "multivaluelist",
                "What is it blocking?",
                "¿Qué está bloqueando?",
                choices=_choices(
                    ("street", "The street", "La calle"),
                    ("sidewalk", "The sidewalk", "La acera"),
                    ("driveway", "A driveway", "Una entrada de garaje"),
                    ("vehicle", "It fell on a vehicle", "Cayó sobre un vehículo"),
                    ("nothing", "Nothing", "Nada"),
                ),
            ),
        ),
        descriptions=(
            "Large branch came down in the wind and is blocking half the street.",
            "Whole street tree fell over onto a parked car.",
            "Big limb is cracked and hanging over the sidewalk.",
            "Branches all over the sidewalk after the storm.",
        ),
        descriptions_es=("Se cayó una rama grande y bloquea la calle.",),
    ),
    CategorySpec(
        "tree-pruning",
        "trees",
        "urban-forestry",
        "Tree needs pruning",
        "Árbol necesita poda",
        "A street tree with low, dead or overgrown branches.",
        "Un árbol de la calle con ramas bajas, secas o demasiado crecidas.",
        "tree, prune, trim, branches, overgrown, dead tree, poda, podar",
        "✂️",
        72,
        1440,
        questions=(
            QuestionSpec(
                "reason",
                "singlevaluelist",
                "Why does it need pruning?",
                "¿Por qué necesita poda?",
                required=True,
                choices=_choices(
                    ("low", "Branches too low over sidewalk or street", "Ramas muy bajas"),
                    ("light", "Blocking a streetlight", "Tapa una farola"),
                    ("building", "Touching a building", "Toca un edificio"),
                    ("dead", "Dead branches", "Ramas secas"),
                    ("other", "Other", "Otro"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Branches hang so low over the sidewalk that people have to duck.",
            "Street tree is covering the streetlight, the block is very dark.",
            "Tree looks dead, lots of dry branches.",
            "Branches rubbing against our windows.",
        ),
        descriptions_es=("Las ramas del árbol están muy bajas sobre la acera.",),
    ),
    CategorySpec(
        "overgrown-weeds",
        "trees",
        "urban-forestry",
        "Overgrown weeds",
        "Maleza crecida",
        "Weeds or plants overgrowing a sidewalk, median, tree basin or vacant lot.",
        "Maleza o plantas que invaden una acera, camellón, cajete de árbol o lote baldío.",
        "weeds, overgrown, grass, vegetation, vacant lot, bushes, maleza, hierba",
        "🌿",
        72,
        336,
        questions=(
            QuestionSpec(
                "where",
                "singlevaluelist",
                "Where are the weeds?",
                "¿Dónde está la maleza?",
                required=True,
                choices=_choices(
                    ("sidewalk", "Along the sidewalk", "Sobre la acera"),
                    ("median", "Median or traffic island", "Camellón o isleta"),
                    ("tree-basin", "Tree basin", "Cajete de árbol"),
                    ("vacant-lot", "Vacant lot", "Lote baldío"),
                ),
            ),
            QuestionSpec(
                "height",
                "singlevaluelist",
                "How tall are they?",
                "¿Qué altura tiene?",
                choices=_choices(
                    ("knee", "Knee-high", "A la rodilla"),
                    ("waist", "Waist-high", "A la cintura"),
                    ("taller", "Taller", "Más alta"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Weeds on the median are knee-high, hard to see oncoming cars.",
            "Vacant lot completely overgrown, full of dry grass.",
            "Bushes growing over half the sidewalk.",
        ),
        descriptions_es=("La maleza del lote baldío está muy alta.",),
    ),
    # Noise
    CategorySpec(
        "noise-complaint",
        "noise",
        "police-non-emergency",
        "Noise complaint",
        "Queja por ruido",
        "Loud music, parties, alarms or other ongoing noise.",
        "Música fuerte, fiestas, alarmas u otro ruido constante.",
        "noise, loud, music, party, alarm, barking, neighbours, ruido, fiesta",
        "🔊",
        2,
        24,
        questions=(
            CALL_911,
            QuestionSpec(
                "source",
                "singlevaluelist",
                "What is making the noise?",
                "¿Qué está haciendo el ruido?",
                required=True,
                choices=_choices(
                    ("party", "A party or gathering", "Una fiesta o reunión"),
                    ("music", "Amplified music", "Música amplificada"),
                    ("alarm", "Car or building alarm", "Alarma de coche o edificio"),
                    ("business", "A business or bar", "Un negocio o bar"),
                    ("animal", "Animals", "Animales"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
            QuestionSpec(
                "now",
                "singlevaluelist",
                "Is it happening now?",
                "¿Está pasando ahora?",
                choices=YES_NO,
            ),
            QuestionSpec(
                "started",
                "datetime",
                "When did it start?",
                "¿Cuándo empezó?",
            ),
        ),
        descriptions=(
            "Loud music from the apartment upstairs every night past midnight.",
            "Car alarm going off for over an hour.",
            "Bar on the corner plays music very loud until 2 am.",
            "Party with amplified music in the backyard.",
        ),
        descriptions_es=(
            "Música muy fuerte todas las noches después de medianoche.",
            "Una alarma de coche lleva más de una hora sonando.",
        ),
    ),
    CategorySpec(
        "construction-noise",
        "noise",
        "code-enforcement",
        "Construction noise after hours",
        "Ruido de obra fuera de horario",
        "Construction work making noise early in the morning, late at night or on weekends.",
        "Obras que hacen ruido muy temprano, de noche o en fin de semana.",
        "construction, noise, jackhammer, early, night, weekend, permit, obra, ruido",
        "🏗️",
        24,
        120,
        questions=(
            QuestionSpec(
                "when",
                "singlevaluelist",
                "When does it happen?",
                "¿Cuándo sucede?",
                required=True,
                choices=_choices(
                    ("early", "Before 7 am", "Antes de las 7 a. m."),
                    ("night", "After 8 pm", "Después de las 8 p. m."),
                    ("weekend", "On weekends", "En fin de semana"),
                ),
            ),
            QuestionSpec(
                "site",
                "string",
                "Address or name of the construction site, if different",
                "Dirección o nombre de la obra, si es otra",
            ),
        ),
        descriptions=(
            "Jackhammering started at 6 am on a Sunday.",
            "Construction crew working with lights and saws until 10 pm.",
            "Concrete trucks idling and beeping before 7 every day.",
        ),
        descriptions_es=("La obra empieza a hacer ruido a las 6 de la mañana.",),
    ),
    # Code enforcement
    CategorySpec(
        "housing-conditions",
        "code",
        "code-enforcement",
        "Problem in a rental home",
        "Problema en una vivienda de alquiler",
        "No heat or hot water, mould, pests, leaks or unsafe conditions in a rental.",
        "Sin calefacción o agua caliente, moho, plagas, goteras o condiciones inseguras.",
        "landlord, rental, heat, hot water, mould, mold, pests, leak, tenant, inquilino, casero",
        "🏠",
        48,
        720,
        questions=(
            QuestionSpec(
                "issue",
                "multivaluelist",
                "What is wrong?",
                "¿Qué problema hay?",
                required=True,
                choices=_choices(
                    ("no-heat", "No heat", "Sin calefacción"),
                    ("no-hot-water", "No hot water", "Sin agua caliente"),
                    ("mould", "Mould", "Moho"),
                    ("pests", "Pests or bed bugs", "Plagas o chinches"),
                    ("leaks", "Leaks", "Goteras"),
                    ("unsafe", "Unsafe stairs, exits or wiring", "Escaleras, salidas o cables"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
            QuestionSpec(
                "unit",
                "string",
                "Unit or apartment number",
                "Número de unidad o departamento",
            ),
            QuestionSpec(
                "told-landlord",
                "singlevaluelist",
                "Have you told the landlord or manager?",
                "¿Le avisó al casero o administrador?",
                choices=YES_NO,
            ),
        ),
        descriptions=(
            "No heat in our apartment for two weeks, landlord does not answer.",
            "Black mould in the bathroom and bedroom, leak from upstairs.",
            "Mice in the kitchen and hallway, building manager refuses to call pest control.",
            "Back stairs are rotten and one step is missing.",
        ),
        descriptions_es=(
            "No tenemos agua caliente desde hace una semana y el casero no responde.",
            "Hay moho en el baño por una gotera.",
        ),
    ),
    CategorySpec(
        "rodents",
        "code",
        "code-enforcement",
        "Rats or rodents",
        "Ratas o roedores",
        "Rats or mice seen outside, around a business or in a building's common areas.",
        "Ratas o ratones vistos afuera, cerca de un negocio o en áreas comunes de un edificio.",
        "rats, mice, rodents, burrows, droppings, infestation, ratas, ratones",
        "🐀",
        72,
        336,
        questions=(
            QuestionSpec(
                "where",
                "singlevaluelist",
                "Where did you see them?",
                "¿Dónde los vio?",
                required=True,
                choices=_choices(
                    ("outdoors", "Street, sidewalk or park", "Calle, acera o parque"),
                    (
                        "restaurant",
                        "Restaurant or food business",
                        "Restaurante o negocio de comida",
                    ),
                    ("building", "Building common areas", "Áreas comunes de un edificio"),
                    ("vacant-lot", "Vacant lot", "Lote baldío"),
                ),
            ),
            QuestionSpec(
                "signs",
                "multivaluelist",
                "What did you see?",
                "¿Qué vio?",
                choices=_choices(
                    ("rats", "Live rats or mice", "Ratas o ratones vivos"),
                    ("burrows", "Burrows", "Madrigueras"),
                    ("droppings", "Droppings", "Excremento"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Rats running in and out of burrows in the tree basin every evening.",
            "Lots of rats behind the restaurant dumpsters.",
            "Droppings all over the garbage room of our building.",
        ),
        descriptions_es=("Hay muchas ratas detrás de los contenedores del restaurante.",),
    ),
    CategorySpec(
        "vacant-building",
        "code",
        "code-enforcement",
        "Unsafe or open vacant building",
        "Edificio vacío abierto o inseguro",
        "A vacant building that is open, damaged, full of trash or being entered.",
        "Un edificio vacío abierto, dañado, lleno de basura o al que entra gente.",
        "vacant, abandoned building, boarded, squatters, broken windows, blight, edificio vacío",
        "🏚️",
        72,
        720,
        questions=(
            CALL_911,
            QuestionSpec(
                "issue",
                "multivaluelist",
                "What is the problem?",
                "¿Cuál es el problema?",
                required=True,
                choices=_choices(
                    ("open", "Doors or windows open", "Puertas o ventanas abiertas"),
                    ("broken", "Broken windows", "Ventanas rotas"),
                    ("trash", "Trash piling up", "Basura acumulada"),
                    ("people", "People going in", "Entra gente"),
                    ("fire", "Fire damage", "Daños por incendio"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Vacant house with the front door wide open for weeks.",
            "Boarded-up building, boards pulled off, trash piling up in the yard.",
            "Empty storefront with broken windows.",
        ),
        descriptions_es=("La casa vacía tiene la puerta abierta desde hace semanas.",),
    ),
    # Lights, signs & signals
    CategorySpec(
        "streetlight-out",
        "lights",
        "street-lighting",
        "Streetlight out",
        "Farola apagada",
        "A streetlight that is out, flickering, dim or on during the day.",
        "Una farola apagada, parpadeando, con poca luz o prendida de día.",
        "streetlight, street light, lamp, dark, flickering, light out, farola, alumbrado",
        "💡",
        48,
        168,
        questions=(
            QuestionSpec(
                "problem",
                "singlevaluelist",
                "What is wrong with the light?",
                "¿Qué le pasa a la luz?",
                required=True,
                choices=_choices(
                    ("out", "It is out", "Está apagada"),
                    ("flickering", "It flickers on and off", "Parpadea"),
                    ("day-burning", "It is on during the day", "Está prendida de día"),
                    ("dim", "It is very dim", "Da muy poca luz"),
                    ("pole", "The pole is damaged or leaning", "El poste está dañado o inclinado"),
                ),
            ),
            QuestionSpec(
                "pole-number",
                "string",
                "Pole number, if you can see one",
                "Número del poste, si lo ve",
                help_text="Usually on a small metal tag at eye level.",
                help_text_es="Suele estar en una placa de metal a la altura de los ojos.",
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Streetlight in front of number 40 has been out for a week, the block is very dark.",
            "Light keeps flickering on and off all night.",
            "Two lights out in a row near the bus stop.",
            "This light stays on all day.",
        ),
        descriptions_es=(
            "La farola está apagada desde hace una semana.",
            "La luz de la calle parpadea toda la noche.",
        ),
    ),
    CategorySpec(
        "traffic-signal-out",
        "lights",
        "traffic",
        "Traffic signal out or stuck",
        "Semáforo apagado o atascado",
        "A traffic or pedestrian signal that is dark, stuck, flashing or damaged.",
        "Un semáforo vehicular o peatonal apagado, atascado, intermitente o dañado.",
        "traffic light, signal, stoplight, dark, stuck, flashing, walk button, semáforo",
        "🚦",
        2,
        24,
        notice="Treat a dark signal as an all-way stop. If there has been a crash, call 911.",
        notice_es="Un semáforo apagado es un alto en todas direcciones. Si hubo un choque, llame"
        " al 911.",
        questions=(
            QuestionSpec(
                "problem",
                "singlevaluelist",
                "What is the signal doing?",
                "¿Qué hace el semáforo?",
                required=True,
                choices=_choices(
                    ("dark", "It is completely dark", "Está completamente apagado"),
                    ("stuck", "It is stuck on one colour", "Se quedó en un color"),
                    ("flashing", "It is flashing", "Está intermitente"),
                    ("damaged", "It is knocked down or turned", "Está caído o girado"),
                    ("walk-button", "The walk button does not work", "El botón peatonal no sirve"),
                ),
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Traffic signal is completely dark at this intersection.",
            "Light is stuck on red in one direction, cars are running it.",
            "Pedestrian button is broken, the walk signal never comes on.",
            "Signal head was hit and is turned the wrong way.",
        ),
        descriptions_es=("El semáforo está apagado en este cruce.",),
    ),
    CategorySpec(
        "sign-damaged",
        "lights",
        "traffic",
        "Damaged or missing street sign",
        "Señal de tránsito dañada o faltante",
        "A stop, street-name, parking or other sign that is missing, knocked down or defaced.",
        "Una señal de alto, de nombre de calle, de estacionamiento u otra que falta o está dañada.",
        "sign, stop sign, street name, parking sign, knocked down, bent, faded, señal, letrero",
        "🪧",
        48,
        240,
        questions=(
            QuestionSpec(
                "sign-type",
                "singlevaluelist",
                "Which sign?",
                "¿Qué señal?",
                required=True,
                choices=_choices(
                    ("stop", "Stop or yield", "Alto o ceda el paso"),
                    ("street-name", "Street name", "Nombre de calle"),
                    ("parking", "Parking or street cleaning", "Estacionamiento o limpieza"),
                    ("speed", "Speed limit", "Límite de velocidad"),
                    ("other", "Other", "Otra"),
                ),
            ),
            QuestionSpec(
                "problem",
                "singlevaluelist",
                "What happened to it?",
                "¿Qué le pasó?",
                required=True,
                choices=_choices(
                    ("missing", "Missing", "Falta"),
                    ("down", "Knocked down", "Está tirada"),
                    ("bent", "Bent or turned", "Doblada o girada"),
                    ("faded", "Faded", "Despintada"),
                    ("defaced", "Graffiti or stickers", "Grafiti o calcomanías"),
                ),
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Stop sign knocked down at the corner, drivers are not stopping.",
            "Street name sign is missing.",
            "Parking sign is bent and turned to face the wrong way.",
            "Stop sign covered in stickers, hard to read.",
        ),
        descriptions_es=("Se cayó la señal de alto de la esquina.",),
    ),
    CategorySpec(
        "blocked-stop-sign",
        "lights",
        "urban-forestry",
        "Sign blocked by trees or bushes",
        "Señal tapada por ramas o arbustos",
        "A stop sign or other traffic sign hidden by branches, bushes or vines.",
        "Una señal de alto u otra señal de tránsito tapada por ramas, arbustos o enredaderas.",
        "stop sign, hidden, blocked, vegetation, branches, bushes, visibility, señal tapada",
        "🛑",
        24,
        168,
        questions=(
            QuestionSpec(
                "sign-type",
                "singlevaluelist",
                "Which sign is blocked?",
                "¿Qué señal está tapada?",
                required=True,
                choices=_choices(
                    ("stop", "Stop sign", "Señal de alto"),
                    ("yield", "Yield sign", "Ceda el paso"),
                    ("signal", "Traffic signal", "Semáforo"),
                    ("other", "Another sign", "Otra señal"),
                ),
            ),
            QuestionSpec(
                "blocked-by",
                "singlevaluelist",
                "What is covering it?",
                "¿Qué la tapa?",
                choices=_choices(
                    ("tree", "Tree branches", "Ramas de árbol"),
                    ("bush", "Bushes or hedge", "Arbustos o seto"),
                    ("vine", "Vines", "Enredadera"),
                ),
            ),
        ),
        private_property_possible=True,
        descriptions=(
            "Stop sign completely hidden by tree branches until you are at the corner.",
            "Hedge has grown over the yield sign.",
            "Can't see the stop sign coming down the hill, branches in front of it.",
        ),
        descriptions_es=("Las ramas tapan la señal de alto.",),
    ),
    CategorySpec(
        "dangerous-wires",
        "lights",
        "street-lighting",
        "Hanging or exposed wires",
        "Cables colgando o expuestos",
        "Low-hanging cables, or exposed wiring at a light pole or pull box.",
        "Cables que cuelgan muy bajo, o cables expuestos en un poste o registro.",
        "wires, cable, hanging, exposed, pull box, utility line, cables",
        "⚡",
        4,
        24,
        notice="If a wire is down, sparking or on the ground, stay at least 10 m (35 ft) away"
        " and call 911.",
        notice_es="Si un cable está caído, echa chispas o toca el suelo, aléjese al menos 10 m y"
        " llame al 911.",
        questions=(
            CALL_911,
            QuestionSpec(
                "what",
                "singlevaluelist",
                "What do you see?",
                "¿Qué ve?",
                required=True,
                choices=_choices(
                    ("hanging", "Cables hanging low", "Cables colgando muy bajo"),
                    ("exposed", "Exposed wires at a pole or box", "Cables expuestos en un poste"),
                    ("open-box", "Open or missing cover on a pull box", "Registro sin tapa"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
        ),
        descriptions=(
            "Cable hanging low across the sidewalk, people could walk into it.",
            "Pull box cover missing at the base of the light pole, wires exposed.",
            "Wires sticking out of the open panel on the streetlight pole.",
        ),
        descriptions_es=("Hay cables colgando muy bajo sobre la acera.",),
    ),
    CategorySpec(
        "gas-leak-live-wire",
        "lights",
        "street-lighting",
        "Gas leak or downed live wire",
        "Fuga de gas o cable eléctrico caído",
        "Smell of gas, or a power line down or sparking. This is an emergency.",
        "Olor a gas, o un cable de luz caído o echando chispas. Es una emergencia.",
        "gas, gas leak, smell of gas, power line, live wire, sparking, electricity, emergency",
        "🔥",
        1,
        4,
        online_submission_allowed=False,
        offline_message="Gas leak or downed live wire: get away from it and call 911 now, then"
        " PG&E at 1-800-743-5000. Do not report it online; we cannot respond fast enough.",
        offline_message_es="Fuga de gas o cable eléctrico caído: aléjese y llame al 911 ahora, y"
        " después a PG&E al 1-800-743-5000. No lo reporte en línea; no podemos responder a"
        " tiempo.",
        questions=(CALL_911,),
    ),
    # Vehicles & parking
    CategorySpec(
        "abandoned-vehicle",
        "vehicles",
        "police-non-emergency",
        "Abandoned vehicle",
        "Vehículo abandonado",
        "A vehicle parked in the same place for more than 72 hours or clearly abandoned.",
        "Un vehículo estacionado en el mismo lugar por más de 72 horas o claramente abandonado.",
        "abandoned car, vehicle, 72 hours, junk car, flat tyres, rv, camper, coche abandonado",
        "🚗",
        48,
        168,
        questions=(
            QuestionSpec(
                "vehicle-type",
                "singlevaluelist",
                "What kind of vehicle?",
                "¿Qué tipo de vehículo?",
                required=True,
                choices=_choices(
                    ("car", "Car", "Coche"),
                    ("truck", "Pickup or van", "Camioneta"),
                    ("motorcycle", "Motorcycle or scooter", "Motocicleta"),
                    ("rv", "RV or camper", "Casa rodante"),
                    ("trailer", "Trailer", "Remolque"),
                ),
            ),
            QuestionSpec(
                "plate",
                "string",
                "Licence plate (if any)",
                "Placa (si tiene)",
            ),
            QuestionSpec(
                "days",
                "number",
                "About how many days has it been there?",
                "¿Cuántos días lleva ahí, más o menos?",
                help_text="Vehicles may not stay parked on the street for more than 72 hours.",
                help_text_es="Los vehículos no pueden quedarse en la calle más de 72 horas.",
                required=True,
            ),
        ),
        descriptions=(
            "Car with flat tyres has not moved in three weeks.",
            "Van with broken windows parked here for over a month.",
            "Motorcycle covered in dust, no plate, been here since last month.",
            "Old sedan with expired registration, parking tickets piling up.",
        ),
        descriptions_es=(
            "Hay un coche con las llantas ponchadas que no se mueve desde hace semanas.",
        ),
    ),
    CategorySpec(
        "blocked-driveway",
        "vehicles",
        "police-non-emergency",
        "Blocked driveway",
        "Entrada de garaje bloqueada",
        "A vehicle blocking a driveway or garage so you cannot get in or out.",
        "Un vehículo que bloquea una entrada de garaje y no puede entrar ni salir.",
        "blocked driveway, garage, parked car, tow, entrada bloqueada, cochera",
        "🚙",
        1,
        8,
        questions=(
            QuestionSpec("plate", "string", "Licence plate", "Placa", required=True),
            QuestionSpec(
                "resident",
                "singlevaluelist",
                "Do you live or work at this address?",
                "¿Vive o trabaja en esta dirección?",
                choices=YES_NO,
            ),
        ),
        descriptions=(
            "Silver car blocking my garage, I cannot get out for work.",
            "Truck parked across the driveway for two hours.",
            "Someone parks in front of our driveway every evening.",
        ),
        descriptions_es=("Un coche está bloqueando la entrada de mi garaje.",),
    ),
    CategorySpec(
        "parking-meter",
        "vehicles",
        "traffic",
        "Broken parking meter",
        "Parquímetro descompuesto",
        "A parking meter or pay station that does not work or is damaged.",
        "Un parquímetro o máquina de pago que no funciona o está dañado.",
        "parking meter, pay station, meter broken, card reader, coins, parquímetro",
        "🅿️",
        48,
        168,
        questions=(
            QuestionSpec(
                "meter-number",
                "string",
                "Meter number",
                "Número del parquímetro",
                help_text="Printed on a sticker on the front of the meter.",
                help_text_es="Está en una etiqueta al frente del parquímetro.",
                required=True,
            ),
            QuestionSpec(
                "problem",
                "singlevaluelist",
                "What is wrong?",
                "¿Qué falla?",
                choices=_choices(
                    ("no-display", "Screen is blank", "La pantalla está en blanco"),
                    ("no-payment", "Does not take payment", "No acepta pagos"),
                    ("card", "Card reader broken", "El lector de tarjetas no sirve"),
                    ("damaged", "Damaged or vandalised", "Dañado o vandalizado"),
                ),
            ),
        ),
        resolved_reason="repaired",
        descriptions=(
            "Meter screen is blank and it will not take coins or cards.",
            "Card reader broken on the pay station, coins only.",
            "Parking meter head smashed.",
        ),
        descriptions_es=("El parquímetro no acepta tarjetas ni monedas.",),
    ),
    # People & welfare
    CategorySpec(
        "encampment-welfare-check",
        "welfare",
        "homeless-outreach",
        "Encampment or welfare check",
        "Campamento o revisión de bienestar",
        "Someone living outside who may need help, or an encampment blocking the way.",
        "Alguien que vive en la calle y puede necesitar ayuda, o un campamento que bloquea el"
        " paso.",
        "homeless, encampment, tent, welfare check, outreach, unhoused, campamento, ayuda",
        "🤝",
        4,
        72,
        notice="If someone is unresponsive or in danger, call 911 now.",
        notice_es="Si alguien no responde o está en peligro, llame al 911 ahora.",
        questions=(
            CALL_911,
            QuestionSpec(
                "people",
                "singlevaluelist",
                "How many people?",
                "¿Cuántas personas?",
                choices=_choices(
                    ("one", "One", "Una"),
                    ("few", "A few", "Algunas"),
                    ("many", "Many", "Muchas"),
                ),
            ),
            QuestionSpec(
                "need",
                "singlevaluelist",
                "What is the main concern?",
                "¿Cuál es la principal preocupación?",
                required=True,
                choices=_choices(
                    ("welfare", "Someone may need help", "Alguien puede necesitar ayuda"),
                    ("blocking", "Tents block the sidewalk", "Las tiendas bloquean la acera"),
                    ("other", "Something else", "Otra cosa"),
                ),
            ),
        ),
        descriptions=(
            "Older man sleeping in the doorway, did not respond much, may need help.",
            "Three tents blocking the sidewalk, wheelchairs cannot pass.",
            "Woman with a small child living in a car on this block, may need services.",
        ),
        descriptions_es=("Hay una persona durmiendo en la entrada que puede necesitar ayuda.",),
    ),
)


# --- Closure reasons ------------------------------------------------------------------------------
CLOSURE_REASONS: tuple[ClosureReasonSpec, ...] = (
    ClosureReasonSpec(
        "repaired",
        "Repaired",
        "We repaired the problem. Thank you for reporting it.",
        "Reparamos el problema. Gracias por avisarnos.",
    ),
    ClosureReasonSpec(
        "completed",
        "Completed",
        "The work is done. Thank you for reporting it.",
        "El trabajo está hecho. Gracias por avisarnos.",
    ),
    ClosureReasonSpec(
        "no_problem_found",
        "No problem found",
        "We inspected and found no problem — please add a photo if it is still there.",
        "Lo revisamos y no encontramos ningún problema. Si sigue ahí, agregue una foto, por favor.",
    ),
    ClosureReasonSpec(
        "referred",
        "Referred",
        "Referred to another agency.",
        "Lo remitimos a otra agencia.",
    ),
    ClosureReasonSpec(
        "private_property",
        "Private property",
        "Private property — notice issued to the owner.",
        "Propiedad privada: se notificó al propietario.",
    ),
    ClosureReasonSpec(
        "duplicate",
        "Duplicate",
        "This problem was already reported; we are tracking it in the earlier request.",
        "Este problema ya se había reportado; le damos seguimiento en la solicitud anterior.",
    ),
    ClosureReasonSpec(
        "not_actionable",
        "Not actionable",
        "We could not act on this request: it lacked the details we need, or it is not"
        " something the city handles.",
        "No pudimos atender esta solicitud: faltaban datos o no es algo que atienda la ciudad.",
    ),
)


# --- Areas (files in DATA_DIR) --------------------------------------------------------------------
AREA_IMPORTS: tuple[AreaImportSpec, ...] = (
    AreaImportSpec("neighbourhoods.geojson", "boundary", "San Francisco", dissolve_all=True),
    AreaImportSpec(
        "neighbourhoods.geojson",
        "neighbourhood",
        "Analysis neighbourhoods",
        dissolve_by="nhood",
        code_field="nhood",
    ),
    AreaImportSpec(
        "wards.geojson",
        "ward",
        "Supervisor districts (approximate)",
        name_field="name",
        code_field="code",
    ),
)


# --- Mapping the SF 311 sample (data/demo_city/cases.csv) to our categories -----------------------
# Rules in order, first match wins: (SF Category, text in Request.Type, text in Request.Details,
# our category code). An empty string matches anything. Categories the demo has no analogue for
# (MUNI feedback, temporary signs, tax questions...) map to nothing and are not used.
SF_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("", "", "Needles", "needles"),
    ("Street and Sidewalk Cleaning", "Illegal Encampment", "", "encampment-welfare-check"),
    ("Street and Sidewalk Cleaning", "Illegal_Dumping", "", "illegal-dumping"),
    ("Street and Sidewalk Cleaning", "Bulky Items", "", "illegal-dumping"),
    ("Street and Sidewalk Cleaning", "Overflowing", "", "overflowing-bin"),
    ("Street and Sidewalk Cleaning", "garbage_can_overflowing", "", "overflowing-bin"),
    ("Street and Sidewalk Cleaning", "", "Mattress", "illegal-dumping"),
    ("Street and Sidewalk Cleaning", "", "Furniture", "illegal-dumping"),
    ("Damaged Property", "Parking_Meter", "", "parking-meter"),
    ("Damaged Property", "Traffic_Signal", "", "traffic-signal-out"),
    ("Sewer Issues", "Flooding", "", "street-flooding"),
    ("Sewer Issues", "Water", "", "water-leak"),
    ("Streetlights", "Wires_Exposed", "", "dangerous-wires"),
    ("Tree Maintenance", "Damaged_Tree", "", "tree-down"),
    ("Tree Maintenance", "", "Blocking_signs", "blocked-stop-sign"),
    ("Tree Maintenance", "", "Blocking_traffic_signal", "blocked-stop-sign"),
    ("Tree Maintenance", "", "Shrubbery_blocking_visibility", "blocked-stop-sign"),
    ("Tree Maintenance", "", "eeding", "overgrown-weeds"),
    ("Sign Repair", "", "Not_Visible", "blocked-stop-sign"),
    ("Rec and Park Requests", "", "Playground", "playground-damage"),
    ("Rec and Park Requests", "", "Recreation_Equipment", "playground-damage"),
    ("Rec and Park Requests", "UrbanForestry", "", "tree-pruning"),
    ("Sidewalk or Curb", "Curb_Ramp", "", "curb-ramp"),
    ("Blocked Street or SideWalk", "Parking", "", "blocked-driveway"),
    ("Noise Report", "construction", "", "construction-noise"),
    ("Residential Building Request", "Rodent", "", "rodents"),
    ("General Requests", "dpw - bses", "", "street-cleaning"),
    ("General Requests", "dpw - bsm", "", "damaged-sidewalk"),
    ("General Requests", "dpw - buf", "", "tree-pruning"),
    ("General Requests", "puc - water", "", "water-leak"),
    ("General Requests", "puc - sewer", "", "sewer-odor"),
    ("General Requests", "puc - electric", "", "streetlight-out"),
    ("General Requests", "sign_shop", "", "sign-damaged"),
    ("General Requests", "traffic_engineering", "", "sign-damaged"),
    ("General Requests", "parking_enforcement", "", "blocked-driveway"),
    ("General Requests", "homeless_concerns", "", "encampment-welfare-check"),
    ("General Requests", "animal_care_control", "", "dead-animal"),
    ("General Requests", "environmental_health", "", "rodents"),
    ("General Requests", "building_inspection", "", "housing-conditions"),
    ("General Requests", "entertainment_commission", "", "noise-complaint"),
    ("General Requests", "rpd", "", "park-maintenance"),
    ("311 External Request", "Graffiti", "", "graffiti"),
    ("311 External Request", "Garbage", "", "illegal-dumping"),
    ("311 External Request", "Wires", "", "dangerous-wires"),
    ("311 External Request", "Waste", "", "street-cleaning"),
    ("311 External Request", "Posting", "", "illegal-posting"),
)
# Fallback by SF category (its "group") when no rule matched.
SF_CATEGORY_FALLBACK: dict[str, str] = {
    "Street and Sidewalk Cleaning": "street-cleaning",
    "Graffiti Public Property": "graffiti",
    "Graffiti Private Property": "graffiti",
    "Abandoned Vehicle": "abandoned-vehicle",
    "Sewer Issues": "sewer-odor",
    "Streetlights": "streetlight-out",
    "Street Defects": "pothole",
    "Tree Maintenance": "tree-pruning",
    "Sign Repair": "sign-damaged",
    "Litter Receptacles": "overflowing-bin",
    "Illegal Postings": "illegal-posting",
    "Rec and Park Requests": "park-maintenance",
    "Sidewalk or Curb": "damaged-sidewalk",
    "Blocked Street or SideWalk": "blocked-sidewalk",
    "Catch Basin Maintenance": "clogged-storm-drain",
    "Noise Report": "noise-complaint",
    "Residential Building Request": "housing-conditions",
    "SFHA Requests": "housing-conditions",
}


def sf_case_category(category: str, request_type: str, details: str) -> str | None:
    """Our category code for an SF 311 case, or None when the demo has no analogue."""
    for sf_category, type_part, details_part, code in SF_RULES:
        if (
            (not sf_category or sf_category == category)
            and (not type_part or type_part in request_type)
            and (not details_part or details_part in details)
        ):
            return code
    return SF_CATEGORY_FALLBACK.get(category)


# How the SF sample's intake sources become our channels (weights), shifted towards the web.
SF_SOURCE_CHANNELS: dict[str, dict[str, int]] = {
    "Voice In": {"phone": 55, "web": 30, "walk_in": 8, "email": 7},
    "Open311": {"api": 55, "sms": 30, "web": 15},
    "Web Self Service": {"web": 100},
    "Integrated Agency": {"api": 100},
    "Twitter": {"sms": 100},
    "e-mail In": {"email": 100},
    "Mail In": {"walk_in": 100},
}
DEFAULT_CHANNELS: dict[str, int] = {"web": 45, "phone": 30, "sms": 8, "api": 8, "email": 5}


# --- Text for the seeded history ------------------------------------------------------------------
DESCRIPTION_ENDINGS = (
    "",
    "",
    "",
    " It has been like this for about a week.",
    " Please fix soon, thank you.",
    " This is not the first time.",
    " It gets worse at night.",
    " Thanks!",
)
STAFF_COMMENTS = (
    "Thanks for your report. A crew has been scheduled.",
    "Our crew is on the way.",
    "This needs a specialist crew; we expect to get to it within the week.",
    "We have ordered the parts needed for the repair.",
    "The work is scheduled for the next few days.",
    "We looked at this today and will be back with the right equipment.",
)
WAITING_COMMENT = (
    "We could not find the problem at this location. Can you add the nearest cross street or a"
    " photo?"
)
INTERNAL_NOTES = (
    "Assigned to crew 3.",
    "Assigned to crew 7.",
    "Needs the large truck; added to tomorrow's route.",
    "Called the resident, no answer. Left a voicemail.",
    "Checked the location on the map; matches an earlier complaint on this block.",
    "Parts on order.",
    "Supervisor reviewed: priority kept as normal.",
    "Crew lead says access is tricky; bring cones.",
)
ONSITE_MESSAGES = (
    "Crew visited the site.",
    "Crew visited the site and assessed the work needed.",
    "Inspector visited the site.",
)
FIRST_NAMES = (
    "Maria", "James", "Wei", "Aisha", "Carlos", "Emily", "Nguyen", "Fatima", "David", "Sofia",
    "Michael", "Priya", "Luis", "Grace", "Kenji", "Ana", "Robert", "Mei", "Jose", "Hannah",
    "Omar", "Linda", "Diego", "Chloe", "Samuel", "Rosa", "Daniel", "Yuki", "Elena", "Marcus",
    "Lucia", "Tom", "Amara", "Jorge", "Sarah", "Min-jun", "Isabel", "Kevin", "Leila", "Miguel",
)  # fmt: skip
LAST_NAMES = (
    "Garcia", "Smith", "Chen", "Nguyen", "Rodriguez", "Johnson", "Wong", "Lopez", "Williams",
    "Kim", "Martinez", "Brown", "Lee", "Hernandez", "Jones", "Patel", "Gonzalez", "Davis",
    "Tanaka", "Flores", "Miller", "Liu", "Ramirez", "Wilson", "Cruz", "Taylor", "Santos",
    "Anderson", "Reyes", "Thomas", "Huang", "Morales", "Jackson", "Ortiz", "White", "Park",
)  # fmt: skip
PHONE_PREFIX = "+1415555"  # 555 numbers: never real subscribers
REOPEN_COMMENTS = (
    "It is still there.",
    "This was marked fixed but nothing changed.",
    "The problem came back a day later.",
)
# Sample answers for free-text questions the seed fills in (choice questions pick a choice).
ANSWER_SAMPLES: dict[str, tuple[str, ...]] = {
    "park-name": (
        "Mission Dolores Park",
        "Golden Gate Park",
        "Alamo Square",
        "Bernal Heights Park",
        "Glen Canyon Park",
        "McLaren Park",
        "Lafayette Park",
        "Washington Square",
    ),
    "plate": ("7ABC123", "8XYZ552", "6KLM908", "5TRW441", "9GHJ310"),
    "meter-number": ("412-08331", "521-17042", "330-00912", "618-22107"),
    "pole-number": ("SL-10442", "SL-22817", "SL-03190"),
    "unit": ("2", "4B", "101", "305"),
}
