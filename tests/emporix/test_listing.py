"""GET /media/{tenant}/assets: pageNumber, pageSize, sort, X-Total-Count and q over HTTP."""
from __future__ import annotations

import pytest

from .helpers import TENANT, create_blob, create_link, error_body, validate

ASSETS = f"/media/{TENANT}/assets"


@pytest.fixture
def assets(client, manage) -> dict[str, str]:
    """Five assets made in this order: a1, b2, c3 (BLOBs) and l4, l5 (LINKs)."""
    create_blob(client, manage, id="a1", data=b"x" * 100, access="PUBLIC",
                refIds=[{"id": "cat1", "type": "CATEGORY"}], details={"filename": "a.png"})
    create_blob(client, manage, id="b2", data=b"x" * 200, access="PRIVATE",
                details={"filename": "b.pdf", "mimeType": "application/pdf"})
    create_blob(client, manage, id="c3", data=b"x" * 300, access="PUBLIC",
                refIds=[{"id": "p9", "type": "PRODUCT"}, {"id": "cat2", "type": "CATEGORY"}],
                mixins={"attrs": {"altText": "Cordless drill"}})
    create_link(client, manage, id="l4", access="PRIVATE", url="https://example.com/l4",
                mixins={"note": "AB CD"})
    create_link(client, manage, id="l5", url="https://example.com/x",
                refIds=[{"id": "cat1", "type": "CATEGORY"}])
    return {}


