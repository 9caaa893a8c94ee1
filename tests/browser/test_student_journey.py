"""The student's journey on a phone (390 px wide, zh-CN): the school makes a sign-up link, the student sets a password,
signs in with their 学号 and reads the data the school holds (masked); then the demo student, who has an internship
and an open offer, writes this week's journal, signs the agreement of the next internship and says yes to the
offer. Every page fits the phone's width.

Screenshots of each step are saved in /tmp/xqt-shots/students/ (XQT_SHOTS overrides the folder).
"""

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.conftest import CHROMIUM, STEP_TIMEOUT_MS, why_no_browser

_MISSING = why_no_browser()
if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("XQT_SHOTS", "/tmp/xqt-shots")) / "students"  # noqa: S108  (screenshots to look at)
NEW_PASSWORD = "Xuesheng-2027!"
OFFERED = "已发录用通知"  # the label of an open offer
SLOW_STEP_MS = 3 * STEP_TIMEOUT_MS  # a shared test machine under load serves the demo slowly
assert CHROMIUM  # the same browser as the other walks


@pytest.fixture
def phone(browser, live_server):
    """A second browser context, the student's phone, beside the school's `tab`."""
    from tests.browser.conftest import Tab

    context = browser.new_context(locale="zh-CN", viewport=PHONE, base_url=live_server, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    context.set_default_timeout(SLOW_STEP_MS)
    yield Tab(page=context.new_page(), base_url=live_server).watch()
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 390 px phone"


def sign_out(page) -> None:
    """Through the folded menu, as on a phone. The menu slides open: a click that lands while it still moves can be
    lost (seen under xdist), so the sign-out is retried until the login page answers, at most three times."""
    button = page.get_by_role("button", name="退出登录")
    for attempt in range(3):
        if not button.is_visible():  # folded (a lost click may have left it open)
            page.get_by_role("button", name="菜单").click()
        expect(button).to_be_visible()
        button.click()
        try:
            # Signed out only once the answer arrived: the login page opened before that finds the session alive.
            expect(page).to_have_url(re.compile(r"/auth/login"), timeout=5_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(page.get_by_role("button", name="退出登录", include_hidden=True)).to_have_count(0)


def sign_in(page, identifier: str, password: str) -> None:
    page.goto("/auth/login")
    form = page.locator("main form")
    form.get_by_label("学号").fill(identifier)
    form.get_by_label("密码", exact=True).fill(password)
    form.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/me/$"))


def _student_without_account(app) -> tuple[int, str]:
    from marketplace.auth.models import User
    from marketplace.cohorts.models import Cohort, Student
    from marketplace.demo.data import DEMO_SCHOOL
    from marketplace.extensions import db
    from marketplace.orgs.models import Organization

    with app.app_context():
        row = db.session.execute(
            sa.select(Student.id, Student.student_no)
            .join(Cohort, Cohort.id == Student.cohort_id)
            .join(Organization, Organization.id == Student.school_id)
            .where(Organization.name == DEMO_SCHOOL, Cohort.graduation_year == 2027,
                   Student.id.not_in(sa.select(User.student_id).where(User.student_id.is_not(None))))
            .order_by(Student.student_no)
            .limit(1)
        ).one()  # fmt: skip
        db.session.remove()
    return row.id, row.student_no


def _demo_student(app) -> str:
    from marketplace.demo.students import demo_student_login
    from marketplace.extensions import db

    with app.app_context():
        login = demo_student_login()
        db.session.remove()
    return login


def test_the_student_joins_reads_their_data_writes_a_journal_and_answers_an_offer(app, tab, login, phone):
    student_id, student_no = _student_without_account(app)
    tab.page.set_default_timeout(SLOW_STEP_MS)

    # The school makes the student's sign-up link on the student's record.
    school = login("school@demo.xqt.cn")
    school.goto(f"/cohorts/students/{student_id}")
    school.get_by_role("button", name="生成学生开通链接").click()
    link = school.locator("#student-link").input_value()
    assert "/me/join/" in link
    tab.assert_clean()

    # On the phone: the link, a password, and the student's own home.
    page = phone.page
    page.goto(link)
    expect(page.locator("main h1")).to_contain_text("设置密码")
    shot(page, "1-join")
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("alert").filter(has_text=student_no)).to_be_visible()
    shot(page, "2-home-new")

    # Signed out and in again with the 学号; the data the school holds, numbers masked.
    sign_out(page)
    sign_in(page, student_no, NEW_PASSWORD)
    page.get_by_role("link", name="学校保存的我的信息").click()
    expect(page.locator("main h1")).to_contain_text("学校保存的我的信息")
    expect(page.locator("main")).to_contain_text(student_no)
    expect(page.locator("main")).to_contain_text("****")
    shot(page, "3-data")
    phone.assert_clean()

    # The demo student: this week's journal, then the offer.
    sign_out(page)
    sign_in(page, _demo_student(app), "Demo-2027-xqt")
    shot(page, "4-home-demo")
    page.locator("main a[href^='/me/placements/']").filter(has_text="落后").first.click()
    expect(page.locator("main")).to_contain_text("周志")
    expect(page.locator("main")).to_contain_text("落后")
    page.get_by_label("本周工作与收获").fill("本周在师傅指导下完成了一批轴类零件的精车，学会了用千分尺检测外径。")
    page.get_by_role("button", name="保存周志").click()
    expect(page.get_by_role("alert").filter(has_text="周志已保存")).to_be_visible()
    expect(page.locator("main")).to_contain_text("学会了用千分尺检测外径")
    shot(page, "5-journal")

    page.get_by_role("link", name="返回").click()

    # The next internship's agreement, signed on the phone by the student.
    page.locator("main a[href^='/me/placements/']").filter(has_text="电气装配").first.click()
    page.get_by_role("link", name=re.compile("三方实习协议")).click()
    expect(page.locator("main h1")).to_contain_text("三方实习协议")
    expect(page.locator("main")).to_contain_text("实习报酬及支付方式")
    shot(page, "6-agreement")
    page.get_by_label("我已阅读本协议并同意其条款").check()
    page.get_by_role("button", name="签署协议").click()
    expect(page.get_by_role("alert").filter(has_text="你已签署协议")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("尚未签署")
    shot(page, "7-agreement-signed")
    page.get_by_role("link", name="返回").click()
    page.get_by_role("link", name="返回").click()
    page.locator("main a[href^='/me/offers/']").filter(has_text=OFFERED).first.click()
    page.get_by_label("给学校的留言（可选）").fill("愿意毕业后入职。")
    page.get_by_role("button", name="接受录用").click()
    expect(page.get_by_role("alert").filter(has_text="学校将予以确认")).to_be_visible()
    expect(page.locator("main")).to_contain_text("你的答复：接受")
    shot(page, "8-offer")
    phone.assert_clean()

    # The school sees the answer to record.
    school.goto("/students/")
    expect(school.locator("main")).to_contain_text("愿意毕业后入职。")
    tab.assert_clean()
