"""Forecast submissions and adjustments: the human layer of the forecast (issue 20)."""
