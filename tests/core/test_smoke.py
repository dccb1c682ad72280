def test_home_in_indonesian_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="id"' in page
    assert "Ujian teori SIM dan perpanjangan daring" in page
