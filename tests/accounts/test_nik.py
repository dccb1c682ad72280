from datetime import date

import pytest

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import check_nik, parse_nik

BORN = date(1999, 7, 5)


@pytest.mark.parametrize(
    ("nik", "born", "sex", "zone"),
    [
        ("3174050507990003", BORN, "L", "Asia/Jakarta"),  # man, Jakarta
        ("3174054507990003", BORN, "P", "Asia/Jakarta"),  # woman: day 05 + 40 = 45
        ("5171017112000001", date(2000, 12, 31), "P", "Asia/Makassar"),  # Bali, 31+40 = 71
        ("9471020101050002", date(2005, 1, 1), "L", "Asia/Jayapura"),  # Papua Tengah (94)
        ("3201012902000001", date(2000, 2, 29), "L", "Asia/Jakarta"),  # leap day 2000
        ("3174 0505 0799 0003", BORN, "L", "Asia/Jakarta"),  # spaces are ignored
    ],
)
def test_valid(nik, born, sex, zone):
    parsed = check_nik(nik, born)
    assert parsed.sex == sex
    assert parsed.timezone == zone
    assert len(parsed.value) == 16


@pytest.mark.parametrize(
    ("nik", "born", "code"),
    [
        ("317405050799000", BORN, "length"),  # 15 digits
        ("31740505079900031", BORN, "length"),  # 17 digits
        ("", BORN, "length"),
        ("3174O50507990003", BORN, "digits"),  # letter O
        ("31740505O7990003", BORN, "digits"),
        ("３１７４０５０５０７９９０００３", BORN, "digits"),  # full-width digits
        ("3174050507990003", date(1999, 7, 6), "birth_mismatch"),  # day differs
        ("3174050507990003", date(1999, 8, 5), "birth_mismatch"),  # month differs
        ("3174050507990003", date(1989, 7, 5), "birth_mismatch"),  # year differs
        ("3174054507990003", date(1999, 7, 6), "birth_mismatch"),  # woman, wrong day
        ("3174053207990003", BORN, "date"),  # day 32
        ("3174057207990003", BORN, "date"),  # day 72 (woman 32)
        ("3174050013990003", BORN, "date"),  # day 00, month 13
        ("3174053102990003", BORN, "date"),  # 31 February
        ("3174052902990003", BORN, "date"),  # 29 Feb 1999/2099: never a leap year
        ("3174054002990003", BORN, "date"),  # day 40 (neither man nor woman)
        ("3174050507990000", BORN, "serial"),
        ("9974050507990003", BORN, "region"),  # no province 99
        ("3100050507990003", BORN, "region"),  # regency 00
        ("2074050507990003", BORN, "region"),  # no province 20
    ],
)
def test_invalid(nik, born, code):
    with pytest.raises(NikError) as error:
        check_nik(nik, born)
    assert error.value.code == code


def test_women_day_plus_forty_is_parsed_as_the_real_day():
    parsed = parse_nik("3174054507990003")
    assert (parsed.day, parsed.month, parsed.year2, parsed.sex) == (5, 7, 99, "P")
