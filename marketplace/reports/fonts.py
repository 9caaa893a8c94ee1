"""Chinese fonts for the documents, found on the machine (fonts-noto-cjk and the like), with safe fallbacks.

reportlab embeds only TrueType outlines; Debian's Noto CJK files are OpenType/CFF collections, which it refuses. The
PDF therefore embeds the first TrueType CJK font present and otherwise uses reportlab's STSong-Light CID font (drawn
with the reader's Song face, not embedded). Pillow (for the DOCX's chart images) reads the Noto CJK files directly.
"""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

PDF_TRUETYPE = (  # (path, index in a collection)
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
CID_FONT = "STSong-Light"
IMAGE_FONTS = (  # Noto Sans CJK: index 2 of the collection is the Simplified Chinese face
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


@cache
def pdf_font() -> str:
    """The registered name of the font the PDF uses: an embedded TrueType CJK font, else the CID Song font."""
    for path, index in PDF_TRUETYPE:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont("XqtCJK", path, subfontIndex=index))
                return "XqtCJK"
            except TTFError:
                continue
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def image_font_file() -> tuple[str, int] | None:
    """A CJK font file Pillow can draw with, or None (Pillow's own font then; Chinese labels would not show)."""
    return next(((p, i) for p, i in IMAGE_FONTS if Path(p).exists()), None)
