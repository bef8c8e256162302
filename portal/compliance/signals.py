"""Signals of the compliance framework.

``sweep_finished(run, notify)`` is sent once a sweep run has recorded its findings and
counts; ``notify`` is False when the run was asked not to notify anyone (``sweep
--no-notify``). The oversight app listens to it: escalations and the digest e-mails, in a
Celery task enqueued on commit.
"""

from django.dispatch import Signal

sweep_finished = Signal()
