"""The account store's contract: accounts, appends (idempotent, ordered, refused whole), bank lines, projections."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from echeancier.store import (
    AccountRecord,
    BankLine,
    ConcurrencyError,
    EventStore,
    NewEvent,
    StoredEvent,
    StoreInputError,
    schema,
)
from tests.store.double import projector

ARTISAN = {"profession": "artisan", "activity_start": "2020-03-01", "department": "75"}


def payment(key: str, cents: int, on: date = date(2026, 2, 5), corrects: int | None = None) -> NewEvent:
    return NewEvent("payment", {"amount_cents": cents, "method": "transfer"}, on, key, corrects)


def debit(key: str, cents: int, on: date = date(2026, 1, 5)) -> NewEvent:
    return NewEvent("debit", {"amount_cents": cents}, on, key)


def count(store: EventStore, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


# Accounts


def test_create_account_returns_it_with_its_references(store: EventStore) -> None:
    account = store.create_account("A1", ARTISAN, references=["RUM-1", "RUM-2"])
    assert account.account_id == "A1"
    assert account.contributor == ARTISAN
    assert account.references == ("RUM-1", "RUM-2")
    assert store.account("A1") == account
    assert store.account_for_reference("RUM-2") == account
    assert store.account_for_reference("A1") == account  # the account id is a reference too
    assert store.account_for_reference("RUM-3") is None
    assert [a.account_id for a in store.accounts()] == ["A1"]


def test_create_account_again_is_a_no_op(store: EventStore) -> None:
    first = store.create_account("A1", ARTISAN, idempotency_key="create-A1")
    assert store.create_account("A1", ARTISAN, idempotency_key="create-A1") == first
    assert store.create_account("A1", dict(ARTISAN)) == first
    assert count(store, schema.accounts) == 1


def test_same_key_returns_the_account_even_with_other_fields(store: EventStore) -> None:
    first = store.create_account("A1", ARTISAN, idempotency_key="create-A1")
    assert store.create_account("A1", {"profession": "liberal"}, idempotency_key="create-A1") == first


def test_same_id_with_another_contributor_is_refused(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    with pytest.raises(StoreInputError, match="account_id: le compte A1 existe déjà avec un autre cotisant"):
        store.create_account("A1", {**ARTISAN, "department": "13"})
    assert store.account("A1").contributor == ARTISAN


def test_a_key_cannot_create_two_accounts(store: EventStore) -> None:
    store.create_account("A1", ARTISAN, idempotency_key="k")
    with pytest.raises(StoreInputError, match="idempotency_key: k a déjà créé le compte A1"):
        store.create_account("A2", ARTISAN, idempotency_key="k")
    assert not store.has_account("A2")


def test_a_reference_belongs_to_one_account(store: EventStore) -> None:
    store.create_account("A1", ARTISAN, references=["R"])
    with pytest.raises(StoreInputError, match="references: R est déjà une référence de paiement du compte A1"):
        store.create_account("A2", ARTISAN, references=["X", "R"])
    assert not store.has_account("A2")  # refused whole: neither the account nor the reference X
    assert store.account_for_reference("X") is None
    with pytest.raises(StoreInputError, match="references: A1 est l'identifiant d'un autre compte"):
        store.create_account("A3", ARTISAN, references=["A1"])
    with pytest.raises(StoreInputError, match="account_id: R est une référence de paiement du compte A1"):
        store.create_account("R", ARTISAN)


def test_add_reference(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    assert store.add_reference("A1", "IBAN-REF").references == ("IBAN-REF",)
    assert store.add_reference("A1", "IBAN-REF").references == ("IBAN-REF",)


@pytest.mark.parametrize(
    ("account_id", "contributor", "message"),
    [
        ("", ARTISAN, "account_id: doit être un texte non vide"),
        (" A1", ARTISAN, "account_id: ' A1' commence ou finit par des espaces"),
        ("A" * 101, ARTISAN, "account_id: dépasse 100 caractères"),
        ("A1", ["artisan"], "contributor: doit être un objet JSON"),
        ("A1", {"income": 1.5}, "contributor.income: 1.5 est un nombre décimal"),
        ("A1", {"income": 10**30}, "contributor.income: entier au-delà de 64 bits"),
        ("A1", {1: "x"}, "contributor: a une clé 1 qui n'est pas un texte"),
    ],
)
def test_bad_account_is_refused(store: EventStore, account_id: str, contributor: Any, message: str) -> None:
    with pytest.raises(StoreInputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        store.create_account(account_id, contributor)
    assert list(store.accounts()) == []


def test_unknown_account(store: EventStore) -> None:
    for call in (lambda: store.account("X"), lambda: store.events("X"), lambda: store.append("X", [debit("d", 1)])):
        with pytest.raises(StoreInputError, match="account_id: compte inconnu X"):
            call()


# Appending events


def test_append_numbers_events_from_one_without_gaps(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    first = store.append("A1", [debit("d1", 10_000), debit("d2", 20_000)], expected_sequence=0)
    second = store.append("A1", [payment("p1", 25_000)], expected_sequence=2)
    assert [e.sequence for e in first + second] == [1, 2, 3]
    assert store.events("A1") == first + second
    assert store.events("A1", after=2) == second
    assert store.last_sequence("A1") == 3
    stored = second[0]
    assert stored.payload == {"amount_cents": 25_000, "method": "transfer"}
    assert stored.effective_date == date(2026, 2, 5)
    assert stored.received_at.tzinfo is not None


def test_an_event_already_stored_is_not_written_again(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    first = store.append("A1", [debit("d1", 10_000), payment("p1", 4_000)], expected_sequence=0)
    # A re-run of the same command, even with the sequence it read before its first run
    assert store.append("A1", [debit("d1", 10_000), payment("p1", 4_000)], expected_sequence=0) == first
    # A batch where some events are new: only those are written, the others are returned as stored
    mixed = store.append("A1", [payment("p1", 4_000), payment("p2", 6_000)], expected_sequence=2)
    assert mixed == [first[1], store.events("A1")[2]]
    assert [e.idempotency_key for e in store.events("A1")] == ["d1", "p1", "p2"]
    # The same event twice in one batch is written once
    twice = store.append("A1", [payment("p3", 1), payment("p3", 1)])
    assert twice[0] == twice[1] and twice[0].sequence == 4
    assert store.last_sequence("A1") == 4


def test_a_key_reused_for_another_event_is_refused(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    store.create_account("A2", ARTISAN)
    store.append("A1", [payment("p1", 4_000)])
    with pytest.raises(StoreInputError, match=r"idempotency_key: p1 désigne déjà un autre événement$"):
        store.append("A1", [payment("p1", 5_000)])
    with pytest.raises(StoreInputError, match="idempotency_key: p1 désigne déjà un autre événement du compte A1"):
        store.append("A2", [payment("p1", 4_000)])
    with pytest.raises(StoreInputError, match="idempotency_key: p2 désigne déjà un autre événement"):
        store.append("A2", [payment("p2", 1), payment("p2", 2)])
    assert store.events("A2") == []


def test_a_stale_expected_sequence_raises_and_writes_nothing(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    store.append("A1", [debit("d1", 10_000)], expected_sequence=0)
    with pytest.raises(ConcurrencyError) as raised:
        store.append("A1", [payment("p1", 1_000)], expected_sequence=0)
    assert (raised.value.expected, raised.value.actual) == (0, 1)
    assert [e.idempotency_key for e in store.events("A1")] == ["d1"]


def test_append_with_retry_rebuilds_from_the_events_written_meanwhile(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    seen: list[int] = []

    def build(existing: list[StoredEvent]) -> list[NewEvent]:
        seen.append(len(existing))
        if len(seen) == 1:  # someone else writes between our read and our append
            store.append("A1", [debit("other", 500)])
        return [payment(f"after-{len(existing)}", 100)]

    written = store.append_with_retry("A1", build)
    assert seen == [0, 1]
    assert [(e.sequence, e.idempotency_key) for e in written] == [(2, "after-1")]


def test_append_with_retry_gives_up_after_its_attempts(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)

    def build(existing: list[StoredEvent]) -> list[NewEvent]:
        store.append("A1", [debit(f"other-{len(existing)}", 500)])
        return [payment(f"mine-{len(existing)}", 100)]

    with pytest.raises(ConcurrencyError):
        store.append_with_retry("A1", build, attempts=3)
    assert all(e.idempotency_key.startswith("other") for e in store.events("A1"))


def test_a_refused_batch_writes_nothing(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    store.append("A1", [debit("d1", 10_000)])
    before = store.projection("A1")
    calls: list[tuple[AccountRecord, list[StoredEvent], list[NewEvent]]] = []

    def refuse_big_payments(account: AccountRecord, existing: list[StoredEvent], new: list[NewEvent]) -> None:
        calls.append((account, existing, new))
        for event in new:
            if event.payload["amount_cents"] > 1_000_000:
                raise StoreInputError("amount", f"{event.payload['amount_cents']} is absurd")

    with pytest.raises(StoreInputError, match="amount: 100000000 is absurd"):
        store.append("A1", [payment("p1", 100), payment("p2", 100_000_000)], validate=refuse_big_payments)
    assert [e.idempotency_key for e in store.events("A1")] == ["d1"]
    assert store.projection("A1") == before
    account, existing, new = calls[0]
    assert account.account_id == "A1" and [e.idempotency_key for e in existing] == ["d1"]
    assert [e.idempotency_key for e in new] == ["p1", "p2"]
    # and the same batch, accepted, is written whole
    store.append("A1", [payment("p1", 100), payment("p2", 900)], validate=refuse_big_payments)
    assert store.last_sequence("A1") == 3


def test_a_projector_that_fails_refuses_the_write(database_url: str) -> None:
    def fragile(account: AccountRecord, events: list[StoredEvent]) -> Any:
        if any(e.type == "poison" for e in events):
            raise StoreInputError("type", "poison is not an event type")
        return projector(account, events)

    with EventStore(database_url, projector=fragile) as store:
        store.create_account("A1", ARTISAN)
        with pytest.raises(StoreInputError, match="poison"):
            store.append("A1", [debit("d1", 1), NewEvent("poison", {}, date(2026, 1, 1), "x")])
        assert store.events("A1") == []


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (NewEvent("", {}, date(2026, 1, 1), "k"), r"events\[0\]\.type: doit être un texte non vide"),
        (NewEvent("debit", {}, date(2026, 1, 1), ""), r"events\[0\]\.idempotency_key: doit être un texte non vide"),
        (NewEvent("debit", {"a": 0.1}, date(2026, 1, 1), "k"), r"events\[0\]\.payload\.a: 0\.1 est un nombre décimal"),
        (
            NewEvent("debit", {"a": {2}}, date(2026, 1, 1), "k"),
            r"events\[0\]\.payload\.a: set n'est pas une valeur JSON",
        ),
        (NewEvent("debit", {}, "2026-01-01", "k"), r"events\[0\]\.effective_date: doit être une date"),  # type: ignore[arg-type]
        (
            NewEvent("debit", {}, date(2026, 1, 1), "k", 0),
            r"events\[0\]\.corrects: doit être le numéro d'un événement antérieur",
        ),
        (NewEvent("debit", {}, date(2026, 1, 1), "k", 5), r"corrects: 5 n'est pas un événement antérieur du compte A1"),
    ],
)
def test_bad_events_are_refused(store: EventStore, event: NewEvent, message: str) -> None:
    store.create_account("A1", ARTISAN)
    with pytest.raises(StoreInputError, match=message):
        store.append("A1", [event])
    assert store.events("A1") == []


def test_payload_dates_are_stored_as_iso_strings(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    [stored] = store.append("A1", [NewEvent("rejected_debit", {"due_date": date(2026, 1, 5)}, date(2026, 1, 9), "r")])
    assert stored.payload == {"due_date": "2026-01-05"}
    assert store.events("A1") == [stored]


def test_a_correction_is_a_new_event_citing_the_one_it_corrects(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    store.append("A1", [payment("p1", 5_000), payment("p2", 7_000)])
    [fix] = store.append("A1", [payment("p1-fixed", 500, corrects=1)])
    assert (fix.sequence, fix.corrects) == (3, 1)
    assert [e.payload["amount_cents"] for e in store.events("A1")] == [5_000, 7_000, 500]
    projection = store.projection("A1")
    assert projection is not None and projection.projection.credit_cents == 7_000  # the double ignores p1 and p1-fixed


@pytest.mark.parametrize("statement", ["UPDATE events SET type = 'x'", "DELETE FROM events"])
def test_the_database_refuses_to_change_events(store: EventStore, statement: str) -> None:
    store.create_account("A1", ARTISAN)
    store.append("A1", [payment("p1", 5_000)])
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement))
    assert len(store.events("A1")) == 1


# Projections


def test_each_write_updates_the_projection_in_the_same_transaction(store: EventStore) -> None:
    store.create_account("A1", {**ARTISAN, "organism": "URSSAF-IDF"})
    created = store.projection("A1")
    assert created is not None and (created.last_sequence, created.projection.balance_cents) == (0, 0)
    store.append("A1", [debit("d1", 30_000, date(2026, 1, 5)), payment("p1", 10_000)])
    stored = store.projection("A1")
    assert stored is not None
    assert stored.last_sequence == 2
    assert stored.projection.balance_cents == 20_000
    assert stored.projection.late_since == date(2026, 1, 5)
    assert stored.projection.organism == "URSSAF-IDF"
    assert stored.projection.payload == {"events": 2}


def test_late_accounts_on_a_date(store: EventStore) -> None:
    for name, due in (("A1", date(2026, 1, 5)), ("A2", date(2026, 3, 5)), ("A3", None)):
        store.create_account(name, {**ARTISAN, "organism": "X" if name == "A2" else "Y"})
        if due is not None:
            store.append(name, [debit(f"{name}-d", 1_000, due)])
    store.append("A3", [payment("A3-p", 1_000)])
    assert [p.account_id for p in store.projections()] == ["A1", "A2", "A3"]
    assert [p.account_id for p in store.projections(late_only=True, as_of=date(2026, 2, 1))] == ["A1"]
    assert [p.account_id for p in store.projections(late_only=True, as_of=date(2026, 3, 5))] == ["A1", "A2"]
    assert [p.account_id for p in store.projections(late_only=True, as_of=date(2026, 3, 5), organism="X")] == ["A2"]


def test_rebuild_recomputes_projections_from_the_events(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    store.create_account("A2", ARTISAN)
    store.append("A1", [debit("d1", 30_000), payment("p1", 10_000)])
    expected = store.projections()
    with store.engine.begin() as connection:  # a cache gone wrong
        connection.execute(schema.projections.update().values(balance_cents=999, last_sequence=0))
    assert store.projections() != expected
    assert store.rebuild_projections() == 2
    assert store.projections() == expected


# Bank lines


def line(key: str, reference: str, cents: int = 10_000, **fields: Any) -> BankLine:
    values: dict[str, Any] = {"kind": "credit", "date": date(2026, 3, 2), **fields}
    return BankLine(key=key, amount_cents=cents, reference=reference, **values)


def test_bank_lines_become_events_or_suspense(store: EventStore) -> None:
    store.create_account("A1", ARTISAN, references=["RUM-A1"])
    store.create_account("A2", ARTISAN)
    rejection = BankLine(
        key="rej-1",
        kind="rejection",
        date=date(2026, 3, 9),
        amount_cents=25_000,
        reference="A2",
        due_date=date(2026, 3, 5),
        reason="AM04",
    )
    lines = [
        line("l1", "RUM-A1", bank_id="TX1"),
        line("l2", "A1"),
        line("l3", "??", raw="02/03/2026;100,00;??"),
        rejection,
    ]
    result = store.import_bank_lines(lines, "releve-mars.csv")
    assert (result.recorded, result.already_present, result.suspense) == (3, 0, 1)
    payments = store.events("A1")
    assert [(e.type, e.idempotency_key, e.effective_date) for e in payments] == [
        ("payment", "l1", date(2026, 3, 2)),
        ("payment", "l2", date(2026, 3, 2)),
    ]
    assert payments[0].payload == {"amount_cents": 10_000, "method": "transfer", "bank_id": "TX1"}
    [rejected] = store.events("A2")
    assert rejected.type == "rejected_debit"
    assert rejected.payload == {"due_date": "2026-03-05", "reason": "AM04", "amount_cents": 25_000}
    [kept] = store.suspense_lines()
    assert (kept.key, kept.file_name, kept.reference, kept.amount_cents) == ("l3", "releve-mars.csv", "??", 10_000)
    assert (kept.reason, kept.raw, kept.line_date) == ("unknown reference", "02/03/2026;100,00;??", date(2026, 3, 2))
    projection = store.projection("A1")
    assert projection is not None and projection.projection.credit_cents == 20_000


def test_importing_the_same_file_twice_changes_nothing(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    lines = [line(f"l{n}", "A1" if n % 3 else "nobody", n) for n in range(1, 1_201)]
    first = store.import_bank_lines(lines, "f.csv", batch_size=100)
    assert (first.recorded, first.already_present, first.suspense) == (800, 0, 400)
    events, suspense, projections = store.events("A1"), store.suspense_lines(), store.projections()
    again = store.import_bank_lines(lines, "f.csv", batch_size=100)
    assert (again.recorded, again.already_present, again.suspense) == (0, 1_200, 0)
    assert store.events("A1") == events
    assert store.suspense_lines() == suspense
    assert store.projections() == projections
    assert [e.sequence for e in events] == list(range(1, 801))


def test_a_line_repeated_in_a_file_is_recorded_once(store: EventStore) -> None:
    store.create_account("A1", ARTISAN)
    result = store.import_bank_lines([line("same", "A1"), line("same", "A1"), line("x", "?"), line("x", "?")], "f")
    assert (result.recorded, result.already_present, result.suspense) == (1, 2, 1)


def test_a_line_kept_in_suspense_stays_there_when_its_account_appears(store: EventStore) -> None:
    store.import_bank_lines([line("l1", "A1")], "f")
    store.create_account("A1", ARTISAN)
    result = store.import_bank_lines([line("l1", "A1")], "f")
    assert (result.recorded, result.already_present) == (0, 1)
    assert store.events("A1") == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line("k", "A1", 0), "ligne 2: amount_cents: 0 n'est pas un nombre positif de centimes"),
        (line("k", "A1", -500), "ligne 2: amount_cents: -500 n'est pas un nombre positif de centimes"),
        (
            line("k", "A1", 10**20),
            "ligne 2: amount_cents: 100000000000000000000 n'est pas un nombre positif de centimes",
        ),
        (line("", "A1"), "ligne 2: key: doit être un texte non vide"),
        (line("k", "A1", line=42, kind="refund"), "ligne 42: kind: 'refund' n'est ni credit ni rejection"),
        (line("k", "A1", due_date="2026-01-01"), "ligne 2: due_date: doit être une date"),
    ],
)
def test_a_file_with_a_bad_line_writes_nothing(store: EventStore, bad: BankLine, message: str) -> None:
    store.create_account("A1", ARTISAN)
    with pytest.raises(StoreInputError, match=message):
        store.import_bank_lines([line("good", "A1"), bad, line("later", "?")], "f", batch_size=1)
    assert store.events("A1") == [] and store.suspense_lines() == []


def test_an_in_memory_store_keeps_its_data_for_its_lifetime() -> None:
    with EventStore("sqlite://", projector=projector) as store:
        store.create_account("A1", ARTISAN)
        store.append("A1", [debit("d1", 100)])
        assert [e.idempotency_key for e in store.events("A1")] == ["d1"]
        assert store.projections()[0].projection.balance_cents == 100


def test_references_must_be_a_list(store: EventStore) -> None:
    with pytest.raises(StoreInputError, match="references: doit être une liste de références, pas une seule chaîne"):
        store.create_account("A1", ARTISAN, references="RUM-1")


def test_a_nul_character_is_refused_on_every_database(store: EventStore) -> None:
    # PostgreSQL keeps no NUL in a text or in JSONB: refused everywhere, naming the field, nothing written.
    with pytest.raises(StoreInputError, match="account_id"):
        store.create_account("A\x001", {"profession": "liberal"})
    with pytest.raises(StoreInputError, match=r"contributor\.name"):
        store.create_account("A1", {"name": "A\x00B"})
    store.create_account("A1", {"profession": "liberal"})
    event = NewEvent("payment", {"reason": "x\x00"}, date(2026, 6, 8), "k1")
    with pytest.raises(StoreInputError, match=r"payload\.reason"):
        store.append("A1", [event])
    assert store.last_sequence("A1") == 0
