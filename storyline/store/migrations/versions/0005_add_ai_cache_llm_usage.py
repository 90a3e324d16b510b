"""Add what the AI features keep: cached results by input digest, and the LLM's tokens
used per UTC day.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_ai_cache_created_at"), "ai_cache", ["created_at"], unique=False)

    op.create_table(
        "llm_usage",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("llm_usage")
    op.drop_index(op.f("ix_ai_cache_created_at"), table_name="ai_cache")
    op.drop_table("ai_cache")
