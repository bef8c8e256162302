"""Signals other apps listen to, so the agreements app needs not know them.

``agreement_signed`` lets the IT installation app open an agency's installation when its
first agreement that needs one is signed; it is sent inside the signing transaction.
"""

from django.dispatch import Signal

agreement_signed = Signal()  # kwargs: agreement, acting_user
agreement_ended = Signal()  # kwargs: agreement, acting_user, reason (suspension, termination, withdrawal)
agreement_reinstated = Signal()  # kwargs: agreement, acting_user (a suspended agreement is active again)
agreements_signed_in_bulk = Signal()  # kwargs: agreements (list), acting_user: an import signed or loaded them at once
#: kwargs: agreement, previous_signed_on, acting_user: the agreement's signing date was corrected
#: (from ICE's list, accepted by HQ or applied at once); its installation's clock follows it.
agreement_signing_date_changed = Signal()
