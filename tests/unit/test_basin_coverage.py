"""Partial aggregates of a custom territory (screens review C2): the missing member is named and the members
that have the value are added up, labelled partial; a complete territory has no gap."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gtec.maps import table
from gtec.storage import reference
from gtec.territories import coverage, custom


@pytest.fixture()
def ref(built_data_dir):
    conn = reference.connect_reference()
    yield conn
    conn.close()


def _catalogue(ref) -> dict[str, dict]:
    cat = pd.read_sql_query("SELECT * FROM indicators", ref)
    return {r["id"]: r for r in cat.to_dict("records")}


def _epci_with_and_without(ref) -> tuple[str, int, str, str]:
    """A summed indicator and year, one EPCI that has a value and one that has none (absent or NULL)."""
    row = ref.execute(
        "SELECT v.indicator_id, v.year FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id"
        " JOIN territories t ON t.id = v.territory_id"
        " WHERE t.level = 'epci' AND i.aggregation = 'sum' AND v.value IS NOT NULL"
        " GROUP BY v.indicator_id, v.year"
        " HAVING COUNT(*) < (SELECT COUNT(*) FROM territories WHERE level = 'epci') ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()
    assert row, "the store has an EPCI indicator that some EPCIs lack"
    ind, year = row[0], int(row[1])
    have = ref.execute(
        "SELECT territory_id FROM indicator_values WHERE indicator_id = ? AND year = ? AND value IS NOT NULL"
        " AND territory_id LIKE 'FR-EPCI-%' ORDER BY territory_id LIMIT 1",
        (ind, year),
    ).fetchone()[0]
    lack = ref.execute(
        "SELECT id FROM territories WHERE level = 'epci' AND id NOT IN (SELECT territory_id FROM indicator_values"
        " WHERE indicator_id = ? AND year = ? AND value IS NOT NULL) ORDER BY id LIMIT 1",
        (ind, year),
    ).fetchone()[0]
    return ind, year, have, lack


def test_the_missing_member_is_named_and_the_others_are_added_up(ref):
    ind, year, have, lack = _epci_with_and_without(ref)
    agg = custom.aggregate_values(ref, [have, lack], [ind], [year])
    assert math.isnan(agg["value"].iloc[0])  # the total stays missing: never a partial sum shown as a total
    gaps = coverage.partial_aggregates(ref, [have, lack], agg, _catalogue(ref))
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.missing == (lack,) and gap.n_used == 1 and gap.n_members == 2
    alone = ref.execute(
        "SELECT value FROM indicator_values WHERE territory_id = ? AND indicator_id = ? AND year = ?", (have, ind, year)
    ).fetchone()[0]
    assert gap.value == pytest.approx(alone)


def test_a_complete_territory_has_no_gap(ref):
    members = ["FR-EPCI-200067932", "FR-EPCI-245614383"]
    latest = table.latest_per_indicator(custom.aggregate_values(ref, members))
    assert not latest.empty
    assert coverage.partial_aggregates(ref, members, latest, _catalogue(ref)) == []
