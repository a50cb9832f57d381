"""The bundled fixture news site (newsmon.sample_site): served on 127.0.0.1, coherent with EXPECTED."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser

from html import unescape

import feedparser
import pytest
import yaml

from newsmon.config import parse_sources
from newsmon.sample_site import (EXPECTED, MULTILINGUAL_SOURCES, OFFLINE_URL, SNIPPETS, TRAPS, SampleSite, expected,
                                 mojibake, sources_yaml)
from newsmon.sample_site.content import ALL_ARTICLES

ARTICLES = {a.path: a for a in ALL_ARTICLES}
CODECS = {"cp1256": "cp1256", "iso-8859-6": "iso8859_6", "utf-8": "utf-8", "mojibake": "utf-8"}

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SLOW = 0.3


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=SLOW) as s:
        yield s


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body bytes); HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get(site: SampleSite, path: str):
    return fetch(site.base_url + path)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.canonical: str | None = None
        self.html_attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


def parse_html(body: bytes, encoding: str = "utf-8") -> _Links:
    p = _Links()
    p.feed(body.decode(encoding))
    return p


def any_decode(body: bytes) -> str:
    """For link-following only: UTF-8, else the legacy Arabic encoding."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1256")


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> tuple[int, int, int]:
    """Solar Hijri → Gregorian (the jdf.scr.ir arithmetic), an independent check of the farsi EXPECTED dates."""
    jy += 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + jd
    days += (jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    gd = days + 1
    leap = gy % 4 == 0 and (gy % 100 != 0 or gy % 400 == 0)
    lengths = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    gm = 0
    while gd > lengths[gm]:
        gd -= lengths[gm]
        gm += 1
    return gy, gm + 1, gd


# --- lifecycle -------------------------------------------------------------------------------------------

def test_serves_on_loopback_with_an_ephemeral_port(site):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    assert int(site.base_url.rsplit(":", 1)[1]) > 1024
    assert site._server.server_address[0] == "127.0.0.1"


def test_rejects_non_loopback_host_and_reports_unstarted():
    with pytest.raises(ValueError):
        SampleSite(host="0.0.0.0")
    s = SampleSite()
    with pytest.raises(RuntimeError):
        s.base_url
    s.stop()        # stopping a never-started site is harmless


def test_start_stop_frees_the_port():
    s = SampleSite().start()
    base = s.base_url
    assert get(s, "/")[0] == 200
    s.stop()
    s.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/", timeout=2)


# --- configuration ---------------------------------------------------------------------------------------

def test_sources_yaml_matches_the_site(site):
    cfg = yaml.safe_load(sources_yaml(site.base_url))
    assert cfg["defaults"] == {"every": "30m", "timezone": "UTC"}
    by_name = {s["name"]: s for s in cfg["sources"]}
    assert list(by_name) == ["almanar", "wire", "alakhbar", "broken", "farsi", "bilingual", "legacy", "offline"]
    assert set(by_name) == set(EXPECTED)
    assert MULTILINGUAL_SOURCES == ("farsi", "bilingual", "legacy")
    assert [s.name for s in parse_sources(sources_yaml(site.base_url)).sources] == list(by_name)  # valid config
    for s in cfg["sources"]:
        assert re.fullmatch(r"[a-z0-9_-]+", s["name"])
        assert s["enabled"] is True
        urls = [s["url"], *s["feeds"], *s["sitemaps"], *(sec["url"] for sec in s["sections"])]
        prefix = OFFLINE_URL if s["name"] == "offline" else site.base_url
        assert all(u.startswith(prefix + "/") for u in urls), urls
    assert by_name["almanar"]["timezone"] == "Asia/Beirut" and by_name["almanar"]["language"] == "ar"
    assert len(by_name["alakhbar"]["sections"]) == 2 and not by_name["alakhbar"]["feeds"]
    assert (by_name["farsi"]["language"], by_name["farsi"]["timezone"]) == ("fa", "Asia/Tehran")
    assert by_name["farsi"]["feeds"] == [site.base_url + "/farsi/rss.xml"] and not by_name["farsi"]["sections"]
    assert (by_name["bilingual"]["language"], by_name["bilingual"]["timezone"]) == ("ar", "Asia/Beirut")
    assert len(by_name["bilingual"]["feeds"]) == 1
    assert len(by_name["legacy"]["sections"]) == 1 and not by_name["legacy"]["feeds"]
    # each source's article_pattern matches its own expected articles and no other source's
    for s in cfg["sources"]:
        for sec in s["sections"]:
            pattern = re.compile(sec["article_pattern"])
            for name, arts in EXPECTED.items():
                for a in arts:
                    assert bool(pattern.search(a["path"])) == (name == s["name"]), (sec, a["path"])


def test_expected_is_well_formed():
    counts = {name: len(arts) for name, arts in EXPECTED.items()}
    assert counts == {"almanar": 7, "wire": 7, "alakhbar": 6, "broken": 1,
                      "farsi": 4, "bilingual": 4, "legacy": 4, "offline": 0}
    paths = [a["path"] for arts in EXPECTED.values() for a in arts]
    assert len(paths) == len(set(paths))
    traps = {p.split("?")[0] for group, ps in TRAPS.items() if group not in ("slow", "tracking_duplicate")
             for p in ps}
    assert not traps & set(paths)
    languages = {"wire": {"en"}, "broken": {"en"}, "farsi": {"fa"}, "bilingual": {"ar", "en"}}
    for name, arts in EXPECTED.items():
        for a in arts:
            assert {"path", "title", "published", "language", "authors"} <= set(a) <= {
                "path", "title", "published", "language", "authors", "credited_source"}
            assert a["language"] in languages.get(name, {"ar"})
            assert datetime.fromisoformat(a["published"]).utcoffset() is not None
            assert a["path"] in SNIPPETS
    assert {a["language"] for a in EXPECTED["bilingual"]} == {"ar", "en"}
    assert [a.get("credited_source") for a in EXPECTED["bilingual"]].count("وكالة الأنباء الوطنية") == 1
    # the syndicated copy is stored as its own article under alakhbar
    assert any("وزير الدفاع الروسي في طهران" in a["title"] for a in EXPECTED["alakhbar"])


# --- articles --------------------------------------------------------------------------------------------

def test_every_expected_article_is_served_and_counted(site):
    for name, arts in EXPECTED.items():
        for a in arts:
            before = site.hits[a["path"]]
            status, headers, body = get(site, a["path"])
            assert status == 200, a["path"]
            assert site.hits[a["path"]] == before + 1
            article = ARTICLES[a["path"]]
            charset = CODECS[article.encoding]
            text = unescape(body.decode(charset))
            page = parse_html(body, charset)
            if name == "legacy":
                assert page.canonical is None          # an old CMS: no canonical link
            else:
                assert page.canonical == site.base_url + a["path"]
            garbled = mojibake if article.encoding == "mojibake" else (lambda t: t)
            assert garbled(a["title"]) in text
            assert garbled(SNIPPETS[a["path"]]) in text
            assert page.html_attrs.get("lang") == article.page_lang
            if article.page_lang in ("ar", "fa") or name == "legacy":
                assert page.html_attrs.get("dir") == "rtl"


def test_title_suffixes_and_date_forms(site):
    t = get(site, "/almanar/article/1001")[2].decode()
    assert "<title>شويغو في طهران: التعاون العسكري بين ايران وروسيا - موقع المنار</title>" in t
    assert '"@type": "NewsArticle"' in t and '"datePublished": "2023-09-20T11:30:00+03:00"' in t
    t = get(site, "/almanar/article/1002")[2].decode()       # OpenGraph only, no offset
    assert 'property="article:published_time" content="2023-09-20T09:15:00"' in t
    assert "application/ld+json" not in t
    t = get(site, "/almanar/article/1004")[2].decode()       # the date only as visible Arabic text
    assert "الأربعاء 20 أيلول 2023 - 14:35" in t
    assert "application/ld+json" not in t and "published_time" not in t and "<time" not in t
    t = get(site, "/wire/news/2023/09/fed-holds-rates")[2].decode()
    assert "| Global Wire</title>" in t
    assert '"@type": "Person"' in t and "Priya Raman" in t
    raw = get(site, "/alakhbar/2023/09/20/3001")[2].decode()
    assert '<time datetime="2023-09-20T15:20:00">' in raw and "application/ld+json" not in raw


def test_cp1256_page_bytes(site):
    status, headers, body = get(site, "/alakhbar/2023/09/20/3003")
    assert status == 200
    assert headers["Content-Type"] == "text/html"                      # no charset in the header
    assert b'<meta charset="windows-1256">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1256")
    assert "وزير الدفاع الروسي في طهران: تعاون عسكري إيراني روسي رغم الضغوط الغربية" in text
    assert "حطّت طائرة وزير الدفاع الروسي سيرغي شويغو في طهران" in text
    assert "<p>المصدر: المنار</p>" in text
    # the other cp1256 page declares it with http-equiv
    body = get(site, "/alakhbar/2023/09/18/3005")[2]
    assert b'charset=windows-1256"' in body
    assert "ارتفاع أسعار الذهب في الأسواق اللبنانية" in body.decode("cp1256")


def test_tracking_parameters_reach_the_same_page_with_a_clean_canonical(site):
    clean = "/almanar/article/1001"
    before = site.hits[clean]
    status, _, body = get(site, TRAPS["tracking_duplicate"][0])
    assert status == 200
    assert parse_html(body).canonical == site.base_url + clean
    assert site.hits[clean] == before + 1                  # hits are keyed by path, query dropped
    assert TRAPS["tracking_duplicate"][0] in site.requests


def test_bad_pages(site):
    for p in TRAPS["not_found"]:
        assert get(site, p)[0] == 404, p
    for p in TRAPS["server_error"]:
        assert get(site, p)[0] == 500, p
    assert get(site, "/no/such/page")[0] == 404
    # the dossier matches the almanar article pattern but has no body
    status, _, body = get(site, TRAPS["not_article"][0])
    assert status == 200 and re.search(r"/almanar/article/\d+", TRAPS["not_article"][0])
    text = body.decode()
    assert "post-content" not in text and "application/ld+json" not in text


def test_slow_page(site):
    t0 = time.monotonic()
    assert get(site, TRAPS["slow"][0])[0] == 200
    assert time.monotonic() - t0 >= SLOW


def test_offline_source_is_a_closed_port():
    host, port = OFFLINE_URL.removeprefix("http://").split(":")
    assert host == "127.0.0.1"
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=2).close()


