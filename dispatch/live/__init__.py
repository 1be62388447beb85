"""The day after the plan: events from the road and from carriers, where each route and
order stands, predicted arrivals, alerts for the dispatcher and notices for customers."""
