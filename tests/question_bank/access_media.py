"""Access classification of the item-media endpoint (see tests/test_access.py)."""

# Published media is public (practice needs no login); drafts are checked in test_media.py.
PUBLIC = {"bank.media"}
