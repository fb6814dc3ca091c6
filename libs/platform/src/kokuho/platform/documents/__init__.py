"""Documents: the one renderer of every printed document (certificates, notices, letters).

Services lay out their documents on a ``Sheet`` (A4, PDF/A-2B, embedded subset fonts); the
fonts are the Debian packages' (``fonts``), and text no print font has is refused before it is
drawn (``text.Unprintable``). ADR 0008 says why fpdf2 and these fonts."""

from kokuho.platform.documents.fonts import Face, MissingFont, require_fonts
from kokuho.platform.documents.sheet import Sheet
from kokuho.platform.documents.text import Unprintable

__all__ = ["Face", "MissingFont", "Sheet", "Unprintable", "require_fonts"]
