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

import feedparser
import pytest
import yaml

from newsmon.sample_site import EXPECTED, OFFLINE_URL, SNIPPETS, TRAPS, SampleSite, expected, sources_yaml

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
    assert list(by_name) == ["almanar", "wire", "alakhbar", "broken", "offline"]
    assert set(by_name) == set(EXPECTED)
    for s in cfg["sources"]:
        assert re.fullmatch(r"[a-z0-9_-]+", s["name"])
        assert s["enabled"] is True
        urls = [s["url"], *s["feeds"], *s["sitemaps"], *(sec["url"] for sec in s["sections"])]
        prefix = OFFLINE_URL if s["name"] == "offline" else site.base_url
        assert all(u.startswith(prefix + "/") for u in urls), urls
    assert by_name["almanar"]["timezone"] == "Asia/Beirut" and by_name["almanar"]["language"] == "ar"
    assert len(by_name["alakhbar"]["sections"]) == 2 and not by_name["alakhbar"]["feeds"]
    # each source's article_pattern matches its own expected articles and no other source's
    for s in cfg["sources"]:
        for sec in s["sections"]:
            pattern = re.compile(sec["article_pattern"])
            for name, arts in EXPECTED.items():
                for a in arts:
                    assert bool(pattern.search(a["path"])) == (name == s["name"]), (sec, a["path"])


def test_expected_is_well_formed():
    counts = {name: len(arts) for name, arts in EXPECTED.items()}
    assert counts == {"almanar": 7, "wire": 7, "alakhbar": 6, "broken": 1, "offline": 0}
    paths = [a["path"] for arts in EXPECTED.values() for a in arts]
    assert len(paths) == len(set(paths))
    traps = {p.split("?")[0] for group, ps in TRAPS.items() if group not in ("slow", "tracking_duplicate")
             for p in ps}
    assert not traps & set(paths)
    for name, arts in EXPECTED.items():
        for a in arts:
            assert set(a) == {"path", "title", "published", "language", "authors"}
            assert a["language"] == ("en" if name in ("wire", "broken") else "ar")
            assert datetime.fromisoformat(a["published"]).utcoffset() is not None
            assert a["path"] in SNIPPETS
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
            charset = "cp1256" if b"windows-1256" in body[:600] else "utf-8"
            text = body.decode(charset)
            page = parse_html(body, charset)
            assert page.canonical == site.base_url + a["path"]
            assert a["title"] in text
            assert SNIPPETS[a["path"]] in text.replace("&#8243;", "″")
            assert page.html_attrs.get("lang") == a["language"]
            if a["language"] == "ar":
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
            text = body.decode("cp1256" if b"windows-1256" in body[:600] else "utf-8")
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
