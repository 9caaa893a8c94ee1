"""The student sheet's columns: Chinese headers (the template's), accepted variants, required ones, the template."""

from datetime import date

from marketplace.certificates import format_certificates
from marketplace.cohorts import fields as f
from marketplace.cohorts.models import Gender, Student
from marketplace.exports import write_xlsx
from marketplace.plans.models import OpeningKind
from marketplace.privacy import mask_id_number, mask_phone

HEADER_SEARCH_ROWS = 10  # a title line or two above the headers is common
HEADERS = {
    "student_no": "学号",
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "enrolled_on": "入学日期",
    "major_code": "专业代码",
    "major_name": "专业",
    "level": "层次",
    "certificates": "证书",
    "skills": "技能",
    "grade_score": "成绩",
    "wanted_cities": "意向城市",
    "wanted_kinds": "意向类型",
    "phone": "联系电话",
    "id_number": "身份证号",
    "consent": "同意共享",
}
ALIASES = {
    "专业名称": "major_name",
    "学历层次": "level",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "身份证": "id_number",
    "身份证号码": "id_number",
    "是否同意共享": "consent",
}
REQUIRED = ("student_no", "name", "gender", "birth_date", "enrolled_on", "level")
TEXT_COLUMNS = ("student_no", "major_code", "phone", "id_number")
TEMPLATE_EXAMPLE = {
    "student_no": "2024010101",
    "name": "张三",
    "gender": "男",
    "birth_date": date(2008, 5, 12),
    "enrolled_on": date(2024, 9, 1),
    "major_code": "660105",
    "major_name": "焊接技术应用",
    "level": "中职",
    "certificates": "焊工:中级;电工:初级",
    "skills": "手工电弧焊、识图",
    "grade_score": 85,
    "wanted_cities": "衡水市;德州市",
    "wanted_kinds": "岗位实习;就业",
    "phone": "13912345678",
    "id_number": "",
    "consent": "是",
}


def header_key(cell) -> str | None:
    name = f.text(cell).replace("*", "").replace("（", "(").split("(", 1)[0].strip()
    return next((k for k, v in HEADERS.items() if v == name), ALIASES.get(name))


def text_column_indexes() -> list[int]:
    keys = list(HEADERS)
    return [keys.index(k) for k in TEXT_COLUMNS]


def template_xlsx() -> bytes:
    """The download: the Chinese headers, one example row, the number-like columns formatted as text."""
    return write_xlsx(
        list(HEADERS.values()), [[TEMPLATE_EXAMPLE[k] for k in HEADERS]], text_columns=text_column_indexes()
    )


def sheet_row(student: Student, *, unmasked: bool = False) -> list:
    """A student as a row under HEADERS; phone and ID number masked unless `unmasked`."""
    score = student.grade_score
    return [
        student.student_no,
        student.name,
        "男" if student.gender is Gender.MALE else "女",
        student.birth_date,
        student.enrolled_on,
        student.major.code,
        student.major.name,
        f.LEVEL_NAMES[student.level],
        format_certificates((c.name, c.level) for c in student.certificates),
        student.skills,
        int(score) if score is not None and float(score).is_integer() else score,
        ";".join(c.name for c in student.wanted_cities),
        ";".join(f.KIND_NAMES[OpeningKind(k)] for k in student.wanted_kinds or []),
        student.phone if unmasked else mask_phone(student.phone),
        student.id_number if unmasked else mask_id_number(student.id_number),
        "是" if student.consent_to_share else "否",
    ]
