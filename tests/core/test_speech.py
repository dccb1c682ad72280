"""Questions read aloud by the server (core/speech.py): the spoken text, espeak-ng's real audio
in Indonesian and English, its MP3, and the cache in private storage."""

from __future__ import annotations

import io
import wave

import pytest
from sqlalchemy import func, select

from ujisim.core import speech, storage

#: MPEG audio layer III: bitrates (kbit/s) by index, for MPEG-1 and for MPEG-2 and 2.5
BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
#: sample rates by index, for MPEG-1, 2 and 2.5 (version bits 3, 2, 0)
RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def wav_seconds(data: bytes) -> float:
    """The length of a WAV file, read from its header (mono, 16 bits, as espeak-ng writes)."""
    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        return audio.getnframes() / audio.getframerate()


def mp3_seconds(data: bytes) -> float:
    """The length of an MP3 stream, frame by frame (every frame header checked): samples per
    frame over the sample rate. The encoder's first frame (its Xing/LAME tag) counts too."""
    at, samples, rate = 0, 0, None
    if data[:3] == b"ID3":  # an ID3v2 tag before the frames
        at = 10 + int.from_bytes(bytes(b & 0x7F for b in data[6:10]), "big")
    while at + 4 <= len(data):
        header = int.from_bytes(data[at : at + 4], "big")
        assert header >> 21 == 0x7FF, f"no frame sync at byte {at}"
        version, layer = (header >> 19) & 3, (header >> 17) & 3
        assert layer == 1, "not layer III"
        bitrate = BITRATES[1 if version == 3 else 2][(header >> 12) & 15] * 1000
        rate = RATES[version][(header >> 10) & 3]
        padding = (header >> 9) & 1
        per_frame = 1152 if version == 3 else 576
        at += per_frame // 8 * bitrate // rate + padding
        samples += per_frame
    assert at == len(data), "the last frame is cut"
    return samples / rate


def test_the_spoken_text_has_one_end_mark_per_sentence():
    text = speech.spoken_text(
        "Lampu merah menyala.  Apa yang harus Anda lakukan?",
        ["Berhenti di belakang garis", "Jalan terus.", "Membunyikan klakson,", "Putar balik?."],
    )
    assert text == (
        "Lampu merah menyala. Apa yang harus Anda lakukan? A. Berhenti di belakang garis. "
        "B. Jalan terus. C. Membunyikan klakson. D. Putar balik?"
    )
    assert speech.sentence(" kanan ... lalu kiri!!  ") == "kanan \u2026 lalu kiri!"
    assert speech.sentence("tunggu...") == "tunggu\u2026"
    assert speech.sentence("Kecepatan 50 km/jam,.") == "Kecepatan 50 km/jam."
    assert speech.sentence("") == ""


@pytest.mark.parametrize("language", ["id", "en"])
def test_espeak_speaks_the_text_and_lame_compresses_it(language):
    text = speech.spoken_text("Apa yang harus Anda lakukan?", ["Berhenti", "Jalan terus"])
    wav = speech.synthesize(text, language)
    assert (wav[:4], wav[8:12]) == (b"RIFF", b"WAVE")
    seconds = wav_seconds(wav)
    assert seconds > 2  # fourteen words at 150 a minute
    mp3, content_type = speech.compress(wav)
    assert content_type == "audio/mpeg"
    # the same speech (the encoder adds under a tenth of a second), a tenth of the size
    assert abs(mp3_seconds(mp3) - seconds) < 0.2
    assert len(mp3) < len(wav) / 8


def test_unknown_languages_have_no_voice():
    with pytest.raises(ValueError, match="no voice"):
        speech.synthesize("Halo.", "fr")


def test_audio_is_made_once_and_found_again(db):
    text = speech.spoken_text("Rambu apa ini?", ["Dilarang parkir", "Dilarang berhenti"])
    first = speech.audio_for(db, text, "id")
    db.commit()
    audio = storage.read(first)
    assert abs(mp3_seconds(audio) - wav_seconds(speech.synthesize(text, "id"))) < 0.2
    files = list(storage.path_of(first).parent.parent.rglob("*"))

    again = speech.audio_for(db, text, "id")
    assert again.public_id == first.public_id  # the cache: no second audio made or kept
    assert db.scalar(select(func.count()).select_from(speech.SpeechAudio)) == 1
    assert list(storage.path_of(first).parent.parent.rglob("*")) == files
    # another language is other audio
    english = speech.audio_for(db, text, "en")
    assert english.public_id != first.public_id
    assert db.scalar(select(func.count()).select_from(speech.SpeechAudio)) == 2
