"""Moving over from other tools: what they installed, and where each app goes."""
