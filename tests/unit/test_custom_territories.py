"""gtec.territories.custom against a real reference build and a fresh workspace per test."""

from __future__ import annotations

import math
import sqlite3

import pytest
import shapely

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.storage import reference
from gtec.territories import custom

VANNES = ["FR-EPCI-200067932", "FR-EPCI-245614383", "FR-EPCI-200027027"]
FACILITATOR = auth.Actor("Anne", "facilitator")


@pytest.fixture
def ref(built_data_dir) -> sqlite3.Connection:
    conn = reference.connect_reference()
    yield conn
    conn.close()


def test_save_list_update_delete_with_audit(ref, ws):
    tid = custom.save(ws, FACILITATOR, ref, "  Golfe   et Rhuys ", VANNES[:2], "test")
    assert custom.is_custom_id(tid)
    saved = custom.list_custom(ws)
    assert [c.name for c in saved] == ["Golfe et Rhuys"]
    assert saved[0].members == tuple(sorted(VANNES[:2])) and saved[0].member_level == "epci"
    assert saved[0].created_by == "Anne"
    same = custom.save(ws, FACILITATOR, ref, "Golfe", VANNES, territory_id=tid)
    assert same == tid and custom.get(ws, tid).members == tuple(sorted(VANNES))
    custom.delete(ws, FACILITATOR, tid)
    assert custom.list_custom(ws) == []
    actions = [e["action"] for e in ws.audit_entries()]
    assert actions == ["custom_territory.delete", "custom_territory.save", "custom_territory.save"]


def test_reader_cannot_save_and_nothing_is_written(ref, ws):
    with pytest.raises(auth.PermissionDenied):
        custom.save(ws, auth.ANONYMOUS, ref, "X", VANNES)
    assert custom.list_custom(ws) == []
    assert ws.audit_entries() == []


@pytest.mark.parametrize(
    ("name", "members", "key"),
    [
        ("", VANNES, "custom.error.name_empty"),
        ("x" * 81, VANNES, "custom.error.name_long"),
        ("Ok", [], "custom.error.no_members"),
        ("Ok", ["FR-EPCI-000000000"], "custom.error.unknown_member"),
        ("Ok", ["FR-DEP-56"], "custom.error.unknown_member"),
        ("Ok", [VANNES[0], "FR-COM-56260"], "custom.error.mixed_levels"),
    ],
)
def test_invalid_input_is_refused_with_a_message_key(ref, ws, name, members, key):
    with pytest.raises(UserError) as info:
        custom.save(ws, FACILITATOR, ref, name, members)
    assert info.value.key == key
    assert custom.list_custom(ws) == []


def test_duplicate_name_is_refused_case_insensitively(ref, ws):
    custom.save(ws, FACILITATOR, ref, "Pays test", VANNES)
    with pytest.raises(UserError) as info:
        custom.save(ws, FACILITATOR, ref, "PAYS TEST", VANNES[:1])
    assert info.value.key == "custom.error.name_taken"


def test_delete_unknown_or_malformed_id(ws):
    with pytest.raises(UserError):
        custom.delete(ws, FACILITATOR, "WS-999")
    with pytest.raises(UserError):
        custom.delete(ws, FACILITATOR, "FR-DEP-56")
    assert custom.get(ws, "nonsense") is None


def test_aggregates_reproduce_the_built_basin(ref):
    agg = custom.aggregate_values(ref, VANNES, years=[2023]).set_index("indicator_id")
    built = dict(
        ref.execute(
            "SELECT indicator_id, value FROM indicator_values WHERE territory_id = 'FR-BASIN-VANNES' AND year = 2023"
        ).fetchall()
    )
    assert built
    weights = dict(ref.execute("SELECT id, weight_indicator FROM indicators WHERE aggregation = 'weighted_mean'"))
    marks = ", ".join("?" * len(VANNES))
    have_2023 = {
        r[0]
        for r in ref.execute(
            f"SELECT DISTINCT indicator_id FROM indicator_values WHERE year = 2023 AND territory_id IN ({marks})",
            VANNES,
        )
    }
    compared = 0
    for ind, value in built.items():
        if ind in weights and weights[ind] not in have_2023:
            # weighted by a count that has no 2023 value (jobs are the 2018 census): missing, never guessed
            assert ind not in agg.index or math.isnan(agg.loc[ind, "value"]), ind
            continue
        assert math.isclose(agg.loc[ind, "value"], value, rel_tol=1e-3), ind
        assert agg.loc[ind, "n_with_value"] == 3
        compared += 1
    assert compared >= 3
    sums = custom.aggregate_values(ref, VANNES, ["employment"], [2018]).set_index("indicator_id")
    assert sums.loc["employment", "aggregation"] == "sum" and sums.loc["employment", "status"] == "official"


