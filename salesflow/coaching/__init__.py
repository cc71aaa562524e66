"""Coaching: who manages whom, the 1:1 meetings a manager holds with each person and their agreed actions."""
