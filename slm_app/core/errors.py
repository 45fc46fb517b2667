"""Problems found by the core, carried to the user in their own language.

The core never imports frappe, so it cannot translate. Each message is an English
template marked with ``_()`` (an identity function here, so Frappe's string extractor
finds it) and its arguments are kept apart; the adapter translates the template with
``frappe._`` and only then formats it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


def _(message: str) -> str:
	"""Mark a message for translation; the adapter translates it."""
	return message


class Term(str):
	"""A message argument that is itself a value with a translation (a state, a metric kind, a
	priority): the adapter translates it too when it formats the message, in the reader's language."""


def localise(arg: object, translate: Callable[[str], str]) -> object:
	"""A message argument in the reader's language: a Term translated, an object that words itself
	(``localise(translate)``, e.g. a target's description) worded, anything else as it is."""
	if isinstance(arg, Term):
		return translate(str(arg))
	own = getattr(arg, "localise", None)
	if callable(own):
		return own(translate)
	return arg


@dataclass(frozen=True)
class Problem:
	"""One thing wrong with an input, named so a user can act on it."""

	message: str
	args: tuple = ()
	field: str | None = None
	row: int | None = None

	def format(self, translate: Callable[[str], str] = lambda s: s) -> str:
		return translate(self.message).format(*(localise(a, translate) for a in self.args))


@dataclass
class RuleError(Exception):
	"""Raised when an input breaks a rule; carries every problem found, not just the first."""

	problems: list[Problem] = field(default_factory=list)

	def __post_init__(self):
		super().__init__("; ".join(p.format() for p in self.problems))

	def format(self, translate: Callable[[str], str] = lambda s: s, sep: str = "\n") -> str:
		return sep.join(p.format(translate) for p in self.problems)


def raise_if(problems: Iterable[Problem]) -> None:
	problems = list(problems)
	if problems:
		raise RuleError(problems)
