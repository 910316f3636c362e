"""Error pages (issue 12, "Everywhere"): an unknown URL, a refusal, a refused form, an unreadable
request and a crash each get a page in the site's look, in the visitor's language, saying what
happened in plain words and offering the way on; the 500 page needs no database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.test_faults import database_down  # noqa: F401 - a fixture

BRAND = f"{settings.CITY_NAME} 311"
WAY_ON = ['href="/"', 'href="/report/"', 'href="/requests/find/"']

NOT_FOUND = ("Page not found", "Página no encontrada")
FORBIDDEN = ("You can't open this page", "No puede abrir esta página")
CSRF = ("We couldn't accept that form", "No pudimos aceptar el formulario")
CSRF_HINT = (
    "Go back, reload the page, and send the form again.",
    "Vuelva atrás, recargue la página y envíe el formulario de nuevo.",
)
BAD_REQUEST = (
    "We couldn't read what your browser sent",
    "No pudimos leer lo que envió su navegador",
)
SERVER_ERROR = ("Something went wrong", "Algo salió mal")
NOT_ALLOWED = ("This page can't do that", "Esta página no puede hacer eso")


def assert_branded_error_page(response, status: int, heading: str, lang: str = "en") -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert BRAND in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "css/site.css" in page
    assert f"<h1>{heading}</h1>" in page
    for link in WAY_ON:
        assert link in page
    assert "Traceback" not in page
    return page


@pytest.fixture
def resident_client(django_user_model):
    """A signed-in resident: an account without a staff profile."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("resident", password="pw"))
    return client


@pytest.fixture
def spanish_client():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


# --- 404 -----------------------------------------------------------------------------------------


def test_an_unknown_url_gets_the_branded_404_page(client, db):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    page = assert_branded_error_page(response, 404, NOT_FOUND[0])
    assert "We couldn't find that page." in page


def test_a_view_that_finds_nothing_gets_the_404_page_too(client, db):
    # A private link that was mistyped or cut short (the view raises Http404).
    response = client.get(reverse("requests_app:private", args=["not-a-real-token"]))
    assert_branded_error_page(response, 404, NOT_FOUND[0])


def test_the_404_page_is_in_spanish_for_the_language_cookie(spanish_client, db):
    response = spanish_client.get("/no-such-page/")
    page = assert_branded_error_page(response, 404, NOT_FOUND[1], lang="es")
    assert "Ir a la página de inicio" in page


