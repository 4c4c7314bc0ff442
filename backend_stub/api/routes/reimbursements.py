"""The holder's reimbursement data, by month with totals."""

from itertools import groupby
from typing import Annotated

from fastapi import APIRouter, Query

from backend_stub.api.deps import ActiveHolder, ContextDep, SessionDep
from backend_stub.services import reimbursements
from sync.protocol.record_schemas import ReimbursementMonth, ReimbursementOut, ReimbursementYear

router = APIRouter(tags=["reimbursements"])


@router.get("/reimbursements")
def year(
    holder: ActiveHolder,
    ctx: ContextDep,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> ReimbursementYear:
    """One year (this year by default) of reimbursements, grouped by month, optionally searched."""
    chosen = year or ctx.clock.now().year
    rows = [
        ReimbursementOut(
            id=r.id,
            care_date=r.care_date,
            care=r.care,
            professional=r.professional,
            paid_cents=r.paid_cents,
            reimbursed_cents=r.reimbursed_cents,
            kind=r.kind,
            label=r.label,
        )
        for r in reimbursements.year_of(session=session, holder=holder, year=chosen, query=q)
    ]
    months = []
    for month, items in groupby(rows, key=lambda r: r.care_date.strftime("%Y-%m")):
        group = list(items)
        months.append(
            ReimbursementMonth(
                month=month,
                paid_cents=sum(i.paid_cents for i in group),
                reimbursed_cents=sum(i.reimbursed_cents for i in group),
                items=group,
            )
        )
    return ReimbursementYear(
        year=chosen,
        paid_cents=sum(r.paid_cents for r in rows),
        reimbursed_cents=sum(r.reimbursed_cents for r in rows),
        months=months,
        since_year=reimbursements.first_year(session=session, holder=holder),
    )
