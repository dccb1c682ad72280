"""Access classification of the item-media and practice read-aloud endpoints (see
tests/test_access.py)."""

# Published media and practice audio are public (practice needs no login); drafts are checked in
# test_media.py and test_speech.py.
PUBLIC = {"bank.media", "bank.speech"}
