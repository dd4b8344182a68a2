"""The graph model: records, labels, ids, skill names and the error tree. Imports nothing else of whoknows."""

from schema import errors as _errors
from schema import labels as _labels
from schema import models as _models
from schema.errors import *  # noqa: F403
from schema.ids import check_id, make_id, split_id
from schema.labels import *  # noqa: F403
from schema.models import *  # noqa: F403
from schema.skills import AliasTable, canonical_skill, parse_level

__all__ = [
    *_errors.__all__,
    *_labels.__all__,
    *_models.__all__,
    "AliasTable",
    "canonical_skill",
    "check_id",
    "make_id",
    "parse_level",
    "split_id",
]