def ids(client, headers, **params):
    response = client.get(ASSETS, headers=headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return [asset["id"] for asset in response.get_json()]


def test_list_is_an_array_of_vendor_assets_in_creation_order(client, read, assets):
    response = client.get(ASSETS, headers=read)
    body = response.get_json()
    for asset in body:
        validate(asset, "GetAssetBlob" if asset["type"] == "BLOB" else "GetAssetLink")
    assert [a["id"] for a in body] == ["a1", "b2", "c3", "l4", "l5"]
    assert "X-Total-Count" not in response.headers


def test_empty_tenant_lists_nothing(client, read):
    assert ids(client, read) == []


def test_paging(client, read, assets):
    assert ids(client, read, pageSize=2) == ["a1", "b2"]
    assert ids(client, read, pageSize=2, pageNumber=2) == ["c3", "l4"]
    assert ids(client, read, pageSize=2, pageNumber=3) == ["l5"]
    assert ids(client, read, pageSize=2, pageNumber=4) == []  # past the end
    assert ids(client, read, pageSize=2, pageNumber=10**12) == []
    assert ids(client, read, pageSize=1000) == ["a1", "b2", "c3", "l4", "l5"]


@pytest.mark.parametrize("params", [{"pageSize": 0}, {"pageNumber": 0}, {"pageSize": "x"},
                                    {"pageNumber": -1}, {"pageSize": 1001}])
def test_bad_paging_is_400(client, read, params):
    response = client.get(ASSETS, headers=read, query_string=params)
    assert response.status_code == 400
    error_body(response)


def test_x_total_count_on_request_only(client, read, assets):
    response = client.get(ASSETS, headers={**read, "X-Total-Count": "true"},
                          query_string={"pageSize": 2, "q": "type:BLOB"})
    assert response.headers["X-Total-Count"] == "3"
    assert len(response.get_json()) == 2
    response = client.get(ASSETS, headers={**read, "X-Total-Count": "false"})
    assert "X-Total-Count" not in response.headers
    response = client.get(ASSETS, headers={**read, "X-Total-Count": "true"},
                          query_string={"pageNumber": 99})
    assert response.get_json() == [] and response.headers["X-Total-Count"] == "5"
    response = client.get(ASSETS, headers={**read, "X-Total-Count": "true"},
                          query_string={"pageNumber": 10**20, "pageSize": 1000})
    assert response.get_json() == [] and response.headers["X-Total-Count"] == "5"


def test_x_total_count_of_an_empty_tenant_is_0(client, read):
    response = client.get(ASSETS, headers={**read, "X-Total-Count": "true"})
    assert response.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("sort, expected", [
    ("id:desc", ["l5", "l4", "c3", "b2", "a1"]),
    ("id:DESC", ["l5", "l4", "c3", "b2", "a1"]),
    ("id", ["a1", "b2", "c3", "l4", "l5"]),
    ("id:asc", ["a1", "b2", "c3", "l4", "l5"]),
    ("metadata.createdAt:desc", ["l5", "l4", "c3", "b2", "a1"]),
    ("details.bytes:desc", ["c3", "b2", "a1", "l4", "l5"]),   # missing last when descending
    ("details.bytes", ["l4", "l5", "a1", "b2", "c3"]),        # missing first when ascending
    ("type:desc,access,id:desc", ["l4", "l5", "b2", "c3", "a1"]),
    ("details.filename,id", ["l4", "l5", "a1", "b2", "c3"]),  # c3: the part's name
    # the vendor's own example: no asset has a `name`, so metadata.createdAt decides
    ("name,metadata.createdAt:desc", ["l5", "l4", "c3", "b2", "a1"]),
])
def test_sort(client, read, assets, sort, expected):
    assert ids(client, read, sort=sort) == expected


@pytest.mark.parametrize("q, expected", [
    ("access:PUBLIC", ["a1", "c3", "l5"]),
    ("type:LINK", ["l4", "l5"]),
    ("id:(a1,l4)", ["a1", "l4"]),
    ("details.bytes:200", ["b2"]),
    ("details.bytes:>200", ["c3"]),
    ("details.bytes:<200", ["a1"]),
    ("details.bytes:>=200", ["b2", "c3"]),
    ("details.bytes:<=200", ["a1", "b2"]),
    ("details.bytes:(>=150 AND <=250)", ["b2"]),
    ("details.mimeType:application/pdf", ["b2"]),
    ("details.filename:null", ["l4", "l5"]),
    ("details:exists", ["a1", "b2", "c3"]),
    ("refIds:exists", ["a1", "c3", "l5"]),
    ("refIds:missing", ["b2", "l4"]),
    ("refIds.id:cat1", ["a1", "l5"]),
    ("refIds.type:PRODUCT", ["c3"]),
    ("mixins.attrs.altText:~drill", ["c3"]),
    ("id:~^l", ["l4", "l5"]),
    ("mixins.note:(~AB CD)", ["l4"]),
    ('mixins.note:"AB CD"', ["l4"]),
    ("url:~example", ["l4", "l5"]),                         # LINKs only keep a url
    ("metadata.version:1", ["a1", "b2", "c3", "l4", "l5"]),
    ("access:PUBLIC refIds.id:cat1 type:BLOB", ["a1"]),     # combined
    ("name:anything", []),                                   # unknown field
    ("access:public", []),                                   # case-sensitive
])
def test_q(client, read, assets, q, expected):
    assert ids(client, read, q=q) == expected


def test_q_with_dates(client, read, assets):
    body = client.get(ASSETS, headers=read).get_json()
    third = body[2]["metadata"]["createdAt"]
    assert ids(client, read, q=f'metadata.createdAt:"{third}"') == ["c3"]
    assert ids(client, read, q=f'metadata.createdAt:>="{third}"') == ["c3", "l4", "l5"]
    assert ids(client, read, q=f'metadata.createdAt:<"{third}"') == ["a1", "b2"]
    assert ids(client, read, q=f'metadata.createdAt:(>="{body[1]["metadata"]["createdAt"]}" '
                               f'AND <="{third}")') == ["b2", "c3"]


def test_q_sort_and_paging_together(client, read, assets):
    assert ids(client, read, q="refIds:exists", sort="id:desc", pageSize=2) == ["l5", "c3"]
    assert ids(client, read, q="refIds:exists", sort="id:desc", pageSize=2,
               pageNumber=2) == ["a1"]


@pytest.mark.parametrize("params, names", [
    ({"q": "access"}, "'access'"),
    ({"q": "access:PUBLIC details.bytes:>"}, "'details.bytes:>'"),
    ({"q": "details.bytes:>many"}, "'details.bytes' is a number"),
    ({"q": "metadata.createdAt:>yesterday"}, "is a date"),
    ({"q": 'id:"open'}, "not closed"),
    ({"q": "id:~(a+)+"}, "exponential"),
    ({"sort": "details"}, "'details' is an object"),
    ({"sort": "id desc"}, "sort"),
])
def test_bad_q_or_sort_is_400_naming_what_is_wrong(client, read, assets, params, names):
    response = client.get(ASSETS, headers=read, query_string=params)
    assert response.status_code == 400
    assert names in error_body(response)["message"]
