"""Numbered membership certificates (会员证书, 联席会 art. 8(3) and 12) and their PDF.

The PDF uses the Adobe CID font STSong-Light that reportlab knows without a font file: nothing is downloaded and the
reader's own Song typeface draws the Chinese text.
"""

import io
from datetime import date

import sqlalchemy as sa
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from marketplace.alliances.models import Membership
from marketplace.audit.services import record
from marketplace.extensions import db

FONT = "STSong-Light"


def assign_number(membership: Membership, on: date) -> str:
    """The next number in the alliance's series for the year, e.g. ZZLXH-2026-0007."""
    prefix = f"{membership.alliance.certificate_prefix}-{on.year}-"
    taken = db.session.scalars(
        sa.select(Membership.certificate_no).where(Membership.certificate_no.like(f"{prefix}%"))
    ).all()
    membership.certificate_no = f"{prefix}{len(taken) + 1:04d}"
    db.session.flush()
    record("certificate_issued", membership, number=membership.certificate_no)
    return membership.certificate_no


def render_pdf(membership: Membership) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(buffer, pagesize=(width, height), invariant=True)
    page.setTitle(f"会员证书 {membership.certificate_no}")
    page.setLineWidth(2)
    page.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    page.setFont(FONT, 36)
    page.drawCentredString(width / 2, height - 50 * mm, "会 员 证 书")
    page.setFont(FONT, 18)
    page.drawCentredString(width / 2, height - 80 * mm, membership.organization.name)
    page.setFont(FONT, 14)
    page.drawCentredString(width / 2, height - 96 * mm, f"为{membership.alliance.name}会员单位")
    since = membership.effective_from.isoformat() if membership.effective_from else ""
    page.drawCentredString(width / 2, height - 108 * mm, f"入会日期：{since}")
    page.setFont(FONT, 12)
    page.drawString(24 * mm, 24 * mm, f"证书编号：{membership.certificate_no}")
    page.drawRightString(width - 24 * mm, 24 * mm, membership.alliance.name)
    page.showPage()
    page.save()
    return buffer.getvalue()
