"""The recovery of unpaid contributions: relance, mise en demeure, contrainte, opposition, abandonment below the
D133-1 threshold, coordinated recovery (CSS L244-2 to L244-9, R244-1, R133-3, D133-1, L613-3 al. 3).

`procedure.py` is the pure core (the ledger's statement, the recorded steps, the law, a date); `service.py` reads
accounts from the store and gives `worklist(store, as_of, organism=None)`; `events.py` the events recorded.
"""
