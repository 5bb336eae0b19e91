"""record_rows.esc, which the record tables and the person page write text from the
records with, escapes as Django's conditional_escape does, for any text, safe or lazy
text and numbers."""

from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from rlsapp.tracking.record_rows import esc

# The characters html.escape replaces, among others, so most examples hold some.
TEXT = st.text(alphabet=st.sampled_from("&<>\"'aZ 0µ–;#/=\n") | st.characters(), max_size=40)


@given(TEXT)
def test_text_is_escaped_as_django_escapes_it(text):
    assert esc(text) == conditional_escape(text)
    assert esc(mark_safe(text)) == conditional_escape(mark_safe(text)) == text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False)))
def test_numbers_are_written_as_django_writes_them(number):
    assert esc(number) == conditional_escape(number)


@given(TEXT)
def test_lazy_text_is_escaped_as_django_escapes_it(text):
    assert esc(lazy(lambda: text, str)()) == conditional_escape(text)


def test_each_special_character_is_escaped():
    for char in "&<>\"'":
        assert esc(f"a{char}b") == conditional_escape(f"a{char}b") != f"a{char}b"
