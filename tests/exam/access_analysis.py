"""Access classification of the examiner workspace: item analysis, reports, audit explorer
(see tests/test_access.py)."""

from ujisim.core.security import Role

EXAMINER = {Role.EXAMINER}
AUDITORS = {Role.EXAMINER, Role.ADMIN}

PROTECTED = {
    "exam_analysis.index": ("GET", "/examiner/analysis/", EXAMINER),
    "exam_analysis.recompute": ("POST", "/examiner/analysis/recompute", EXAMINER, 303),
    "exam_analysis.report": ("GET", "/examiner/reports/", EXAMINER),
    "exam_analysis.daily_csv": ("GET", "/examiner/reports/daily.csv", EXAMINER),
    "exam_analysis.queues_csv": ("GET", "/examiner/reports/queues.csv", EXAMINER),
    "exam_analysis.daily_pdf_view": ("GET", "/examiner/reports/daily.pdf", EXAMINER),
    "audit_explorer.index": ("GET", "/audit/", AUDITORS),
    "audit_explorer.export": ("GET", "/audit/export.csv", AUDITORS),
    "audit_explorer.full_check": ("POST", "/audit/verify", AUDITORS, 303),
}
