"""Synthetic but realistic instances for the benchmark and the property tests.

Graduates of vocational majors with Chinese skill texts drawn from their field (and now and then another),
certificates, one to three wanted cities, sometimes a grade; openings of skewed popularity (a few cities, majors
and enterprises take most of them, Zipf-like), published by enterprises of which some are alliance members, so
that priority and its tolerance occur as they do in the demo alliances.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from matching.features import Catalogue
from matching.model import Graduate, Major, Occupation, Opening, Place

FIELDS = {
    "装备制造大类": (
        [
            "数控车床编程",
            "FANUC系统操作",
            "CAD制图",
            "机械识图",
            "UG三维建模",
            "量具使用",
            "钳工装配",
            "工艺文件编写",
            "氩弧焊",
            "二氧化碳保护焊",
            "焊缝检验",
            "模具装配",
            "注塑机调试",
            "PLC编程",
            "电气接线",
            "设备点检",
        ],
        ["6-18-01-01", "6-18-01-02", "6-18-02-04", "6-18-04-01", "6-31-01-10", "6-20-01-01", "6-31-07-03"],
        ["数控技术", "焊接技术与自动化", "模具制造技术", "机电一体化技术", "工业机器人技术"],
    ),
    "交通运输大类": (
        ["汽车发动机检修", "底盘维修", "汽车电路诊断", "钣金喷漆", "新能源汽车电池检测", "四轮定位", "汽车保养"],
        ["4-12-01-01", "2-02-15-01"],
        ["汽车检测与维修技术", "汽车运用与维修"],
    ),
    "电子与信息大类": (
        ["Python编程", "Java开发", "网络布线", "路由交换配置", "Linux运维", "数据库SQL", "网页设计", "数据标注"],
        ["4-04-05-01", "2-02-10-04", "4-12-02-01", "2-02-38-03"],
        ["计算机应用技术", "大数据技术", "计算机网络应用"],
    ),
    "财经商贸大类": (
        ["会计电算化", "出纳", "税务申报", "Excel数据分析", "直播带货", "网店运营", "仓储管理", "物流调度", "客户服务"],
        ["2-06-03-00", "4-01-06-01", "4-02-06-01", "4-07-02-05"],
        ["大数据与会计", "电子商务", "现代物流管理"],
    ),
    "医药卫生大类": (
        ["基础护理", "静脉输液", "老年照护", "急救技能", "病历书写", "康复护理"],
        ["2-05-08-01", "4-10-01-05", "4-14-01-02"],
        ["护理"],
    ),
}
CERTIFICATES = ["焊工", "电工", "车工", "铣工", "汽车维修工", "计算机程序设计员", "育婴员", "会计", "叉车司机"]
KINDS = ["employment", "post_internship", "cognitive_internship", "work_study", "order_class", "apprenticeship"]


@dataclass
class Instance:
    catalogue: Catalogue
    graduates: list[Graduate]
    openings: list[Opening]


def _zipf_choice(rng: np.random.Generator, n: int, size: int, a: float = 1.1) -> np.ndarray:
    """Indexes in [0, n) where index r is drawn with weight 1/(r+1)^a: a few take most."""
    weights = 1.0 / np.arange(1, n + 1) ** a
    return rng.choice(n, size=size, p=weights / weights.sum())


def catalogue(rng: np.random.Generator, n_cities: int = 300) -> Catalogue:
    majors, occupations = [], []
    for field, (_, codes, names) in FIELDS.items():
        majors.extend(Major(name, field) for name in names)
        occupations.extend(Occupation(code, code) for code in codes)
    provinces = [f"{p:02d}" for p in range(11, 66)][:31]
    centres = {p: (rng.uniform(85, 125), rng.uniform(22, 48)) for p in provinces}
    places = []
    for c in range(n_cities):
        p = provinces[c % len(provinces)]
        lon, lat = centres[p]
        places.append(Place(f"{p}{c // len(provinces) + 1:02d}00", lon + rng.normal(0, 1.5), lat + rng.normal(0, 1.0)))
    return Catalogue(majors, occupations, places)


def instance(n_graduates: int, n_openings: int, seed: int = 7, n_schools: int = 200) -> Instance:
    rng = np.random.default_rng(seed)
    cat = catalogue(rng)
    fields = list(FIELDS)
    major_field = [fields.index(m.category) for m in cat.majors]
    occ_field = [next(f for f, (_, codes, _) in enumerate(FIELDS.values()) if o.code in codes) for o in cat.occupations]
    n_enterprises = max(1, n_openings // 5)
    alliances = 4
    tolerance = [0.02, 0.0, 0.05, 0.03]
    school_alliance = rng.integers(-1, alliances, size=n_schools)  # -1: not a member of any
    enterprise_alliance = rng.integers(-2, alliances, size=n_enterprises)  # negative: none
    members = {a: frozenset(np.flatnonzero(school_alliance == a).tolist()) for a in range(alliances)}

    city_pick = _zipf_choice(rng, len(cat.places), n_graduates * 3 + n_openings, a=0.9)
    major_pick = _zipf_choice(rng, len(cat.majors), n_graduates + n_openings, a=0.7)
    graduates = []
    for i in range(n_graduates):
        major = int(major_pick[i])
        words = FIELDS[fields[major_field[major]]][0]
        skills = list(rng.choice(words, size=min(len(words), int(rng.integers(2, 6))), replace=False))
        if rng.random() < 0.3:
            other = FIELDS[fields[int(rng.integers(len(fields)))]][0]
            skills.append(str(rng.choice(other)))
        certs = tuple((str(rng.choice(CERTIFICATES)), int(rng.integers(1, 4))) for _ in range(int(rng.integers(0, 3))))
        cities = tuple(sorted({int(c) for c in city_pick[3 * i : 3 * i + int(rng.integers(0, 4))]}))
        kinds = frozenset(rng.choice(KINDS, size=int(rng.integers(0, 3)), replace=False).tolist())
        graduates.append(
            Graduate(
                id=i + 1,
                school=int(rng.integers(n_schools)),
                major=major,
                skills="、".join(skills),
                certificates=certs,
                wanted_cities=cities,
                grade=float(rng.uniform(0.4, 1.0)) if rng.random() < 0.6 else None,
                wanted_kinds=kinds,
                graduation_year=int(rng.choice([2026, 2027], p=[0.2, 0.8])),
                post_ok_from=date(2026, 9, 1) - timedelta(days=int(rng.integers(0, 400))),
            )
        )
    openings = []
    for j in range(n_openings):
        field = major_field[int(major_pick[n_graduates + j])]
        occupations = [o for o, f in enumerate(occ_field) if f == field]
        words = FIELDS[fields[field]][0]
        field_majors = [m for m, f in enumerate(major_field) if f == field]
        enterprise = int(rng.integers(n_enterprises))
        alliance = int(enterprise_alliance[enterprise])
        kind = str(rng.choice(KINDS, p=[0.45, 0.3, 0.05, 0.1, 0.05, 0.05]))
        start = date(2027, 3, 1) + timedelta(days=int(rng.integers(0, 200)))
        openings.append(
            Opening(
                id=j + 1,
                enterprise=enterprise,
                kind=kind,
                occupation=int(rng.choice(occupations)),
                majors=tuple(sorted(rng.choice(field_majors, size=min(2, len(field_majors)), replace=False).tolist())),
                skills="、".join(rng.choice(words, size=min(len(words), 4), replace=False)),
                certificates=((str(rng.choice(CERTIFICATES)), 2),) if rng.random() < 0.25 else (),
                city=int(city_pick[3 * n_graduates + j]),
                start=start,
                post_rules=kind == "post_internship",
                latest_graduation_year=start.year if kind == "employment" else None,
                tolerance=tolerance[alliance] if alliance >= 0 else 0.0,
                priority_schools=members[alliance] if alliance >= 0 else frozenset(),
            )
        )
    return Instance(cat, graduates, openings)
