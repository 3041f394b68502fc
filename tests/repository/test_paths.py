"""repository.paths: the one place for the rules of repository paths and names."""
from __future__ import annotations

import pytest

from repository import paths
from repository.errors import InvalidPath, RepositoryError


# -- parse --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/", ()),
        ("", ()),
        ("/a", ("a",)),
        ("a", ("a",)),
        ("/a/", ("a",)),
        ("/a/b/c", ("a", "b", "c")),
        ("a/b/", ("a", "b")),
        ("/café/日本/🐱", ("café", "日本", "🐱")),
        ("/with space/x.jpg", ("with space", "x.jpg")),
        ("/.hidden/...", (".hidden", "...")),
        ("/a%2Fb", ("a%2Fb",)),  # not decoded unless asked: URL paths arrive decoded
        ("/%2e%2e", ("%2e%2e",)),
    ],
)
def test_parse_accepts_valid_paths(text, expected):
    assert paths.parse(text) == expected


@pytest.mark.parametrize("text", ["/.", "/..", "/a/.", "/a/..", "/a/../b", "./a", "../a",
                                  "/a/./b", "/../../etc/passwd"])
def test_parse_refuses_dot_segments(text):
    with pytest.raises(InvalidPath):
        paths.parse(text)


@pytest.mark.parametrize("text", ["/a//b", "a//b", "/a///b/c", "//a", "a//", "//a//"])
def test_parse_refuses_empty_segments(text):
    # One leading and one trailing "/" are optional; any other empty segment is refused.
    with pytest.raises(InvalidPath, match="empty"):
        paths.parse(text)


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]
)
def test_parse_refuses_nul_and_control_characters(char):
    with pytest.raises(InvalidPath):
        paths.parse(f"/a/b{char}c")
    with pytest.raises(InvalidPath):
        paths.check_name(char)


def test_visible_unicode_is_allowed():
    # Non-breaking and ideographic spaces are not control or format characters
    # (format characters are refused: see test_contract_unicode_names.py).
    for name in ["a\u00a0b", "a\u3000b", "\u00e9t\u00e9", "\U0001f600"]:
        assert paths.check_name(name) == name


def test_segments_are_limited_to_255_bytes_of_utf8():
    assert paths.check_name("x" * 255)
    with pytest.raises(InvalidPath, match="255"):
        paths.check_name("x" * 256)
    # Multi-byte characters count in bytes, not characters.
    assert paths.check_name("é" * 127 + "x") == "é" * 127 + "x"  # 255 bytes
    with pytest.raises(InvalidPath):
        paths.check_name("é" * 128)  # 128 characters, 256 bytes
    assert paths.check_name("🐱" * 63 + "abc")  # 252 + 3 bytes
    with pytest.raises(InvalidPath):
        paths.check_name("🐱" * 64)  # 64 characters, 256 bytes
    with pytest.raises(InvalidPath):
        paths.parse("/ok/" + "日" * 86)  # 258 bytes


def test_lone_surrogates_are_refused():
    with pytest.raises(InvalidPath):
        paths.check_name("a\ud800b")


def test_slash_and_non_strings_are_refused_as_names():
    with pytest.raises(InvalidPath):
        paths.check_name("a/b")
    with pytest.raises(InvalidPath):
        paths.check_name(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidPath):
        paths.check_name(b"bytes")  # type: ignore[arg-type]


def test_invalid_path_is_a_repository_error_with_a_message():
    with pytest.raises(RepositoryError) as caught:
        paths.parse("/a/../b")
    assert ".." in str(caught.value)


# -- percent-decoding (header text such as X-Destination) --------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/a%20b/c", ("a b", "c")),
        ("/caf%C3%A9", ("café",)),
        ("/caf%c3%a9", ("café",)),
        ("/%F0%9F%90%B1", ("🐱",)),
        ("/100%25", ("100%",)),
        ("/plain", ("plain",)),
        ("/a+b", ("a+b",)),  # '+' is not a space in a path
        ("/%2e%2e%2e", ("...",)),
    ],
)
def test_percent_decode_decodes_utf8_escapes(text, expected):
    assert paths.parse(text, percent_decode=True) == expected


@pytest.mark.parametrize("text", ["/%2e%2e", "/%2E%2E", "/a/%2e%2e/b", "/%2e", "/.%2e",
                                  "/%2e./x"])
def test_percent_decode_refuses_encoded_dot_segments(text):
    with pytest.raises(InvalidPath):
        paths.parse(text, percent_decode=True)


@pytest.mark.parametrize("text", ["/%FF", "/%C3", "/%C3%28", "/a%E9b", "/%ED%A0%80",
                                  "/%C0%AF", "/%F8%88%80%80%80"])
def test_percent_decode_refuses_escapes_that_are_not_utf8(text):
    with pytest.raises(InvalidPath, match="UTF-8"):
        paths.parse(text, percent_decode=True)


@pytest.mark.parametrize("text", ["/a%00b", "/a%0Ab", "/a%7Fb", "/a%C2%85b"])
def test_percent_decode_refuses_encoded_control_characters(text):
    with pytest.raises(InvalidPath):
        paths.parse(text, percent_decode=True)


def test_percent_decode_checks_length_after_decoding():
    assert paths.parse("/" + "%C3%A9" * 127, percent_decode=True) == ("é" * 127,)
    with pytest.raises(InvalidPath):
        paths.parse("/" + "%C3%A9" * 128, percent_decode=True)


def test_without_percent_decode_escapes_stay_literal():
    assert paths.parse("/%FF%00") == ("%FF%00",)


def test_an_encoded_slash_separates_segments_after_decoding():
    # Documented by behaviour: the header text is decoded, then split.
    assert paths.parse("/a%2Fb", percent_decode=True) == ("a", "b")
    with pytest.raises(InvalidPath):
        paths.parse("/a%2F%2Fb", percent_decode=True)


# -- reserved names -----------------------------------------------------------------------


def test_star_is_reserved_for_new_names_only():
    assert paths.check_name("*") == "*"
    assert paths.parse("/a/*") == ("a", "*")
    with pytest.raises(InvalidPath, match="reserved"):
        paths.check_new_name("*")
    for name in ["a*", "**", "*.jpg"]:
        assert paths.check_new_name(name) == name


def test_check_new_name_applies_every_rule_of_check_name():
    for name in ["", ".", "..", "a/b", "\x00", "x" * 256]:
        with pytest.raises(InvalidPath):
            paths.check_new_name(name)


# -- to_text / parent / is_within ---------------------------------------------------------


def test_to_text_and_parse_round_trip():
    for path in [(), ("a",), ("a", "b c", "é", "🐱")]:
        assert paths.parse(paths.to_text(path)) == path
    assert paths.to_text(()) == "/"
    assert paths.to_text(("a", "b")) == "/a/b"


def test_parent():
    assert paths.parent(("a", "b")) == ("a",)
    assert paths.parent(("a",)) == ()
    with pytest.raises(InvalidPath):
        paths.parent(())


@pytest.mark.parametrize(
    "path, ancestor, expected",
    [
        (("a",), ("a",), True),
        (("a", "b"), ("a",), True),
        (("a", "b", "c"), ("a", "b"), True),
        (("a",), (), True),
        ((), (), True),
        (("ab",), ("a",), False),  # segment-wise, not string prefix
        (("a", "bc"), ("a", "b"), False),
        (("a",), ("a", "b"), False),
        ((), ("a",), False),
        (("b", "a"), ("a",), False),
    ],
)
def test_is_within_compares_segment_by_segment(path, ancestor, expected):
    assert paths.is_within(path, ancestor) is expected
