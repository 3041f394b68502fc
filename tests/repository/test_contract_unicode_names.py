"""Contract: names are compared in Unicode normalization form C, and invisible format
characters are no part of a name.

``"cafe\\u0301"`` (e + combining acute, form D) and ``"caf\\u00e9"`` (form C) look the
same; stored as two siblings they let one name stand for two nodes."""
from __future__ import annotations

import pytest

from repository import ASSET, FOLDER, AlreadyExists, InvalidPath, paths

NFC = "caf\u00e9.png"
NFD = "cafe\u0301.png"
#: Right-to-left override, zero-width space, byte order mark, soft hyphen.
FORMAT_CHARACTERS = ["\u202e", "\u200b", "\ufeff", "\u00ad"]


def test_a_name_in_another_normalization_form_is_the_same_sibling(repo):
    repo.create(("f",), FOLDER)
    created = repo.create(("f", NFD), ASSET)
    assert created.name == NFC
    with pytest.raises(AlreadyExists):
        repo.create(("f", NFC), ASSET)
    assert repo.get(("f", NFC)).id == created.id
    assert repo.get(("f", NFD)).id == created.id
    assert [node.name for node in repo.list_children(("f",)).nodes] == [NFC]


def test_folders_in_a_path_are_found_whatever_the_form(repo):
    repo.create(("r\u00e9sum\u00e9s",), FOLDER)
    repo.create(("re\u0301sume\u0301s", "a"), ASSET)
    assert repo.get(("re\u0301sume\u0301s", "a")).path == ("r\u00e9sum\u00e9s", "a")
    repo.update(("re\u0301sume\u0301s", "a"), properties={"x": 1})
    repo.delete(("re\u0301sume\u0301s", "a"))
    assert repo.list_children(("r\u00e9sum\u00e9s",)).total == 0


def test_move_and_copy_destinations_are_normalised(repo):
    repo.create(("f",), FOLDER)
    repo.create(("f", "x"), ASSET)
    repo.create(("f", NFC), ASSET)
    with pytest.raises(Exception) as refused:
        repo.copy(("f", "x"), ("f", NFD), overwrite=False)
    assert "exists" in str(refused.value)
    repo.move(("f", "x"), ("f", "a\u0308"))
    assert sorted(node.name for node in repo.list_children(("f",)).nodes) == \
        sorted([NFC, "\u00e4"])


@pytest.mark.parametrize("character", FORMAT_CHARACTERS)
def test_names_with_invisible_format_characters_are_refused(repo, character):
    repo.create(("f",), FOLDER)
    repo.create(("f", "x"), ASSET)
    name = f"evil{character}gnp.exe"
    with pytest.raises(InvalidPath) as refused:
        repo.create(("f", name), ASSET)
    assert f"U+{ord(character):04X}" in str(refused.value)
    with pytest.raises(InvalidPath):
        repo.move(("f", "x"), ("f", name))
    with pytest.raises(InvalidPath):
        paths.parse(f"/f/{name}")
    assert [node.name for node in repo.list_children(("f",)).nodes] == ["x"]
