"""Lists people use: saved filters per user, exports of exactly what a list shows, the audit-trail browser."""
