"""Forecast: a day's orders per region from a history of daily orders.

The campaign and holiday calendar (``campaigns``), the history (``history``), the features of a
day (``features``), the fitted model (``model``), the short history's fallback (``naive``),
what a forecast gives (``result``) and the forecast of a day (``predict``)."""
