"""Operations: the production server, the worker that does all scheduled work, health and metrics."""
