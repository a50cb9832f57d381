"""The pieces of bench/throughput.py: the generated site, its server, the ceilings and the baseline runners."""
