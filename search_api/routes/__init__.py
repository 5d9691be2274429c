"""The service's blueprints."""
