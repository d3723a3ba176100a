"""What is inside one environment: the commands packages installed, outside changes."""
