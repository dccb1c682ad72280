"""Item analysis throughput, two measurements in one JSON:

1. ``core``: the vectorised statistics of ujisim/exam/stats.py (facility, item-rest
   point-biserial, discriminative efficiency, choice counts, form mean/SD/alpha/SEM) for 100,000
   attempts x 30 items on synthetic arrays, against plain Python loops on the same data in the
   same run (so machines of different speed can be compared). Both must agree to 1e-9.
2. ``database``: what `flask exam stats` does on a migrated SQLite database holding 10,000
   graded attempts generated here (papers drawn from the bank by blueprint category, shuffled,
   options shuffled; answer steps and grades as the exam writes them): the CLI command itself
   (gather from the database, fold into the sums, statistics, commit), and, in a second
   pass, the gather alone (reading the attempts, answer steps, grades and item versions).

    .venv/bin/python bench/stats_bench.py [--attempts 100000] [--items 30] [--bank 120]
        [--db-attempts 10000] [--seed 8]

Responses follow a Rasch-like model (normal abilities and difficulties), wrong answers spread
over three distractors, 2% left blank. Every attempt gets its own drawn, shuffled paper (as
draw_paper does), so alpha is the per-item form of exam/stats.py, not a per-position one.
Prints JSON. Target (issue 8): the vectorised statistics in <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ujisim.exam import stats  # noqa: E402

TARGET_S = 3.0
OPTIONS = 4


def papers(rng: np.random.Generator, attempts: int, items: int, bank: int) -> np.ndarray:
    """attempts x items: each row a different draw of ``items`` of ``bank``, in shuffled order."""
    if bank < items:
        raise SystemExit("--bank must be at least --items")
    return np.argsort(rng.random((attempts, bank)), axis=1)[:, :items]


def answers(rng, ability: np.ndarray, difficulty: np.ndarray, drawn: np.ndarray):
    """(correct, choice) per attempt x position; choice 0 is the key, -1 blank."""
    logits = difficulty[drawn] - ability[:, None]
    correct = (rng.random(drawn.shape) < 1 / (1 + np.exp(logits))).astype(np.int64)
    choice = np.where(correct == 1, 0, rng.integers(1, OPTIONS, size=drawn.shape))
    blank = (rng.random(drawn.shape) < 0.02) & (correct == 0)
    return correct, np.where(blank, -1, choice)


def responses(attempts: int, items: int, bank: int, seed: int) -> stats.Responses:
    """Long-form responses of drawn, shuffled papers."""
    rng = np.random.default_rng(seed)
    drawn = papers(rng, attempts, items, bank)
    correct, choice = answers(rng, rng.normal(size=attempts), rng.normal(-0.8, 1.0, bank), drawn)
    attempt_idx = np.repeat(np.arange(attempts), items)
    position = np.tile(np.arange(items), attempts)
    return stats.Responses(attempt_idx, drawn.ravel(), position, correct.ravel(), choice.ravel())


def vectorised(r: stats.Responses, attempts: int, items: int, bank: int):
    sums = stats.item_sums(r, attempts, bank, OPTIONS)
    result = stats.item_statistics(sums)
    form = stats.form_statistics(stats.form_sums(r, items))
    return result, sums, form


def plain_choices(r: stats.Responses, bank: int) -> list[list[int]]:
    counts = [[0] * OPTIONS for _ in range(bank)]
    for i, c in zip(r.item.tolist(), r.choice.tolist(), strict=True):
        if c >= 0:
            counts[i][c] += 1
    return counts


def core(args) -> dict:
    started = time.perf_counter()
    r = responses(args.attempts, args.items, args.bank, args.seed)
    generate_s = time.perf_counter() - started

    started = time.perf_counter()
    fast, sums, fast_form = vectorised(r, args.attempts, args.items, args.bank)
    fast_s = time.perf_counter() - started

    started = time.perf_counter()
    slow = stats.naive_item_statistics(r, args.attempts, args.bank)
    slow_choices = plain_choices(r, args.bank)
    slow_form = stats.naive_form_statistics(r, args.items)
    slow_s = time.perf_counter() - started

    differences = [0.0]
    for i, (p, rpb, eff) in enumerate(slow):
        differences += [
            abs(fast.facility[i] - p),
            abs(fast.discrimination[i] - rpb),
            abs(fast.efficiency[i] - eff),
        ]
    for name in ("mean", "sd", "alpha", "sem"):
        differences.append(abs(getattr(fast_form, name) - getattr(slow_form, name)))
    max_difference = max(differences)
    return {
        "attempts": args.attempts,
        "items_per_paper": args.items,
        "bank_items": args.bank,
        "responses": int(len(r.attempt)),
        "generate_s": round(generate_s, 3),
        "vectorised_s": round(fast_s, 3),
        "plain_loop_s": round(slow_s, 3),
        "speedup": round(slow_s / fast_s, 1) if fast_s else None,
        "max_abs_difference": max_difference,
        "agree_1e-9": max_difference <= 1e-9 and sums.choices.tolist() == slow_choices,
        "form": {
            "mean": round(fast_form.mean, 4),
            "sd": round(fast_form.sd, 4),
            "alpha": round(fast_form.alpha, 4),
            "sem": round(fast_form.sem, 4),
        },
        "target_s": TARGET_S,
        "meets_target": fast_s <= TARGET_S,
    }


# -- the real path on a database -------------------------------------------------------------

CATEGORIES = {
    "persepsi_bahaya": ("PB", ("perilaku_etika", "antisipasi")),
    "wawasan": ("WW", ("hak_utama", "marka")),
    "pengetahuan": ("PG", ("rambu", "kecepatan")),
}


def bank_items(per_category: int):
    from ujisim.question_bank.content import ItemContent, Option

    return [
        ItemContent(
            code=f"{prefix}-{n:03d}",
            classes=("A", "C"),
            category=category,
            topic=topics[n % len(topics)],
            stem=f"Soal uji statistik {category} nomor {n}?",
            options=tuple(Option(f"Pilihan {k} soal {category} {n}", k == 0) for k in range(4)),
            explanation="-",
            legal_basis="UU 22/2009",
            difficulty=1 + n % 3,
        )
        for category, (prefix, topics) in CATEGORIES.items()
        for n in range(per_category)
    ]


def populate(session, n_attempts: int, seed: int) -> int:
    """A bank, candidates and ``n_attempts`` graded SIM A attempts, written the way the exam
    writes them (paper JSON, one answer step per position, grade 1), in bulk."""
    from sqlalchemy import insert, select

    from ujisim.accounts.models import User
    from ujisim.exam import policy
    from ujisim.exam.models import AnswerStep, Attempt, AttemptState, Grade
    from ujisim.question_bank.models import ItemVersion
    from ujisim.question_bank.services import import_contents

    bank = import_contents(session, bank_items(per_category=60)).bank_version
    blueprint = policy.current_blueprint(session, "A")
    versions = session.execute(select(ItemVersion.id, ItemVersion.category)).all()
    by_category = {c: np.array([v for v, cat in versions if cat == c]) for c in CATEGORIES}
    all_versions = np.array([v for v, _ in versions])
    difficulty = dict(
        zip(
            all_versions.tolist(),
            np.random.default_rng(seed).normal(-0.8, 1, len(all_versions)),
            strict=True,
        )
    )

    now = datetime(2026, 11, 22, 3, tzinfo=UTC)
    n_users = max(1, n_attempts // 3)  # retakes: about three attempts per candidate
    session.execute(
        insert(User),
        [
            {
                "id": u + 1,
                "email": f"stat{u}@bench.id",
                "full_name": f"Calon {u}",
                "password_hash": "x",
                "session_nonce": f"{u:016x}",
                "created_at": now,
            }
            for u in range(n_users)
        ],
    )
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n_attempts)
    attempt_rows, step_rows, grade_rows = [], [], []
    for a in range(n_attempts):
        chosen = np.concatenate(
            [rng.choice(by_category[c], size=n, replace=False) for c, n in blueprint.counts.items()]
        )
        rng.shuffle(chosen)
        orders = [rng.permutation(OPTIONS).tolist() for _ in chosen]
        p = 1 / (1 + np.exp(np.array([difficulty[v] for v in chosen.tolist()]) - ability[a]))
        correct = rng.random(len(chosen)) < p
        paper = [{"v": v, "o": o} for v, o in zip(chosen.tolist(), orders, strict=True)]
        score = int(correct.sum())
        attempt_rows.append(
            {
                "id": a + 1,
                "user_id": a % n_users + 1,
                "vehicle_class": "A",
                "blueprint_id": blueprint.id,
                "bank_version_id": bank.id,
                "seed": f"{a:032x}",
                "paper_json": json.dumps(paper),
                "state": AttemptState.GRADED,
                "created_at": now,
                "started_at": now,
                "finished_at": now + timedelta(minutes=20),
                "score": score,
                "passed": score >= blueprint.pass_mark,
            }
        )
        for position, (order, right) in enumerate(zip(orders, correct.tolist(), strict=True)):
            key_shown = order.index(0)  # option 0 is the key of every bench item
            wrong = (key_shown + 1 + int(rng.integers(0, OPTIONS - 1))) % OPTIONS
            step_rows.append(
                {
                    "attempt_id": a + 1,
                    "position": position,
                    "choice": key_shown if right else wrong,
                    "client_seq": position + 1,
                    "server_at": now,
                }
            )
        grade_rows.append(
            {
                "attempt_id": a + 1,
                "number": 1,
                "score": score,
                "total": len(chosen),
                "passed": score >= blueprint.pass_mark,
                "by_category_json": "{}",
                "key_versions_json": json.dumps(chosen.tolist()),
                "reason": "submitted",
                "at": now + timedelta(minutes=20),
            }
        )
    session.execute(insert(Attempt), attempt_rows)
    session.execute(insert(AnswerStep), step_rows)
    session.execute(insert(Grade), grade_rows)
    session.commit()
    return len(step_rows)


def database(args) -> dict:
    from sqlalchemy import select

    from ujisim.app import create_app
    from ujisim.core.db import get_db, get_session, run_alembic
    from ujisim.exam import analysis
    from ujisim.exam.models import Attempt
    from ujisim.exam.stats_models import FormStat

    with tempfile.TemporaryDirectory(prefix="ujisim-stats-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'stats.db'}"
        config = {"INSTANCE_PATH": workdir, "DATABASE_URL": url, "JOBS_BACKEND": "eager"}
        app = create_app(config)
        with app.app_context():
            from alembic import command

            run_alembic(command.upgrade, "head")
            started = time.perf_counter()
            steps = populate(get_session(), args.db_attempts, args.seed)
            populate_s = time.perf_counter() - started

        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["exam", "stats"])
        cli_s = time.perf_counter() - started
        if result.exit_code != 0:
            raise SystemExit(result.output)

        with app.app_context():
            session = get_session()
            ids = session.scalars(select(Attempt.id).order_by(Attempt.id)).all()
            started = time.perf_counter()
            gathered = 0
            for chunk in range(0, len(ids), analysis.BATCH):
                gathered += len(
                    analysis.gather(session, ids[chunk : chunk + analysis.BATCH]).attempt_ids
                )
            gather_s = time.perf_counter() - started
            form = session.scalars(select(FormStat)).one()
            summary = {"n": form.n, "mean": round(form.mean, 4), "alpha": round(form.alpha, 4)}
            session.rollback()
        get_db(app).dispose()
    return {
        "backend": "sqlite",
        "attempts": args.db_attempts,
        "answer_steps": steps,
        "populate_s": round(populate_s, 3),
        "cli_exam_stats_s": round(cli_s, 3),
        "cli_output": result.output.strip(),
        "gather_only_s": round(gather_s, 3),
        # two separate runs on a shared machine: a rough split, not a measurement of its own
        "cli_minus_gather_s": round(cli_s - gather_s, 3),
        "attempts_per_s": round(args.db_attempts / cli_s, 1),
        "gathered": gathered,
        "form": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--bank", type=int, default=120, help="items the papers are drawn from")
    parser.add_argument("--db-attempts", type=int, default=10_000, help="0: skip the database")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    result = {"benchmark": "item analysis (exam/stats.py, exam/analysis.py)", "core": core(args)}
    if args.db_attempts:
        result["database"] = database(args)
    result.update(
        python=platform.python_version(), numpy=np.__version__, machine=platform.machine()
    )
    print(json.dumps(result, indent=2))
    if not result["core"]["agree_1e-9"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
