"""Regions, the 2022 occupational classification and the major catalogue loader."""

import pytest
import sqlalchemy as sa

from marketplace.reference import loaders
from marketplace.reference.models import Major, MajorLevel, Occupation, Region, RegionLevel


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_regions_have_provinces_cities_and_coordinates(db):
    assert _count(db, Region, Region.level == RegionLevel.PROVINCE) == 34
    hengshui = db.session.scalar(sa.select(Region).where(Region.code == "131100"))
    assert (hengshui.name, hengshui.level, hengshui.parent.name) == ("衡水市", RegionLevel.CITY, "河北省")
    assert 115 < hengshui.longitude < 116.5
    assert 37 < hengshui.latitude < 38.5
    beijing = db.session.scalar(sa.select(Region).where(Region.code == "110100"))
    assert (beijing.name, beijing.parent.code) == ("北京市", "110000")  # municipality: its own city
    xiantao = db.session.scalar(sa.select(Region).where(Region.name == "仙桃市"))
    assert xiantao.level is RegionLevel.CITY  # county-level city directly under the province
    assert _count(db, Region, Region.level == RegionLevel.CITY) > 330


def test_reloading_regions_adds_nothing(db):
    assert loaders.load_regions(db.session) == 0


def test_occupations_with_hierarchy(db):
    assert _count(db, Occupation, Occupation.level == 4) == 1632  # 1,634 rows, two exact duplicates
    assert _count(db, Occupation, Occupation.level == 1) == 8
    turner = db.session.scalar(sa.select(Occupation).where(Occupation.code == "6-18-01-01"))
    assert turner.name == "车工"
    assert [turner.parent.level, turner.parent.parent.level, turner.parent.parent.parent.level] == [3, 2, 1]
    assert "车床" in turner.definition
    # A level-4 occupation coded -00 without a small class of its own hangs from its middle class.
    buyer = db.session.scalar(sa.select(Occupation).where(Occupation.code == "4-01-01-00", Occupation.level == 4))
    assert buyer.parent.level in (2, 3)
    orphans = _count(db, Occupation, Occupation.level > 1, Occupation.parent_id.is_(None))
    assert orphans == 0
    surveyor = db.session.scalar(sa.select(Occupation).where(Occupation.code == "2-02-02-01"))
    assert (surveyor.name, surveyor.is_digital, surveyor.is_green) == ("大地测量工程技术人员", True, True)


def test_reloading_occupations_adds_nothing(db):
    assert loaders.load_occupations(db.session) == 0


def test_major_catalogue_loader_reports_every_bad_row_and_loads_nothing(db):
    before = _count(db, Major)
    text = "code,name,level,category\n660199,新专业,zhongzhi,装备制造大类\n,无代码,zhongzhi,x\n1,坏层次,daxue,x\n"
    with pytest.raises(loaders.ReferenceDataError) as error:
        loaders.load_majors(db.session, text)
    assert "row 3" in str(error.value)
    assert "row 4" in str(error.value)
    assert _count(db, Major) == before


def test_major_catalogue_loader_updates_by_level_and_code(db):
    loaders.load_majors(db.session, "code,name,level,category\n460103,数控技术（新名）,gaozhi,装备制造大类\n")
    major = db.session.scalar(sa.select(Major).where(Major.code == "460103", Major.level == MajorLevel.GAOZHI))
    assert major.name == "数控技术（新名）"
    with pytest.raises(loaders.ReferenceDataError, match="missing columns"):
        loaders.load_majors(db.session, "code,name\n1,x\n")
