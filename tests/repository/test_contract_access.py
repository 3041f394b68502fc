"""Contract: permissions, evaluated as repository.access says, for every Repository call.

Runs on every backend. Each test builds a small tree as the system, gives entries to a few
principals, then acts as a user and checks what it may see and do, and that a refused
operation changed nothing.
"""
from __future__ import annotations

import pytest

from repository import (
    ASSET,
    COMMENT,
    FOLDER,
    AccessDenied,
    NotFound,
    ParentMissing,
)
from repository.access import (
    ADD_CHILD_NODES,
    ALL,
    READ,
    REMOVE_CHILD_NODES,
    REMOVE_NODE,
    WRITE,
    Caller,
    privilege_bits,
)
from repository.accounts import Accounts
from repository.errors import AlreadyExists, InvalidValue

from .helpers import snapshot


def _existing(repo, principal: str) -> str:
    """A principal named in a test is a user unless the test made a group of that name."""
    if not repo.principals.exists(principal):
        Accounts(repo).create_user(principal, "pw")
    return principal


def allow(repo, path, principal, *names):
    repo.access.modify(path, _existing(repo, principal), granted=privilege_bits(names))


def deny(repo, path, principal, *names):
    repo.access.modify(path, _existing(repo, principal), denied=privilege_bits(names))


@pytest.fixture
def accounts(repo):
    return Accounts(repo)


@pytest.fixture
def user(repo, accounts):
    """``user("alice", groups=[...])``: create the user and give its Repository view."""

    def make(name: str, *, groups=(), **narrowing):
        for group in groups:
            if not repo.principals.is_group(group):
                repo.principals.create_group(group)
        _existing(repo, name)
        for group in groups:
            repo.principals.add_member(group, name)
        return repo.acting_for(repo.principals.caller_for(name, **narrowing))

    return make


@pytest.fixture
def tree(repo):
    """/docs/{a.txt, private/secret.txt}, /other/o.txt"""
    repo.create(("docs",), FOLDER)
    repo.create(("docs", "a.txt"), ASSET, blob=repo.blobs.put_bytes(b"a"), mime_type="text/plain")
    repo.create(("docs", "private"), FOLDER)
    repo.create(("docs", "private", "secret.txt"), ASSET, blob=repo.blobs.put_bytes(b"s"),
                mime_type="text/plain")
    repo.create(("other",), FOLDER)
    repo.create(("other", "o.txt"), ASSET, blob=repo.blobs.put_bytes(b"o"), mime_type="text/plain")
    return repo


# -- reading -----------------------------------------------------------------------------------

def test_a_user_with_no_entries_sees_nothing(tree, user):
    alice = user("alice")
    for path in [(), ("docs",), ("docs", "a.txt")]:
        with pytest.raises(NotFound):
            alice.get(path)
    with pytest.raises(NotFound):
        alice.list_children(())


def test_an_unreadable_node_answers_like_a_missing_one(tree, user):
    alice = user("alice")
    with pytest.raises(NotFound) as hidden:
        alice.get(("docs", "a.txt"))
    with pytest.raises(NotFound) as missing:
        alice.get(("docs", "nothing.txt"))
    assert str(hidden.value).replace("a.txt", "X") == str(missing.value).replace("nothing.txt", "X")
    with pytest.raises(NotFound):
        alice.get_by_id(tree.get(("docs", "a.txt")).id)


