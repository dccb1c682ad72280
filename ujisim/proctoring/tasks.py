"""Proctoring jobs: snapshot analysis (queued after the snapshot's commit) and retention."""

from ujisim.core import jobs
from ujisim.core.db import get_db, get_session


@jobs.task("proctoring.analyse")
def analyse_job(observation_id: int) -> str | None:
    from ujisim.proctoring.observations import analyse

    reader = get_db().session(write=False)
    try:
        observation = analyse(get_session(), observation_id, read_session=reader)
    finally:
        reader.close()
    get_session().commit()
    return None if observation is None else observation.finding


@jobs.task("proctoring.retention")
def retention_job() -> dict:
    from ujisim.proctoring.retention import purge

    session = get_session()
    counts = purge(session)
    session.commit()
    return counts


def register() -> None:
    jobs.every(6 * 3600, "proctoring.retention")
