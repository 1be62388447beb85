"""Forecast one day's orders per region from a history of daily orders.

The model, one ordinary least squares fit (statsmodels) over all regions, on
``log(1 + orders)``:

* per region: its level, its trend (when it spans 8 weeks) and its own weekday pattern;
* shared by all regions: the yearly swing (two Fourier pairs, with two years of data),
  Taiwan's public holidays and the days before and after them (``holidays.TW``),
  Lunar New Year by its distance from 初一, and each campaign's uplift on each day of
  its window (Double 11, Double 12, 618; ``dispatch.forecast.campaigns``). A series holds two
  campaigns of a kind at most, too few to learn alone; pooled, every region teaches it.
* then each region's own reaction to campaigns, as a multiple of the pooled uplift,
  shrunk toward the pooled one (empirical Bayes): a region with no campaign days of
  its own gets the pooled uplift unchanged;
* and the day-to-day persistence of the residuals (AR(1)), which fades with the horizon.

The prediction interval is the model's: normal on the log scale with variance
= parameter uncertainty (the fit's covariance) + the region's residual variance on
ordinary days (reduced by what the AR(1) term explains at short horizons) + on a
campaign day, the year-to-year variation of a campaign's strength (estimated from
repeated campaigns in the history, at least 5% and 10% when none repeat), with
Student-t quantiles, mapped back to orders. ``mean`` is the log-normal mean.

Regions with fewer than :data:`MIN_REGION_DAYS` days of data are forecast as the
modelled regions' average pattern scaled to their own days; a history where no
region has that many falls back to the same weekday's last value. Each fallback is
named in the forecast's notes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS

from dispatch.forecast.features import Design, calendar_features, campaign_key, is_special
from dispatch.forecast.history import History
from dispatch.forecast.result import (
    DEFAULT_LEVEL,
    Forecast,
    ForecastError,
    RegionForecast,
    check_level,
)

MIN_REGION_DAYS = 28
"""Days of data a region needs for a model of its own."""


MIN_TREND_DAYS = 56
"""Days a region's data must span before its trend is fitted."""


MIN_YEARLY_DAYS = 730
"""Days the history must span before the yearly swing is fitted (with less, it is
confounded with the trend and with the campaigns at the history's two ends)."""


CAMPAIGN_SD_PRIOR = 0.10
"""Relative year-to-year variation of a campaign's strength when no campaign repeats."""


CAMPAIGN_SD_FLOOR = 0.05


MAX_HORIZON_DAYS = 731
"""How far past the history a day may be forecast."""


_FALLBACK_SD = 0.3


