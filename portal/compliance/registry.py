"""Compliance rules and their registry.

Each app declares its rules in ``<app>/rules.py`` with ``@registry.register``; the portal
imports those modules at start-up. A rule computes its violations for a day, set-based
(one or a few queries over all data), and returns them; the sweep turns them into findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from .models import Severity


@dataclass(frozen=True)
class Violation:
    """One subject that breaks a rule today.

    ``responsible_id`` left empty means the default: the primary program manager of the
    agency, else the Field Office Director of the office, else HQ (nobody in particular).
    """

    subject_id: int
    label: str
    agency_id: int | None = None
    field_office_id: int | None = None
    responsible_id: int | None = None
    detail: str = ""
    severity: str | None = None
    #: Where the subject stands within the rule (a reminder's date, a card's warning); a
    #: change of stage on an open finding is recorded, so digests can report it.
    stage: str = ""


class Rule:
    """A compliance rule. Subclasses set the class attributes and implement ``evaluate``."""

    code: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    severity: ClassVar[str] = Severity.WARNING
    #: The model whose rows are the subjects of findings.
    subject_model: ClassVar[type] = None  # type: ignore[assignment]
    #: A rule that only says "the agency's onboarding is not finished" (no primary program
    #: manager, no backup, no workload report yet): while an agency is in the onboarding
    #: queue within HQ's grace period the sweep leaves it out, and the queue's own rule
    #: reports one finding per edition instead (hook ``agencies_onboarding_in_grace``).
    onboarding: ClassVar[bool] = False

    @property
    def category(self) -> str:
        return self.code.split(".", 1)[0]

    def evaluate(self, *, today: dt.date, subject_ids=None) -> Iterable[Violation]:  # pragma: no cover - interface
        """The violations on ``today``, set-based. With ``subject_ids`` (a collection of
        subject ids), only those subjects are evaluated: the same queries narrowed by a
        filter, so checking one subject costs what the sweep costs for one row."""
        raise NotImplementedError

    def violation_for(self, subject_id: int, *, today: dt.date) -> Violation | None:
        """The rule's violation for one subject today, or None when the condition is gone:
        the per-subject check a resolution by hand runs before it closes a finding."""
        for violation in self.evaluate(today=today, subject_ids={subject_id}):
            if violation.subject_id == subject_id:
                return violation
        return None


class RuleRegistry:
    def __init__(self):
        self._rules: dict[str, Rule] = {}

    def register(self, rule_class: type[Rule]) -> type[Rule]:
        rule = rule_class()
        if not rule.code or "." not in rule.code:
            raise ValueError(f"{rule_class.__name__}.code must be '<app>.<name>'")
        if rule.subject_model is None:
            raise ValueError(f"{rule_class.__name__} names no subject_model")
        self._rules[rule.code] = rule
        return rule_class

    def unregister(self, code: str) -> None:
        self._rules.pop(code, None)

    def get(self, code: str) -> Rule | None:
        return self._rules.get(code)

    def all(self, codes: Iterable[str] | None = None) -> list[Rule]:
        if codes is None:
            return [self._rules[c] for c in sorted(self._rules)]
        unknown = [c for c in codes if c not in self._rules]
        if unknown:
            raise KeyError(f"Unknown rule(s): {', '.join(unknown)}")
        return [self._rules[c] for c in codes]

    def choices(self) -> list[tuple[str, str]]:
        return [(r.code, r.title) for r in self.all()]


registry = RuleRegistry()
