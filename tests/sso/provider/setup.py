"""Prepare the provider's database: tables, signing key, Salesflow as client, users with groups.

Usage: PROVIDER_DB=… PROVIDER_URL=… python -m tests.sso.provider.setup REDIRECT_URI
"""

import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402

CLIENT_ID = "salesflow"
CLIENT_SECRET = "salesflow-test-client-secret"
PASSWORD = "idp-password-1"

call_command("migrate", verbosity=0)
call_command("creatersakey", verbosity=0)
client = Client.objects.create(name="Salesflow", client_type="confidential", client_id=CLIENT_ID,
                               client_secret=CLIENT_SECRET, jwt_alg="RS256", require_consent=False,
                               reuse_consent=True, _redirect_uris=sys.argv[1])
client.response_types.add(ResponseType.objects.get(value="code"))
for username, first, last, groups in [("olivia", "Olivia", "Okta", ["sf-heads", "team-north"]),
                                      ("sam", "Sam", "Sales", ["sf-kams"])]:
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, first_name=first, last_name=last)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
print("ready")
