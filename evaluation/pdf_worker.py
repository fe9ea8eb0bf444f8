"""Moved to core/pdf_worker.py (membership renders PDFs too); kept so existing imports work."""

from core.pdf_worker import StaticOnlyFetcher, write_pdf

__all__ = ["StaticOnlyFetcher", "write_pdf"]
