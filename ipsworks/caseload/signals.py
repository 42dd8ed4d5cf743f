"""Signals the caseload services send, inside the transaction of the change.

`records_changed(sender, site, dates)` is sent after any write to case-level records of `site`;
`dates` are the record dates touched (before and after the change), so that receivers (the
outcomes summaries) can refresh just the months concerned in the same transaction.
"""

from django.dispatch import Signal

records_changed = Signal()
