"""Chinese means Chinese: every page of the demo, as each role, in zh, shows no English word or raw code.

The crawl starts at the home page and follows the links each user is shown (GET only, two pages per route
pattern), so a page added to the product is swept as soon as a link leads to it.
"""

import re
from collections import deque
from html.parser import HTMLParser

import sqlalchemy as sa

from marketplace.alliances.models import Alliance
from marketplace.auth.models import Role, User
from marketplace.orgs.models import Organization, OrgKind

# Words that are Chinese UI too: file formats, product and standard names, the English switch, units.
ALLOWED = {
    "PDF", "XLSX", "CSV", "DOCX", "Excel", "ECharts", "English", "XiaoqiTong", "Top", "GB", "KB", "MB",
    # skills and venues as Chinese job ads write them
    "CAD", "PLC", "Office", "KTV", "CNC",
    # file extensions and encodings named as the user must type or choose them
    "xlsx", "csv", "UTF",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
# Addresses, e-mails, numbered identifiers and digests (a run's inputs digest) are data, not words.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z]{2,}-\d{4}-\d+\b|\b[0-9A-Z]{18}\b|\b[0-9a-f]{8,}\b")
SKIP_LINK = re.compile(r"^/(static|assets)/|/logout|\.(xlsx|csv|pdf|docx)$|/export|/download|/certificate")
PAGES_PER_PATTERN = 2
PAGES_PER_ROLE = 160


class _Text(HTMLParser):
    """The text a reader sees: element text, placeholders, titles and labels; not scripts, styles or URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.chunks.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.chunks.append(data)


def english_words(html: str) -> tuple[set[str], list[str]]:
    parser = _Text()
    parser.feed(html)
    text = NOT_WORDS.sub(" ", " ".join(parser.chunks))
    return {w for w in WORD.findall(text) if w not in ALLOWED}, parser.links


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?", 1)[0])


def crawl(client, *, at_least: int, start: str = "/") -> dict[str, set[str]]:
    """Visit the pages reachable from the home page; return {url: English words found}."""
    found, seen, per_pattern = {}, set(), {}
    queue = deque([start])
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen or per_pattern.get(_pattern(url), 0) >= PAGES_PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[_pattern(url)] = per_pattern.get(_pattern(url), 0) + 1
        response = client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        words, links = english_words(response.get_data(as_text=True))
        if words:
            found[url] = words
        for link in links:
            link = link.split("#", 1)[0]
            if link.startswith("/") and not link.startswith("//") and not SKIP_LINK.search(link):
                queue.append(link)
    assert len(seen) >= at_least, "the crawl found almost nothing: the sweep would prove nothing"
    return found


def _users(db) -> dict[str, User]:
    """One login of each kind the demo has."""

    def first(*where):
        return db.session.scalar(sa.select(User).join(Organization).where(*where).order_by(User.id).limit(1))

    secretariat_org = db.session.scalar(sa.select(Alliance.secretariat_org_id).order_by(Alliance.id).limit(1))
    return {
        "school": first(Organization.kind == OrgKind.SCHOOL, User.role == Role.ORG_ADMIN),
        "enterprise": first(Organization.kind == OrgKind.ENTERPRISE, User.role == Role.ORG_ADMIN),
        "secretariat": first(User.organization_id == secretariat_org, User.role == Role.SECRETARIAT),
        "platform_admin": first(User.role == Role.PLATFORM_ADMIN),
        # a student's own account belongs to no organisation
        "student": db.session.scalar(sa.select(User).where(User.role == Role.STUDENT).order_by(User.id).limit(1)),
    }


AT_LEAST = {"student": 4}  # home, own data, an offer, a placement: the student's pages are few
START = {"student": "/me/"}  # the home page redirects a student there


def test_every_page_of_the_demo_speaks_chinese(app, client, login_as, db, demo_copy):
    demo_copy.load()
    anonymous = crawl(client, at_least=3)
    report = {f"anonymous {url}": words for url, words in anonymous.items()}
    for role, user in _users(db).items():
        assert user is not None, role
        login_as(user)
        found = crawl(client, at_least=AT_LEAST.get(role, 20), start=START.get(role, "/"))
        report.update({f"{role} {url}": words for url, words in found.items()})
    assert not report, "English on zh pages:\n" + "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(report.items()))