def test_partial_coverage_stays_missing(ref):
    # communes carry only the population: every other indicator is left out, never summed to a wrong total
    communes = [
        r[0]
        for r in ref.execute("SELECT id FROM territories WHERE level='commune' AND departement_id='FR-DEP-56' LIMIT 5")
    ]
    agg = custom.aggregate_values(ref, communes)
    assert "jobseekers" not in set(agg["indicator_id"]) and "population" in set(agg["indicator_id"])
    assert set(agg["status"]) == {"official"}  # communes carry official figures only (legal population, census)
    one_missing = [*VANNES, "FR-COM-56260"]  # mixed on purpose: the commune has no jobseekers figure
    emp = custom.aggregate_values(ref, one_missing, ["jobseekers"], [2023])
    assert emp["value"].isna().all() and (emp["n_with_value"] == 3).all() and (emp["n_members"] == 4).all()


def test_outline_is_the_union_of_the_members(ref):
    geom = custom.outline(ref, VANNES)
    union = shapely.from_geojson(__import__("json").dumps(geom))
    basin = shapely.from_geojson(
        ref.execute(
            "SELECT geojson FROM geometries WHERE territory_id='FR-BASIN-VANNES' AND resolution='detail'"
        ).fetchone()[0]
    )
    assert union.is_valid
    assert union.symmetric_difference(basin).area / basin.area < 0.02
    assert custom.outline(ref, []) is None


def test_list_for_choices_has_the_territory_columns(ref, ws):
    custom.save(ws, FACILITATOR, ref, "Mon bassin", VANNES)
    df = custom.list_for_choices(ws)
    assert list(df.columns) == ["id", "code", "name", "level", "country", "parent_id", "population"]
    assert df.iloc[0]["level"] == "custom" and df.iloc[0]["name"] == "Mon bassin"


def test_concurrent_saves_of_one_name_keep_one_and_refuse_the_others_plainly(ref, ws):
    """29 facilitators saving "Bassin d'Été" (in several cases) at once: one row, the others a UserError."""
    import threading

    names = ["Bassin d'Été", "BASSIN D'ÉTÉ", "bassin  d'été"] * 10
    outcomes: list[object] = []
    barrier = threading.Barrier(len(names))

    def save(name: str) -> None:
        conn = reference.connect_reference(check_same_thread=False)
        barrier.wait()
        try:
            outcomes.append(custom.save(ws, FACILITATOR, conn, name, VANNES[:1]))
        except Exception as exc:  # the assertion below names any other error type
            outcomes.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in names]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    saved = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, UserError)]
    assert len(saved) == 1 and len(refused) == len(names) - 1, outcomes
    assert {e.key for e in refused} == {"custom.error.name_taken"}
    assert len(custom.list_custom(ws)) == 1


def test_replacing_with_a_stale_version_is_refused(ref, ws):
    tid = custom.save(ws, FACILITATOR, ref, "Golfe", VANNES[:1])
    loaded = custom.get(ws, tid)
    custom.save(ws, FACILITATOR, ref, "Golfe", VANNES[:2], territory_id=tid, version=loaded.version)
    with pytest.raises(UserError) as info:
        custom.save(ws, FACILITATOR, ref, "Golfe", VANNES, territory_id=tid, version=loaded.version)
    assert info.value.key == "custom.error.conflict"
    assert custom.get(ws, tid).members == tuple(sorted(VANNES[:2]))
