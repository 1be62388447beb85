"""What the pages show: a typed plan and the places of its request turned into plain view
data: map layers (``plan_map``), GeoJSON (``geojson``), the driver page's rows
(``driver_page``), and the one cache of rendered pages (``cache``)."""
