"""Load and validate the whole handbook once (organisation, procedures/, forms/); publishers read the result.

Every problem is collected (not just the first) with its file and line, in Chinese, so `handbook check` can
list them all. The steps live in their own modules: yaml_source (reading YAML, positions from the node tree),
schema_problems (shape errors in Chinese), chapter_checks (one chapter by itself), references (cross-references),
forms.loader (forms and their links to clauses), document_control (status and sign-offs), git_history and
model_cache.
"""

from __future__ import annotations

from pathlib import Path

from . import messages as m
from .chapter_checks import check_chapter, check_file_name
from .document_control import check_chapter_control, check_form_control
from .forms.loader import check_forms, load_forms
from .git_history import last_changed_dates
from .model import Handbook, Procedure
from .model_cache import CACHE, cached, fingerprint
from .organisation import load_organisation
from .references import check_references
from .schema_problems import FIELD_LABELS
from .yaml_source import FAST_LOADER, load_yaml

__all__ = ["CACHE", "FAST_LOADER", "FIELD_LABELS", "Handbook", "load_file", "load_handbook"]


def load_file(path: Path):
    return load_yaml(path, Procedure)


def load_handbook(root: Path, procedures_dir: str = "procedures",
                  organisation_file: str = "organisation.yml", forms_dir: str = "forms") -> Handbook:
    """Load everything; raise ProblemsFound listing every problem.

    A handbook without problems is kept in .cache/ under a digest of its sources, so the next command
    (validate, report, a rebuild under serve) unpickles it in 20 ms instead of parsing 96 YAML files."""
    root = Path(root)
    key = fingerprint(root, procedures_dir, organisation_file, forms_dir)
    return cached(root, key, lambda: _load_handbook(root, procedures_dir, organisation_file, forms_dir))


def _load_handbook(root: Path, procedures_dir: str, organisation_file: str, forms_dir: str) -> Handbook:
    org = load_organisation(root / organisation_file)
    folder = root / procedures_dir
    files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
    if not files:
        raise m.ProblemsFound([m.Problem(m.NoProcedures, folder, None, {"path": folder})])

    problems: list[m.Problem] = []
    procs: list[Procedure] = []
    seen: dict[str, Path] = {}
    dates = last_changed_dates(folder)
    for path in files:
        proc, errs = load_file(path)
        problems += errs
        problems += check_file_name(path, proc)
        if proc is None:
            continue
        proc._last_changed = dates.get(str(path.resolve()))
        if proc.chapter in seen:
            problems.append(m.Problem(m.DuplicateChapter, path, 1, {"chapter": proc.chapter, "other": seen[proc.chapter].name}))
            continue
        seen[proc.chapter] = path
        problems += check_chapter(proc, path, org)
        procs.append(proc)

    forms, form_problems = load_forms(root / forms_dir)
    problems += form_problems
    handbook = Handbook(root=root, organisation=org, procedures=procs, forms=forms)
    for proc in procs:
        problems += check_references(proc, handbook)
        problems += check_chapter_control(proc, handbook)
    for form in forms:
        problems += check_form_control(form)
    problems += check_forms(handbook)
    if problems:
        raise m.ProblemsFound(problems)
    return handbook
