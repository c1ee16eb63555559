"""plan57: compliance checking of Sơn La's Decision 2493/QĐ-UBND (communication of Resolution 57-NQ/TW)."""

__version__ = "0.1.0"
