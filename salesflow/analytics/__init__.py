"""Sales controlling, planning and forecasting on the event log (reports through Ibis on DuckDB or PostgreSQL)."""
