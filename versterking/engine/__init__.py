"""One run of the model: resources with their schedules and waiting lines, the rules of service,
the measures at work, the life of an address, and the run itself (versterking.engine.run)."""
