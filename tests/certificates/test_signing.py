import base64
import dataclasses
import json

import pytest

from tests.certificates.conftest import BASE_URL
from ujisim.certificates import signing
from ujisim.core.documents import LabelData, mask_nik


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_signed_certificate_verifies_and_names_its_document(certificate_data, key, keys):
    token = signing.sign(certificate_data, key)
    result = signing.verify(token, keys, certificate_data)
    assert result.valid, result.reason
    assert result.reason == "valid"
    assert result.payload.key_id == key.key_id
    assert result.payload.doc_type == "certificate"
    assert result.payload.document_id == certificate_data.exam_id
    assert result.payload.data_hash == signing.data_hash(certificate_data).hex()


def test_tokens_are_short_enough_for_a_qr(certificate_data, card, label, key):
    for data in (certificate_data, card, label):
        token = signing.sign(data, key)
        assert len(token) < 200, (data.DOC_TYPE, len(token))
        assert len(signing.verify_url(BASE_URL, token)) < 240
    # the longest document id the payload accepts still fits
    longest = dataclasses.replace(certificate_data, exam_id="x" * signing.MAX_DOCUMENT_ID)
    assert len(signing.sign(longest, key)) < 230


def test_cards_and_labels_sign_and_verify(card, label, key, keys):
    for data in (card, label):
        result = signing.verify(signing.sign(data, key), keys, data)
        assert result.valid, result.reason
        assert result.payload.doc_type == data.DOC_TYPE
        assert result.payload.document_id == data.document_id


def test_a_changed_payload_is_refused(certificate_data, key, keys):
    payload, signature = signing.sign(certificate_data, key).split(".")
    raw = bytearray(_unb64(payload))
    for index in (1, 6, len(raw) - 1):  # key id, data hash, document id
        tampered = bytearray(raw)
        tampered[index] ^= 0x01
        result = signing.verify(f"{_b64(bytes(tampered))}.{signature}", keys)
        assert not result.valid
        assert result.reason in {"bad_signature", "unknown_key"}
        assert result.payload is None


def test_another_document_id_with_the_same_signature_is_refused(certificate_data, key, keys):
    payload, signature = signing.sign(certificate_data, key).split(".")
    raw = _unb64(payload)
    forged = raw[: signing._HEADER] + b"01JD3K4Q8Z8P5N6M7R8S9T0VWY"
    result = signing.verify(f"{_b64(forged)}.{signature}", keys)
    assert (result.valid, result.reason) == (False, "bad_signature")


def test_a_changed_signature_is_refused(certificate_data, key, keys):
    payload, signature = signing.sign(certificate_data, key).split(".")
    raw = bytearray(_unb64(signature))
    raw[10] ^= 0x80
    result = signing.verify(f"{payload}.{_b64(bytes(raw))}", keys)
    assert (result.valid, result.reason) == (False, "bad_signature")


def test_a_signature_from_another_key_under_this_key_id_is_refused(certificate_data, key, old_key):
    token = signing.sign(certificate_data, old_key)
    payload, signature = token.split(".")
    raw = bytearray(_unb64(payload))
    raw[1:5] = bytes.fromhex(key.key_id)
    forged = f"{_b64(bytes(raw))}.{signature}"
    result = signing.verify(forged, signing.public_keys(key))
    assert (result.valid, result.reason) == (False, "bad_signature")


def test_an_unknown_key_id_is_refused(certificate_data, key, old_key):
    token = signing.sign(certificate_data, old_key)
    result = signing.verify(token, signing.public_keys(key))
    assert (result.valid, result.reason, result.payload) == (False, "unknown_key", None)
    assert signing.verify(token, {}).reason == "unknown_key"


def test_rotation_old_tokens_verify_while_their_key_is_listed(certificate_data, key, old_key):
    before = signing.sign(certificate_data, old_key)
    after = signing.sign(certificate_data, key)
    both = signing.public_keys(key, old_key)
    assert signing.verify(before, both).valid
    assert signing.verify(after, both).valid
    assert signing.verify(before, both).payload.key_id == old_key.key_id
    # once the old public key is withdrawn, its tokens stop verifying; new ones still do
    current = signing.public_keys(key)
    assert signing.verify(before, current).reason == "unknown_key"
    assert signing.verify(after, current).valid


def test_public_keys_uses_the_same_key_id_as_signing_key(key):
    assert signing.key_id(key.public_key) == key.key_id
    assert signing.public_keys(key.public_key) == {key.key_id: key.public_key}


