"""Reading outlets: the publisher pages of the web app and their ``/api/`` twins.

An outlet's article list is :func:`storyline.store.list_articles` filtered by its slug;
what lives here is finding the outlet itself, so that an unknown slug can be told apart
from a known outlet that has no articles yet.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storyline.store.schema import Outlet


def get_outlet(session: Session, slug: str) -> Outlet | None:
    """The outlet whose slug is ``slug`` (slugs are unique), or None."""
    return session.execute(select(Outlet).where(Outlet.slug == slug)).scalar_one_or_none()


def list_outlets(session: Session) -> list[Outlet]:
    """Every outlet, by name: for navigation and for ``/api/outlets``-style listings."""
    return list(session.execute(select(Outlet).order_by(Outlet.name, Outlet.id)).scalars())
