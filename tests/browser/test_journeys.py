"""The four roles' journeys through the demo, in Chromium, in zh-CN: each clicks through real pages as the user would
and reads the Chinese they are shown. No page of a walk may answer 500 (or refuse with 4xx) or log a console error.

Selectors are roles, visible text and link targets (hrefs), never layout classes, so pages can change around them.
"""

import re

import pytest

from tests.browser.conftest import CJK, why_no_browser

_MISSING = why_no_browser()
if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent)

pytestmark = pytest.mark.browser


def heading(page):
    return page.locator("main h1").first


def link_to(page, pattern: str, *, within: str = "main"):
    """The first link inside `within` whose href matches `pattern` (a regular expression on the path)."""
    links = page.locator(f"{within} a[href]")
    expect(links.first).to_be_visible()
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        if re.fullmatch(pattern, href.strip().split("?", 1)[0]):
            return links.nth(i)
    raise AssertionError(f"no link to {pattern} on {page.url}")


def links_to(page, pattern: str, *, within: str = "main") -> list[str]:
    hrefs = [(a.get_attribute("href") or "").strip() for a in page.locator(f"{within} a[href]").all()]
    return list(dict.fromkeys(h for h in hrefs if re.fullmatch(pattern, h.split("?", 1)[0])))


def nav(page, name: str):
    """A link of the top navigation, by its visible name."""
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def succeeded(page, text=CJK):
    """The flash after an action says, in Chinese, that it was done; nothing was refused."""
    expect(page.get_by_role("alert").filter(has_text=text).first).to_be_visible()
    expect(page.locator("[role=alert].alert-danger")).to_have_count(0)


def shows_home(page, tab):
    expect(heading(page)).to_contain_text(CJK)
    expect(page.get_by_role("navigation")).to_be_visible()
    tab.assert_clean()


def test_school_puts_a_student_forward_from_the_ranked_openings(tab, login):
    page = login("school@demo.xqt.cn")
    shows_home(page, tab)

    nav(page, "毕业生").click()
    expect(heading(page)).to_contain_text("毕业生届次")
    cohort = page.get_by_role("row").filter(has_text="2027届")
    cohort.get_by_role("link").first.click()
    expect(heading(page)).to_contain_text("2027届")

    # A consenting student whose ranked openings offer 推荐 (one who is placed or excluded may offer nothing).
    consenting = page.get_by_role("row").filter(has=page.get_by_role("cell", name="是", exact=True))
    students = [
        consenting.nth(i).locator("a[href*='/students/']").first.get_attribute("href")
        for i in range(min(consenting.count(), 6))
    ]
    assert students, "the cohort page lists no consenting student"
    for student in students:
        page.locator(f"main a[href='{student}']").first.click()
        name = heading(page).inner_text().split()[0]
        expect(page.get_by_text("已同意", exact=True).first).to_be_visible()
        link_to(page, r"/students/\d+/openings").click()
        expect(heading(page)).to_contain_text(f"{name} 的推荐岗位")
        expect(page.get_by_text("匹配度").first).to_be_visible()
        buttons = page.locator("main").get_by_role("button", name="推荐", exact=True)
        if buttons.count():
            break
        page.go_back()
        page.go_back()
    else:
        pytest.fail(f"none of the students {students} has an opening to put them forward to")

    row = page.get_by_role("row").filter(has=page.get_by_role("button", name="推荐", exact=True)).first
    opening = row.get_by_role("link").first.inner_text().strip()
    row.get_by_role("button", name="推荐", exact=True).click()
    succeeded(page, "已推荐学生")
    expect(page.locator("main")).to_contain_text(name)

    nav(page, "推荐记录").click()
    expect(heading(page)).to_contain_text("推荐记录")
    nominated = page.get_by_role("row").filter(has_text=name).filter(has_text=opening)
    expect(nominated.first).to_be_visible()
    tab.assert_clean()


