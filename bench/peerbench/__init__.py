"""The parts of ``bench/peers.py``: running commands, the peers, the workloads, measuring, the
report and its targets."""
