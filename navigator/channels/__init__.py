"""Flask blueprints at the edge: parse the request, call the core, render the reply."""
