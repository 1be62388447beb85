"""Live: the plan day as it happens. Driver links and tracking events on the typed plan, a
driver's report checked against the stored plan and recorded; and the day after the plan:
events from the road and from carriers, where each route and order stands, predicted
arrivals, alerts for the dispatcher and notices for customers."""
