"""The history_change_reason markers the services write and the change history reads.

A restored record says so; results and a medicine's events that go with their draw or
medicine are marked, so that restoring the parent brings back exactly those (and not
ones removed earlier by an edit). Markers are stored in the history tables: never
rename one.
"""

RESTORED = "restored"
DELETED_WITH_DRAW = "deleted with its draw"
RESTORED_WITH_DRAW = "restored with its draw"
DELETED_WITH_MEDICINE = "deleted with its medicine"
RESTORED_WITH_MEDICINE = "restored with its medicine"
