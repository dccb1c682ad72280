"""Questions read aloud by the server, for a browser with no voice for the question's language
(many phones have no Indonesian voice for ``speechSynthesis``).

espeak-ng (Debian package ``espeak-ng``: voice ``id`` for Indonesian, ``en`` for English) speaks
the text into a WAV; ``lame`` (Debian package ``lame``) turns it into a mono MP3 of 32 kbit/s,
about a tenth of the WAV (espeak-ng's WAV is 22,050 samples of 16 bits a second, 44 kB a
second). Measured on the shipped bank (every 20th item): a question reads in 27 s on average
(38 s at most), 1.18 MB as WAV (1.67 MB at most) and 107 kB as MP3 (152 kB at most); espeak-ng
takes about 0.1 s and lame about 0.5 s, once. Without ``lame`` the WAV is served.

Each audio is made once and kept in private storage (core/storage.py): a ``SpeechAudio`` row
finds it by the sha256 of what was spoken (recipe, format, language and text), so a question
(an item version in one option order) is made once per language. The text is what the candidate
sees, the stem and the options with their letters (``spoken_text``), never which one is the key.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from flask import Response, send_file
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ujisim.core import clock, storage
from ujisim.core.db import Base, get_db
from ujisim.core.errors import SpeechUnavailable

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
LAME = "lame"
#: our language codes -> espeak-ng voices
VOICES = {"id": "id", "en": "en"}
#: words a minute: a little slower than espeak-ng's 175, for candidates who listen to learn
RATE = 150
#: change it when the voice, rate or encoder settings change: older audio is then not reused
RECIPE = f"espeak-ng rate {RATE}; lame 32 kbit/s mono -q 7"
LETTERS = "ABCD"
#: the seconds one synthesis or encoding may take (a question takes well under one)
TIMEOUT_S = 30

_SPACE = re.compile(r"\s+")
#: three dots or more: one ellipsis (a pause, and no sentence end to collapse)
_ELLIPSIS = re.compile(r"\.{3,}")
#: a sentence mark followed by more marks ("lakukan?." "jalan.." "kanan!,"): the first stays
_DOUBLED = re.compile(r"([.?!])[.?!,;:]+")
#: a comma, colon or semicolon just before a sentence mark (",." ";?")
_BEFORE_END = re.compile(r"[,;:]+([.?!])")


def sentence(text: str) -> str:
    """``text`` as one spoken sentence: white space collapsed, stray punctuation dropped ("?."
    and ",." keep their first mark, "..." is one ellipsis) and a full stop added where it has no
    end mark of its own (static/js/speech.js does the same)."""
    text = _ELLIPSIS.sub("\u2026", _SPACE.sub(" ", text).strip())
    text = _BEFORE_END.sub(r"\1", _DOUBLED.sub(r"\1", text)).rstrip(" ,;:")
    if text and text[-1] not in ".?!\u2026":
        text += "."
    return text


def spoken_text(stem: str, options: list[str]) -> str:
    """What is read aloud: the stem, then each option with its letter, in the order shown."""
    parts = [sentence(stem)] + [sentence(f"{LETTERS[i]}. {text}") for i, text in enumerate(options)]
    return " ".join(p for p in parts if p)


def synthesize(text: str, language: str) -> bytes:
    """``text`` spoken by espeak-ng in ``language`` ("id" or "en"): a WAV file's bytes."""
    if language not in VOICES:
        raise ValueError(f"no voice for {language!r}")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "speech.wav"
        # -w writes a complete header (--stdout leaves the lengths open); -b 1: UTF-8 input
        command = [ESPEAK, "-v", VOICES[language], "-s", str(RATE), "-b", "1"]
        _run([*command, "-w", str(target), "--stdin"], text.encode())
        return target.read_bytes()


def compress(wav: bytes) -> tuple[bytes, str]:
    """The WAV as an MP3 when ``lame`` is installed (else the WAV itself), with its type."""
    if shutil.which(LAME) is None:
        return wav, "audio/wav"
    # -q 7: lame's fast search, half the time of its default and no audible loss for speech
    return _run([LAME, "--quiet", "-m", "m", "-b", "32", "-q", "7", "-", "-"], wav), "audio/mpeg"


def _run(command: list[str], data: bytes) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 (a fixed command; the text goes in on stdin)
            command, input=data, capture_output=True, check=True, timeout=TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("speech: %s failed: %s", command[0], exc)
        raise SpeechUnavailable(_("The server cannot read questions aloud just now.")) from exc
    return done.stdout


def available() -> bool:
    """Whether this server can make audio (espeak-ng is installed)."""
    return shutil.which(ESPEAK) is not None


class SpeechAudio(Base):
    """Audio made for one text in one language, kept in private storage."""

    __tablename__ = "speech_audio"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 over the recipe, the format, the language and the text (``_key``)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: "id" or "en"
    language: Mapped[str] = mapped_column(String(8))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]

    file: Mapped[storage.StoredFile] = relationship()


def _key(text: str, language: str) -> str:
    encoder = LAME if shutil.which(LAME) else "wav"
    return hashlib.sha256(f"{RECIPE}\n{encoder}\n{language}\n{text}".encode()).hexdigest()


def audio_for(session: Session, text: str, language: str) -> storage.StoredFile:
    """The stored audio of ``text`` read in ``language``: found in ``session``, or made now and
    kept at once on a write session of its own. The audio is a cache, not part of the request's
    work, and a GET's session on SQLite may not be able to start writing after the second the
    synthesis takes (another write committed meanwhile). Two requests making the same audio at
    once keep one."""
    key = _key(text, language)
    query = select(SpeechAudio).where(SpeechAudio.key == key)
    found = session.scalars(query).first()
    if found is not None:
        return found.file
    data, content_type = compress(synthesize(text, language))
    writer = get_db().session(write=True)
    writer.expire_on_commit = False  # the file's row is read after the session closes
    try:
        stored = storage.store(writer, data, content_type=content_type, purpose="speech")
        writer.add(SpeechAudio(key=key, language=language, file=stored, created_at=clock.now()))
        try:
            writer.commit()
        except IntegrityError:
            # another request kept the same audio first: use that one, drop this file
            writer.rollback()
            storage.path_of(stored).unlink(missing_ok=True)
            stored = writer.scalars(query).one().file
        return stored
    finally:
        writer.close()


def audio_response(stored: storage.StoredFile, cache_control: str) -> Response:
    """The stored audio as a response that answers byte ranges (Safari plays audio only from a
    server that does) and names no file (nothing in it names the question)."""
    response = send_file(
        storage.path_of(stored), mimetype=stored.content_type, conditional=True, etag=stored.sha256
    )
    response.headers["Cache-Control"] = cache_control
    response.headers["Content-Disposition"] = "inline"
    return response
