"""The documents step checks the photo and the signature as Satpas officers do (issue 19,
point 3), on real face photos composed by tests/renewal/photos.py: the compliant photo passes,
each variant that breaks one rule is refused with that rule's code and message, every fault of an
upload is named together, and nothing is stored. The podium shot of the issue (obama2.jpg: a
microphone, a turned head and part of another face at the edge) is refused."""

import numpy as np
import pytest
from sqlalchemy import func, select

from tests.renewal import photos
from tests.renewal.conftest import photo_bytes
from ujisim.core.storage import StoredFile
from ujisim.proctoring import face_engine, faces
from ujisim.renewal import application as apps
from ujisim.renewal import documents, photo_rules, signature_rules
from ujisim.renewal.errors import DocumentFaults
from ujisim.renewal.models import AppState, RenewalDocument


@pytest.fixture
def started(db, holder, licence):
    return apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)


def refused(db, started, holder, docs, **changes) -> DocumentFaults:
    files_before = db.scalar(select(func.count()).select_from(StoredFile))
    with pytest.raises(DocumentFaults) as caught:
        documents.submit_documents(db, started, actor=holder, **{**docs, **changes})
    db.rollback()
    assert db.scalar(select(func.count()).select_from(StoredFile)) == files_before
    assert db.scalar(select(func.count()).select_from(RenewalDocument)) == 0
    return caught.value


def codes(exc: DocumentFaults, field: str) -> list[str]:
    return [fault.code for fault in exc.faults.get(field, [])]


def check(image: np.ndarray) -> photo_rules.PhotoCheck:
    data = photos.jpeg(image)
    return photo_rules.check_photo(faces.load_image(data), image.shape[1], image.shape[0])


def test_the_compliant_photo_and_signature_pass(db, started, holder, docs):
    assert check(photos.compliant_array()).faults == []
    assert signature_rules.check_signature(photos.signature_image()) == []
    documents.submit_documents(db, started, actor=holder, **docs)
    assert started.state == AppState.IDENTITY


@pytest.mark.parametrize("variant", sorted(photos.VARIANTS))
def test_each_photo_fault_is_refused_with_its_own_code(db, started, holder, docs, variant):
    make, code = photos.VARIANTS[variant]
    exc = refused(db, started, holder, docs, photo=photos.jpeg(make()))
    found = codes(exc, "photo")
    assert code in found
    if variant == "second_face":
        # the neighbour's face is also "something in the background"
        assert set(found) == {code, "photo_background_busy"}
    else:
        assert found == [code]
    assert exc.fields["photo"] == " ".join(f.message for f in exc.faults["photo"])


def test_the_podium_shot_of_the_issue_is_refused(db, started, holder, docs):
    """obama2.jpg: at a podium with a microphone, head turned, a flag and part of another
    person's face behind him. It was accepted and printed on a card before."""
    exc = refused(db, started, holder, docs, photo=photo_bytes("obama2.jpg", 1200))
    assert {"photo_not_frontal", "photo_background_not_blue", "photo_background_busy"} <= set(
        codes(exc, "photo")
    )


@pytest.mark.parametrize("variant", sorted(photos.SIGNATURE_VARIANTS))
def test_each_signature_fault_is_refused_with_its_own_code(db, started, holder, docs, variant):
    make, code = photos.SIGNATURE_VARIANTS[variant]
    exc = refused(db, started, holder, docs, signature=photos.png(make()))
    found = codes(exc, "signature")
    if variant == "a_photo":
        assert set(found) == {code, "signature_paper_not_white"}
    else:
        assert found == [code]
    assert "photo" not in exc.fields


def test_all_faults_of_photo_signature_and_dates_come_together(db, started, holder, docs):
    exc = refused(
        db,
        started,
        holder,
        docs,
        photo=photos.jpeg(photos.glasses()),
        signature=photos.png(photos.signature_image(lines=True)),
        psych_number="PSI-0001",  # not known to the provider
    )
    assert codes(exc, "photo") == ["photo_glasses"]
    assert codes(exc, "signature") == ["signature_lined_paper"]
    assert set(exc.fields) == {"photo", "signature", "psych_number"}


def test_the_bounds_are_configurable(app, db, started, holder, docs):
    """A turned head passes where the office allows more yaw (RENEWAL_PHOTO_MAX_YAW)."""
    app.config["RENEWAL_PHOTO_MAX_YAW"] = 0.5
    app.config["RENEWAL_PHOTO_MAX_ROLL"] = 20
    documents.submit_documents(
        db, started, actor=holder, **{**docs, "photo": photos.jpeg(photos.turned_head())}
    )
    assert started.state == AppState.IDENTITY


def test_the_check_gives_the_encoding_the_match_uses(app):
    """The rules reuse the one detection and encoding of the face match (its cost is measured
    by bench/photo_rules_bench.py, not here)."""
    result = photo_rules.check_photo(faces.load_image(photos.compliant()), 600, 800)
    assert result.faults == []
    assert len(result.encoding) == 128


def test_the_page_lists_each_fault_beside_its_field(client, db, started, holder, docs):
    """The documents page: the rules before upload, then each fault of the refused upload as
    an item of its field's error (with its code), the typed values kept."""
    from tests.conftest import DEFAULT_PASSWORD
    from tests.renewal.test_documents import _form

    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{started.public_id}"
    assert 'id="photo-rules"' in client.get(url).get_data(as_text=True)
    data = _form(docs, photo=photos.jpeg(photos.cap()), signature=photos.png(
        photos.signature_image(ink=(185, 190, 200))))  # fmt: skip
    data["version"] = str(started.version)
    response = client.submit(f"{url}/dokumen", data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<li data-code="photo_cap">Take off your cap or hat' in page
    assert '<li data-code="signature_light_ink">The ink is too light.' in page
    assert 'aria-invalid="true" aria-describedby="photo-error"' in page
    assert f'value="{docs["health_number"]}"' in page
    db.refresh(started)
    assert started.state == AppState.DOCUMENTS


@pytest.mark.parametrize("colour", [(30, 30, 35), (235, 235, 228), (120, 40, 60)])
def test_a_head_covering_of_another_colour_passes(colour):
    """Officers refuse a blue head covering because it merges with the backdrop; a black, white
    or red jilbab that leaves the face visible is accepted."""
    assert check(photos.head_covering(colour)).faults == []


def test_heads_looking_down_in_a_real_photo_are_not_frontal():
    """t1.jpg: six people at a table, two of them looking down at their cards (pitch ratio
    about 1.7-1.9), the others at the camera or aside. The pitch bound refuses the lowered
    heads; the level, frontal face of obama.jpg passes."""
    from ujisim.renewal.photo_geometry import Face

    image = faces.load_image(photo_bytes("t1.jpg", 1200))
    found = {}
    for box in face_engine.locate(image, upsample=1, detect_side=None):
        face = Face(box, face_engine.landmarks68(image, box))
        measures = {}
        fault = photo_rules.rule_frontal(face, photo_rules.Limits(), measures)
        found[box] = (measures["pitch"], fault.code if fault else None)
    down = [code for pitch, code in found.values() if pitch > 1.5]
    assert len(down) == 2
    assert down == ["photo_not_frontal"] * 2
    level = faces.load_image(photos.compliant())
    box = faces.reference_encoding(level).box
    face = Face(box, face_engine.landmarks68(level, box))
    assert photo_rules.rule_frontal(face, photo_rules.Limits(), {}) is None
