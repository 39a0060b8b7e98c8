"""Authorization: every role against every endpoint, and scope on what each role sees."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import World

ROLES = ["rep1", "manager1", "desk1", "admin"]


def _requests(world: World) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    acc1, acc3 = world.accounts["acc1"], world.accounts["acc3"]
    return {
        "me": ("GET", "/me", None),
        "config": ("GET", "/config", None),
        "directory": ("GET", "/directory", None),
        "snapshot": ("GET", "/sync/snapshot", None),
        "pull": ("GET", "/sync/pull", None),
        "push": ("POST", "/sync/push", {"changes": []}),
        "own_account": ("GET", f"/records/account/{acc1}", None),
        "other_team_account": ("GET", f"/records/account/{acc3}", None),
        "other_team_contact": ("GET", f"/records/contact/{world.contacts['acc3']}", None),
        "list_devices": ("GET", "/admin/devices", None),
        "revoke_device": ("POST", f"/admin/devices/{world.devices['rep2']}/revoke", None),
        "assign_in_team": ("POST", f"/accounts/{acc1}/assign", {"username": "rep2"}),
        "assign_other_team": ("POST", f"/accounts/{acc3}/assign", {"username": "rep1"}),
    }


# endpoint -> expected status for rep1, manager1, desk1, admin (insertion order = test order)
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "me": (200, 200, 200, 200),
    "config": (200, 200, 200, 200),
    "directory": (200, 200, 200, 200),
    "snapshot": (200, 200, 200, 200),
    "pull": (200, 200, 200, 200),
    "push": (200, 200, 200, 200),
    "own_account": (200, 200, 200, 200),
    "other_team_account": (404, 404, 200, 200),
    "other_team_contact": (404, 404, 200, 200),
    "list_devices": (404, 404, 404, 200),
    "revoke_device": (404, 404, 404, 200),
    "assign_in_team": (404, 200, 404, 200),
    "assign_other_team": (404, 404, 404, 200),
}


def test_authorization_matrix(world: World) -> None:
    """Every role against every endpoint (the mutating ones last, so each sees the seed)."""
    requests = _requests(world)
    got = {}
    for endpoint in EXPECTED:
        method, path, body = requests[endpoint]
        statuses = []
        for username in ROLES:
            response = world.client.request(method, path, json=body, headers=world.h(username))
            assert response.status_code < 500, response.text
            statuses.append(response.status_code)
        got[endpoint] = tuple(statuses)
    assert got == EXPECTED


def test_every_endpoint_needs_a_valid_token(world: World) -> None:
    for method, path, body in _requests(world).values():
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
            response = world.client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert "Sign in" in response.json()["detail"]
            assert response.headers["www-authenticate"] == "Bearer"


def test_revoked_device_is_refused_everywhere(world: World) -> None:
    response = world.client.post(
        f"/admin/devices/{world.devices['rep1']}/revoke", headers=world.h("admin")
    )
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    for method, path, body in _requests(world).values():
        response = world.client.request(method, path, json=body, headers=world.h("rep1"))
        assert response.status_code == 403, path
        assert "revoked" in response.json()["detail"]
    # rep1's other devices and other users are unaffected
    assert world.client.get("/me", headers=world.h("rep2")).status_code == 200


def test_rep_asking_for_another_reps_account_gets_404(world: World) -> None:
    for entity, ids in (
        ("account", world.accounts),
        ("contact", world.contacts),
        ("opportunity", world.opportunities),
    ):
        response = world.client.get(f"/records/{entity}/{ids['acc2']}", headers=world.h("rep1"))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    # …the same as a record that does not exist at all
    response = world.client.get("/records/account/no-such-id", headers=world.h("rep1"))
    assert response.status_code == 404


def test_scope_of_each_role(world: World) -> None:
    tree = {
        key: {world.accounts[key], world.contacts[key], world.opportunities[key]}
        for key in ("acc1", "acc2", "acc3")
    }
    expected = {
        "rep1": tree["acc1"],
        "rep2": tree["acc2"],
        "rep3": tree["acc3"],
        "manager1": tree["acc1"] | tree["acc2"],
        "manager2": tree["acc3"],
        "desk1": tree["acc1"] | tree["acc2"] | tree["acc3"],
        "admin": tree["acc1"] | tree["acc2"] | tree["acc3"],
    }
    for username, ids in expected.items():
        records, _cursor = world.snapshot(username)
        assert world.ids(records) == ids, username
        assert world.ids(world.pull_all(username)["records"]) == ids, username


def test_service_desk_sees_masked_fields(world: World) -> None:
    records, _ = world.snapshot("desk1")
    by_id = {r["id"]: r for r in records}
    contact = by_id[world.contacts["acc1"]]
    assert contact["data"]["emails"] == []
    assert contact["masked"] == ["emails"]
    account = by_id[world.accounts["acc1"]]
    assert account["data"]["notes"] == ""
    assert account["masked"] == ["notes"]
    assert account["data"]["name"] == "Customer acc1"
    pulled = {r["id"]: r for r in world.pull_all("desk1")["records"]}
    assert pulled[world.contacts["acc1"]]["data"]["emails"] == []
    single = world.client.get(
        f"/records/contact/{world.contacts['acc1']}", headers=world.h("desk1")
    ).json()
    assert single["data"]["emails"] == []
    me = world.client.get("/me", headers=world.h("desk1")).json()
    assert set(me["masked_fields"]) == {"contact.emails", "account.notes", "activity.summary"}
    # Admins and owners see the real values.
    records, _ = world.snapshot("admin")
    admin_contact = next(r for r in records if r["id"] == world.contacts["acc1"])
    assert admin_contact["data"]["emails"] == ["acc1@example.com"]
    assert "masked" not in admin_contact or admin_contact["masked"] == []


def test_me_and_config(world: World) -> None:
    me = world.client.get("/me", headers=world.h("rep1")).json()
    assert me["username"] == "rep1"
    assert me["role"] == "rep"
    assert me["team"] == "A"
    assert me["replica_id"] == world.replicas["rep1"]
    config = world.client.get("/config", headers=world.h("rep1")).json()
    assert [s["key"] for s in config["pipeline_stages"]][:2] == ["lead", "qualified"]
    assert config["max_push_batch"] == 500
    assert {s["key"] for s in config["account_statuses"]} >= {"prospect", "active"}


def test_health_needs_no_token(client: Any) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["schema_revision"] == "0009"


def test_refused_caller_comes_before_bad_parameters(world: World) -> None:
    """Snapshot, pull and push check the device inside the endpoint; a bad query or body must
    still be answered 401/403 first, as on every other route."""
    bad = [
        ("GET", "/sync/pull", {"limit": 0}, None),
        ("GET", "/sync/snapshot", {"limit": 10**9}, None),
        ("POST", "/sync/push", None, {"changes": "not a list"}),
    ]
    for method, path, params, body in bad:
        response = world.client.request(
            method, path, params=params, json=body, headers=world.h("rep1")
        )
        assert response.status_code == 422, path
    world.client.post(f"/admin/devices/{world.devices['rep1']}/revoke", headers=world.h("admin"))
    for method, path, params, body in bad:
        response = world.client.request(
            method, path, params=params, json=body, headers=world.h("rep1")
        )
        assert response.status_code == 403, path
        assert "revoked" in response.json()["detail"]
        response = world.client.request(
            method, path, params=params, json=body, headers={"Authorization": "Bearer v1.x.y"}
        )
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == "Bearer"
