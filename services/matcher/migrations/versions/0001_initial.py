"""The matcher's tables: book, rounds and their results, responses, inbox, outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:54:25.590605
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('matcher_contract_lines',
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.Column('offer_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('firm_id', sa.String(length=100), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('unit_weeks', sa.Integer(), nullable=False),
    sa.Column('weeks', sa.Text(), nullable=False),
    sa.Column('unit_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('contract_id', 'offer_id', 'line_id')
    )
    with op.batch_alter_table('matcher_contract_lines', schema=None) as batch_op:
        batch_op.create_index('ix_matcher_contract_lines_line', ['line_id'], unique=False)

    op.create_table('matcher_contract_offers',
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.Column('offer_id', sa.String(length=100), nullable=False),
    sa.Column('tier_index', sa.Integer(), nullable=False),
    sa.Column('unit_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('volume_unit_weeks', sa.Integer(), nullable=False),
    sa.Column('running_weeks', sa.Text(), nullable=False),
    sa.Column('weekly_load', sa.Text(), nullable=False),
    sa.Column('fixed_cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('unit_cost_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('contract_id', 'offer_id')
    )
    op.create_table('matcher_contract_responses',
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('round_id', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=16), nullable=False),
    sa.Column('pairs', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contract_id')
    )
    op.create_table('matcher_contracts',
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.Column('round_id', sa.String(length=100), nullable=False),
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('awarded', sa.Boolean(), nullable=False),
    sa.Column('award_event_id', sa.String(length=36), nullable=True),
    sa.Column('unit_cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('fixed_cost_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('contract_id')
    )
    with op.batch_alter_table('matcher_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matcher_contracts_round_id'), ['round_id'],
                              unique=False)

    op.create_table('matcher_demand_lines',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('firm_id', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('first_week', sa.String(length=8), nullable=True),
    sa.Column('last_week', sa.String(length=8), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'line_id')
    )
    with op.batch_alter_table('matcher_demand_lines', schema=None) as batch_op:
        batch_op.create_index('ix_matcher_demand_lines_window',
                              ['network_id', 'withdrawn', 'first_week'],
                              unique=False)

    op.create_table('matcher_excluded',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('offer_id', sa.String(length=100), nullable=False),
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'line_id', 'offer_id')
    )
    op.create_table('matcher_firms',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('firm_id', sa.String(length=100), nullable=False),
    sa.Column('budget_cents', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'firm_id')
    )
    op.create_table('matcher_offers',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('offer_id', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('first_week', sa.String(length=8), nullable=True),
    sa.Column('last_week', sa.String(length=8), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'offer_id')
    )
    op.create_table('matcher_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('record_key', sa.LargeBinary(), nullable=False),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.Column('headers', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('matcher_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matcher_outbox_published_at'), ['published_at'],
                              unique=False)

    op.create_table('matcher_pinned',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('offer_id', sa.String(length=100), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'line_id', 'offer_id')
    )
    op.create_table('matcher_processed_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.func.now(),
              nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('matcher_providers',
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('network_id', 'provider_id')
    )
    op.create_table('matcher_rounds',
    sa.Column('round_id', sa.String(length=100), nullable=False),
    sa.Column('network_id', sa.String(length=100), nullable=False),
    sa.Column('first_week', sa.String(length=8), nullable=False),
    sa.Column('last_week', sa.String(length=8), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('command_event_id', sa.String(length=36), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_until', sa.Float(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('solver', sa.String(length=200), nullable=True),
    sa.Column('demand_lines', sa.Integer(), nullable=True),
    sa.Column('offers', sa.Integer(), nullable=True),
    sa.Column('pinned', sa.Integer(), nullable=True),
    sa.Column('excluded', sa.Integer(), nullable=True),
    sa.Column('objective', sa.Float(), nullable=True),
    sa.Column('bound', sa.Float(), nullable=True),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('weighted_coverage', sa.Float(), nullable=True),
    sa.Column('demanded_unit_weeks', sa.Integer(), nullable=True),
    sa.Column('served_unit_weeks', sa.Integer(), nullable=True),
    sa.Column('total_cost_cents', sa.BigInteger(), nullable=True),
    sa.Column('contracts', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('snapshot_s', sa.Float(), nullable=True),
    sa.Column('solve_s', sa.Float(), nullable=True),
    sa.Column('solver_build_s', sa.Float(), nullable=True),
    sa.Column('solver_solve_s', sa.Float(), nullable=True),
    sa.Column('total_s', sa.Float(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('round_id')
    )
    with op.batch_alter_table('matcher_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_matcher_rounds_network', ['network_id', 'status', 'requested_at'],
                              unique=False)
        batch_op.create_index('ix_matcher_rounds_status', ['status', 'requested_at'], unique=False)

    op.create_table('matcher_unmet_lines',
    sa.Column('round_id', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('firm_id', sa.String(length=100), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('unit_weeks', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('change_description', sa.Text(), nullable=True),
    sa.Column('change', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('round_id', 'position')
    )


def downgrade() -> None:
    op.drop_table('matcher_unmet_lines')
    with op.batch_alter_table('matcher_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_matcher_rounds_status')
        batch_op.drop_index('ix_matcher_rounds_network')

    op.drop_table('matcher_rounds')
    op.drop_table('matcher_providers')
    op.drop_table('matcher_processed_events')
    op.drop_table('matcher_pinned')
    with op.batch_alter_table('matcher_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matcher_outbox_published_at'))

    op.drop_table('matcher_outbox')
    op.drop_table('matcher_offers')
    op.drop_table('matcher_firms')
    op.drop_table('matcher_excluded')
    with op.batch_alter_table('matcher_demand_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_matcher_demand_lines_window')

    op.drop_table('matcher_demand_lines')
    with op.batch_alter_table('matcher_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matcher_contracts_round_id'))

    op.drop_table('matcher_contracts')
    op.drop_table('matcher_contract_responses')
    op.drop_table('matcher_contract_offers')
    with op.batch_alter_table('matcher_contract_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_matcher_contract_lines_line')

    op.drop_table('matcher_contract_lines')
