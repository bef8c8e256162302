"""Signals other apps listen to, so the agreements app needs not know them.

Each is sent inside the transition's transaction; receivers live in the app that reacts
and must accept ``**kwargs``. ``effective_on`` is the date the transition took effect
(never in the future, possibly in the past): receivers apply their effects from that date.

- ``agreement_signed(agreement, acting_user)``: an agreement was signed on
  ``agreement.signed_on`` (itdeploy opens the site's installation; training restores the
  officers whose designation ended with an earlier agreement).
- ``agreement_ended(agreement, acting_user, reason, transition, effective_on)``: a
  suspension (``transition="suspend"``), termination (``"terminate"``) or withdrawal
  (``"withdraw"``) (itdeploy pauses or cancels the installation; staffing ends the
  assignments; training ends the officers' designation).
- ``agreement_reinstated(agreement, acting_user, effective_on)``: a suspended agreement is
  in force again from ``effective_on`` (itdeploy resumes the installation).
- ``agreements_signed_in_bulk(agreements, acting_user)``: an import signed or loaded many.
"""

from django.dispatch import Signal

agreement_signed = Signal()  # kwargs: agreement, acting_user
agreement_ended = Signal()  # kwargs: agreement, acting_user, reason, transition, effective_on
agreement_reinstated = Signal()  # kwargs: agreement, acting_user, effective_on
agreements_signed_in_bulk = Signal()  # kwargs: agreements (list), acting_user: an import signed or loaded them at once
#: kwargs: agreement, previous_signed_on, acting_user: the agreement's signing date was corrected
#: (from ICE's list, accepted by HQ or applied at once); its installation's clock follows it.
agreement_signing_date_changed = Signal()
