"""Accounts and sign-in: lockout after failed sign-ins (django-axes) and HQ's unlock,
session limits, two-factor sign-in (TOTP), deactivation, federal single sign-on (OIDC)."""