def test_read_on_a_folder_is_inherited_by_everything_below(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read")
    alice = user("alice")
    assert alice.get(("docs", "private", "secret.txt")).blob.size == 1
    assert [n.name for n in alice.list_children(("docs",)).nodes] == ["a.txt", "private"]
    with pytest.raises(NotFound):
        alice.get(("other",))


def test_a_path_may_pass_through_folders_the_caller_cannot_read(tree, user):
    allow(tree, ("docs", "private"), "alice", "jcr:read")
    alice = user("alice")
    assert alice.get(("docs", "private", "secret.txt")).name == "secret.txt"
    with pytest.raises(NotFound):
        alice.get(("docs",))


def test_a_deny_below_a_grant_hides_the_node_and_the_listing_counts_only_the_rest(tree, user):
    allow(tree, (), "alice", "jcr:read")
    deny(tree, ("docs", "private"), "alice", "jcr:read")
    alice = user("alice")
    page = alice.list_children(("docs",))
    assert [n.name for n in page.nodes] == ["a.txt"] and page.total == 1
    with pytest.raises(NotFound):
        alice.get(("docs", "private", "secret.txt"))
    with pytest.raises(NotFound):
        alice.list_children(("docs", "private"))


def test_the_nearest_entry_decides(tree, user):
    deny(tree, (), "alice", "jcr:read")
    allow(tree, ("docs",), "alice", "jcr:read")
    deny(tree, ("docs", "private"), "alice", "jcr:read")
    allow(tree, ("docs", "private", "secret.txt"), "alice", "jcr:read")
    alice = user("alice")
    assert alice.get(("docs",)).name == "docs"
    assert alice.get(("docs", "private", "secret.txt")).name == "secret.txt"
    with pytest.raises(NotFound):
        alice.get(("docs", "private"))
    with pytest.raises(NotFound):
        alice.get(("other",))


def test_an_entry_decides_only_the_privileges_it_names(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read", "jcr:modifyProperties")
    deny(tree, ("docs", "a.txt"), "alice", "jcr:modifyProperties")
    alice = user("alice")
    assert alice.get(("docs", "a.txt")).name == "a.txt"  # read still inherited
    with pytest.raises(AccessDenied):
        alice.update(("docs", "a.txt"), properties={"x": 1})
    alice.update(("docs", "private"), properties={"x": 1})


def test_at_one_node_the_users_own_entry_beats_its_groups(tree, user):
    tree.principals.create_group("editors")
    deny(tree, ("docs",), "editors", "jcr:read")
    allow(tree, ("docs",), "alice", "jcr:read")
    allow(tree, ("other",), "editors", "jcr:read")
    deny(tree, ("other",), "alice", "jcr:read")
    alice = user("alice", groups=["editors"])
    assert alice.get(("docs",)).name == "docs"
    with pytest.raises(NotFound):
        alice.get(("other",))


def test_at_one_node_a_groups_deny_beats_another_groups_allow(tree, user):
    tree.principals.create_group("readers")
    tree.principals.create_group("blocked")
    allow(tree, ("docs",), "readers", "jcr:read")
    deny(tree, ("docs",), "blocked", "jcr:read")
    with pytest.raises(NotFound):
        user("alice", groups=["readers", "blocked"]).get(("docs",))
    assert user("bob", groups=["readers"]).get(("docs",)).name == "docs"


def test_nested_groups_and_everyone_apply(tree, user):
    tree.principals.create_group("staff")
    tree.principals.create_group("team")
    tree.principals.add_member("staff", "team")
    allow(tree, ("docs",), "staff", "jcr:read")
    allow(tree, ("other",), "everyone", "jcr:read")
    alice = user("alice", groups=["team"])
    assert alice.get(("docs", "a.txt")).name == "a.txt"
    assert user("bob").get(("other", "o.txt")).name == "o.txt"
    with pytest.raises(NotFound):
        user("carol").get(("docs",))


def test_administrators_pass_every_check(tree, user):
    deny(tree, (), "everyone", "jcr:all")
    boss = user("boss", groups=["administrators"])
    assert boss.get(("docs", "private", "secret.txt")).name == "secret.txt"
    boss.delete(("other",))
    assert not tree.exists(("other",))


def test_a_listing_deep_page_skips_hidden_children(repo, user):
    repo.create(("f",), FOLDER)
    for i in range(30):
        repo.create(("f", f"n{i:02d}"), FOLDER)
    allow(repo, ("f",), "alice", "jcr:read")
    for i in range(0, 30, 3):
        deny(repo, ("f", f"n{i:02d}"), "alice", "jcr:read")
    alice = user("alice")
    seen, after = [], None
    while True:
        page = alice.list_children(("f",), limit=7, after=after)
        assert page.total == 20
        if not page.nodes:
            break
        seen += [n.name for n in page.nodes]
        after = page.nodes[-1].name
    assert seen == [f"n{i:02d}" for i in range(30) if i % 3]
    assert [n.name for n in alice.list_children(("f",), offset=18, limit=5).nodes] == \
        ["n28", "n29"]


# -- writing -----------------------------------------------------------------------------------

def test_create_needs_add_child_nodes_on_the_parent(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read")
    alice = user("alice")
    before = snapshot(tree)
    with pytest.raises(AccessDenied, match="jcr:addChildNodes"):
        alice.create(("docs", "new"), FOLDER)
    with pytest.raises(ParentMissing):  # /other does not exist for alice
        alice.create(("other", "new"), FOLDER)
    assert snapshot(tree) == before
    allow(tree, ("docs",), "alice", "jcr:addChildNodes")
    assert alice.create(("docs", "new"), FOLDER).name == "new"


def test_add_child_nodes_without_read_is_a_drop_box(tree, user):
    allow(tree, ("docs",), "alice", "jcr:addChildNodes")
    alice = user("alice")
    alice.create(("docs", "dropped"), FOLDER)
    with pytest.raises(NotFound):
        alice.get(("docs", "dropped"))
    assert tree.get(("docs", "dropped")).kind == FOLDER


def test_update_needs_modify_properties(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read")
    alice = user("alice")
    with pytest.raises(AccessDenied):
        alice.update(("docs", "a.txt"), properties={"dc:title": "x"})
    with pytest.raises(AccessDenied):
        alice.update(("docs", "a.txt"), blob=tree.blobs.put_bytes(b"new"))
    with pytest.raises(NotFound):
        alice.update(("other", "o.txt"), properties={"dc:title": "x"})
    assert "dc:title" not in tree.get(("docs", "a.txt")).properties
    allow(tree, ("docs",), "alice", "jcr:modifyProperties")
    assert alice.update(("docs", "a.txt"), properties={"dc:title": "x"}).properties["dc:title"] == "x"


def test_delete_needs_remove_node_and_remove_child_nodes_on_the_parent(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read", "jcr:removeNode")
    alice = user("alice")
    with pytest.raises(AccessDenied, match="jcr:removeChildNodes"):
        alice.delete(("docs", "a.txt"))
    allow(tree, ("docs",), "alice", "jcr:removeChildNodes")
    alice.delete(("docs", "a.txt"))
    assert not tree.exists(("docs", "a.txt"))


def test_a_deny_anywhere_below_refuses_the_whole_delete(tree, user):
    allow(tree, (), "alice", "jcr:all")
    deny(tree, ("docs", "private", "secret.txt"), "alice", "jcr:removeNode")
    alice = user("alice")
    before = snapshot(tree)
    with pytest.raises(AccessDenied):
        alice.delete(("docs",))
    assert snapshot(tree) == before
    alice.delete(("other",))  # no deny there
    assert not tree.exists(("other",))


def test_a_deny_of_an_unrelated_privilege_below_does_not_refuse_a_delete(tree, user):
    allow(tree, (), "alice", "jcr:all")
    deny(tree, ("docs", "private"), "alice", "jcr:modifyProperties")
    user("alice").delete(("docs",))
    assert not tree.exists(("docs",))


def test_move_needs_removal_at_the_source_and_add_at_the_destination(tree, user):
    allow(tree, (), "alice", "jcr:read")
    allow(tree, ("docs",), "alice", "jcr:removeNode", "jcr:removeChildNodes")
    alice = user("alice")
    before = snapshot(tree)
    with pytest.raises(AccessDenied, match="jcr:addChildNodes"):
        alice.move(("docs", "a.txt"), ("other", "a.txt"))
    with pytest.raises(AccessDenied):
        alice.move(("other", "o.txt"), ("docs", "o.txt"))
    assert snapshot(tree) == before
    allow(tree, ("other",), "alice", "jcr:addChildNodes")
    assert alice.move(("docs", "a.txt"), ("other", "a.txt"))


def test_a_moved_node_keeps_its_entries_and_a_copy_gets_its_new_places(tree, user):
    allow(tree, (), "alice", "jcr:all")
    deny(tree, ("docs", "private"), "bob", "jcr:read")
    allow(tree, ("other",), "bob", "jcr:read")
    bob = user("bob")
    alice = user("alice")
    alice.copy(("docs", "private"), ("other", "copied"))
    alice.move(("docs", "private"), ("other", "moved"))
    assert bob.get(("other", "copied", "secret.txt")).name == "secret.txt"
    with pytest.raises(NotFound):
        bob.get(("other", "moved", "secret.txt"))


def test_copy_needs_read_at_the_source_and_leaves_out_what_the_caller_cannot_read(tree, user):
    allow(tree, (), "alice", "jcr:read")
    deny(tree, ("docs", "private"), "alice", "jcr:read")
    deny(tree, ("other",), "alice", "jcr:read")
    alice = user("alice")
    with pytest.raises(AccessDenied, match="jcr:addChildNodes"):
        alice.copy(("docs",), ("docs-copy",))
    allow(tree, (), "alice", "jcr:addChildNodes")
    with pytest.raises(NotFound):
        alice.copy(("other",), ("other-copy",))
    alice.copy(("docs",), ("docs-copy",))
    assert [n.name for n in tree.list_children(("docs-copy",)).nodes] == ["a.txt"]


def test_overwriting_a_destination_needs_the_right_to_delete_it(tree, user):
    allow(tree, (), "alice", "jcr:read", "jcr:addChildNodes")
    allow(tree, ("docs",), "alice", "jcr:removeNode", "jcr:removeChildNodes")
    alice = user("alice")
    before = snapshot(tree)
    with pytest.raises(AccessDenied):
        alice.copy(("docs", "a.txt"), ("other", "o.txt"), overwrite=True)
    assert snapshot(tree) == before


# -- the credential narrows -----------------------------------------------------------------

def test_a_ceiling_narrows_what_entries_allow(tree, user):
    allow(tree, (), "alice", "jcr:all")
    reader = user("alice", ceiling=READ)
    assert reader.get(("docs", "a.txt")).name == "a.txt"
    with pytest.raises(AccessDenied):
        reader.update(("docs", "a.txt"), properties={"x": 1})
    with pytest.raises(AccessDenied):
        reader.delete(("docs", "a.txt"))


def test_a_ceiling_never_widens_what_entries_allow(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read")
    writer = user("alice", ceiling=READ | WRITE)
    with pytest.raises(AccessDenied):
        writer.update(("docs", "a.txt"), properties={"x": 1})


def test_a_confined_caller_sees_nothing_outside_its_subtree(tree, user):
    allow(tree, (), "alice", "jcr:all")
    confined = user("alice", confined_to=("docs",))
    assert confined.get(("docs", "a.txt")).name == "a.txt"
    with pytest.raises(NotFound):
        confined.get(("other", "o.txt"))
    with pytest.raises(NotFound):
        confined.get(())


def test_an_administrator_is_narrowed_too(tree):
    admin = tree.acting_for(tree.principals.caller_for("admin", ceiling=READ))
    with pytest.raises(AccessDenied):
        admin.delete(("docs",))


# -- mounts and owned properties ----------------------------------------------------------------

def test_only_administrators_may_move_or_delete_a_mount(tree, user):
    tree.protect_mount(("other",))
    tree.protect_mount(("docs", "*"))
    allow(tree, (), "alice", "jcr:all")
    alice = user("alice")
    for attempt in (lambda: alice.delete(("other",)),
                    lambda: alice.move(("other",), ("renamed",)),
                    lambda: alice.move(("docs", "private"), ("p",)),
                    lambda: alice.copy(("docs",), ("other",), overwrite=True)):
        with pytest.raises(AccessDenied, match="only administrators"):
            attempt()
    alice.delete(("other", "o.txt"))  # what is inside is the usual business
    alice.delete(("docs", "private", "secret.txt"))
    user("boss", groups=["administrators"]).move(("other",), ("renamed",))


def test_owned_properties_are_written_only_through_their_door(tree):
    tree.own_properties("emporix", keys=("emporix:asset",))
    tree.own_properties("ams", keys=("jcr:title",), under=("other",))
    admin_via_aem = tree.acting_for(tree.principals.caller_for("admin", door="assets"))
    with pytest.raises(AccessDenied, match="emporix:asset"):
        admin_via_aem.update(("docs", "a.txt"), properties={"emporix:asset": {"type": "LINK"}})
    with pytest.raises(AccessDenied, match="jcr:title"):
        admin_via_aem.create(("other", "x"), FOLDER, properties={"jcr:title": "x"})
    admin_via_aem.create(("docs", "x"), FOLDER, properties={"jcr:title": "x"})  # not under /other
    via_emporix = tree.acting_for(tree.principals.caller_for("admin", door="emporix"))
    via_emporix.update(("docs", "a.txt"), properties={"emporix:asset": {"type": "BLOB"}})
    with pytest.raises(AccessDenied, match="emporix:asset"):  # removing it is changing it
        admin_via_aem.update(("docs", "a.txt"), properties={"dc:title": "t"},
                             replace_properties=True)
    admin_via_aem.update(("docs", "a.txt"), properties={"dc:title": "t"})
    tree.update(("docs", "a.txt"), properties={"emporix:asset": None})  # the system may


def test_grant_creator_gives_the_creator_every_privilege_on_the_new_node(repo, user):
    repo.create(("projects",), FOLDER)
    allow(repo, ("projects",), "everyone", "jcr:addChildNodes")
    alice, bob = user("alice"), user("bob")
    alice.create(("projects", "p1"), FOLDER, grant_creator=True)
    alice.create(("projects", "p1", "doc"), ASSET, blob=repo.blobs.put_bytes(b"d"))
    alice.update(("projects", "p1"), properties={"t": 1})
    assert alice.get(("projects", "p1", "doc")).name == "doc"
    with pytest.raises(NotFound):
        bob.get(("projects", "p1"))


def test_comments_and_renditions_follow_their_assets_rights(tree, user):
    allow(tree, ("docs",), "alice", "jcr:read")
    alice = user("alice")
    with pytest.raises(AccessDenied):
        alice.create(("docs", "a.txt", "c1"), COMMENT, properties={"message": "hi"})
    allow(tree, ("docs", "a.txt"), "alice", "jcr:addChildNodes")
    alice.create(("docs", "a.txt", "c1"), COMMENT, properties={"message": "hi"})
    assert [n.name for n in alice.list_children(("docs", "a.txt")).nodes] == ["c1"]


# -- access control entries themselves ----------------------------------------------------------

def test_reading_and_changing_entries_need_their_own_privileges(tree, user):
    allow(tree, ("docs",), "alice", "jcr:all")
    allow(tree, ("other",), "alice", "jcr:read")
    alice = user("alice")
    user("bob")
    assert [e.principal for e in alice.access.entries(("docs",))] == ["alice"]
    alice.access.modify(("docs",), "bob", granted=READ)
    assert user("carol").principals.exists("bob")
    with pytest.raises(AccessDenied, match="jcr:readAccessControl"):
        alice.access.entries(("other",))
    with pytest.raises(AccessDenied, match="jcr:modifyAccessControl"):
        alice.access.modify(("other",), "alice", granted=ALL)
    with pytest.raises(NotFound):
        alice.access.entries(())


def test_modify_grants_denies_and_clears_per_privilege(tree):
    tree.principals.create_group("g")
    entry = tree.access.modify(("docs",), "g", granted=privilege_bits(["jcr:write"]))
    assert entry.allow == WRITE and entry.deny == 0
    entry = tree.access.modify(("docs",), "g", denied=REMOVE_NODE, cleared=ADD_CHILD_NODES)
    assert entry.allow == WRITE & ~REMOVE_NODE & ~ADD_CHILD_NODES and entry.deny == REMOVE_NODE
    entry = tree.access.modify(("docs",), "g", cleared=ALL)
    assert tree.access.entries(("docs",)) == []
    assert tree.access.remove(("docs",), "g") is False


def test_an_entry_needs_an_existing_principal(tree):
    with pytest.raises(NotFound, match="nobody"):
        tree.access.modify(("docs",), "nobody", granted=READ)


def test_effective_entries_name_where_each_comes_from(tree):
    tree.principals.create_group("g")
    tree.access.modify((), "g", granted=READ | REMOVE_CHILD_NODES)
    tree.access.modify(("docs",), "g", denied=REMOVE_CHILD_NODES)
    [effective] = tree.access.effective(("docs", "a.txt"))
    assert (effective.principal, effective.granted, effective.denied) == \
        ("g", READ, REMOVE_CHILD_NODES)
    assert effective.declared_at == (("docs",), ())


def test_deleting_a_principal_removes_its_entries(tree, accounts, user):
    user("alice")
    allow(tree, ("docs",), "alice", "jcr:read")
    accounts.delete_user("alice")
    user("alice")  # a new alice inherits nothing
    assert tree.access.entries(("docs",)) == []
    tree.principals.create_group("g")
    allow(tree, ("docs",), "g", "jcr:read")
    tree.principals.delete_group("g")
    assert tree.access.entries(("docs",)) == []


# -- principals ----------------------------------------------------------------------------------

def test_users_and_groups_share_one_namespace(repo, accounts):
    accounts.create_user("alice", "pw")
    with pytest.raises(AlreadyExists):
        repo.principals.create_group("alice")
    repo.principals.create_group("team")
    with pytest.raises(AlreadyExists):
        accounts.create_user("team", "pw")
    for built_in in ("everyone", "administrators"):
        with pytest.raises(AlreadyExists):
            repo.principals.create_group(built_in)


def test_a_group_cannot_contain_itself(repo):
    repo.principals.create_group("a")
    repo.principals.create_group("b")
    repo.principals.add_member("a", "b")
    with pytest.raises(InvalidValue):
        repo.principals.add_member("b", "a")
    with pytest.raises(InvalidValue):
        repo.principals.add_member("a", "a")
    with pytest.raises(InvalidValue):
        repo.principals.add_member("everyone", "a")


def test_only_administrators_manage_principals(repo, accounts, user):
    alice = user("alice")
    with pytest.raises(AccessDenied):
        alice.principals.create_group("mine")
    with pytest.raises(AccessDenied):
        Accounts(alice).create_user("mallory", "pw")
    with pytest.raises(AccessDenied):
        Accounts(alice).create_token("alice")


def test_only_administrators_see_users_and_groups(repo, accounts, user):
    alice = user("alice", groups=["team"])
    with pytest.raises(AccessDenied):
        Accounts(alice).list_users()
    with pytest.raises(AccessDenied):
        Accounts(alice).get_user("alice")
    with pytest.raises(AccessDenied):
        alice.principals.list_groups()
    with pytest.raises(AccessDenied):
        alice.principals.members_of("team")
    assert [g.name for g in repo.principals.list_groups()] == ["administrators", "team"]
    assert repo.principals.list_groups()[1].members == ["alice"]
    assert repo.principals.list_groups()[1].created is not None


def test_an_administrators_scoped_or_confined_credential_manages_no_one(repo, accounts, user):
    for narrowing in ({"ceiling": READ}, {"ceiling": ALL & ~READ}, {"confined_to": ("docs",)}):
        admin = repo.acting_for(repo.principals.caller_for("admin", **narrowing))
        with pytest.raises(AccessDenied):
            admin.principals.create_group("mine")
        with pytest.raises(AccessDenied):
            Accounts(admin).create_user("mallory", "pw")
        with pytest.raises(AccessDenied):
            Accounts(admin).list_users()
    assert not repo.principals.exists("mine") and not repo.principals.exists("mallory")
    whole = repo.acting_for(repo.principals.caller_for("admin"))
    whole.principals.create_group("mine")
    assert whole.principals.exists("mine")


def test_a_profile_is_set_changed_and_removed_property_by_property(repo, accounts):
    accounts.create_user("alice", "pw", profile={"givenName": "Alice", "email": "a@example.com"})
    assert accounts.get_user("alice").email == "a@example.com"
    assert accounts.get_user("alice").profile == {"givenName": "Alice"}
    info = accounts.update_profile("alice", {"age": 29, "tags": ["x", "y"], "givenName": None,
                                             "email": "alice@example.com"})
    assert info.profile == {"age": 29, "tags": ["x", "y"]}
    assert accounts.get_user("alice").email == "alice@example.com"
    assert accounts.get_user("alice").profile == {"age": 29, "tags": ["x", "y"]}


@pytest.mark.parametrize("changes", [
    {"a/b": "x"}, {"": "x"}, {"x": {"nested": 1}}, {"x": float("nan")}, {"x": "a\x00b"},
    {"x": "\ud800"}, {"x": 2**64}, {"x": [1, [2]]}, {"email": 5}, {"email": "a\x00"},
    {"big": "x" * 70_000},
])
def test_a_bad_profile_change_is_refused_and_changes_nothing(repo, accounts, changes):
    accounts.create_user("alice", "pw", email="a@example.com", profile={"givenName": "Alice"})
    with pytest.raises(InvalidValue):
        accounts.update_profile("alice", {"givenName": "Changed", **changes})
    info = accounts.get_user("alice")
    assert (info.email, info.profile) == ("a@example.com", {"givenName": "Alice"})


def test_updating_a_missing_users_profile_is_not_found(repo, accounts):
    with pytest.raises(NotFound, match="nobody"):
        accounts.update_profile("nobody", {"givenName": "x"})


def test_an_expired_or_revoked_token_authenticates_no_one(repo, accounts):
    from datetime import timedelta

    accounts.create_user("alice", "pw")
    live = accounts.create_token("alice", expires_in=timedelta(hours=1))
    expired = accounts.create_token("alice", expires_in=timedelta(microseconds=1))
    revoked = accounts.create_token("alice")
    accounts.revoke_token(revoked.split(".")[0])
    assert accounts.authenticate_token(live).name == "alice"
    assert accounts.authenticate_token(expired) is None
    assert accounts.authenticate_token(revoked) is None
    listed = {t.id: t for t in accounts.list_tokens("alice")}
    assert set(listed) == {live.split(".")[0], expired.split(".")[0]}
    assert listed[live.split(".")[0]].expires is not None


def test_deleting_a_user_kills_its_tokens(repo, accounts):
    accounts.create_user("alice", "pw")
    token = accounts.create_token("alice")
    accounts.delete_user("alice")
    assert accounts.authenticate_token(token) is None


def test_the_system_caller_is_not_a_user():
    from repository.access import SYSTEM

    assert SYSTEM.is_system and SYSTEM.user is None
    assert not Caller(user="admin", is_admin=True).is_system


def test_a_node_only_entry_applies_to_its_node_and_not_below(tree, user):
    allow(tree, (), "alice", "jcr:read")
    tree.access.modify(("docs",), "alice", granted=ADD_CHILD_NODES, node_only=True)
    alice = user("alice")
    alice.create(("docs", "new"), FOLDER)
    with pytest.raises(AccessDenied, match="jcr:addChildNodes"):
        alice.create(("docs", "private", "new"), FOLDER)
    [entry] = [e for e in tree.access.entries(("docs",)) if e.principal == "alice"]
    assert entry.node_only and entry.allow == ADD_CHILD_NODES
    assert [e.principal for e in tree.access.effective(("docs", "private"))] == ["alice"]
    assert tree.access.effective(("docs", "private"))[0].granted == READ


def test_a_node_only_deny_hides_the_node_but_not_what_is_below(tree, user):
    allow(tree, (), "alice", "jcr:read")
    tree.access.modify(("docs",), "alice", denied=READ, node_only=True)
    alice = user("alice")
    with pytest.raises(NotFound):
        alice.get(("docs",))
    assert alice.get(("docs", "a.txt")).name == "a.txt"
    assert "docs" not in [n.name for n in alice.list_children(()).nodes]


def test_a_principal_may_hold_a_node_only_entry_beside_its_inherited_one(tree):
    tree.principals.create_group("g")
    tree.access.modify(("docs",), "g", granted=READ)
    tree.access.modify(("docs",), "g", granted=ADD_CHILD_NODES, node_only=True)
    assert sorted((e.node_only, e.allow) for e in tree.access.entries(("docs",))) == \
        [(False, READ), (True, ADD_CHILD_NODES)]
    assert tree.access.remove(("docs",), "g") is True
    assert tree.access.entries(("docs",)) == []


def test_a_view_for_one_request_forgets_what_it_evaluated_when_entries_change(tree, accounts):
    allow(tree, ("docs",), "alice", "jcr:read", "jcr:modifyAccessControl")
    view = tree.acting_for(tree.principals.caller_for("alice"), one_request=True)
    assert view.get(("docs", "a.txt")).name == "a.txt"
    view.access.modify(("docs",), "alice", denied=READ)
    with pytest.raises(NotFound):
        view.get(("docs", "a.txt"))
