"""Reading services over a real replica (no Qt): what the screens and the command line show."""

from __future__ import annotations

from decimal import Decimal

from desktop_crm.client import reading
from desktop_crm.domain.records import Account, Opportunity
from desktop_crm.storage import records_store as store
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica


def test_the_pipeline_adds_up_amounts_in_one_currency_only(replica: Replica) -> None:
    account = Account(name="Mixed Currencies Ltd")
    deals = [
        Opportunity(account_id=account.meta.id, name="a", amount=Decimal(100), currency="CNY"),
        Opportunity(account_id=account.meta.id, name="b", amount=Decimal(250), currency="CNY"),
        Opportunity(account_id=account.meta.id, name="c", amount=Decimal(999), currency="GBP"),
    ]
    with replica.engine.begin() as conn:
        for record in (account, *deals):
            store.apply_remote(conn, StoredRecord.from_record(record))

    # There are no exchange rates: other currencies are counted but not summed.
    summary = reading.pipeline_summary(replica)

    lead = next(bar for bar in summary.bars if bar.stage.key == "lead")
    assert lead.count == 3
    assert lead.amount == Decimal(350)
    assert summary.currency == "CNY"
    assert summary.other_currencies == 1
