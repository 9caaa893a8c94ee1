"""Profile and practice-base edit forms: an enterprise can save its profile, and an edit keeps the stored city.

The forms are submitted as a browser would: every field the page renders, with the value the page shows, so a field
the page leaves out or a select with nothing selected fails here as it did for users.
"""

from html.parser import HTMLParser

import pytest

from marketplace.orgs.models import OrgKind, SchoolLevel
from tests.factories import PracticeBaseFactory, SchoolFactory, UserFactory, region

BAODING = "130600"  # not the factories' default city (衡水), nor the first in the list


class BrowserForm(HTMLParser):
    """What a browser submits from the page's own POST form (no `action`: not the navigation's) when the user
    changes nothing."""

    def __init__(self, html: str):
        super().__init__()
        self.values, self.selected, self.first_options, self._select, self._in_form = {}, {}, {}, None, False
        self.feed(html)
        self.values |= self.first_options | self.selected

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and not attrs.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attrs.get("type") not in ("submit", "checkbox", "radio", "file") and "name" in attrs:
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            self.first_options.setdefault(self._select, attrs.get("value"))
            if "selected" in attrs:
                self.selected[self._select] = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def selected_city(html: str) -> str | None:
    return BrowserForm(html).selected.get("city")


@pytest.fixture
def enterprise_admin():
    admin = UserFactory()
    admin.organization.city = region(BAODING)
    admin.organization.province = region(BAODING).parent
    return admin


@pytest.fixture
def school_admin():
    school = SchoolFactory(city=region(BAODING), school_level=SchoolLevel.JIGONG)
    return UserFactory(organization=school)


@pytest.mark.parametrize("admin_fixture", ["enterprise_admin", "school_admin"])
def test_the_edit_form_shows_the_stored_city(request, client, login_as, admin_fixture):
    admin = request.getfixturevalue(admin_fixture)
    login_as(admin)
    page = client.get(f"/orgs/{admin.organization_id}/edit").get_data(as_text=True)
    assert selected_city(page) == str(region(BAODING).id)


def test_an_enterprise_saves_its_profile(client, login_as, enterprise_admin):
    org = enterprise_admin.organization
    login_as(enterprise_admin)
    data = BrowserForm(client.get(f"/orgs/{org.id}/edit").get_data(as_text=True)).values
    assert "school_level" not in data  # the field only applies to schools
    response = client.post(f"/orgs/{org.id}/edit", data=data | {"org_name": "衡水新名有限公司", "staff_count": "620"})
    assert response.status_code == 302
    assert (org.name, org.staff_count, org.city_id) == ("衡水新名有限公司", 620, region(BAODING).id)


def test_a_school_saves_its_profile_and_level(client, login_as, school_admin):
    org = school_admin.organization
    login_as(school_admin)
    data = BrowserForm(client.get(f"/orgs/{org.id}/edit").get_data(as_text=True)).values
    assert "staff_count" not in data  # only enterprises record a staff count
    response = client.post(f"/orgs/{org.id}/edit", data=data | {"school_level": SchoolLevel.GAOZHI.value})
    assert response.status_code == 302
    assert (org.school_level, org.city_id, org.kind) == (SchoolLevel.GAOZHI, region(BAODING).id, OrgKind.SCHOOL)


def test_saving_a_profile_without_touching_the_city_keeps_it(client, login_as, enterprise_admin):
    org = enterprise_admin.organization
    login_as(enterprise_admin)
    data = BrowserForm(client.get(f"/orgs/{org.id}/edit").get_data(as_text=True)).values
    assert client.post(f"/orgs/{org.id}/edit", data=data | {"address": "人民路1号"}).status_code == 302
    assert (org.address, org.city_id, org.province_id) == ("人民路1号", region(BAODING).id, region(BAODING).parent_id)


def test_a_practice_base_edit_shows_and_keeps_its_city(client, login_as, enterprise_admin):
    base = PracticeBaseFactory(enterprise=enterprise_admin.organization, city=region(BAODING))
    login_as(enterprise_admin)
    page = client.get(f"/practice/bases/{base.id}/edit").get_data(as_text=True)
    assert selected_city(page) == str(region(BAODING).id)
    response = client.post(f"/practice/bases/{base.id}/edit", data=BrowserForm(page).values | {"capacity": "5"})
    assert response.status_code == 302
    assert (base.capacity, base.city_id, base.mentor_title) == (5, region(BAODING).id, "高级技师")