@dataclass(frozen=True)
class ForecastModel:
    """The model fitted on a history; :meth:`predict` forecasts any later day."""

    design: Design
    params: np.ndarray = field(repr=False)
    cov: np.ndarray = field(repr=False)
    df_resid: float
    sigma2: Mapping[str, float]
    """Each modelled region's residual variance on ordinary days."""
    ar: float
    last_residual: Mapping[str, tuple[date, float]]
    sensitivity: Mapping[str, float]
    """Each modelled region's reaction to campaigns, as a multiple of the pooled uplift."""
    campaign_sd: float
    short: Mapping[str, tuple[float, float, int]]
    """Regions with too few days: log scale against the average region, its sd, days."""
    first: date
    last: date
    notes: tuple[str, ...] = ()

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region the model can forecast."""
        return (*self.sigma2, *self.short)

    def predict(
        self, day: date, *, level: float = DEFAULT_LEVEL, regions: Sequence[str] | None = None
    ) -> Forecast:
        """Forecast ``day`` for ``regions`` (all by default) with intervals at ``level``."""
        check_level(level)
        asked = list(regions) if regions is not None else list(self.regions)
        unknown = [r for r in asked if r not in self.sigma2 and r not in self.short]
        if unknown:
            raise ForecastError(
                f"unknown region(s) {', '.join(map(repr, unknown))}: the history has "
                f"{', '.join(self.regions)}"
            )
        horizon = (day - self.last).days
        if horizon > MAX_HORIZON_DAYS:
            raise ForecastError(
                f"{day} is {horizon} days after the history ends ({self.last}); "
                f"at most {MAX_HORIZON_DAYS} days ahead can be forecast"
            )
        notes = list(self.notes)
        if horizon <= 0:
            notes.append(f"{day} is inside the history; the forecast uses only days before it")
        shared = calendar_features(day)
        missing = [k for k in shared if k not in self.design.columns]
        if missing:
            names = ", ".join(missing)
            notes.append(f"{day} has {names}, never seen in the history: its effect is left out")
        z = float(stats.t.ppf((1 + level) / 2, self.df_resid))
        out = []
        for region in asked:
            if region in self.short:
                mu, var = self._scaled_average(day, region)
                method = "scaled-average"
            else:
                mu, var = self._log_forecast(day, region)
                method = "model"
            out.append(_interval(region, mu, var, z, method))
        return Forecast(day, level, tuple(out), tuple(notes), (self.first, self.last))

    def _log_forecast(self, day: date, region: str) -> tuple[float, float]:
        features = self.design.row(day, region)
        x = self.design.vector(features)
        mu = float(x @ self.params)
        var_params = float(x @ self.cov @ x)
        campaign = campaign_key(features)
        effect = 0.0
        if campaign is not None and campaign in self.design.columns:
            effect = float(self.params[self.design.columns.index(campaign)])
            mu += (self.sensitivity.get(region, 1.0) - 1.0) * effect
        seen, residual = self.last_residual[region]
        h = max((day - seen).days, 1)
        persistence = self.ar**h
        mu += persistence * residual
        var = var_params + self.sigma2[region] * (1 - persistence**2)
        var += (self.campaign_sd * effect) ** 2
        return mu, var

    def _scaled_average(self, day: date, region: str) -> tuple[float, float]:
        scale, sd, n = self.short[region]
        mus, variances = zip(*(self._log_forecast(day, r) for r in self.sigma2), strict=True)
        mu = float(np.mean(mus)) + scale
        var = float(np.mean(variances)) + sd**2 * (1 + 1 / n)
        return mu, var


def _interval(region: str, mu: float, var: float, z: float, method: str) -> RegionForecast:
    sd = math.sqrt(max(var, 0.0))
    mean = max(math.exp(mu + var / 2) - 1, 0.0)
    lower = max(math.expm1(mu - z * sd), 0.0)
    upper = max(math.expm1(mu + z * sd), 0.0)
    return RegionForecast(region, mean, lower, upper, method)


def fit(history: History) -> ForecastModel:
    """Fit the forecast model on every day of ``history`` (see the module's description)."""
    if not len(history):
        raise ForecastError("the history holds no data")
    counts = {r: len(s) for r, s in history.series.items()}
    full = [r for r, n in counts.items() if n >= MIN_REGION_DAYS]
    if not full:
        most = max(counts.values())
        raise ForecastError(
            f"the history is too short for the model: no region has {MIN_REGION_DAYS} days "
            f"of data (most: {most})"
        )
    notes: list[str] = []
    first, last = history.first, history.last
    span = (last - first).days + 1
    if span < MIN_YEARLY_DAYS:
        notes.append(
            f"the history spans {span} days; the yearly swing needs {MIN_YEARLY_DAYS} "
            "and is left out"
        )
    trend = frozenset(
        r for r in full if (max(history.series[r]) - min(history.series[r])).days >= MIN_TREND_DAYS
    )
    draft = Design(first, span >= MIN_YEARLY_DAYS, trend, ())
    rows: list[dict[str, float]] = []
    keys: list[tuple[str, date]] = []
    y: list[float] = []
    for region in full:
        for day, orders in history.series[region].items():
            rows.append(draft.row(day, region))
            keys.append((region, day))
            y.append(math.log1p(orders))
    columns = tuple(sorted({c for row in rows for c, v in row.items() if v != 0.0}))
    design = Design(first, draft.yearly, trend, columns)
    x = np.array([design.vector(row) for row in rows])
    result = OLS(np.array(y), x).fit(method="qr")
    params = np.asarray(result.params)
    resid = np.asarray(result.resid)
    df_resid = max(float(result.df_resid), 1.0)
    inflate = len(y) / df_resid

    special = np.array([is_special(row) for row in rows])
    sigma2: dict[str, float] = {}
    pooled_ordinary = float(np.mean(resid[~special] ** 2)) * inflate if (~special).any() else 0.0
    for region in full:
        mask = np.array([k[0] == region for k in keys]) & ~special
        sigma2[region] = (
            float(np.mean(resid[mask] ** 2)) * inflate if mask.sum() > 7 else pooled_ordinary
        )

    ar, last_residual = _persistence(keys, resid)
    sensitivity, campaign_sd = _campaign_spread(rows, keys, resid, params, design, sigma2)
    short = _short_regions(history, counts, full, design, params, notes)
    return ForecastModel(
        design=design,
        params=params,
        cov=np.asarray(result.cov_params()),
        df_resid=df_resid,
        sigma2=sigma2,
        ar=ar,
        last_residual=last_residual,
        sensitivity=sensitivity,
        campaign_sd=campaign_sd,
        short=short,
        first=first,
        last=last,
        notes=tuple(notes),
    )


def _persistence(
    keys: Sequence[tuple[str, date]], resid: np.ndarray
) -> tuple[float, dict[str, tuple[date, float]]]:
    """Pooled lag-one autocorrelation of residuals on consecutive days, and each region's last."""
    last: dict[str, tuple[date, float]] = {}
    pairs: list[tuple[float, float]] = []
    for (region, day), e in zip(keys, resid, strict=True):
        prev = last.get(region)
        if prev is not None and (day - prev[0]).days == 1:
            pairs.append((prev[1], float(e)))
        last[region] = (day, float(e))
    if len(pairs) < 10:
        return 0.0, last
    a, b = np.array(pairs).T
    phi = float(np.sum(a * b) / np.sum(a * a)) if np.sum(a * a) > 0 else 0.0
    return min(max(phi, 0.0), 0.95), last


def _campaign_spread(
    rows: Sequence[Mapping[str, float]],
    keys: Sequence[tuple[str, date]],
    resid: np.ndarray,
    params: np.ndarray,
    design: Design,
    sigma2: Mapping[str, float],
) -> tuple[dict[str, float], float]:
    """Each region's campaign multiple (shrunk to 1) and the campaigns' year-to-year spread."""
    by_region: dict[str, list[tuple[float, float]]] = {}
    by_occurrence: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for row, (region, day), e in zip(rows, keys, resid, strict=True):
        key = campaign_key(row)
        if key is None:
            continue
        effect = float(params[design.columns.index(key)])
        by_region.setdefault(region, []).append((effect, float(e)))
        _, name, offset = key.split(":")
        year = (day - timedelta(int(offset))).year
        by_occurrence.setdefault((name, year), []).append((effect, float(e)))

    raw: dict[str, tuple[float, float]] = {}
    for region, pairs in by_region.items():
        ex, ey = np.array(pairs).T
        weight = float(np.sum(ex * ex))
        if weight > 1e-6:
            raw[region] = (float(np.sum(ex * ey) / weight), sigma2[region] / weight)
    sensitivity: dict[str, float] = {}
    if len(raw) >= 3:
        b, v = np.array(list(raw.values())).T
        tau2 = max(float(np.var(b, ddof=1) - np.mean(v)), 0.0)
        for region, (br, vr) in raw.items():
            shrink = tau2 / (tau2 + vr) if tau2 + vr > 0 else 0.0
            sensitivity[region] = 1.0 + shrink * br

    deviations: dict[str, list[float]] = {}
    for (name, _year), pairs in by_occurrence.items():
        ex, ey = np.array(pairs).T
        weight = float(np.sum(ex * ex))
        if weight > 1e-6:
            deviations.setdefault(name, []).append(float(np.sum(ex * ey) / weight))
    ss = sum(float(np.sum(np.square(d))) for d in deviations.values() if len(d) > 1)
    dof = sum(len(d) - 1 for d in deviations.values() if len(d) > 1)
    campaign_sd = max(math.sqrt(ss / dof), CAMPAIGN_SD_FLOOR) if dof else CAMPAIGN_SD_PRIOR
    return sensitivity, campaign_sd


def _short_regions(
    history: History,
    counts: Mapping[str, int],
    full: Sequence[str],
    design: Design,
    params: np.ndarray,
    notes: list[str],
) -> dict[str, tuple[float, float, int]]:
    """Regions with too few days: their log level against the average modelled region."""
    short: dict[str, tuple[float, float, int]] = {}
    for region, n in counts.items():
        if n >= MIN_REGION_DAYS:
            continue
        gaps = []
        for day, orders in history.series[region].items():
            average = np.mean([design.vector(design.row(day, r)) @ params for r in full])
            gaps.append(math.log1p(orders) - float(average))
        sd = float(np.std(gaps, ddof=1)) if len(gaps) >= 3 else _FALLBACK_SD
        short[region] = (float(np.mean(gaps)), max(sd, 0.05), len(gaps))
        notes.append(
            f"region {region} has {n} day(s) of data ({MIN_REGION_DAYS} needed for its own "
            "model): forecast as the average region's pattern scaled to its days"
        )
    return short