def test_the_404_page_is_in_spanish_for_accept_language(client, db):
    response = client.get("/no-such-page/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert_branded_error_page(response, 404, NOT_FOUND[1], lang="es")


# --- 403 -----------------------------------------------------------------------------------------


def assert_staff_error_page(response, status: int, heading: str, lang: str = "en") -> str:
    """Under /staff/ an error page wears the back office's header and offers its way on (issue
    12): the queues, staff sign-in and the public site, not the resident site's menu."""
    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert "css/staff.css" in page and 'class="site-header staff-header"' in page
    assert f"<h1>{heading}</h1>" in page
    for link in (reverse("staff:queue"), reverse("staff:login"), "/"):
        assert f'href="{link}"' in page
    assert f'href="{reverse("requests_app:report")}"' not in page  # the resident menu
    assert "Traceback" not in page
    return page


def test_a_refusal_gets_the_staff_403_page_with_staff_sign_in(resident_client):
    # Was the resident site's page (its menu and way on); issue 12 asks for the staff look here.
    response = resident_client.get(reverse("staff:queue"))
    assert_staff_error_page(response, 403, FORBIDDEN[0])


def test_the_403_page_is_in_spanish(resident_client):
    resident_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = resident_client.get(reverse("staff:queue"))
    assert_staff_error_page(response, 403, FORBIDDEN[1], lang="es")


def test_a_refused_form_gets_the_403_look_with_a_hint_to_reload(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("requests_app:report"), {"description": "Deep hole"})
    page = assert_branded_error_page(response, 403, CSRF[0])
    assert CSRF_HINT[0] in page
    assert "Referer" not in page


def test_the_refused_form_page_is_in_spanish(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(reverse("requests_app:report"), {"description": "Un bache"})
    page = assert_branded_error_page(response, 403, CSRF[1], lang="es")
    assert CSRF_HINT[1] in page


# --- 400 -----------------------------------------------------------------------------------------


@pytest.mark.urls("tests.error_urls")
def test_an_unreadable_request_gets_the_branded_400_page(client, db):
    response = client.get("/test-errors/400/")
    assert_branded_error_page(response, 400, BAD_REQUEST[0])


@pytest.mark.urls("tests.error_urls")
def test_the_400_page_is_in_spanish(spanish_client, db):
    response = spanish_client.get("/test-errors/400/")
    assert_branded_error_page(response, 400, BAD_REQUEST[1], lang="es")


def test_a_forged_host_gets_the_400_page(client, db):
    response = client.get("/", headers={"host": "evil.example"})
    assert_branded_error_page(response, 400, BAD_REQUEST[0])


# --- 500 -----------------------------------------------------------------------------------------


@pytest.mark.urls("tests.error_urls")
def test_a_crash_gets_the_branded_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    page = assert_branded_error_page(response, 500, SERVER_ERROR[0])
    assert "a bug, not an outage" not in page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_is_in_spanish(spanish_client, db):
    response = spanish_client.get("/test-errors/500/")
    assert_branded_error_page(response, 500, SERVER_ERROR[1], lang="es")


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_is_in_spanish_for_accept_language(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/", headers={"accept-language": "es"})
    assert_branded_error_page(response, 500, SERVER_ERROR[1], lang="es")


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_renders_while_the_database_is_unavailable(database_down):  # noqa: F811
    """Every query raises OperationalError: a page that needed one would fall back to Django's
    bare "Server Error (500)" line, which has no branding."""
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert_branded_error_page(response, 500, SERVER_ERROR[0])


@pytest.mark.urls("tests.error_urls")
def test_the_404_and_403_pages_render_while_the_database_is_unavailable(database_down):  # noqa: F811
    client = Client(raise_request_exception=False)
    assert_branded_error_page(client.get("/no-such-page/"), 404, NOT_FOUND[0])
    assert_branded_error_page(client.get("/test-errors/403/"), 403, FORBIDDEN[0])


@pytest.mark.urls("tests.error_urls")
def test_a_crash_in_the_back_office_gets_the_500_page_in_the_staff_look(database_down):  # noqa: F811
    client = Client(raise_request_exception=False)
    page = assert_staff_error_page(client.get("/staff/test-errors/500/"), 500, SERVER_ERROR[0])
    assert "never shown publicly" not in page  # the resident footer


# --- 405 and the back office's 404 (issue 12: the same class as the pages above) ----------------


def test_a_get_on_a_post_only_address_gets_the_branded_405_page(client, db):
    response = client.get(reverse("requests_app:photo_upload"))
    assert_branded_error_page(response, 405, NOT_ALLOWED[0])
    assert response["Allow"] == "POST"


def test_the_405_page_is_in_spanish(spanish_client, db):
    response = spanish_client.get(reverse("requests_app:photo_upload"))
    assert_branded_error_page(response, 405, NOT_ALLOWED[1], lang="es")


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_a_method_the_site_never_takes_gets_the_405_page_not_a_refused_form(method, db):
    # Not the CSRF page ("We couldn't accept that form"): nothing here takes such a request.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(reverse("requests_app:home"), data="x=1")
    assert_branded_error_page(response, 405, NOT_ALLOWED[0])
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"


def test_a_405_in_the_back_office_wears_the_staff_look(client, db):
    response = client.get(reverse("staff:bulk"))
    page = assert_staff_error_page(response, 405, NOT_ALLOWED[0])
    assert "never shown publicly" not in page
    response = Client().put(reverse("staff:queue"))
    assert_staff_error_page(response, 405, NOT_ALLOWED[0])


def test_an_unknown_back_office_address_gets_the_staff_404_page(client, db):
    assert_staff_error_page(client.get("/staff/no-such-page/"), 404, NOT_FOUND[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert_staff_error_page(client.get("/staff/no-such-page/"), 404, NOT_FOUND[1], lang="es")


def test_a_405_a_view_answers_with_a_body_of_its_own_is_left_alone(rf):
    from django.http import HttpResponse

    from civic311.faults import MethodNotAllowedMiddleware

    own = HttpResponse('{"error": "POST only"}', status=405, content_type="application/json")
    middleware = MethodNotAllowedMiddleware(lambda request: own)
    assert middleware(rf.get("/api/")) is own
