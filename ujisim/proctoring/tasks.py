"""Proctoring jobs: snapshot analysis (queued after the snapshot's commit), the safety net that
queues lost or failed analyses again, and retention."""

import logging

from ujisim.core import jobs
from ujisim.core.db import get_db, get_session
from ujisim.proctoring.observations import analyse, flag_silent_cameras, note_failure, requeue_stale
from ujisim.proctoring.retention import purge

log = logging.getLogger(__name__)
#: how often the safety net looks for snapshots whose analysis is stuck
REQUEUE_EVERY_S = 60


@jobs.task("proctoring.analyse")
def analyse_job(observation_id: int) -> str | None:
    session = get_session()
    reader = get_db().session(write=False)
    try:
        observation = analyse(session, observation_id, read_session=reader)
        session.commit()
    except Exception as exc:
        # the snapshot stays pending with the error noted; proctoring.requeue tries it again a
        # few times and then records the analysis as failed
        log.exception("analysis of observation %s failed", observation_id)
        reader.close()
        session.rollback()
        note_failure(session, observation_id, exc)
        session.commit()
        return "error"
    finally:
        reader.close()
    return None if observation is None else observation.finding


@jobs.task("proctoring.requeue")
def requeue_job() -> dict:
    session = get_session()
    counts = requeue_stale(session)
    session.commit()  # the re-queued analyses are dispatched now
    return counts


@jobs.task("proctoring.silence")
def silence_job() -> int:
    session = get_session()
    flagged = flag_silent_cameras(session)
    session.commit()
    return flagged


@jobs.task("proctoring.retention")
def retention_job() -> dict:
    session = get_session()
    counts = purge(session)
    session.commit()
    return counts


def register() -> None:
    jobs.every(6 * 3600, "proctoring.retention")
    jobs.every(REQUEUE_EVERY_S, "proctoring.requeue")
    jobs.every(REQUEUE_EVERY_S, "proctoring.silence")
