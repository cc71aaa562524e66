"""A real OpenID provider (django-oidc-provider) started by the tests in its own process."""
