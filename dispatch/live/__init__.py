"""Live: the plan day as it happens. Driver links and tracking events on the typed plan, and
a driver's report on a stop checked against the stored plan, then recorded."""
