"""What the request-history simulator (demo.history) uses on top of the city's definition: how
the SF 311 sample's cases map to our categories, how its intake sources become channels, and the
text, names and answers the seeded requests are written with, per category where it matters.

Keyed by category code, apart from the city (its pack, data/cities/san-francisco): another city
keeps this module and gets generic text for categories it has no hints for.

Pure data and small pure functions: no Django imports, so data scripts can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

CASES_FILE = "cases.csv"  # in demo.paths.CITY_DIR: the SF sample the history is modelled on


@dataclass(frozen=True)
class CategoryHint:
    """How a finished request of a category is usually closed, and sample descriptions (none:
    the category's own description)."""

    resolved_reason: str = "completed"
    private_property_possible: bool = False
    descriptions: tuple[str, ...] = ()
    descriptions_es: tuple[str, ...] = ()


# --- Mapping the SF 311 sample (CASES_FILE) to our categories --------------------------------
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

# --- Per category ---------------------------------------------------------------------------------
# The simulator writes requests only in the categories named here (an admin-made category has no
# sample text).
CATEGORY_HINTS: dict[str, CategoryHint] = {
    "pothole": CategoryHint(
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
    "damaged-sidewalk": CategoryHint(
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
    "curb-ramp": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "No curb ramp on this corner, wheelchair users have to go into the street.",
            "Curb ramp is cracked and has a big gap at the bottom.",
            "Water always pools at the bottom of the ramp.",
        ),
        descriptions_es=("No hay rampa en esta esquina para sillas de ruedas.",),
    ),
    "blocked-sidewalk": CategoryHint(
        descriptions=(
            "Construction fence takes the whole sidewalk, no safe way around.",
            "Car parked fully on the sidewalk every night.",
            "Shop puts its racks out and blocks the sidewalk.",
        ),
        descriptions_es=("Una obra bloquea toda la acera.",),
    ),
    "graffiti": CategoryHint(
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
    "illegal-posting": CategoryHint(
        descriptions=(
            "Dozens of flyers stapled to every pole on the block.",
            "Posters glued to the traffic light, covering the pedestrian button.",
            "Old event posters all over the fence.",
        ),
    ),
    "illegal-dumping": CategoryHint(
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
    "missed-trash-pickup": CategoryHint(
        descriptions=(
            "Our recycling was not picked up this week, the whole street was skipped.",
            "Trash bin was out by 6 am and is still full.",
            "Compost missed two weeks in a row.",
        ),
        descriptions_es=("No recogieron la basura esta semana.",),
    ),
    "street-cleaning": CategoryHint(
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
    "overflowing-bin": CategoryHint(
        descriptions=(
            "Trash can at the bus stop is overflowing onto the sidewalk.",
            "Public bin on the corner is full and the lid is broken.",
            "The litter basket by the park has not been emptied in days.",
        ),
        descriptions_es=("La papelera de la esquina está llena y desbordada.",),
    ),
    "needles": CategoryHint(
        descriptions=(
            "Two used syringes on the sidewalk next to the playground fence.",
            "Needles in the planter outside the building.",
            "Several needles near the bus shelter.",
        ),
        descriptions_es=("Hay jeringas usadas cerca del parque infantil.",),
    ),
    "dead-animal": CategoryHint(
        descriptions=(
            "Dead cat in the street near the curb.",
            "Dead seagull on the sidewalk outside the cafe.",
            "Dead raccoon in the bike lane.",
        ),
        descriptions_es=("Hay un animal muerto en la calle.",),
    ),
    "park-maintenance": CategoryHint(
        descriptions=(
            "The restroom by the tennis courts has been locked all week.",
            "Broken sprinkler is flooding the path.",
            "Bins in the picnic area are overflowing.",
            "Two lights along the main path are out.",
            "Bench near the entrance is broken.",
        ),
        descriptions_es=("El baño del parque está cerrado y sucio.",),
    ),
    "playground-damage": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "One of the swing chains is broken and hanging.",
            "Sharp metal edge sticking out of the slide.",
            "Rubber surface under the climbing frame is torn, big holes.",
            "Playground gate does not close, kids can run into the street.",
        ),
        descriptions_es=("El columpio está roto y es peligroso para los niños.",),
    ),
    "water-leak": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "Clean water bubbling up through a crack in the street for two days.",
            "Fire hydrant is leaking steadily onto the sidewalk.",
            "Water running down the gutter from the meter box.",
            "Looks like a water main break, water is gushing into the street.",
        ),
        descriptions_es=("Sale agua de la calle desde ayer.",),
    ),
    "clogged-storm-drain": CategoryHint(
        descriptions=(
            "Storm drain at the corner is covered in leaves, big puddle forming.",
            "Catch basin full of trash, water not draining.",
            "Drain blocked with mud after the last storm.",
        ),
        descriptions_es=("La coladera está tapada con hojas y se hace un charco.",),
    ),
    "sewer-odor": CategoryHint(
        descriptions=(
            "Strong sewer smell from the manhole, worse in the evening.",
            "Sewage coming up from the drain in front of the house.",
            "Basement toilet backing up, neighbours too, think it is the main line.",
        ),
        descriptions_es=("Hay un olor fuerte a drenaje en toda la cuadra.",),
    ),
    "street-flooding": CategoryHint(
        descriptions=(
            "The whole intersection is flooded after the rain.",
            "Water up to the curb, cars are splashing people at the bus stop.",
            "Flooding at the bottom of the hill every time it rains.",
        ),
        descriptions_es=("La esquina está inundada después de la lluvia.",),
    ),
    "tree-down": CategoryHint(
        descriptions=(
            "Large branch came down in the wind and is blocking half the street.",
            "Whole street tree fell over onto a parked car.",
            "Big limb is cracked and hanging over the sidewalk.",
            "Branches all over the sidewalk after the storm.",
        ),
        descriptions_es=("Se cayó una rama grande y bloquea la calle.",),
    ),
    "tree-pruning": CategoryHint(
        private_property_possible=True,
        descriptions=(
            "Branches hang so low over the sidewalk that people have to duck.",
            "Street tree is covering the streetlight, the block is very dark.",
            "Tree looks dead, lots of dry branches.",
            "Branches rubbing against our windows.",
        ),
        descriptions_es=("Las ramas del árbol están muy bajas sobre la acera.",),
    ),
    "overgrown-weeds": CategoryHint(
        private_property_possible=True,
        descriptions=(
            "Weeds on the median are knee-high, hard to see oncoming cars.",
            "Vacant lot completely overgrown, full of dry grass.",
            "Bushes growing over half the sidewalk.",
        ),
        descriptions_es=("La maleza del lote baldío está muy alta.",),
    ),
    "noise-complaint": CategoryHint(
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
    "construction-noise": CategoryHint(
        descriptions=(
            "Jackhammering started at 6 am on a Sunday.",
            "Construction crew working with lights and saws until 10 pm.",
            "Concrete trucks idling and beeping before 7 every day.",
        ),
        descriptions_es=("La obra empieza a hacer ruido a las 6 de la mañana.",),
    ),
    "housing-conditions": CategoryHint(
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
    "rodents": CategoryHint(
        private_property_possible=True,
        descriptions=(
            "Rats running in and out of burrows in the tree basin every evening.",
            "Lots of rats behind the restaurant dumpsters.",
            "Droppings all over the garbage room of our building.",
        ),
        descriptions_es=("Hay muchas ratas detrás de los contenedores del restaurante.",),
    ),
    "vacant-building": CategoryHint(
        private_property_possible=True,
        descriptions=(
            "Vacant house with the front door wide open for weeks.",
            "Boarded-up building, boards pulled off, trash piling up in the yard.",
            "Empty storefront with broken windows.",
        ),
        descriptions_es=("La casa vacía tiene la puerta abierta desde hace semanas.",),
    ),
    "streetlight-out": CategoryHint(
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
    "traffic-signal-out": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "Traffic signal is completely dark at this intersection.",
            "Light is stuck on red in one direction, cars are running it.",
            "Pedestrian button is broken, the walk signal never comes on.",
            "Signal head was hit and is turned the wrong way.",
        ),
        descriptions_es=("El semáforo está apagado en este cruce.",),
    ),
    "sign-damaged": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "Stop sign knocked down at the corner, drivers are not stopping.",
            "Street name sign is missing.",
            "Parking sign is bent and turned to face the wrong way.",
            "Stop sign covered in stickers, hard to read.",
        ),
        descriptions_es=("Se cayó la señal de alto de la esquina.",),
    ),
    "blocked-stop-sign": CategoryHint(
        private_property_possible=True,
        descriptions=(
            "Stop sign completely hidden by tree branches until you are at the corner.",
            "Hedge has grown over the yield sign.",
            "Can't see the stop sign coming down the hill, branches in front of it.",
        ),
        descriptions_es=("Las ramas tapan la señal de alto.",),
    ),
    "dangerous-wires": CategoryHint(
        descriptions=(
            "Cable hanging low across the sidewalk, people could walk into it.",
            "Pull box cover missing at the base of the light pole, wires exposed.",
            "Wires sticking out of the open panel on the streetlight pole.",
        ),
        descriptions_es=("Hay cables colgando muy bajo sobre la acera.",),
    ),
    "gas-leak-live-wire": CategoryHint(),
    "abandoned-vehicle": CategoryHint(
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
    "blocked-driveway": CategoryHint(
        descriptions=(
            "Silver car blocking my garage, I cannot get out for work.",
            "Truck parked across the driveway for two hours.",
            "Someone parks in front of our driveway every evening.",
        ),
        descriptions_es=("Un coche está bloqueando la entrada de mi garaje.",),
    ),
    "parking-meter": CategoryHint(
        resolved_reason="repaired",
        descriptions=(
            "Meter screen is blank and it will not take coins or cards.",
            "Card reader broken on the pay station, coins only.",
            "Parking meter head smashed.",
        ),
        descriptions_es=("El parquímetro no acepta tarjetas ni monedas.",),
    ),
    "encampment-welfare-check": CategoryHint(
        descriptions=(
            "Older man sleeping in the doorway, did not respond much, may need help.",
            "Three tents blocking the sidewalk, wheelchairs cannot pass.",
            "Woman with a small child living in a car on this block, may need services.",
        ),
        descriptions_es=("Hay una persona durmiendo en la entrada que puede necesitar ayuda.",),
    ),
}
