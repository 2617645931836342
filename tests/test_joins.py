"""csa.joins: the lookup join gives pandas' many-to-one merge, on the loaded tables and on plain frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.errors import MergeError

from csa.joins import attach, positions


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


def test_attributes_are_joined_as_a_many_to_one_merge(ds):
    """The lookup that replaced pandas' merge gives the merge's frame: Arrow keys, an index with gaps,
    keys without a match (missing attributes), object keys and numpy, boolean, nullable, datetime columns."""
    cust = ds.customers[["customer_id", "segment", "plan"]]
    s = ds.surveys[ds.surveys["survey"] == "csat"]
    s = pd.concat([s, s.head(3).assign(customer_id="NOBODY")])
    pd.testing.assert_frame_equal(attach(s, cust, "customer_id"),
                                  s.merge(cust, on="customer_id", how="left", validate="many_to_one"))
    left = pd.DataFrame({"k": np.array(["a", "b", "x", "a"], dtype=object), "v": [1, 2, 3, 4]}, index=[5, 7, 9, 11])
    right = pd.DataFrame({"k": np.array(["a", "b"], dtype=object), "n": [10, 20], "f": [True, False],
                          "i": pd.array([1, 2], dtype="Int64"),
                          "t": pd.to_datetime(["2026-01-01", "2026-02-01"]).tz_localize("Asia/Tokyo")})
    for frame in (left, left[left["k"] != "x"]):  # with and without a key missing from the right
        pd.testing.assert_frame_equal(attach(frame, right, "k"),
                                      frame.merge(right, on="k", how="left", validate="many_to_one"))
    with pytest.raises(MergeError, match="not unique"):
        attach(left, pd.concat([right, right.head(1)]), "k")


def test_tickets_get_their_customers_attributes_as_the_merge_gives_them(ds):
    cust = ds.customers
    got = attach(ds.tickets, cust, "customer_id")
    pd.testing.assert_frame_equal(got, ds.tickets.merge(cust, on="customer_id", how="left", validate="many_to_one"))
    assert np.shares_memory(got["handle_time_min"].to_numpy(), ds.tickets["handle_time_min"].to_numpy())


def test_positions_on_arrow_and_on_object_values():
    keys = pd.Series(["a", "b", "c"], dtype="str")
    values = pd.Series(["c", None, "a", "zz"], dtype="str")
    assert positions(values, keys).tolist() == [2, -1, 0, -1]
    assert positions(values.astype(object), keys.astype(object)).tolist() == [2, -1, 0, -1]
    assert positions(pd.Series([3, 1, 7]), pd.Series([1, 2, 3])).tolist() == [2, 0, -1]
