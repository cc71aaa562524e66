"""E-mail: notifications and the daily digest through an outbox that retries until a mail is sent."""
