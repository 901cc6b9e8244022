"""Training rehearsals on simulated CAR-T patients."""