# --- discovery -------------------------------------------------------------------------------------------

def test_almanar_rss(site):
    status, headers, body = get(site, "/almanar/rss.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.version == "rss20"
    links = [e.link for e in feed.entries]
    assert all(link.startswith(site.base_url + "/almanar/") for link in links)
    assert site.base_url + TRAPS["tracking_duplicate"][0] in links
    assert site.base_url + TRAPS["not_found"][0] in links
    assert site.base_url + "/almanar/article/1004" not in links     # its date is only visible text
    dates = [datetime(*e.published_parsed[:6]) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_almanar_home_is_a_section(site):
    page = parse_html(get(site, "/almanar/")[2])
    pattern = re.compile(r"/almanar/article/\d+")
    found = {u.removeprefix(site.base_url) for u in page.links if pattern.search(u)}
    assert {a["path"] for a in EXPECTED["almanar"]} <= found
    assert TRAPS["not_article"][0] in found and TRAPS["server_error"][0] in found


def test_wire_atom(site):
    status, headers, body = get(site, "/wire/atom.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.version == "atom10"
    wire = {a["path"]: a for a in EXPECTED["wire"]}
    for e in feed.entries:
        path = e.link.removeprefix(site.base_url)
        assert path in wire
        assert [a.name for a in e.authors] == wire[path]["authors"]
        assert e.updated_parsed >= e.published_parsed


def test_wire_sitemaps(site):
    index = ET.fromstring(get(site, "/wire/sitemap_index.xml")[2])
    assert index.tag == SM + "sitemapindex"
    locs = [s.findtext(SM + "loc") for s in index.findall(SM + "sitemap")]
    assert locs == [site.base_url + "/wire/sitemap-articles.xml", site.base_url + "/wire/sitemap-news.xml"]
    urlset = ET.fromstring(fetch(locs[0])[2])
    urls = {u.findtext(SM + "loc").removeprefix(site.base_url): u.findtext(SM + "lastmod")
            for u in urlset.findall(SM + "url")}
    assert {a["path"] for a in EXPECTED["wire"]} <= set(urls)
    assert TRAPS["robots_disallowed"][0] in urls
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m) for m in urls.values())
    news = ET.fromstring(fetch(locs[1])[2])
    entries = news.findall(SM + "url")
    assert entries
    for u in entries:
        n = u.find(NEWS + "news")
        assert n.findtext(NEWS + "publication_date") and n.findtext(NEWS + "title")
    assert site.base_url + TRAPS["not_found"][1] in [u.findtext(SM + "loc") for u in entries]


def test_robots_txt(site):
    status, headers, body = get(site, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(body.decode().splitlines())
    assert not rp.can_fetch("newsmon", site.base_url + TRAPS["robots_disallowed"][0])
    for arts in EXPECTED.values():
        for a in arts:
            assert rp.can_fetch("newsmon", site.base_url + a["path"])
    assert rp.site_maps() == [site.base_url + "/wire/sitemap_index.xml", site.base_url + "/wire/sitemap-news.xml"]


def test_alakhbar_sections_use_root_relative_links(site):
    pattern = re.compile(r"/alakhbar/\d{4}/\d{2}/\d{2}/\d+")
    found = set()
    for section in ("/alakhbar/politics/", "/alakhbar/economy/"):
        status, headers, body = get(site, section)
        assert status == 200 and headers["Content-Type"] == "text/html"
        found |= {u for u in parse_html(body).links if pattern.search(u)}
    assert {a["path"] for a in EXPECTED["alakhbar"]} <= found
    assert TRAPS["server_error"][1] in found


def test_broken_feed_is_malformed_but_home_is_fine(site):
    feed = feedparser.parse(get(site, TRAPS["malformed_feed"][0])[2])
    assert feed.bozo
    salvaged = {e.get("link") for e in feed.entries} - {None}
    assert salvaged <= {site.base_url + a["path"] for a in EXPECTED["broken"]}
    with pytest.raises(ET.ParseError):
        ET.fromstring(get(site, TRAPS["malformed_feed"][0])[2])
    page = parse_html(get(site, "/broken/")[2])
    assert site.base_url + EXPECTED["broken"][0]["path"] in page.links


def test_no_link_leaves_the_server(site):
    """Every href/src/loc/link the site serves stays on the server's own base URL."""
    seen, queue, links = set(), ["/", "/robots.txt"], []
    while queue:
        path = queue.pop()
        if path in seen or path.startswith(TRAPS["slow"][0]):
            continue
        seen.add(path)
        status, headers, body = get(site, path)
        if status != 200:
            continue
        ctype = headers["Content-Type"]
        if "html" in ctype:
            text = any_decode(body)
            found = _Links()
            found.feed(text)
            new = found.links
        elif "xml" in ctype:
            text = body.decode()
            new = re.findall(r"<(?:loc|link)>([^<]+)</", text) + re.findall(r'<link[^>]+href="([^"]+)"', text)
        elif path == "/robots.txt":
            new = re.findall(r"^Sitemap: (\S+)", body.decode(), re.M)
        else:
            continue
        for link in new:
            links.append(link)
            if link == "#":
                continue
            if link.startswith("/"):
                link = site.base_url + link
            assert link.startswith(site.base_url + "/"), (path, link)
            queue.append(link.removeprefix(site.base_url).split("?")[0])
    assert len(seen) > 30 and links


def test_head_and_conditional_get(site):
    status, headers, body = fetch(site.base_url + "/almanar/rss.xml", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    etag = headers["ETag"]
    assert fetch(site.base_url + "/almanar/rss.xml", {"If-None-Match": etag})[0] == 304


@pytest.mark.parametrize("path", ["/almanar/rss.xml", "/wire/atom.xml", "/wire/sitemap_index.xml",
                                  "/wire/sitemap-news.xml"])
def test_feeds_and_sitemaps_are_dated_by_their_newest_entry_and_answer_304_when_unchanged(site, path):
    status, headers, _ = fetch(site.base_url + path)
    assert status == 200 and headers["ETag"]
    modified = datetime.strptime(headers["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert modified.year == 2023  # the sample's news dates, not the time of the request
    site.reset_hits()
    assert fetch(site.base_url + path, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(site.base_url + path, {"If-Modified-Since": "Sun, 01 Jan 2023 00:00:00 GMT"})[0] == 200
    # If-None-Match decides when both are sent (RFC 9110): another ETag means changed
    assert fetch(site.base_url + path, {"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]})[0] == 200
    assert site.answers == [(path, 304), (path, 200), (path, 200)]
    assert "Last-Modified" not in get(site, "/almanar/")[1]  # pages: an ETag only


def test_a_changed_feed_is_modified_since_it_was_last_read():
    with SampleSite(slow_seconds=0) as s:
        _, headers, _ = get(s, "/almanar/rss.xml")
        s.set_variant("updated")
        assert fetch(s.base_url + "/almanar/rss.xml", {"If-Modified-Since": headers["Last-Modified"]})[0] == 200
        assert fetch(s.base_url + "/almanar/rss.xml", {"If-None-Match": headers["ETag"]})[0] == 200


# --- the "updated" variant -------------------------------------------------------------------------------

def test_updated_variant():
    with SampleSite(slow_seconds=0) as s:
        before = feedparser.parse(get(s, "/almanar/rss.xml")[2])
        old_body = get(s, "/almanar/article/1007")[2].decode()
        assert get(s, "/almanar/article/1008")[0] == 404
        s.set_variant("updated")
        after = feedparser.parse(get(s, "/almanar/rss.xml")[2])
        new_body = get(s, "/almanar/article/1007")[2].decode()
        assert "تحديث: أصدرت وزارة الطاقة" in new_body and "تحديث: أصدرت وزارة الطاقة" not in old_body
        date = {e.link: e.published_parsed for e in before.entries}
        date_after = {e.link: e.published_parsed for e in after.entries}
        link = s.base_url + "/almanar/article/1007"
        assert date_after[link] > date[link]
        assert s.base_url + "/almanar/article/1008" in date_after
        for arts in expected("updated").values():
            for a in arts:
                assert get(s, a["path"])[0] == 200
        assert len(expected("updated")["almanar"]) == len(EXPECTED["almanar"]) + 1
        with pytest.raises(ValueError):
            s.set_variant("nope")


# --- the command line ------------------------------------------------------------------------------------

def test_module_serves_in_the_foreground():
    proc = subprocess.Popen([sys.executable, "-m", "newsmon.sample_site", "--slow-seconds", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", first)
        assert m, first
        base = m.group(1)
        assert fetch(base + "/almanar/rss.xml")[0] == 200
        rest = ""
        while "name: offline" not in rest:
            rest += proc.stdout.readline()
        assert f"url: {base}/almanar/" in rest
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- the multilingual outlets (farsi, bilingual, legacy) ------------------------------------------------

FA_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
AR_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
FA_MONTHS = {"فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6, "مهر": 7}


def test_farsi_feed_has_no_dates_and_pages_only_solar_hijri_text(site):
    status, headers, body = get(site, "/farsi/rss.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.version == "rss20" and feed.feed.language == "fa"
    assert {e.link.removeprefix(site.base_url) for e in feed.entries} == {a["path"] for a in EXPECTED["farsi"]}
    assert not any(e.get("published") or e.get("updated") for e in feed.entries)
    assert b"pubDate" not in body and b"lastBuildDate" not in body
    for a in EXPECTED["farsi"]:
        text = get(site, a["path"])[2].decode()
        assert "application/ld+json" not in text and "published_time" not in text and "<time" not in text
        assert not re.search(r"20\d\d|1[34]\d\d", text.replace(site.base_url, ""))  # no Western-digit date
        date_line = ARTICLES[a["path"]].page_date
        assert f'<span class="news-date">{date_line}</span>' in text
        assert not re.search(r"[0-9٠-٩]", date_line)  # Persian digits only
        # the visible Solar Hijri date is the Gregorian EXPECTED one, Tehran time (+03:30, no DST since 2022)
        day, month, year, hh, mm = re.search(r"(\d+) (\S+) (\d{4}) (?:-|ساعت) (\d\d):(\d\d)",
                                             date_line.translate(FA_DIGITS)).groups()
        month = FA_MONTHS[month.replace("ي", "ی")]
        want = datetime.fromisoformat(a["published"])
        assert jalali_to_gregorian(int(year), month, int(day)) == (want.year, want.month, want.day), a["path"]
        assert (want.hour, want.minute) == (int(hh), int(mm)) and str(want.utcoffset()) == "3:30:00"
    assert EXPECTED["farsi"][0]["published"] == "2023-09-20T14:35:00+03:30"  # 29 Shahrivar 1402


def test_farsi_mixes_arabic_and_persian_letters(site):
    mixed = get(site, "/farsi/news/7003")[2].decode()
    for arabic, persian in (("ي", "ی"), ("ك", "ک")):
        assert arabic in mixed and persian in mixed
    assert "۲۸ شهريور ۱۴۰۲" in mixed                                 # Arabic yeh in the month name
    assert "ي" in EXPECTED["farsi"][2]["title"] and "ی" in EXPECTED["farsi"][2]["title"]
    assert "\u200c" in mixed                                          # ZWNJ, as Persian is written
    for path in ("/farsi/news/7001", "/farsi/news/7002", "/farsi/news/7004"):   # the others: Persian letters only
        article = ARTICLES[path]
        text = " ".join((article.title, article.page_date, *article.paragraphs))
        assert "ي" not in text and "ك" not in text and "ی" in text, path


def test_bilingual_feed_mixes_languages_under_one_language_tag(site):
    feed = feedparser.parse(get(site, "/bilingual/rss.xml")[2])
    assert not feed.bozo and feed.version == "rss20" and feed.feed.language == "ar"
    links = [e.link.removeprefix(site.base_url) for e in feed.entries]
    assert set(links) == {a["path"] for a in EXPECTED["bilingual"]}
    scripts = {bool(re.search(r"[\u0600-\u06FF]", e.title)) for e in feed.entries}
    assert scripts == {True, False}                                   # Arabic and English titles
    dates = [datetime(*e.published_parsed[:6]) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_bilingual_pages(site):
    by_path = {a["path"]: a for a in EXPECTED["bilingual"]}
    for path, a in by_path.items():
        text = get(site, path)[2].decode()
        assert f"<title>{a['title'].replace(chr(39), '&#x27;')} - بيروت نيوز</title>" in text
        assert '<h1 class="logo">' in text                           # the headline is not the <h1>
    short = get(site, "/bilingual/news/5003")[2].decode()              # English, every hint says "ar"
    assert by_path["/bilingual/news/5003"]["language"] == "en"
    assert '<html lang="ar"' in short and 'content="ar_AR"' in short and '"inLanguage": "ar"' in short
    body = unescape(re.search(r'<div class="article-body">(.*?)</div>', short, re.S).group(1))
    assert 20 <= len(re.sub(r"<[^>]+>", " ", body).split()) <= 35
    cms_default = get(site, "/bilingual/news/5004")[2].decode()       # Arabic under the CMS default "en"
    assert by_path["/bilingual/news/5004"]["language"] == "ar"
    assert '<html lang="en" dir="ltr">' in cms_default and 'content="en_US"' in cms_default
    credited = get(site, "/bilingual/news/5001")[2].decode()
    assert by_path["/bilingual/news/5001"]["credited_source"] == "وكالة الأنباء الوطنية"
    assert "<p>المصدر: وكالة الأنباء الوطنية</p>\n  </div>" in credited   # the last line of the body


def test_legacy_pages_are_really_legacy_bytes(site):
    # 4001: windows-1256, no charset anywhere
    status, headers, body = get(site, "/legacy/news/4001.htm")
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b"charset" not in body.lower() and b"encoding" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body == body.decode("cp1256").encode("cp1256")
    text = unescape(body.decode("cp1256"))
    assert EXPECTED["legacy"][0]["title"] in text and SNIPPETS["/legacy/news/4001.htm"] in text
    assert "الأربعاء ٢٠ أيلول ٢٠٢٣ - ١٠:٤٥" in text                 # Arabic-Indic digits, as character references
    assert "&#1634;&#1632;" in body.decode("cp1256")

    # 4002: ISO-8859-6 bytes under a <meta> that says UTF-8
    status, headers, body = get(site, "/legacy/news/4002.htm")
    assert headers["Content-Type"] == "text/html"
    assert b'charset=utf-8"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    title = EXPECTED["legacy"][1]["title"]
    assert title in body.decode("iso8859_6")
    assert title not in body.decode("cp1256", errors="replace")      # not cp1256 either: another letter layout
    assert title.encode("iso8859_6") in body

    # 4003: UTF-8 mojibake, valid UTF-8 bytes; repaired by reading them back as cp1256
    status, headers, body = get(site, "/legacy/news/4003.htm")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    title = EXPECTED["legacy"][2]["title"]
    assert "ط§ظ„ط¹ط±ط¨ظٹط©" in text and title not in text
    h1 = re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert h1 == mojibake(title) and h1.encode("cp1256").decode("utf-8") == title
    assert "الاثنين ١٨ أيلول ٢٠٢٣ - ١٧:٠٥" in text                   # the template around it is fine

    # 4004: windows-1256, declared only after 8 KB of inline script
    body = get(site, "/legacy/news/4004.htm")[2]
    declared = body.find(b"charset=windows-1256")
    assert declared > 8192 and body.find(b"<title>") > declared
    assert EXPECTED["legacy"][3]["title"] in unescape(body.decode("cp1256"))


def test_legacy_section_page(site):
    status, headers, body = get(site, "/legacy/")
    assert status == 200 and headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    links = parse_html(body, "cp1256").links
    pattern = re.compile(yaml.safe_load(sources_yaml(site.base_url))["sources"][6]["sections"][0]["article_pattern"])
    assert {u for u in links if pattern.search(u)} == {a["path"] for a in EXPECTED["legacy"]}


def test_legacy_dates_are_visible_text_only(site):
    for a in EXPECTED["legacy"]:
        article = ARTICLES[a["path"]]
        text = unescape(get(site, a["path"])[2].decode(CODECS[article.encoding]))
        assert article.page_date in text
        assert "<time" not in text and "og:" not in text and "ld+json" not in text
        want = datetime.fromisoformat(a["published"])
        digits = re.findall(r"\d+", article.page_date.translate(AR_DIGITS))
        assert [int(d) for d in digits[:2]] == [want.day, want.year]
