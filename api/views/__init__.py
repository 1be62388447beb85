"""What the pages show: plans and requests turned into plain view data (map layers, ...)."""
