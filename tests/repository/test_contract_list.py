"""Contract: listing a node's children — byte order, offset/limit, keyset cursor, kinds."""
from __future__ import annotations

import pytest

from repository import ASSET, COMMENT, FOLDER, RENDITION, InvalidPath, NotFound
from repository.errors import InvalidValue

# Deliberately mixed: case, digits, punctuation, accents, other scripts, emoji.
NAMES = ["é", "a", "B", "_", "Z", "b", "ä", "10", "9", "~", "A", "aa", "a b", "Ω", "日本",
         "🐱", "-", "zz", ".hidden", "É"]


def byte_order(names):
    return sorted(names, key=lambda n: n.encode("utf-8"))


@pytest.fixture
def folder(repo):
    repo.create(("f",), FOLDER)
    for name in NAMES:
        repo.create(("f", name), FOLDER)
    return ("f",)


def test_children_are_ordered_by_the_bytes_of_their_names(repo, folder):
    page = repo.list_children(folder, limit=None)
    assert [n.name for n in page.nodes] == byte_order(NAMES)


def test_upper_case_sorts_before_lower_case_before_accented(repo):
    for name in ["é", "a", "B"]:
        repo.create((name,), FOLDER)
    assert [n.name for n in repo.list_children(()).nodes] == ["B", "a", "é"]


def test_children_carry_their_paths_and_data(repo):
    repo.create(("f",), FOLDER)
    blob = repo.blobs.put_bytes(b"data")
    made = repo.create(("f", "x.bin"), ASSET, properties={"p": 1}, blob=blob,
                       mime_type="application/octet-stream")
    [child] = repo.list_children(("f",)).nodes
    assert child == made
    assert child.path == ("f", "x.bin")
    assert child.blob == blob


def test_only_direct_children_are_listed(repo):
    repo.create(("f",), FOLDER)
    repo.create(("f", "g"), FOLDER)
    repo.create(("f", "g", "deep"), FOLDER)
    page = repo.list_children(("f",))
    assert [n.name for n in page.nodes] == ["g"]
    assert page.total == 1


def test_empty_folder_lists_nothing(repo):
    repo.create(("empty",), FOLDER)
    page = repo.list_children(("empty",))
    assert page.nodes == [] and page.total == 0


def test_listing_a_missing_node_raises_not_found(repo):
    with pytest.raises(NotFound):
        repo.list_children(("missing",))


def test_total_counts_all_children_whatever_the_page(repo, folder):
    page = repo.list_children(folder, offset=5, limit=3)
    assert page.total == len(NAMES)
    assert len(page.nodes) == 3
    assert (page.offset, page.limit) == (5, 3)


def test_default_page_size_is_twenty(repo):
    repo.create(("f",), FOLDER)
    for i in range(25):
        repo.create(("f", f"n{i:02}"), FOLDER)
    page = repo.list_children(("f",))
    assert len(page.nodes) == 20 and page.total == 25


def test_offset_and_limit_page_through_in_order(repo, folder):
    expected = byte_order(NAMES)
    pages = [repo.list_children(folder, offset=o, limit=6) for o in range(0, len(NAMES), 6)]
    assert [n.name for p in pages for n in p.nodes] == expected
    assert [len(p.nodes) for p in pages] == [6, 6, 6, 2]


@pytest.mark.parametrize("offset", [0, 1, 7, 19, 20, 25])
def test_an_offset_counts_only_the_kinds_asked_for(repo, offset):
    repo.create(("f",), FOLDER)
    folders = [f"d{i:02}" for i in range(20)]
    for i, name in enumerate(folders):
        repo.create(("f", name), FOLDER)
        repo.create(("f", f"{name}-asset"), ASSET)  # interleaved in name order
    page = repo.list_children(("f",), kinds=[FOLDER], offset=offset, limit=5)
    assert [n.name for n in page.nodes] == folders[offset:offset + 5]
    assert page.total == 20


def test_an_offset_without_a_limit_lists_the_rest(repo, folder):
    page = repo.list_children(folder, offset=15, limit=None)
    assert [n.name for n in page.nodes] == byte_order(NAMES)[15:]


def test_offset_past_the_end_gives_an_empty_page(repo, folder):
    page = repo.list_children(folder, offset=100, limit=10)
    assert page.nodes == [] and page.total == len(NAMES)


