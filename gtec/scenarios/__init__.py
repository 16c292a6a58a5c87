"""Foresight scenarios (Les metiers en 2030 stock-flow method): parameters, engine, saved scenarios, charts."""
