"""pyshelf: one shared, generational Python environment for the packages you use everywhere."""

__version__ = "0.1.0"
