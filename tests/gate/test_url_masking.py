"""Passwords never survive mask_url, whatever form the connection string takes."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from cutover.pg.url import mask_text, mask_url, validate_url

# What a password may hold inside URL user info (libpq ends the authority at '/', '?').
URL_CHARS = string.ascii_letters + string.digits + "!$%&()*+,-.;=@[]^_`{|}~:"
# Unquoted libpq values end at whitespace; quoted ones may hold anything but a bare quote.
WORD_CHARS = string.ascii_letters + string.digits + "!$%()*+,-./:;<>@[]^_`{|}~"


def _password(chars: str) -> st.SearchStrategy[str]:
    """A distinctive prefix so the password cannot coincide with the user or host."""
    return st.text(alphabet=chars, min_size=1, max_size=30).map(lambda s: "Pw7" + s)


@given(_password(URL_CHARS))
def test_url_user_info_is_masked_even_with_at_signs(pw: str) -> None:
    text = f"could not connect to postgresql://gate:{pw}@db.example:5432/solvereign: refused"
    masked = mask_url(text)
    assert pw not in masked
    assert "postgresql://gate:***@db.example:5432/solvereign" in masked


@given(_password(WORD_CHARS.replace("&", "")))
def test_query_password_is_masked(pw: str) -> None:
    masked = mask_url(f"postgresql://gate@db/solvereign?sslmode=require&password={pw}&x=1")
    assert pw not in masked
    assert masked.endswith("password=***&x=1")


@given(_password(WORD_CHARS))
def test_key_value_password_is_masked(pw: str) -> None:
    masked = mask_url(f"host=db port=5432 user=gate password={pw} dbname=solvereign")
    assert pw not in masked
    assert "password=*** dbname=solvereign" in masked


@given(_password(WORD_CHARS + " '\\\\"))
def test_quoted_key_value_password_is_masked(pw: str) -> None:
    quoted = pw.replace("\\", "\\\\").replace("'", "\\'")
    masked = mask_url(f"host=db user=gate password = '{quoted}' dbname=solvereign")
    assert pw not in masked
    assert masked.endswith("dbname=solvereign")


def test_environment_style_and_plain_urls() -> None:
    assert mask_url("PGPASSWORD=s3cret psql") == "PGPASSWORD=*** psql"
    assert mask_url("postgresql://gate@db/x") == "postgresql://gate@db/x"
    assert mask_url("postgresql://db:5432/x") == "postgresql://db:5432/x"
    assert mask_text("key abc in postgresql://u:p@h/d", ["abc"]) == "key *** in postgresql://u:***@h/d"


def test_a_key_value_dsn_is_refused_without_its_password() -> None:
    import pytest

    from cutover.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        validate_url("host=db user=gate password=Pw7secret dbname=solvereign")
    assert "Pw7secret" not in str(err.value)
    assert "SOLVEREIGN_DB_URL must start with postgresql://" in str(err.value)
