"""Live: the plan day as it happens. Events from the road and from carriers, where each route
and order stands, predicted arrivals, alerts for the dispatcher and notices for customers.

- :mod:`dispatch.live.tracking`: driver links, when they expire and how they enter a plan;
- :mod:`dispatch.live.status`: the shared answer (route, stop, order and day status);
- :mod:`dispatch.live.events`: what a driver's or a carrier's event may say, recorded once;
- :mod:`dispatch.live.predict`: :func:`~dispatch.live.predict.day_status`, the predicted
  arrivals, lateness and cold-chain ages after the events so far;
- :mod:`dispatch.live.wallclock`: the one injectable clock.
"""
