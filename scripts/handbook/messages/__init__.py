"""One catalogue of the Chinese messages users see, keyed by error code, grouped by domain.

Each message is a `HandbookError` subclass with a code, a title and a template, written through its one render
path `X.render(**params)`. One module per domain; every class is re-exported here, so `messages.X` and
`from handbook.messages import X` name it wherever it is defined:

- base       HandbookError, Problem (a located problem in a source), ProblemsFound
- sources    the handbook's sources as `handbook check` reads them: procedures, forms, organisation.yml, data/kpis.yml
- files      record files that cannot be used at all (exit code 2)
- tables     problems inside a usable table other than a rule's finding (exit code 1)
- normalize  what was normalised on reading a record file
- records    what the record commands print: validate, ingest, batch, withdraw, close, report, sample
- store      the 管理处 registry, reportable and closed months, the record store
- intake     the intake web app and its accounts

The record rules' messages are the rule classes themselves (records/rules/); every code is unique across both.
"""

from .base import HandbookError, Problem, ProblemsFound
from .sources import *  # noqa: F401,F403
from .files import *  # noqa: F401,F403
from .tables import *  # noqa: F401,F403
from .normalize import *  # noqa: F401,F403
from .records import *  # noqa: F401,F403
from .store import *  # noqa: F401,F403
from .intake import *  # noqa: F401,F403
