"""Failover drills: inject a fault, watch the cluster from outside, restore, report the numbers."""
