"""Enrolling a firm and updating its profile (FirmEnrolled)."""

from __future__ import annotations

import secrets

from schemas.demand import FirmEnrolled, FirmProfile
from services.common.i18n import N_
from services.common.refusals import Conflict, Forbidden, NotFound
from services.intake.adapters import repository as repo
from services.intake.service_layer.context import Intake, Receipt


def enrol_firm(
    intake: Intake, network_id: str, profile: FirmProfile, *, may_enrol: bool
) -> Receipt:
    """Publish the profile as the firm's next version; a new firm only by an operator.

    Onboarding is the network operators' job (DESIGN.md); a firm may then
    keep its own profile up to date. Re-sending an unchanged profile writes
    no event.
    """
    with intake.engine.begin() as db:
        before = repo.lock_firm(db, profile.firm_id)
        if before is None and not may_enrol:
            raise Forbidden(N_("only an operator may enrol a new firm"))
        if before is not None and before.network_id != network_id:
            raise Conflict(N_("the firm belongs to network '{network_id}'; moving it is "
                              "not supported"), network_id=before.network_id)
        if before is not None and before.profile == profile:
            return Receipt(entity_id=profile.firm_id, entity_version=before.version, changed=False)
        version = before.version + 1 if before else 1
        secret = before.secret if before else secrets.token_bytes(32)
        record = repo.FirmRecord(network_id, profile, version, secret)
        repo.save_firm(db, record, new=before is None)
        intake.outbox.add(db, FirmEnrolled(network_id=network_id, firm=profile,
                                           entity_version=version))
    return Receipt(entity_id=profile.firm_id, entity_version=version, changed=True)


def firm(intake: Intake, firm_id: str) -> repo.FirmRecord:
    with intake.engine.connect() as db:
        found = repo.get_firm(db, firm_id)
    if found is None:
        raise NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)
    return found


def firm_ids(intake: Intake) -> list[str]:
    with intake.engine.connect() as db:
        return repo.firm_ids(db)
