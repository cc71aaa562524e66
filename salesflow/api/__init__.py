"""The REST API (django-ninja): records, their events, processes and the signed-in user, at ``/api/``.

The API parses requests, calls the same service functions as the web interface and the CLI
(`salesflow.records.services`), and renders refusals as RFC 9457 problem details.
"""