def test_limit_none_lists_everything(repo, folder):
    assert len(repo.list_children(folder, limit=None).nodes) == len(NAMES)


def test_after_cursor_gives_the_same_pages_as_offset(repo, folder):
    size = 6
    by_offset = [
        [n.name for n in repo.list_children(folder, offset=o, limit=size).nodes]
        for o in range(0, len(NAMES), size)
    ]
    by_key, after = [], None
    while True:
        page = repo.list_children(folder, after=after, limit=size)
        if not page.nodes:
            break
        by_key.append([n.name for n in page.nodes])
        after = page.nodes[-1].name
    assert by_key == by_offset
    assert by_key[0] == byte_order(NAMES)[:size]


def test_after_the_last_name_gives_an_empty_page(repo, folder):
    last = byte_order(NAMES)[-1]
    page = repo.list_children(folder, after=last, limit=10)
    assert page.nodes == [] and page.total == len(NAMES)


def test_after_a_name_that_was_deleted_continues_with_the_next_one(repo, folder):
    ordered = byte_order(NAMES)
    first = repo.list_children(folder, limit=5)
    cursor = first.nodes[-1].name
    repo.delete(folder + (cursor,))
    page = repo.list_children(folder, after=cursor, limit=5)
    assert [n.name for n in page.nodes] == ordered[5:10]


def test_keyset_pages_do_not_repeat_when_names_are_added_before_the_cursor(repo, folder):
    first = repo.list_children(folder, limit=10)
    cursor = first.nodes[-1].name
    repo.create(folder + ("!",), FOLDER)  # sorts before everything already listed
    second = repo.list_children(folder, after=cursor, limit=100)
    assert not {n.name for n in first.nodes} & {n.name for n in second.nodes}
    assert [n.name for n in second.nodes] == byte_order(NAMES)[10:]


def test_kinds_filter_lists_only_those_kinds_and_counts_them(repo):
    repo.create(("a",), ASSET)
    for name in ["r1", "r2", "r3"]:
        repo.create(("a", name), RENDITION)
    for name in ["c1", "c2"]:
        repo.create(("a", name), COMMENT)
    renditions = repo.list_children(("a",), kinds=[RENDITION])
    assert [n.name for n in renditions.nodes] == ["r1", "r2", "r3"]
    assert renditions.total == 3
    comments = repo.list_children(("a",), kinds={COMMENT}, limit=1)
    assert [n.name for n in comments.nodes] == ["c1"] and comments.total == 2
    both = repo.list_children(("a",), kinds=(RENDITION, COMMENT))
    assert both.total == 5


def test_kinds_filter_in_a_folder(repo):
    repo.create(("f",), FOLDER)
    repo.create(("f", "sub"), FOLDER)
    repo.create(("f", "x.jpg"), ASSET)
    assert [n.name for n in repo.list_children(("f",), kinds=[ASSET]).nodes] == ["x.jpg"]
    assert [n.name for n in repo.list_children(("f",), kinds=[FOLDER]).nodes] == ["sub"]


def test_kinds_filter_combines_with_the_cursor(repo):
    repo.create(("f",), FOLDER)
    for i in range(6):
        repo.create(("f", f"{i}-folder"), FOLDER)
        repo.create(("f", f"{i}-asset"), ASSET)
    page1 = repo.list_children(("f",), kinds=[ASSET], limit=4)
    page2 = repo.list_children(("f",), kinds=[ASSET], limit=4, after=page1.nodes[-1].name)
    names = [n.name for n in page1.nodes + page2.nodes]
    assert names == [f"{i}-asset" for i in range(6)]
    assert page2.total == 6


def test_a_negative_offset_or_a_limit_below_one_raises_invalid_value(repo, folder):
    # Without a check SQLite ignores negative values and PostgreSQL raises a DataError.
    with pytest.raises(InvalidValue):
        repo.list_children(folder, offset=-1)
    with pytest.raises(InvalidValue):
        repo.list_children(folder, limit=-1)
    with pytest.raises(InvalidValue):
        repo.list_children(folder, limit=0)


def test_a_cursor_that_is_not_a_valid_name_raises_invalid_path(repo, folder):
    # A NUL would reach PostgreSQL as a DataError; the cursor is checked like a name.
    for cursor in ["\x00", "a\x00", "", "a/b"]:
        with pytest.raises(InvalidPath):
            repo.list_children(folder, after=cursor, limit=3)
