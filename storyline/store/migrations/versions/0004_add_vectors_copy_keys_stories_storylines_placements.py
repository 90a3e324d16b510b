"""Add what the stories stage keeps: article vectors, copy band keys, stories, storylines,
and each article's placement among them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storylines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("story_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["storylines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_storylines_last_at"), "storylines", ["last_at"], unique=False)
    op.create_index(
        op.f("ix_storylines_merged_into_id"), "storylines", ["merged_into_id"], unique=False
    )

    op.create_table(
        "stories",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "storyline_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("outlet_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["stories.id"],
        ),
        sa.ForeignKeyConstraint(
            ["storyline_id"],
            ["storylines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_stories_last_at"), "stories", ["last_at"], unique=False)
    op.create_index(op.f("ix_stories_merged_into_id"), "stories", ["merged_into_id"], unique=False)
    op.create_index(op.f("ix_stories_storyline_id"), "stories", ["storyline_id"], unique=False)

    op.create_table(
        "article_vectors",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id"),
    )
    op.create_table(
        "copy_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id"),
    )
    op.create_index(op.f("ix_copy_keys_article_id"), "copy_keys", ["article_id"], unique=False)

    op.create_table(
        "placements",
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("copy_group_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "copy_of_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("copy_relation", sa.String(length=10), nullable=True),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["copy_of_id"], ["articles.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_index(
        op.f("ix_placements_copy_group_id"), "placements", ["copy_group_id"], unique=False
    )
    op.create_index("ix_placements_stale", "placements", ["version", "lease_until"], unique=False)
    op.create_index("ix_placements_story", "placements", ["story_id", "article_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_placements_story", table_name="placements")
    op.drop_index("ix_placements_stale", table_name="placements")
    op.drop_index(op.f("ix_placements_copy_group_id"), table_name="placements")

    op.drop_table("placements")
    op.drop_index(op.f("ix_copy_keys_article_id"), table_name="copy_keys")

    op.drop_table("copy_keys")
    op.drop_table("article_vectors")
    op.drop_index(op.f("ix_stories_storyline_id"), table_name="stories")
    op.drop_index(op.f("ix_stories_merged_into_id"), table_name="stories")
    op.drop_index(op.f("ix_stories_last_at"), table_name="stories")

    op.drop_table("stories")
    op.drop_index(op.f("ix_storylines_merged_into_id"), table_name="storylines")
    op.drop_index(op.f("ix_storylines_last_at"), table_name="storylines")

    op.drop_table("storylines")
