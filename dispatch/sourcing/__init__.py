"""Sourcing: who delivers what. Carriers and their prices, the region of every order, the
per-region search and the per-order choice between the own fleet and carriers, and the route
costs the search estimates from."""
