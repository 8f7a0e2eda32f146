"""Where a sweep's study lives: an Optuna storage URL (SQLite by default, or a journal file).

Storage is how a sweep spreads over processes and machines: every worker started with the same
``--storage`` and study name shares one study. The storage file itself is checked against the
output policy before it is opened (never one of the run's inputs, its folder must exist).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graphspec.base.output import OutputPolicy
from graphspec.errors import TrainError, UsageError

__all__ = [
    "DEFAULT_HEARTBEAT",
    "StorageSpec",
    "fail_dead_local_trials",
    "open_storage",
    "parse_storage",
    "worker_id",
]

DEFAULT_HEARTBEAT: Final = 20
"""Seconds between a worker's heartbeats in SQL storage; a trial silent for twice as long is
failed (its worker was killed) and queued again."""

_CREATE_ATTEMPTS: Final = 5
"""Workers started together race to create a new SQL storage's tables; the losers retry."""

_RACES: Final = (
    "already exists",
    "no such table",
    "database is locked",
    "version_info",
    "alembic_version",  # two workers writing the schema version of a new file at once
)
_JOURNAL_SUFFIXES: Final = (".journal", ".log", ".jsonl")
_SQL_SCHEMES: Final = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql")


@dataclass(frozen=True)
class StorageSpec:
    """A storage as given: ``kind`` is ``sqlite``, ``journal`` or ``sql`` (a database server)."""

    kind: str
    url: str
    path: Path | None = None

    def describe(self) -> str:
        """``SQLite file sweep.db``, ``journal file sweep.journal``, ``postgresql://…``."""
        if self.kind == "sqlite":
            return f"SQLite file {self.path}"
        if self.kind == "journal":
            return f"journal file {self.path}"
        return self.url.split("@")[-1] if "@" in self.url else self.url


def parse_storage(text: str | None, default: Path) -> StorageSpec:
    """The storage named by ``--storage``: an Optuna URL, ``journal:PATH``, or a file path.

    >>> parse_storage(None, Path("m.sweep.db")).url
    'sqlite:///m.sweep.db'
    >>> parse_storage("runs/s.journal", Path("x")).kind, parse_storage("journal:/nfs/s", Path("x")).kind
    ('journal', 'journal')
    >>> parse_storage("postgresql://u:p@db/sweeps", Path("x")).describe()
    'db/sweeps'
    """
    if text is None:
        return StorageSpec("sqlite", f"sqlite:///{default}", default)
    if text.startswith("journal:"):
        return StorageSpec("journal", text, Path(text.removeprefix("journal:").removeprefix("//")))
    scheme = text.split(":", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    if scheme == "sqlite":
        file = Path(text.split(":///", 1)[1]) if ":///" in text else None
        return StorageSpec("sqlite", text, file)
    if scheme in _SQL_SCHEMES:
        return StorageSpec("sql", text)
    if scheme:
        raise UsageError(
            f"--storage {text!r}: unknown scheme `{scheme}`; use sqlite:///FILE, "
            "postgresql://…, mysql://…, journal:FILE, or a file path (.db or .journal)"
        )
    path = Path(text)
    if path.suffix.lower() in _JOURNAL_SUFFIXES:
        return StorageSpec("journal", f"journal:{path}", path)
    return StorageSpec("sqlite", f"sqlite:///{path}", path)


def open_storage(storage: StorageSpec, policy: OutputPolicy, heartbeat: int) -> Any:
    """The Optuna storage object; a file storage is checked by the output policy first.

    SQL storages get heartbeats: a trial whose worker stops beating (killed) is failed after
    ``2 * heartbeat`` seconds and queued again with the same params.
    """
    import warnings

    import optuna

    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    if storage.path is not None:
        _check_file(storage.path, policy)
    if storage.kind == "journal":
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        assert storage.path is not None
        return JournalStorage(JournalFileBackend(str(storage.path)))
    kwargs: dict[str, Any] = {}
    if storage.kind == "sqlite":  # several processes wait for the file's lock, not fail
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 120}}
    for attempt in range(_CREATE_ATTEMPTS):
        try:
            return optuna.storages.RDBStorage(
                storage.url,
                heartbeat_interval=heartbeat,
                grace_period=2 * heartbeat,
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                    max_retry=2
                ),
                **kwargs,
            )
        except (
            Exception
        ) as err:  # sqlalchemy's Operational/IntegrityError: the schema being created
            racing = any(text in str(err) for text in _RACES)
            if not racing or attempt == _CREATE_ATTEMPTS - 1:
                first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                raise TrainError(
                    f"cannot open the sweep's storage {storage.describe()}: {first}"
                ) from err
            time.sleep(0.2 * (attempt + 1))  # another worker is creating the tables: join it
    raise AssertionError("unreachable")


def _check_file(path: Path, policy: OutputPolicy) -> None:
    """A storage file is written in place, over many runs: it may exist already (the study
    goes on), but it is never an input, its folder exists (or ``--mkdir``), it is writable."""
    (target,) = dataclasses.replace(policy, force=True).check(path)
    for folder in target.missing:
        folder.mkdir(exist_ok=True)


def worker_id() -> str:
    """``host:pid`` of this process, recorded on every trial it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def fail_dead_local_trials(study: Any) -> list[int]:
    """Fail the running trials whose worker ran on this machine and is gone (``kill -9``).

    Journal storage has no heartbeat; a worker that starts (or waits) looks for the trials
    workers of its own machine left running and fails them, so the study can finish.
    """
    import optuna

    host = socket.gethostname()
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        owner = str(trial.user_attrs.get("worker", ""))
        name, _, pid = owner.rpartition(":")
        if name != host or not pid.isdigit() or _alive(int(pid)):
            continue
        study._storage.set_trial_state_values(  # the public way to fail another's trial
            trial._trial_id, optuna.trial.TrialState.FAIL
        )
        failed.append(trial.number)
    return failed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
