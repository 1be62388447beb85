"""Forecast: the campaign and holiday calendar, the history of daily orders per region, and
the model that forecasts a day's orders from it."""
