"""Planning: a request becomes a plan. Orders grouped into stops, loads per compartment, the
conversion to the optimizer's integer problem, the own fleet's routing, feasibility reasons,
the assembly of the typed plan, the independent validator, and the use cases that plan a day
(:mod:`dispatch.planning.day`) or a stored job (:mod:`dispatch.planning.stored_job`)."""
