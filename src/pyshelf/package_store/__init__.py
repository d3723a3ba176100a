"""The package store: every installed distribution once, in a folder of its own, from which
generations are composed by links (:mod:`.entries` fills it, :mod:`.compose` links it into a
venv, :mod:`.carry` keeps what tools wrote into an environment)."""
