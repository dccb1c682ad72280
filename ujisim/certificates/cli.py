"""``flask certificates ...``: check a certificate PDF the way a phone scanning its QR would."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ujisim.certificates import signing
from ujisim.certificates.verification import check_token, qr_texts
from ujisim.core.db import get_session

certificates_cli = AppGroup("certificates", help="Signed certificates.")

EXIT_CODES = {"valid": 0, "invalid": 1, "revoked": 2}


@certificates_cli.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(pdf: Path) -> None:
    """Decode the QR in PDF (a certificate's page, or the back of a licence card) and verify its
    token: prints VALID, INVALID (reason) or REVOKED (a card: REPLACED, SUPERSEDED or VOID) and
    exits 0, 1 or 2."""
    try:
        found = qr_texts(pdf.read_bytes(), page=None)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is just "not a certificate"
        click.echo(f"INVALID (unreadable PDF: {exc})")
        raise SystemExit(1) from exc
    if not found:
        click.echo("INVALID (no QR code in the file)")
        raise SystemExit(1)
    check = check_token(get_session(), signing.token_from_url(found[0]))
    data = check.certificate
    if check.status == "invalid":
        click.echo(f"INVALID ({check.reason})")
    elif check.status == "revoked":
        when = f", at {check.revoked_at:%Y-%m-%d}" if check.revoked_at else ""
        what = {"replaced": "REPLACED", "superseded": "SUPERSEDED", "void": "VOID"}.get(
            check.reason, "REVOKED"
        )
        click.echo(f"{what} ({_describe(data)}{when})")
    else:
        click.echo(f"VALID ({_describe(data)})")
    raise SystemExit(EXIT_CODES[check.status])


def _describe(data) -> str:
    if data.DOC_TYPE == "card":
        serial = f" serial {data.serial}" if data.serial else ""
        return (
            f"SIM {data.licence_class} {data.licence_number}{serial}, {data.name}, "
            f"issued {data.issued_on.isoformat()}, valid until {data.expires_on.isoformat()}"
        )
    return (
        f"{data.exam_id}, {data.candidate_name}, {data.nik_masked}, SIM {data.licence_class}, "
        f"{data.score}/{data.total}, {data.passed_on.isoformat()}"
    )