def _invitable(page):
    """On a ranking: (row, student name, how to invite) for the first candidate not yet put forward, or None.
    The page either acts on ticked rows (a checkbox labelled with the student's name, then 邀请) or has an 邀请
    button in each row."""
    main = page.locator("main")
    tickable = (
        page.get_by_role("row")
        .filter(has=page.get_by_role("checkbox"))
        .filter(has=page.get_by_role("cell", name="—", exact=True))
    )
    if tickable.count():
        row = tickable.first
        box = row.get_by_role("checkbox")

        def invite():
            box.check()
            main.get_by_role("button", name="邀请", exact=True).first.click()

        return row, (box.get_attribute("aria-label") or "").strip(), invite
    with_button = page.get_by_role("row").filter(has=page.get_by_role("button", name="邀请", exact=True))
    if with_button.count():
        row = with_button.first
        student = row.get_by_role("cell").nth(1).inner_text().strip()
        return row, student, lambda: row.get_by_role("button", name="邀请", exact=True).click()
    return None


def test_enterprise_invites_a_ranked_candidate(tab, login):
    page = login("hr@demo.xqt.cn")
    shows_home(page, tab)

    nav(page, "用工计划").click()
    expect(heading(page)).to_contain_text("用工计划")
    link_to(page, r"/plans/\d+").click()
    expect(page.locator("main")).to_contain_text("德州华锐数控机床有限公司")
    openings = links_to(page, r"/openings/\d+")
    assert openings, "the newest plan lists no opening"

    for opening in openings[:5]:
        page.locator(f"main a[href='{opening}']").first.click()
        title = heading(page).inner_text().strip()
        expect(page.get_by_text("名额").first).to_be_visible()
        page.locator("main").get_by_role("link", name="候选人排序").click()
        expect(heading(page)).to_contain_text("候选人排序")
        expect(page.locator("main")).to_contain_text(title)
        expect(page.get_by_text("匹配度").first).to_be_visible()
        candidate = _invitable(page)
        if candidate:
            break
        page.go_back()
        page.go_back()
    else:
        pytest.fail(f"none of the openings {openings[:5]} offers a candidate to invite")

    row, student, invite = candidate
    assert CJK.search(student), f"the candidate's name is not shown: {student!r}"
    expect(row).to_contain_text(re.compile(r"0\.\d{3}"))  # the fit
    invite()
    succeeded(page)
    expect(page.locator("main")).to_contain_text(student)

    nav(page, "候选人").click()
    expect(page.get_by_role("row").filter(has_text=student).filter(has_text=title).first).to_be_visible()
    tab.assert_clean()


def test_secretariat_reads_the_allocation_runs_and_governance(tab, login):
    page = login("mishu.hs@demo.xqt.cn")
    shows_home(page, tab)

    nav(page, "联盟").click()
    page.locator("main").get_by_role("link", name="衡水技工教育联盟").click()
    expect(heading(page)).to_contain_text("衡水技工教育联盟")
    alliance = page.url

    page.locator("main").get_by_role("link", name="分配方案").click()
    expect(heading(page)).to_contain_text("分配方案")
    expect(page.get_by_role("button", name="运行分配")).to_be_visible()
    link_to(page, r"/allocations/\d+").click()
    expect(heading(page)).to_contain_text(re.compile(r"分配方案\s*#\d+"))
    expect(page.get_by_text("已安置").first).to_be_visible()
    expect(page.get_by_text("由优先规则决定").first).to_be_visible()

    page.goto(alliance)
    page.locator("main").get_by_role("link", name="联盟治理").click()
    expect(heading(page)).to_contain_text("联盟治理")
    expect(page.locator("main")).to_contain_text("会议")
    expect(page.locator("main")).to_contain_text("联盟负责人")
    tab.assert_clean()


def test_platform_admin_saves_an_alliance_charter(tab, login):
    page = login("admin@demo.xqt.cn")
    shows_home(page, tab)

    nav(page, "联盟").click()
    page.locator("main").get_by_role("link", name="衡水技工教育联盟").click()
    expect(heading(page)).to_contain_text("衡水技工教育联盟")
    page.locator("main").get_by_role("link", name="章程参数").click()
    expect(heading(page)).to_contain_text("章程参数")
    expect(page.get_by_label("简称")).not_to_be_empty()
    expect(page.get_by_text("同等条件").first).to_be_visible()

    # Saved unchanged through the real form (CSRF token and all): the charter the demo wrote is a valid charter.
    page.locator("main form").locator("[type=submit]").last.click()
    succeeded(page, "章程参数已保存")
    expect(heading(page)).to_contain_text("衡水技工教育联盟")
    tab.assert_clean()
