"""The tripartite agreement as a printable Chinese PDF, with reportlab's built-in Song font (no font file)."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from marketplace.internships.models import Agreement

FONT = "STSong-Light"
SECTIONS = (
    ("post", "一、实习岗位"), ("place", "二、实习地点"), ("period", "三、实习期限"),
    ("hours", "四、工作时间和休息休假"), ("pay", "五、实习报酬及支付方式"), ("insurance", "六、实习责任保险"),
    ("safety", "七、安全保障"), ("responsibilities", "八、各方责任"), ("termination", "九、协议的变更和解除"),
)  # fmt: skip
NO_FEES = (
    "乙方确认：不以任何形式向学生收取实习押金、培训费、实习报酬提成、管理费或其他费用，"
    "不扣押学生的学生证、居民身份证或其他证件。"
)
BLANK_DATE = "　　年　月　日"


def agreement_pdf(agreement: Agreement) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, alignment=1, spaceAfter=12)
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK")
    p = agreement.placement
    school, enterprise, student = p.student.school.name, p.opening.plan.enterprise.name, p.student.name
    story = [
        Paragraph("职业学校学生岗位实习三方协议", title),
        Paragraph(escape(f"版本：第{agreement.version}版"), body),
        Paragraph("依据：《职业学校学生实习管理规定》（教职成〔2021〕4号）", body),
        Paragraph(escape(f"甲方（职业学校）：{school}"), body),
        Paragraph(escape(f"乙方（实习单位）：{enterprise}"), body),
        Paragraph(escape(f"丙方（学生）：{student}　学号：{p.student.student_no}"), body),
    ]
    for name, heading in SECTIONS:
        story += [Paragraph(heading, head), Paragraph(escape(getattr(agreement, name)).replace("\n", "<br/>"), body)]
    story += [
        Paragraph("十、费用和证件", head),
        Paragraph(NO_FEES + ("（乙方已确认）" if agreement.no_fees_confirmed else "（待乙方确认）"), body),
        Spacer(1, 16),
        Paragraph(escape(f"甲方签署日期：{agreement.school_signed_on or BLANK_DATE}"), body),
        Paragraph(escape(f"乙方签署日期：{agreement.enterprise_signed_on or BLANK_DATE}"), body),
        Paragraph(escape(f"丙方（或监护人）签署日期：{agreement.student_signed_on or BLANK_DATE}"), body),
        Paragraph(escape(f"丙方签署人：{agreement.student_signer or '—'}"), body),
    ]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="岗位实习三方协议", author=school).build(story)
    return buffer.getvalue()
