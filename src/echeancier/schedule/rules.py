"""The arithmetic of the declaration's rules, over integer cents: one text for the replay and for the campaign.

The replay (`schedule.echeancier._Replay`) applies these to one account on Python ints; the campaign of the
steady-state accounts (`schedule.vectorized`) to int64 arrays of many accounts, with the helpers of
`contributions.exact` (`SCALAR`, `VECTOR`). What is called before the effect date, the due dates and the amounts
are the replay's; these functions only say how the amounts are shared.
"""

from __future__ import annotations

from collections.abc import Sequence

from echeancier.contributions.exact import Bools, Ints, Ops, half_up


def ajustement_split(k: Ops, new_target: Ints, called: Ints, remaining_old: Ints) -> tuple[Ints, Ints, Ints]:
    """R613-5 I 2° and II: the provisional contributions of the year recomputed on the declared income,
    `new_target`, of which `called` is already called. Returns (the credit, refunded: what was called beyond the
    new amount; what the former plan keeps calling, as far as the new amount goes — at most `remaining_old`;
    the complement, called as the ajustement over the instalments still to come)."""
    remaining_new = new_target - called
    credit = k.maximum(-remaining_new, 0)
    remaining_new = k.maximum(remaining_new, 0)
    keep = k.minimum(remaining_old, remaining_new)
    return credit, keep, remaining_new - keep


def imputation(k: Ops, credit: Ints, remaining: Sequence[Ints]) -> tuple[list[Ints], Ints]:
    """R613-1-3 al. 2: a régularisation credit "imputé sur les versements provisionnels restant à échoir au titre
    de l'année en cours", in the order of `remaining` (what each component has still to call: the ajustement,
    then the provisional instalments). Returns (what is taken from each, what is left to refund). The same rule
    sets a credit note against the older debts, oldest first, before refunding the rest (R613-1-3 al. 2, R613-5
    II): `Ledger.credit_note` over the unpaid debts, the campaign's arrays over an incident's unpaid sum
    (`campaign._carried`)."""
    left = credit
    taken = []
    for still in remaining:
        part = k.minimum(left, k.maximum(still, 0))
        taken.append(part)
        left = left - part
    return taken, left


def annualised(k: Ops, amount: Ints, per_euro: int, counted_days: Ints, active_days: Ints) -> Ints:
    """R131-3-1 1°: the income of a year of incomplete affiliation "rapporté à l'année entière", in whole euros:
    `amount` (in units of 1 / `per_euro` €) × `counted_days` (the days a whole year counts, `jours_prorata`) /
    `active_days` (the days of affiliation), rounded to the euro half up (away from zero for a deficit, as
    `round_euro`). Exact: no rounding but the last."""
    magnitude = half_up(k.where(amount < 0, -amount, amount) * counted_days, per_euro * active_days)
    return k.where(amount < 0, -magnitude, magnitude)


def modulation(k: Ops, estimated: Ints, called_provisional: Ints, called_ajustement: Ints) -> tuple[Ints, Ints, Ints]:
    """R613-1-4 II: the provisional contributions of the year computed on the income the contributor estimates,
    `estimated`, "à compter de la prochaine échéance qui suit d'au moins quinze jours" the request; `called_provisional`
    and `called_ajustement` are what the provisional instalments and an ajustement already called before it. What is
    called stays; the ajustement calls nothing more (the estimate replaces the declared income's figures); the
    provisional instalments to come call the rest of the estimate, nothing when it is already exceeded — an excess
    already paid is not refunded before the real income is known. Returns (the provisional contributions' new
    target, the ajustement's, the excess already called: > 0 when there is one)."""
    remaining = estimated - called_provisional - called_ajustement
    return called_provisional + k.maximum(remaining, 0), called_ajustement, k.maximum(-remaining, 0)


def late_penalty(k: Ops, late: Bools, contributions: Ints, rate_num: int, rate_den: int) -> Ints:
    """R613-1-1 III (and R613-1-2 II al. 3): a declaration filed after the deadline bears `rate_num` / `rate_den`
    of the declared year's contributions, in cents (a credit counting as nil), rounded to the cent half up; nil
    when it was filed in time (`late` false)."""
    return k.where(late, half_up(k.maximum(contributions, 0) * rate_num, rate_den), 0)
