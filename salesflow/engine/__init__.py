"""The stage-gate engine: gates, transitions, authority and the events of each action. No Django."""
