"""Languages acceptance: "The login page in each of the six languages, chosen from the menu, has
no English left (screenshots in docs/screenshots/)", plus the language choice sticking (cookie,
Accept-Language) and a sign-in saving it, so that the person's emails come in that language.

What counts as English: the English catalog texts of the keys the login page uses (`login.*`
and `common.language_menu`; `page.title_suffix` is the brand, "Gatehouse"), looked for as whole
phrases in what a person sees or hears on the page: its text, title, and placeholder,
aria-label, title and alt attributes. A text may equal the English one on purpose only if it is
in SAME_AS_ENGLISH_ON_PURPOSE below. So these tests fail while the translated catalogs are still
English placeholders, and pass once the translations are in.

Screenshots (1280x800) go to $GATEHOUSE_TEST_SCREENSHOTS when set, else the test's temporary
directory; to refresh the committed ones:
    GATEHOUSE_TEST_SCREENSHOTS=docs/screenshots scripts/test --e2e-only -- -k "languages and sqlite"
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness import (GOOD_PASSWORD, REPO_ROOT, bootstrap_tenant, create_user, expect, migrate, page_form, parse_html,
                     show, users_path)
# The Chromium recipe of the MFA browser tests (fixtures and helpers), reused as is.
from test_mfa_browser import browser, by, screenshots, type_into, wait_for  # noqa: F401  (fixtures)

CATALOGS = REPO_ROOT / "Sources" / "GatehouseLocalization" / "Resources" / "catalogs"
# Menu order, and each language's name in itself, as the menu must show it on every page.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch"),
             ("pt-BR", "Português (Brasil)"), ("ja", "日本語")]
TRANSLATED = [code for code, _ in LANGUAGES if code != "en"]
# Login-page keys whose text is, on purpose, the same as the English one in that language
# (language -> keys). Keep this tiny; each entry needs a reason next to it.
SAME_AS_ENGLISH_ON_PURPOSE: dict[str, set[str]] = {}
BRAND_KEYS = {"page.title_suffix"}

SLUG, TENANT_NAME = "acme", "Acme Contact Center"
LUCIA = "lucia.fernandez@acme.test"
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_]+)\}")

sqlite_only = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def norm(text: str) -> str:
    """Spaces as a reader sees them: no-break spaces (French "oublié ?") and runs of white
    space count as one space (Selenium's .text turns them into plain spaces too)."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def catalog(code: str) -> dict[str, str]:
    return json.loads((CATALOGS / f"{code}.json").read_text(encoding="utf-8"))


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def login_page_keys(english: dict[str, str]) -> list[str]:
    keys = [k for k in english if k.startswith("login.") or k == "common.language_menu"]
    return sorted(k for k in keys if k not in BRAND_KEYS)


def english_needles(key: str, english: dict[str, str]) -> list[str]:
    """What of the English text of `key` must not be on a translated page: the whole text with
    the tenant's name filled in; for placeholders the page cannot know here, each literal piece."""
    text = fill(english[key], {"tenantName": TENANT_NAME, "tenant_name": TENANT_NAME})
    if not PLACEHOLDER_RE.search(text):
        return [norm(text)]
    return [norm(piece) for piece in PLACEHOLDER_RE.split(text)[::2] if len(norm(piece)) >= 4]


def contains_phrase(haystack: str, needle: str) -> bool:
    """`needle` as a whole phrase (not part of a longer word), case as written."""
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


def english_left(page_text: str, code: str) -> list[str]:
    """The English login texts found on a page in language `code`, with their keys."""
    english, translated = catalog("en"), catalog(code)
    page_text = norm(page_text)
    found = []
    for key in login_page_keys(english):
        if translated.get(key) == english[key] and key in SAME_AS_ENGLISH_ON_PURPOSE.get(code, set()):
            continue
        for needle in english_needles(key, english):
            if needle and contains_phrase(page_text, needle):
                why = " (the catalog still has the English text)" if translated.get(key) == english[key] else ""
                found.append(f"{key}: {needle!r}{why}")
    return found


VISIBLE_TEXT_JS = """
const parts = [document.title, document.body.innerText];
for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
  for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
    if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
  }
}
for (const el of document.querySelectorAll('input[type=submit], input[type=button], input[type=reset]')) parts.push(el.value);
return parts.join('\\n');
"""


def page_lang(driver) -> str:
    return driver.execute_script("return document.documentElement.getAttribute('lang')")


def wait_for_lang(driver, code: str) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        WebDriverWait(driver, 20).until(lambda d: page_lang(d) == code and d.execute_script("return document.readyState") == "complete")
    except TimeoutException:
        raise AssertionError(f"expected <html lang={code!r}> at {driver.current_url}, got {page_lang(driver)!r}")


def assert_language_menu(driver, current: str) -> None:
    links = driver.find_elements(*by("nav#language-menu a[hreflang]"))
    shown = [(a.get_attribute("hreflang"), a.text, a.get_attribute("lang")) for a in links]
    assert shown == [(code, name, code) for code, name in LANGUAGES], \
        f"the language menu must list every language in its own name: {shown}"
    marked = [a.get_attribute("hreflang") for a in links if a.get_attribute("aria-current") == "true"]
    assert marked == [current], f"the menu must mark {current} (only) as current: {marked}"
    for a in links:
        href = urlsplit(a.get_attribute("href"))
        assert parse_qs(href.query).get("lang") == [a.get_attribute("hreflang")], a.get_attribute("href")


def choose_from_menu(driver, code: str) -> None:
    """Clicks the language menu's link (no typed URL), and waits for the page in that language."""
    driver.find_element(*by(f"nav#language-menu a[hreflang='{code}']")).click()
    wait_for_lang(driver, code)


def signed_in_page(driver) -> None:
    """Waits until a sign-in has left the login page (for whichever page the landing rules pick)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        WebDriverWait(driver, 20).until(lambda d: urlsplit(d.current_url).path not in ("/login", "/login/password")
                                        and d.execute_script("return document.readyState") == "complete")
    except TimeoutException:
        raise AssertionError(f"still on {driver.current_url} after signing in:\n" + driver.find_element(*by("body")).text)


def html_lang(resp: requests.Response) -> str:
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", resp.text)
    assert match, "expected <html lang=...>:\n" + show(resp)
    return match.group(1)


def h1(resp: requests.Response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", resp.text, re.S)
    assert match, "expected an <h1>:\n" + show(resp)
    return parse_html(match.group(1)).text


@pytest.fixture
def tenant_server(db, servers):
    migrate(db)
    acme = bootstrap_tenant(db, SLUG, TENANT_NAME, "admin@acme.test")
    return servers(), acme


# --------------------------------------------------------------------------- catalogs


def test_catalogs_have_the_same_keys_and_placeholders():
    """Not the Swift completeness test, only what the checks below rely on."""
    english = catalog("en")
    for code in TRANSLATED:
        translated = catalog(code)
        assert set(translated) == set(english), \
            f"{code}: missing {sorted(set(english) - set(translated))}, extra {sorted(set(translated) - set(english))}"
        for key, text in english.items():
            unknown = set(PLACEHOLDER_RE.findall(translated[key])) - set(PLACEHOLDER_RE.findall(text))
            assert not unknown, f"{code} {key}: placeholders the English text does not have: {sorted(unknown)}"


# --------------------------------------------------------------------------- in Chromium


@sqlite_only
def test_login_page_in_each_language_chosen_from_the_menu_has_no_english_left(tenant_server, browser, screenshots):
    server, _ = tenant_server
    browser.get(server.url(f"/login?tenant={SLUG}"))
    wait_for(browser, "#username")
    assert page_lang(browser) == "en", "the first page follows the browser's (English) Accept-Language"
    size = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert size == [1280, 800], f"screenshots are taken in a 1280x800 viewport, not {size}"
    assert_language_menu(browser, "en")
    browser.save_screenshot(str(screenshots / "login-en.png"))

    leftovers: dict[str, list[str]] = {}
    for code in TRANSLATED:
        choose_from_menu(browser, code)
        assert parse_qs(urlsplit(browser.current_url).query).get("tenant") == [SLUG], \
            f"choosing a language keeps the page's tenant: {browser.current_url}"
        assert_language_menu(browser, code)
        assert TENANT_NAME in browser.find_element(*by("p.lead")).text
        assert norm(browser.find_element(*by("h1")).text) == norm(catalog(code)["login.title"])
        browser.save_screenshot(str(screenshots / f"login-{code}.png"))
        found = english_left(browser.execute_script(VISIBLE_TEXT_JS), code)
        if found:
            leftovers[code] = found

    # Back to English from the menu: the check itself finds English on an English page.
    choose_from_menu(browser, "en")
    assert english_left(browser.execute_script(VISIBLE_TEXT_JS), "en"), "the English check found nothing on the English page"

    assert not leftovers, "English left on the login page:\n" + "\n".join(
        f"  {code}: {len(found)} texts: " + "; ".join(found) for code, found in leftovers.items())


@sqlite_only
def test_language_chosen_from_the_menu_holds_on_later_pages(tenant_server, browser):
    server, _ = tenant_server
    browser.get(server.url(f"/login?tenant={SLUG}"))
    wait_for(browser, "#username")
    choose_from_menu(browser, "fr")
    cookie = {c["name"]: c for c in browser.get_cookies()}.get("gatehouse_lang")
    assert cookie and cookie["value"] == "fr", browser.get_cookies()

    french = catalog("fr")
    for path, title_key in (("/login", "login.title"), ("/password/forgot", "forgot.title"),
                            (f"/login?tenant={SLUG}", "login.title")):
        browser.get(server.url(path))
        wait_for_lang(browser, "fr")
        assert_language_menu(browser, "fr")
        assert norm(browser.find_element(*by("h1")).text) == norm(french[title_key]), path

    # Another choice replaces it.
    choose_from_menu(browser, "ja")
    browser.get(server.url("/password/forgot"))
    wait_for_lang(browser, "ja")


# --------------------------------------------------------------------------- plain HTTP


def test_accept_language_and_the_language_cookie(tenant_server):
    server, _ = tenant_server
    for headers, expected in (({"Accept-Language": "de"}, "de"),
                              ({"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}, "fr"),
                              ({"Accept-Language": "zz, ja;q=0.3, en;q=0.2"}, "ja"),
                              ({"Accept-Language": "pt-PT"}, "pt-BR"),
                              ({"Accept-Language": "es;q=0, en"}, "en"),
                              ({"Accept-Language": "zz"}, "en"),
                              ({}, "en"),
                              ({"Cookie": "gatehouse_lang=ja"}, "ja"),
                              ({"Cookie": "gatehouse_lang=ja", "Accept-Language": "de"}, "ja")):
        resp = server.get(f"/login?tenant={SLUG}", headers=headers)
        assert resp.status_code == 200, show(resp)
        assert html_lang(resp) == expected and resp.headers.get("Content-Language") == expected, \
            f"{headers} should give {expected}:\n" + show(resp)
        assert norm(h1(resp)) == norm(catalog(expected)["login.title"]), show(resp)
        assert "gatehouse_lang" not in resp.headers.get("Set-Cookie", ""), \
            "only a choice (?lang) sets the language cookie:\n" + show(resp)

    # ?lang beats the cookie and becomes the new choice.
    resp = server.get(f"/login?tenant={SLUG}&lang=es", headers={"Cookie": "gatehouse_lang=ja", "Accept-Language": "de"})
    assert html_lang(resp) == "es", show(resp)
    assert re.search(r"gatehouse_lang=es\b", resp.headers.get("Set-Cookie", "")), show(resp)
    # A language Gatehouse does not speak is no choice.
    resp = server.get(f"/login?tenant={SLUG}&lang=xx", headers={"Accept-Language": "de"})
    assert html_lang(resp) == "de" and "gatehouse_lang" not in resp.headers.get("Set-Cookie", ""), show(resp)


@sqlite_only
def test_signing_in_after_choosing_spanish_saves_it_and_the_reset_email_is_spanish(db, servers, mailbox, browser):
    migrate(db)
    acme = bootstrap_tenant(db, SLUG, TENANT_NAME, "admin@acme.test")
    lucia_id = create_user(db, SLUG, LUCIA, "Lucía", "Fernández", password=GOOD_PASSWORD)
    server = servers("--smtp-url", mailbox.url, "--mail-from", "Acme Sign-in <no-reply@acme.test>")
    user = expect(server.get(users_path(SLUG, lucia_id), acme.admin_token), 200)
    assert user["language"] == "en", user

    browser.get(server.url(f"/login?tenant={SLUG}"))
    wait_for(browser, "#username")
    choose_from_menu(browser, "es")
    type_into(browser, "#username", LUCIA)
    type_into(browser, "#password", GOOD_PASSWORD)
    browser.find_element(*by("form[action='/login'] button[type=submit]")).click()
    signed_in_page(browser)
    cookie = {c["name"]: c["value"] for c in browser.get_cookies()}.get("gatehouse_session")
    me = expect(server.get("/api/v1/session", headers={"Cookie": f"gatehouse_session={cookie}"}), 200)
    assert me["user"]["email"] == LUCIA, me
    assert page_lang(browser) == "es", f"the signed-in page ({browser.current_url}) must speak the saved language"

    user = expect(server.get(users_path(SLUG, lucia_id), acme.admin_token), 200)
    assert user["language"] == "es", f"signing in after choosing Español must save it: {user}"

    # The reset is asked for from an English browser with no cookie: the email follows Lucía's
    # saved language, not the asking page's.
    http = requests.Session()
    http.headers["Accept-Language"] = "en"
    form = page_form(server.get(f"/password/forgot?tenant={SLUG}", session=http), "/password/forgot")
    confirm = server.post("/password/forgot", session=http,
                          data={"csrf_token": form["csrf_token"]["value"], "username": LUCIA, "tenant": SLUG})
    fields = page_form(confirm, "/password/forgot/confirm")
    sent = server.post("/password/forgot/confirm", session=http,
                       data={"csrf_token": fields["csrf_token"]["value"], "recovery_id": fields["recovery_id"]["value"]})
    assert sent.status_code == 202 and html_lang(sent) == "en", show(sent)
    [received] = mailbox.wait_for(LUCIA)
    message = received.message
    html = message.get_body(("html",)).get_content()
    assert re.search(r'<html[^>]*\blang="es"', html), "the HTML part must be marked Spanish:\n" + html[:500]

    spanish = fill(catalog("es")["mail.password_reset.subject"], {"tenant_name": TENANT_NAME})
    english = fill(catalog("en")["mail.password_reset.subject"], {"tenant_name": TENANT_NAME})
    assert message["Subject"] == spanish, f"Subject {message['Subject']!r}, the es catalog says {spanish!r}"
    assert message["Subject"] != english, \
        f"the Subject is the English one ({english!r}): the es catalog's mail.password_reset.subject is still English"