def test_every_truncation_is_refused(certificate_data, key, keys):
    token = signing.sign(certificate_data, key)
    for end in range(len(token)):
        result = signing.verify(token[:end], keys)
        assert not result.valid, end
        assert result.reason in {"malformed", "bad_signature"}, (end, result.reason)


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "abc",
        "a.b.c",
        "AAAA.AAAA",
        "ab+c.def/",
        "abcd==.efgh",
        "é.é",
        "x" * 5000 + "." + "y",
        None,
        12345,
    ],
)
def test_garbage_is_malformed(token, keys):
    result = signing.verify(token, keys)
    assert (result.valid, result.reason, result.payload) == (False, "malformed", None)


def test_a_non_canonical_encoding_of_the_same_bytes_is_refused(certificate_data, key, keys):
    payload, signature = signing.sign(certificate_data, key).split(".")
    # the last character of an unpadded block carries unused low bits; set one of them
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = signature[-1]
    twin = signature[:-1] + alphabet[alphabet.index(last) | 1]
    assert twin != signature
    assert _unb64(twin) == _unb64(signature)
    assert signing.verify(f"{payload}.{twin}", keys).reason == "malformed"


def test_an_unknown_version_or_type_is_refused(certificate_data, key, keys):
    payload, signature = signing.sign(certificate_data, key).split(".")
    raw = bytearray(_unb64(payload))
    raw[0] = 2
    assert signing.verify(f"{_b64(bytes(raw))}.{signature}", keys).reason == ("unsupported_version")
    raw[0], raw[5] = 1, 99
    assert signing.verify(f"{_b64(bytes(raw))}.{signature}", keys).reason == "malformed"


def test_the_token_binds_the_data(certificate_data, key, keys):
    token = signing.sign(certificate_data, key)
    for change in (
        {"score": 28},
        {"candidate_name": "Siti Nurhaliza R."},
        {"licence_class": "C"},
        {"nik_masked": mask_nik("3174012501900002")},
    ):
        other = dataclasses.replace(certificate_data, **change)
        result = signing.verify(token, keys, other)
        assert (result.valid, result.reason) == (False, "data_mismatch"), change
        assert result.payload is not None
    assert signing.verify(token, keys, certificate_data).valid


def test_the_token_binds_the_photo(card, key, keys, landscape_png):
    token = signing.sign(card, key)
    other = dataclasses.replace(card, photo=landscape_png)
    assert signing.verify(token, keys, other).reason == "data_mismatch"


def test_a_token_for_one_type_does_not_match_another(label, key, keys):
    token = signing.sign(label, key)
    payload = signing.verify(token, keys).payload
    assert payload.doc_type == "label"
    assert not payload.matches(dataclasses.replace(label, tracking_number="RR000000000ID"))


def test_canonical_json_is_sorted_compact_and_leaves_the_url_out(certificate_data, card):
    text = signing.canonical_json(certificate_data)
    fields = json.loads(text)
    assert list(fields) == sorted(fields)
    assert b" " not in text.replace(b"Siti Nurhaliza Rahmawati", b"")
    assert fields["_type"] == "certificate"
    assert fields["passed_on"] == "2026-08-17"
    assert "verification_url" not in fields
    # filling in the URL does not change what was signed
    signed = dataclasses.replace(certificate_data, verification_url="https://x/v/t")
    assert signing.canonical_json(signed) == text
    card_fields = json.loads(signing.canonical_json(card))
    assert card_fields["photo"].startswith("sha256:")
    assert len(card_fields["photo"]) == len("sha256:") + 64


def test_canonical_json_normalises_unicode(certificate_data):
    composed = dataclasses.replace(certificate_data, candidate_name="Andr\u00e9")
    decomposed = dataclasses.replace(certificate_data, candidate_name="Andre\u0301")
    assert signing.canonical_json(composed) == signing.canonical_json(decomposed)


def test_verification_url_round_trip(certificate_data, key, keys):
    token = signing.sign(certificate_data, key)
    url = signing.verify_url(BASE_URL + "/", token)
    assert url == f"{BASE_URL}/{token}"
    assert signing.token_from_url(url) == token
    assert signing.token_from_url(url + "?utm=qr") == token
    signed = signing.with_verification(certificate_data, key, BASE_URL)
    assert signing.verify(signing.token_from_url(signed.verification_url), keys, signed).valid


def test_a_label_has_no_qr_url_but_can_still_be_signed(label, key, keys):
    assert not hasattr(LabelData, "verification_url")
    assert signing.verify(signing.sign(label, key), keys, label).valid


def test_document_ids_that_do_not_fit_are_refused(certificate_data, key):
    with pytest.raises(ValueError, match="document id"):
        signing.sign(dataclasses.replace(certificate_data, exam_id="x" * 65), key)
