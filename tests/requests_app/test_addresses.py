"""The address normaliser and query reader (requests_app.addresses): pure functions, no database."""

from __future__ import annotations

import pytest

from requests_app.addresses import (
    Street,
    address_fields,
    address_normalize,
    address_query_parse,
    ordinal,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 Doctor Carlton B. Goodlett Place", "1 Dr Carlton B Goodlett Pl"),
        ("100 valencia street", "100 Valencia St"),
        ("Third Street", "3rd St"),
        ("3 rd", "3 RD"),  # a bare "RD" is a road, not a suffix: left alone on both sides
        ("Sixteenth Avenue", "16th Ave"),
        ("16TH AVENUE", "16th Ave"),
        ("Twentieth St", "20th St"),
        ("West Portal Avenue", "W Portal Ave"),
        ("South Van Ness Avenue", "S Van Ness Ave"),
        ("Geary Boulevard", "Geary Blvd"),
        ("Twin Peaks Boulevard", "Twin Peaks Blvd"),
        ("Embarcadero Center", "Embarcadero Ctr"),
        ("United Nations Plaza", "United Nations Plz"),
        ("Joice Alley", "Joice Aly"),
        ("Edgehill Way", "Edgehill Wy"),
        ("Caselli Terrace", "Caselli Ter"),
        ("Jose Sarria Court", "Jose Sarria Ct"),
        ("Northridge Road", "Northridge Rd"),
        ("Parque Niños Unidos", "Parque Ninos Unidos"),
        ("O'Farrell St Apt 4B", "OFarrell St"),
        ("100 Valencia St, #3", "100 Valencia St"),
        ("100 Valencia St Unit 7", "100 Valencia St"),
        ("100 Valencia St Depto 2", "100 Valencia St"),
        ("  1   market\tST. ", "1 Market St"),
    ],
)
def test_what_people_type_and_what_the_file_says_normalize_alike(typed, stored):
    assert address_normalize(typed) == address_normalize(stored)


ORDINALS = {1: "1ST", 2: "2ND", 3: "3RD", 4: "4TH", 11: "11TH", 12: "12TH", 13: "13TH",
            21: "21ST", 22: "22ND", 23: "23RD", 100: "100TH", 101: "101ST"}  # fmt: skip


@pytest.mark.parametrize(("n", "word"), ORDINALS.items())
def test_ordinals_take_their_suffix(n, word):
    assert ordinal(n) == word


@pytest.mark.parametrize(
    "typed",
    [
        "Valencia & 16th",
        "Valencia and 16th",
        "Valencia y 16",
        "Valencia at 16th Street",
        "Valencia / 16th",
        "Valencia @ 16th",
        "corner of Valencia and Sixteenth",
        "esquina de Valencia y 16",
        "Esquina de Calle Valencia y Calle 16",
        "VALENCIA ST & 16TH ST",
    ],
)
def test_an_intersection_reads_as_two_streets_in_either_language(typed):
    parsed = address_query_parse(typed)
    assert parsed.explicit
    assert {a.name for a in parsed.pairs[0]} == {"VALENCIA", "16TH"}


def test_a_house_number_and_street_read_as_such_also_in_spanish_order():
    parsed = address_query_parse("Calle Valencia 100")
    assert (parsed.number, parsed.street) == (100, Street("VALENCIA", "ST"))
    parsed = address_query_parse("1 Dr Carlton B Goodlett Pl")
    assert (parsed.number, parsed.street) == (1, Street("DR CARLTON B GOODLETT", "PL"))


def test_two_streets_without_a_joiner_are_tried_as_an_intersection():
    parsed = address_query_parse("valencia 16th")
    assert not parsed.explicit
    assert (Street("VALENCIA"), Street("16TH")) in parsed.pairs
    # ...but a street type alone is never one of the two.
    assert all("ST" not in (a.name, b.name) for a, b in address_query_parse("Ofarrell St").pairs)


@pytest.mark.parametrize(
    "junk", ["", "&", " & & ", "—", "😀😀", "\x00", "\x00\x00&\x00", "corner of", "#3", "Apt 3"]
)
def test_nothing_searchable_reads_as_nothing(junk):
    assert address_query_parse(junk) is None


def test_huge_input_is_cut_short_not_choked_on():
    text = "Valencia " * 2000 + "\x00" + "🙂" * 1000
    assert len(address_normalize(text)) <= 200
    assert address_query_parse(text) is not None


def test_stored_points_get_their_number_street_and_cross_street():
    assert address_fields(label="100 Valencia Street", kind="address").street == "VALENCIA"
    assert address_fields(label="100 Valencia Street", kind="address").number == 100
    corner = address_fields(label="16th St & Valencia St", kind="intersection")
    assert (corner.street, corner.cross_street) == ("16TH", "VALENCIA")
    hall = address_fields(
        label="City Hall, 1 Dr Carlton B Goodlett Pl",
        kind="place",
        aliases=["Ayuntamiento", "1 Dr Carlton B Goodlett Pl"],
    )
    assert (hall.number, hall.street) == (1, "DR CARLTON B GOODLETT")
    assert "AYUNTAMIENTO" in hall.search
