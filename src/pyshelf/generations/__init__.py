"""Generations on disk: finding, switching, going back, collecting, recovering."""
