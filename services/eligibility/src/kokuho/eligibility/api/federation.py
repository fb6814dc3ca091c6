"""Federation reviews: persons the federation's 資格継続 file knows and eligibility does not
(to take up at the counter); differences for known persons arrive as pending corrections."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.eligibility.api.changes import page_of
from kokuho.eligibility.api.deps import Limit, ReadDep, Staff
from kokuho.eligibility.api.schemas import FederationReviewOut
from kokuho.eligibility.app import views
from kokuho.platform.models import Page
from kokuho.platform.pagination import UUID_POSITION, decode_cursor

router = APIRouter(prefix="/api/v1", tags=["eligibility"])


@router.get("/federation-reviews")
async def list_federation_reviews(
    user: Staff, read: ReadDep, limit: Limit = 50, cursor: str | None = None
) -> Page[FederationReviewOut]:
    after = decode_cursor(cursor, position=UUID_POSITION)
    page: Page[FederationReviewOut] = await read.run(
        lambda uow: views.federation_reviews(uow, limit, after),
        lambda listing: page_of(FederationReviewOut, listing),
    )
    return page
