"""The account store: accounts, their append-only events, the projections cached from them, and bank lines.

Every write is one transaction and is idempotent: an event carries a unique idempotency key, and an event whose key
is already stored is not written again. Appends to an account are ordered by its sequence numbers (1, 2, 3, …
without gaps); a caller that read the account at sequence n appends with `expected_sequence=n` and gets a
`ConcurrencyError` when someone else wrote in between (optimistic concurrency; `append_with_retry` reloads and
tries again). The projection of an account is recomputed by the `projector` in the same transaction as every
write to it, so it never lags behind its events; `rebuild_projections` recomputes them all from the events.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from echeancier.kernel.inputs import shown
from echeancier.store import schema
from echeancier.store.bank import BankLine
from echeancier.store.engine import HEAD, current_revision, default_url, make_engine, upgrade
from echeancier.store.records import (
    MAX_ID_LENGTH,
    MAX_INT,
    MAX_KEY_LENGTH,
    MAX_TYPE_LENGTH,
    AccountRecord,
    ConcurrencyError,
    ImportResult,
    NewEvent,
    Projection,
    StoredEvent,
    StoredProjection,
    StoreInputError,
    SuspenseLine,
)

Projector = Callable[[AccountRecord, list[StoredEvent]], Projection]
Validator = Callable[[AccountRecord, list[StoredEvent], list[NewEvent]], None]

BATCH_SIZE = 500
PAGE_SIZE = 1_000
RACE_ATTEMPTS = 5
UNKNOWN_REFERENCE = "unknown reference"

T = TypeVar("T")


class EventStore:
    """The store at `url` (default: ECHEANCIER_DATABASE_URL, else echeancier.db in the working directory).

    `projector(account, events)` computes an account's projection from all its events, in order; an exception it
    raises refuses the write that called it. With `migrate` (the default) the schema is migrated to the latest
    revision when the database is empty or behind.
    """

    def __init__(self, url: str | None = None, *, projector: Projector, migrate: bool = True) -> None:
        self.url = url or default_url()
        self.projector = projector
        self.engine: Engine = make_engine(self.url)
        self._writer: Engine = self.engine.execution_options(immediate=True)
        if migrate:
            with self.engine.connect() as connection:
                revision = current_revision(connection)
            if revision != HEAD:
                upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # Accounts

    def create_account(
        self,
        account_id: str,
        contributor: Mapping[str, Any],
        references: Iterable[str] = (),
        idempotency_key: str | None = None,
    ) -> AccountRecord:
        """Create an account, or return it unchanged when it exists with the same contributor (a re-run), or when
        `idempotency_key` was already used to create it. Refused: the same id with another contributor, a key used
        for another account, a reference that belongs to another account."""
        _check_identifier("account_id", account_id, MAX_ID_LENGTH)
        if idempotency_key is not None:
            _check_identifier("idempotency_key", idempotency_key, MAX_KEY_LENGTH)
        data = _json_object("contributor", contributor)
        if isinstance(references, str):
            raise StoreInputError("references", "doit être une liste de références, pas une seule chaîne")
        wanted = list(dict.fromkeys(references))
        for reference in wanted:
            _check_identifier("references", reference, MAX_ID_LENGTH)

        def write(connection: Connection) -> AccountRecord:
            if idempotency_key is not None:
                owner = connection.execute(
                    select(schema.accounts.c.account_id).where(schema.accounts.c.idempotency_key == idempotency_key)
                ).scalar()
                if owner is not None and owner != account_id:
                    raise StoreInputError("idempotency_key", f"{idempotency_key} a déjà créé le compte {owner}")
                if owner is not None:
                    return self._account(connection, account_id)
            row = connection.execute(
                select(schema.accounts).where(schema.accounts.c.account_id == account_id).with_for_update()
            ).first()
            if row is not None and row.contributor != data:
                raise StoreInputError("account_id", f"le compte {account_id} existe déjà avec un autre cotisant")
            if row is None:
                other = self._reference_owner(connection, account_id)
                if other is not None:
                    raise StoreInputError("account_id", f"{account_id} est une référence de paiement du compte {other}")
                connection.execute(
                    insert(schema.accounts).values(
                        account_id=account_id,
                        contributor=data,
                        created_at=_now(),
                        idempotency_key=idempotency_key,
                    )
                )
            for reference in wanted:
                self._bind_reference(connection, account_id, reference)
            account = self._account(connection, account_id)
            if row is None:
                self._write_projections(connection, {account_id: (account, [])})
            return account

        return self._write(write)

    def add_reference(self, account_id: str, reference: str) -> AccountRecord:
        """Give the account one more payment reference (a no-op when it has it already)."""
        _check_identifier("reference", reference, MAX_ID_LENGTH)

        def write(connection: Connection) -> AccountRecord:
            self._lock_account(connection, account_id)
            self._bind_reference(connection, account_id, reference)
            return self._account(connection, account_id)

        return self._write(write)

    def account(self, account_id: str) -> AccountRecord:
        """The account, or StoreInputError naming `account_id` when there is none."""
        with self.engine.connect() as connection:
            return self._account(connection, account_id)

    def has_account(self, account_id: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
            ).first()
        return found is not None

    def account_for_reference(self, reference: str) -> AccountRecord | None:
        """The account a bank reference designates: a payment reference given to it, or its own id."""
        with self.engine.connect() as connection:
            owner = self._reference_owner(connection, reference)
            if owner is None and self._account_exists(connection, reference):
                owner = reference
            return None if owner is None else self._account(connection, owner)

    def accounts(self) -> Iterator[AccountRecord]:
        """Every account in the order of their ids, read a page at a time."""
        after: str | None = None
        while True:
            with self.engine.connect() as connection:
                query = select(schema.accounts).order_by(schema.accounts.c.account_id).limit(PAGE_SIZE)
                if after is not None:
                    query = query.where(schema.accounts.c.account_id > after)
                rows = connection.execute(query).all()
                references = self._references(connection, [row.account_id for row in rows])
            for row in rows:
                yield _account_record(row, references.get(row.account_id, ()))
            if len(rows) < PAGE_SIZE:
                return
            after = rows[-1].account_id

    # Events

    def events(self, account_id: str, after: int = 0) -> list[StoredEvent]:
        """The account's events in sequence order (those after sequence `after`)."""
        with self.engine.connect() as connection:
            if not self._account_exists(connection, account_id):
                raise _unknown_account(account_id)
            return self._events(connection, [account_id], after).get(account_id, [])

    def accounts_and_events(self, account_ids: Sequence[str]) -> Iterator[tuple[AccountRecord, list[StoredEvent]]]:
        """The accounts given (unknown ids skipped) with their events in sequence order, read a page at a time (two
        queries a page): for replaying many accounts, e.g. the recovery worklist."""
        for page in _chunks(list(account_ids), PAGE_SIZE):
            with self.engine.connect() as connection:
                rows = connection.execute(select(schema.accounts).where(schema.accounts.c.account_id.in_(page))).all()
                references = self._references(connection, [row.account_id for row in rows])
                events = self._events(connection, [row.account_id for row in rows])
            found = {row.account_id: _account_record(row, references.get(row.account_id, ())) for row in rows}
            for account_id in page:
                if account_id in found:
                    yield found[account_id], events.get(account_id, [])

    def last_sequence(self, account_id: str) -> int:
        with self.engine.connect() as connection:
            if not self._account_exists(connection, account_id):
                raise _unknown_account(account_id)
            last = connection.execute(
                select(func.max(schema.events.c.sequence)).where(schema.events.c.account_id == account_id)
            ).scalar()
        return int(last or 0)

    def append(
        self,
        account_id: str,
        events: Sequence[NewEvent],
        expected_sequence: int | None = None,
        validate: Validator | None = None,
    ) -> list[StoredEvent]:
        """Append `events` to the account in one transaction and return them as stored, in the order given.

        An event whose idempotency key is already stored (by an earlier run) is not written again: the stored one
        is returned. If anything is left to write and `expected_sequence` is not None, it must be the account's
        last sequence number (0 for no events), else ConcurrencyError. `validate(account, existing, new)` may
        refuse the batch by raising; then, as on any error, nothing is written.
        """
        batch = [_check_new_event(event, index) for index, event in enumerate(events)]

        def write(connection: Connection) -> list[StoredEvent]:
            account = self._lock_account(connection, account_id)
            stored = self._stored_by_key(connection, [event.idempotency_key for event in batch])
            fresh: dict[str, NewEvent] = {}
            for event in batch:
                previous = stored.get(event.idempotency_key) or _as_stored_shape(fresh.get(event.idempotency_key))
                if previous is None:
                    fresh[event.idempotency_key] = event
                elif previous.account_id not in (account_id, "") or not _same_content(previous, event):
                    where = "" if previous.account_id in (account_id, "") else f" du compte {previous.account_id}"
                    raise StoreInputError(
                        "idempotency_key", f"{event.idempotency_key} désigne déjà un autre événement{where}"
                    )
            if not fresh:
                return [stored[event.idempotency_key] for event in batch]
            existing = self._events(connection, [account_id]).get(account_id, [])
            last = existing[-1].sequence if existing else 0
            if expected_sequence is not None and expected_sequence != last:
                raise ConcurrencyError(account_id, expected_sequence, last)
            new = list(fresh.values())
            written = _numbered(account_id, new, last)
            for stored_event in written:
                if stored_event.corrects is not None and stored_event.corrects >= stored_event.sequence:
                    raise StoreInputError(
                        "corrects", f"{stored_event.corrects} n'est pas un événement antérieur du compte {account_id}"
                    )
            if validate is not None:
                validate(account, existing, new)
            connection.execute(insert(schema.events), [_event_row(event) for event in written])
            self._write_projections(connection, {account_id: (account, existing + written)})
            by_key = {**stored, **{event.idempotency_key: event for event in written}}
            return [by_key[event.idempotency_key] for event in batch]

        return self._write(write)

    def append_with_retry(
        self,
        account_id: str,
        build: Callable[[list[StoredEvent]], Sequence[NewEvent]],
        attempts: int = 10,
        validate: Validator | None = None,
    ) -> list[StoredEvent]:
        """Read the account's events, `build` the events to append from them, append them expecting the last
        sequence read; on ConcurrencyError read again and rebuild, up to `attempts` times."""
        for attempt in range(1, attempts + 1):
            existing = self.events(account_id)
            last = existing[-1].sequence if existing else 0
            try:
                return self.append(account_id, build(existing), expected_sequence=last, validate=validate)
            except ConcurrencyError:
                if attempt == attempts:
                    raise
                time.sleep(random.uniform(0, 0.002 * attempt))
        raise AssertionError("unreachable")

    # Projections

    def projection(self, account_id: str) -> StoredProjection | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(schema.projections).where(schema.projections.c.account_id == account_id)
            ).first()
        return None if row is None else _stored_projection(row)

    def projections(
        self, late_only: bool = False, as_of: date | None = None, organism: str | None = None
    ) -> list[StoredProjection]:
        """The projections in the order of account ids; with `late_only`, those late on `as_of` (default today):
        `late_since <= as_of`."""
        table = schema.projections
        query = select(table).order_by(table.c.account_id)
        if late_only:
            query = query.where(table.c.late_since.is_not(None), table.c.late_since <= (as_of or date.today()))
        if organism is not None:
            query = query.where(table.c.organism == organism)
        with self.engine.connect() as connection:
            return [_stored_projection(row) for row in connection.execute(query)]

    def rebuild_projections(self, account_ids: Iterable[str] | None = None) -> int:
        """Recompute projections from the events (every account, or those given); return how many."""
        if account_ids is not None:
            pages: Iterable[list[str]] = _chunks(list(account_ids), BATCH_SIZE)
        else:
            pages = _chunks([account.account_id for account in self.accounts()], BATCH_SIZE)
        count = 0
        for page in pages:

            def write(connection: Connection, page: list[str] = page) -> int:
                accounts = self._lock_accounts(connection, page)
                events = self._events(connection, page)
                self._write_projections(
                    connection, {account_id: (accounts[account_id], events.get(account_id, [])) for account_id in page}
                )
                return len(page)

            count += self._write(write)
        return count

    # Bank lines

    def import_bank_lines(
        self, lines: Iterable[BankLine], file_name: str, batch_size: int = BATCH_SIZE
    ) -> ImportResult:
        """Record bank lines as events of the accounts their reference designates (`payment` for a credit,
        `rejected_debit` for a rejection; the line's key is the event's idempotency key) and keep the others in
        the suspense list. Every line is checked before anything is written; then lines are committed
        `batch_size` at a time, so an interrupted import loses at most its last batch and a re-run completes it:
        a line already imported (as an event or in suspense) is counted as already present, never doubled."""
        _check_identifier("file_name", file_name, 500)
        checked = [_check_bank_line(line, index) for index, line in enumerate(lines)]
        totals = ImportResult()
        # The events of the accounts this import wrote to, kept between its batches so that each batch reads
        # only what others appended meanwhile (checked by sequence number), not whole histories again.
        known: dict[str, list[StoredEvent]] = {}
        for chunk in _chunks(checked, max(1, batch_size)):

            def write(
                connection: Connection, chunk: list[BankLine] = chunk
            ) -> tuple[ImportResult, dict[str, list[StoredEvent]]]:
                return self._import_batch(connection, chunk, file_name, known)

            result, histories = self._write(write)
            known.update(histories)
            totals = ImportResult(
                totals.recorded + result.recorded,
                totals.already_present + result.already_present,
                totals.suspense + result.suspense,
            )
        return totals

    def suspense_lines(self) -> list[SuspenseLine]:
        """The bank lines that matched no account, in the order they were kept."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.suspense).order_by(schema.suspense.c.id)).all()
        return [
            SuspenseLine(
                key=row.key,
                kind=row.kind,
                file_name=row.file_name,
                line_date=row.line_date,
                amount_cents=row.amount_cents,
                reference=row.reference,
                reason=row.reason,
                line=row.line,
                raw=row.raw,
                details=row.details,
                received_at=row.received_at,
            )
            for row in rows
        ]

    def _import_batch(
        self, connection: Connection, chunk: list[BankLine], file_name: str, known: Mapping[str, list[StoredEvent]]
    ) -> tuple[ImportResult, dict[str, list[StoredEvent]]]:
        present = self._present_keys(connection, [line.key for line in chunk])
        todo = [line for line in chunk if line.key not in present]
        if not todo:
            return ImportResult(0, len(chunk), 0), {}
        owners = self._owners(connection, {line.reference for line in todo})
        accounts = self._lock_accounts(
            connection, sorted({owners[line.reference] for line in todo if line.reference in owners})
        )
        # A concurrent import of the same lines that committed them since the look-up above makes the inserts below
        # break a unique key: `_write` then runs the batch again, and the look-up finds them.
        per_account: dict[str, list[BankLine]] = {}
        unmatched: list[BankLine] = []
        for line in todo:
            if line.key in present:
                continue
            present.add(line.key)
            owner = owners.get(line.reference)
            if owner is None:
                unmatched.append(line)
            else:
                per_account.setdefault(owner, []).append(line)
        received = _now()
        ids = sorted(per_account)
        history = self._current_events(connection, ids, known)
        rows: list[dict[str, Any]] = []
        touched: dict[str, tuple[AccountRecord, list[StoredEvent]]] = {}
        for account_id in ids:
            existing = history.get(account_id, [])
            last = existing[-1].sequence if existing else 0
            written = _numbered(account_id, [_bank_event(line) for line in per_account[account_id]], last, received)
            rows.extend(_event_row(event) for event in written)
            touched[account_id] = (accounts[account_id], existing + written)
        if rows:
            connection.execute(insert(schema.events), rows)
        if unmatched:
            connection.execute(
                insert(schema.suspense), [_suspense_row(line, file_name, received) for line in unmatched]
            )
        self._write_projections(connection, touched)
        recorded = ImportResult(len(rows), len(chunk) - len(rows) - len(unmatched), len(unmatched))
        return recorded, {account_id: events for account_id, (_, events) in touched.items()}

    def _present_keys(self, connection: Connection, keys: list[str]) -> set[str]:
        """The keys already stored, as events or suspense lines."""
        present: set[str] = set()
        events, suspense = schema.events, schema.suspense
        for page in _chunks(sorted(set(keys)), PAGE_SIZE):
            stored = select(events.c.idempotency_key).where(events.c.idempotency_key.in_(page))
            present.update(connection.execute(stored).scalars())
            present.update(connection.execute(select(suspense.c.key).where(suspense.c.key.in_(page))).scalars())
        return present

    def _current_events(
        self, connection: Connection, account_ids: Sequence[str], known: Mapping[str, list[StoredEvent]]
    ) -> dict[str, list[StoredEvent]]:
        """The accounts' events: those in `known` when it is up to date, the others read from the database."""
        table = schema.events
        last: dict[str, int] = {}
        for page in _chunks([account_id for account_id in account_ids if account_id in known], PAGE_SIZE):
            query = select(table.c.account_id, func.max(table.c.sequence)).where(table.c.account_id.in_(page))
            last.update(
                (str(account_id), int(top))
                for account_id, top in connection.execute(query.group_by(table.c.account_id))
            )
        current = {}
        stale = []
        for account_id in account_ids:
            events = known.get(account_id)
            if events is not None and (events[-1].sequence if events else 0) == last.get(account_id, 0):
                current[account_id] = events
            else:
                stale.append(account_id)
        current.update(self._events(connection, stale))
        return current

    # Internals

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction; a unique-key race with another writer (PostgreSQL) is retried,
        the next attempt then seeing what the other wrote."""
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                with self._writer.begin() as connection:
                    return work(connection)
            except IntegrityError:
                if attempt == RACE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.01 * attempt))
        raise AssertionError("unreachable")

    def _account_exists(self, connection: Connection, account_id: str) -> bool:
        found = connection.execute(
            select(schema.accounts.c.account_id).where(schema.accounts.c.account_id == account_id)
        ).first()
        return found is not None

    def _account(self, connection: Connection, account_id: str) -> AccountRecord:
        row = connection.execute(select(schema.accounts).where(schema.accounts.c.account_id == account_id)).first()
        if row is None:
            raise _unknown_account(account_id)
        return _account_record(row, self._references(connection, [account_id]).get(account_id, ()))

    def _lock_account(self, connection: Connection, account_id: str) -> AccountRecord:
        return self._lock_accounts(connection, [account_id])[account_id]

    def _lock_accounts(self, connection: Connection, account_ids: Sequence[str]) -> dict[str, AccountRecord]:
        """The accounts, their rows locked until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
        already holds the database's write lock), always in the order of their ids so that writers never
        deadlock."""
        if not account_ids:
            return {}
        rows = connection.execute(
            select(schema.accounts)
            .where(schema.accounts.c.account_id.in_(account_ids))
            .order_by(schema.accounts.c.account_id)
            .with_for_update()
        ).all()
        references = self._references(connection, [row.account_id for row in rows])
        found = {row.account_id: _account_record(row, references.get(row.account_id, ())) for row in rows}
        for account_id in account_ids:
            if account_id not in found:
                raise _unknown_account(account_id)
        return found

    def _references(self, connection: Connection, account_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        table = schema.payment_references
        found: dict[str, list[str]] = {}
        for page in _chunks(list(account_ids), PAGE_SIZE):
            query = select(table.c.account_id, table.c.reference).where(table.c.account_id.in_(page))
            for account_id, reference in connection.execute(query.order_by(table.c.reference)):
                found.setdefault(account_id, []).append(reference)
        return {account_id: tuple(references) for account_id, references in found.items()}

    def _reference_owner(self, connection: Connection, reference: str) -> str | None:
        table = schema.payment_references
        owner = connection.execute(select(table.c.account_id).where(table.c.reference == reference)).scalar()
        return None if owner is None else str(owner)

    def _owners(self, connection: Connection, references: set[str]) -> dict[str, str]:
        """The account each reference designates: a payment reference given to it, else its own id."""
        owners: dict[str, str] = {}
        for page in _chunks(sorted(references), PAGE_SIZE):
            table = schema.payment_references
            query = select(table.c.reference, table.c.account_id).where(table.c.reference.in_(page))
            owners.update((str(reference), str(owner)) for reference, owner in connection.execute(query))
            ids = connection.execute(
                select(schema.accounts.c.account_id).where(schema.accounts.c.account_id.in_(page))
            ).scalars()
            for account_id in ids:
                owners.setdefault(account_id, account_id)
        return owners

    def _bind_reference(self, connection: Connection, account_id: str, reference: str) -> None:
        if reference == account_id:
            return
        owner = self._reference_owner(connection, reference)
        if owner == account_id:
            return
        if owner is not None:
            raise StoreInputError("references", f"{reference} est déjà une référence de paiement du compte {owner}")
        if self._account_exists(connection, reference):
            raise StoreInputError("references", f"{reference} est l'identifiant d'un autre compte")
        connection.execute(insert(schema.payment_references).values(reference=reference, account_id=account_id))

    def _events(
        self, connection: Connection, account_ids: Sequence[str], after: int = 0
    ) -> dict[str, list[StoredEvent]]:
        table = schema.events
        found: dict[str, list[StoredEvent]] = {}
        for page in _chunks(list(account_ids), PAGE_SIZE):
            query = (
                select(table)
                .where(table.c.account_id.in_(page), table.c.sequence > after)
                .order_by(table.c.account_id, table.c.sequence)
            )
            for row in connection.execute(query):
                found.setdefault(row.account_id, []).append(_stored_event(row))
        return found

    def _stored_by_key(self, connection: Connection, keys: Sequence[str]) -> dict[str, StoredEvent]:
        table = schema.events
        found: dict[str, StoredEvent] = {}
        for page in _chunks(sorted(set(keys)), PAGE_SIZE):
            for row in connection.execute(select(table).where(table.c.idempotency_key.in_(page))):
                found[row.idempotency_key] = _stored_event(row)
        return found

    def _write_projections(
        self, connection: Connection, accounts: Mapping[str, tuple[AccountRecord, list[StoredEvent]]]
    ) -> None:
        if not accounts:
            return
        rows = []
        for account_id, (account, events) in accounts.items():
            projection = self.projector(account, events)
            rows.append(_projection_row(account_id, events[-1].sequence if events else 0, projection))
        table = schema.projections
        for page in _chunks(list(accounts), PAGE_SIZE):
            connection.execute(delete(table).where(table.c.account_id.in_(page)))
        connection.execute(insert(table), rows)


# Values in and out


def _now() -> datetime:
    return datetime.now(UTC)


def _unknown_account(account_id: str) -> StoreInputError:
    return StoreInputError("account_id", f"compte inconnu {account_id}")


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_identifier(field: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise StoreInputError(field, "doit être un texte non vide")
    if len(value) > limit:
        raise StoreInputError(field, f"dépasse {limit} caractères")
    if value != value.strip():
        raise StoreInputError(field, f"{shown(value)} commence ou finit par des espaces")
    if "\x00" in value:
        raise StoreInputError(field, f"{shown(value)} contient un caractère NUL")


def _json_value(field: str, value: Any) -> Any:
    """A copy of `value` made of JSON's own types; integers within 64 bits, no floats (amounts are cents)."""
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL can keep no NUL character, in a text or in JSONB: refused on every database alike.
        raise StoreInputError(field, "contient un caractère NUL")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise StoreInputError(field, "entier au-delà de 64 bits")
        return int(value)
    if isinstance(value, float):
        raise StoreInputError(
            field,
            f"{value!r} est un nombre décimal : les montants sont en centimes entiers, les autres nombres en texte",
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or "\x00" in key:
                raise StoreInputError(field, f"a une clé {shown(key)} qui n'est pas un texte sans caractère NUL")
            copy[key] = _json_value(f"{field}.{key}", item)
        return copy
    if isinstance(value, (list, tuple)):
        return [_json_value(f"{field}[{index}]", item) for index, item in enumerate(value)]
    raise StoreInputError(field, f"{type(value).__name__} n'est pas une valeur JSON")


def _json_object(field: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise StoreInputError(field, "doit être un objet JSON")
    copy = _json_value(field, value)
    assert isinstance(copy, dict)
    if len(json.dumps(copy)) > 1_000_000:
        raise StoreInputError(field, "dépasse 1 Mo de JSON")
    return copy


def _check_new_event(event: NewEvent, index: int) -> NewEvent:
    where = f"events[{index}]"
    if not isinstance(event, NewEvent):
        raise StoreInputError(where, "doit être un NewEvent")
    _check_identifier(f"{where}.type", event.type, MAX_TYPE_LENGTH)
    _check_identifier(f"{where}.idempotency_key", event.idempotency_key, MAX_KEY_LENGTH)
    if not isinstance(event.effective_date, date) or isinstance(event.effective_date, datetime):
        raise StoreInputError(f"{where}.effective_date", "doit être une date")
    if event.corrects is not None and (
        not isinstance(event.corrects, int) or isinstance(event.corrects, bool) or event.corrects < 1
    ):
        raise StoreInputError(f"{where}.corrects", "doit être le numéro d'un événement antérieur")
    return replace(event, payload=_json_object(f"{where}.payload", event.payload))


def _check_bank_line(line: BankLine, index: int) -> BankLine:
    where = f"ligne {line.line if isinstance(line, BankLine) and line.line else index + 1}"
    if not isinstance(line, BankLine):
        raise StoreInputError(where, "doit être une BankLine")
    _check_identifier(f"{where}: key", line.key, MAX_KEY_LENGTH)
    if line.kind not in ("credit", "rejection"):
        raise StoreInputError(f"{where}: kind", f"{shown(line.kind)} n'est ni credit ni rejection")
    for name in ("date", "due_date"):
        value = getattr(line, name)
        if (value is not None or name == "date") and (not isinstance(value, date) or isinstance(value, datetime)):
            raise StoreInputError(f"{where}: {name}", "doit être une date")
    amount = line.amount_cents
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_INT:
        raise StoreInputError(f"{where}: amount_cents", f"{shown(amount)} n'est pas un nombre positif de centimes")
    if not isinstance(line.reference, str) or len(line.reference) > MAX_KEY_LENGTH:
        raise StoreInputError(f"{where}: reference", f"doit être un texte de {MAX_KEY_LENGTH} caractères au plus")
    return line


def _bank_event(line: BankLine) -> NewEvent:
    if line.kind == "credit":
        payload: dict[str, Any] = {"amount_cents": line.amount_cents, "method": "transfer", "bank_id": line.bank_id}
        return NewEvent("payment", payload, line.date, line.key)
    payload = {
        "due_date": None if line.due_date is None else line.due_date.isoformat(),
        "reason": line.reason,
        "amount_cents": line.amount_cents,
    }
    return NewEvent("rejected_debit", payload, line.date, line.key)


def _numbered(
    account_id: str, events: Sequence[NewEvent], last: int, received: datetime | None = None
) -> list[StoredEvent]:
    received = received or _now()
    return [
        StoredEvent(
            account_id=account_id,
            sequence=last + offset,
            type=event.type,
            payload=dict(event.payload),
            effective_date=event.effective_date,
            idempotency_key=event.idempotency_key,
            received_at=received,
            corrects=event.corrects,
        )
        for offset, event in enumerate(events, start=1)
    ]


def _as_stored_shape(event: NewEvent | None) -> StoredEvent | None:
    """An event met earlier in the same batch, shaped like a stored one for the duplicate check."""
    if event is None:
        return None
    return _numbered("", [event], 0)[0]


def _same_content(stored: StoredEvent, event: NewEvent) -> bool:
    return (
        stored.type == event.type
        and stored.payload == event.payload
        and stored.effective_date == event.effective_date
        and stored.corrects == event.corrects
    )


def _event_row(event: StoredEvent) -> dict[str, Any]:
    return {
        "account_id": event.account_id,
        "sequence": event.sequence,
        "type": event.type,
        "payload": event.payload,
        "received_at": event.received_at,
        "effective_date": event.effective_date,
        "idempotency_key": event.idempotency_key,
        "corrects": event.corrects,
    }


def _stored_event(row: Row[Any]) -> StoredEvent:
    return StoredEvent(
        account_id=row.account_id,
        sequence=row.sequence,
        type=row.type,
        payload=row.payload,
        effective_date=row.effective_date,
        idempotency_key=row.idempotency_key,
        received_at=row.received_at,
        corrects=row.corrects,
    )


def _account_record(row: Row[Any], references: tuple[str, ...]) -> AccountRecord:
    return AccountRecord(
        account_id=row.account_id,
        contributor=row.contributor,
        created_at=row.created_at,
        references=references,
        idempotency_key=row.idempotency_key,
    )


def _suspense_row(line: BankLine, file_name: str, received: datetime) -> dict[str, Any]:
    details = {
        "bank_id": line.bank_id,
        "due_date": None if line.due_date is None else line.due_date.isoformat(),
        "reason": line.reason,
    }
    return {
        "key": line.key,
        "kind": line.kind,
        "file_name": file_name,
        "line_date": line.date,
        "amount_cents": line.amount_cents,
        "reference": line.reference,
        "reason": UNKNOWN_REFERENCE,
        "line": line.line or None,
        "raw": line.raw,
        "details": details,
        "received_at": received,
    }


def _projection_row(account_id: str, last_sequence: int, projection: Projection) -> dict[str, Any]:
    if not isinstance(projection, Projection):
        raise TypeError(f"the projector returned {type(projection).__name__}, not a Projection")
    for name in ("balance_cents", "outstanding_cents", "credit_cents", "majorations_cents", "late_amount_cents"):
        value = getattr(projection, name)
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_INT:
            raise TypeError(f"the projector's {name} is {value!r}, not integer cents")
    return {
        "account_id": account_id,
        "last_sequence": last_sequence,
        "balance_cents": projection.balance_cents,
        "outstanding_cents": projection.outstanding_cents,
        "credit_cents": projection.credit_cents,
        "majorations_cents": projection.majorations_cents,
        "next_due_date": projection.next_due_date,
        "late_since": projection.late_since,
        "late_amount_cents": projection.late_amount_cents,
        "organism": projection.organism,
        "payload": _json_object("projection.payload", projection.payload),
    }


def _stored_projection(row: Row[Any]) -> StoredProjection:
    return StoredProjection(
        account_id=row.account_id,
        last_sequence=row.last_sequence,
        projection=Projection(
            balance_cents=row.balance_cents,
            outstanding_cents=row.outstanding_cents,
            credit_cents=row.credit_cents,
            majorations_cents=row.majorations_cents,
            next_due_date=row.next_due_date,
            late_since=row.late_since,
            late_amount_cents=row.late_amount_cents,
            organism=row.organism,
            payload=row.payload,
        ),
    )
