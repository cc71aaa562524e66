"""Single sign-on (OpenID Connect) and two-factor authentication (TOTP) for local accounts."""
